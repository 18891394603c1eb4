import { CLERICAL, CLINICIANS, PATIENT_FACING } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;
/** GPs and practice reception and administrators decide or prepare repeat requests. */
const REPEATS = [...CLINICIANS, ...CLERICAL] as const;

/** Staff: find a patient, read their shared record, and the practice's repeat-request queue. */
export const clinical: WebModule = {
  name: 'clinical',
  title: 'Shared care record',
  routes: [
    { path: '/find', roles: STAFF, page: () => import('./pages/FindPatient.tsx') },
    {
      path: '/patients/:id',
      roles: STAFF,
      page: () => import('./pages/PatientRecordPage.tsx').then((m) => ({ default: m.SummaryPage })),
    },
    {
      path: '/patients/:id/timeline',
      roles: STAFF,
      page: () => import('./pages/PatientRecordPage.tsx').then((m) => ({ default: m.TimelinePage })),
    },
    {
      path: '/patients/:id/trends',
      roles: STAFF,
      page: () => import('./pages/PatientRecordPage.tsx').then((m) => ({ default: m.TrendsPage })),
    },
    { path: '/patients/:id/entries/:type/:entryId', roles: STAFF, page: () => import('./pages/EntryPage.tsx') },
    { path: '/practice/repeat-requests', roles: STAFF, page: () => import('./pages/RepeatQueue.tsx') },
  ],
  navigation: [
    { label: 'Find a patient', path: '/find', audience: 'staff', roleCodes: PATIENT_FACING },
    { label: 'Repeat requests', path: '/practice/repeat-requests', audience: 'staff', roleCodes: REPEATS },
  ],
  home: [
    { roleCodes: REPEATS, card: () => import('./RepeatsCard.tsx') },
    { roleCodes: PATIENT_FACING, card: () => import('./FindCard.tsx') },
  ],
};
