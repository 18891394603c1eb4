import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;

/**
 * Admission alerts (docs/ADMISSION-ALERTS.md, "The thread page"), for staff: one page per hospital
 * visit — the patient, the alerts in time order, the discharge follow-up checklist and who was told —
 * opened from the inbox (an admission alert, or an overdue follow-up). No header link: it is reached
 * from the notification.
 */
export const admissionNotice: WebModule = {
  name: 'admission-notice',
  title: 'Admission alerts',
  routes: [
    { path: '/admission-alerts/:id', roles: STAFF, page: () => import('./pages/Thread.tsx') },
    { path: '/admission-alerts/follow-up/:taskId', roles: STAFF, page: () => import('./pages/Thread.tsx') },
  ],
  navigation: [],
};
