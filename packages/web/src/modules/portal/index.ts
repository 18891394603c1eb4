import { CLERICAL, CLINICIANS } from '../../lib/staff-roles.ts';
import { AUDIENCE_ROLES, type WebModule } from '../contract.ts';
import { portalPage } from './patient.tsx';

const CITIZEN = AUDIENCE_ROLES.patient;
const STAFF = AUDIENCE_ROLES.staff;
/** GPs and practice reception and administrators answer patients' messages. */
const PRACTICE_INBOX = [...CLINICIANS, ...CLERICAL] as const;

/** The patient portal: a patient's own record, or the record of the person a carer acts for. */
export const portal: WebModule = {
  name: 'portal',
  title: 'Patient portal',
  routes: [
    { path: '/choose-person', roles: ['related-person'], page: () => import('./pages/ChoosePerson.tsx') },
    { path: '/my', roles: CITIZEN, page: portalPage(() => import('./pages/MyRecord.tsx')) },
    { path: '/my/appointments', roles: CITIZEN, page: portalPage(() => import('./pages/Appointments.tsx')) },
    {
      path: '/my/appointments/book',
      roles: CITIZEN,
      page: portalPage(() => import('./pages/BookAppointment.tsx')),
    },
    { path: '/my/referrals', roles: CITIZEN, page: portalPage(() => import('./referrals/ReferralAppointments.tsx')) },
    {
      path: '/my/referrals/:id/change',
      roles: CITIZEN,
      page: portalPage(() => import('./referrals/ChangeAppointment.tsx')),
    },
    { path: '/my/documents/:id', roles: CITIZEN, page: portalPage(() => import('./pages/Letter.tsx')) },
    { path: '/my/prescriptions', roles: CITIZEN, page: portalPage(() => import('./pages/Prescriptions.tsx')) },
    { path: '/my/pharmacy', roles: CITIZEN, page: portalPage(() => import('./pages/Pharmacy.tsx')) },
    { path: '/my/messages', roles: CITIZEN, page: portalPage(() => import('./pages/Messages.tsx')) },
    { path: '/my/messages/:id', roles: CITIZEN, page: portalPage(() => import('./pages/MessageThread.tsx')) },
    { path: '/practice/messages', roles: STAFF, page: () => import('./pages/PracticeMessages.tsx') },
    { path: '/practice/messages/:id', roles: STAFF, page: () => import('./pages/PracticeThread.tsx') },
    { path: '/my/sharing', roles: CITIZEN, page: portalPage(() => import('./pages/Sharing.tsx')) },
    { path: '/my/access-log', roles: CITIZEN, page: portalPage(() => import('./pages/AccessLog.tsx')) },
    { path: '/my/who-can-see', roles: CITIZEN, page: portalPage(() => import('./pages/WhoCanSee.tsx')) },
  ],
  navigation: [
    {
      label: 'Choose who to act for',
      path: '/choose-person',
      audience: 'patient',
      roles: ['related-person'],
      person: 'not-chosen',
    },
    { label: 'My record', path: '/my', audience: 'patient', person: 'chosen' },
    { label: 'Appointments', path: '/my/appointments', audience: 'patient', person: 'chosen' },
    { label: 'Referrals', path: '/my/referrals', audience: 'patient', person: 'chosen' },
    { label: 'Prescriptions', path: '/my/prescriptions', audience: 'patient', person: 'chosen' },
    { label: 'Patient messages', path: '/practice/messages', audience: 'staff', roleCodes: PRACTICE_INBOX },
    { label: 'Sharing', path: '/my/sharing', audience: 'patient', person: 'chosen' },
    { label: 'Who has looked', path: '/my/access-log', audience: 'patient', person: 'chosen' },
    { label: 'Who can see it', path: '/my/who-can-see', audience: 'patient', person: 'chosen' },
    { label: 'Messages', path: '/my/messages', audience: 'patient', person: 'chosen' },
  ],
};
