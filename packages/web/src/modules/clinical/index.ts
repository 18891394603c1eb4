import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;

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
    { path: '/practice/repeat-requests', roles: STAFF, page: () => import('./pages/RepeatQueue.tsx') },
  ],
  navigation: [
    { label: 'Find a patient', path: '/find', audience: 'staff' },
    { label: 'Repeat requests', path: '/practice/repeat-requests', audience: 'staff' },
  ],
};
