import { AUDIENCE_ROLES, type WebModule } from '../contract.ts';
import { portalPage } from './patient.tsx';

const CITIZEN = AUDIENCE_ROLES.patient;

/** The patient portal: a patient's own record, or the record of the person a carer acts for. */
export const portal: WebModule = {
  name: 'portal',
  title: 'Patient portal',
  routes: [
    { path: '/choose-person', roles: ['related-person'], page: () => import('./pages/ChoosePerson.tsx') },
    { path: '/my', roles: CITIZEN, page: portalPage(() => import('./pages/MyRecord.tsx')) },
    { path: '/my/appointments', roles: CITIZEN, page: portalPage(() => import('./pages/Appointments.tsx')) },
    { path: '/my/prescriptions', roles: CITIZEN, page: portalPage(() => import('./pages/Prescriptions.tsx')) },
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
    { label: 'Prescriptions', path: '/my/prescriptions', audience: 'patient', person: 'chosen' },
    { label: 'Sharing', path: '/my/sharing', audience: 'patient', person: 'chosen' },
    { label: 'Who has looked', path: '/my/access-log', audience: 'patient', person: 'chosen' },
    { label: 'Who can see it', path: '/my/who-can-see', audience: 'patient', person: 'chosen' },
  ],
};
