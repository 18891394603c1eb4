import { CLINICIANS, NURSES, PROFESSIONALS } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;
const CARE_TEAM = [...CLINICIANS, ...NURSES, ...PROFESSIONALS] as const;

/**
 * The care coordination hub (docs/COORDINATION.md), for staff: referral to the single point of access
 * (from the patient record), the SPA's triage worklist, a coordinator's case list, a case's
 * multidisciplinary care plan (goals and tasks across organisations, overdue shown), the tasks
 * assigned to me, and MDT meetings with outcomes recorded.
 */
export const coordination: WebModule = {
  name: 'coordination',
  title: 'Care coordination',
  routes: [
    { path: '/coordination', roles: STAFF, page: () => import('./pages/Cases.tsx') },
    { path: '/coordination/refer', roles: STAFF, page: () => import('./pages/Refer.tsx') },
    { path: '/coordination/referrals', roles: STAFF, page: () => import('./pages/Referrals.tsx') },
    { path: '/coordination/cases/:id', roles: STAFF, page: () => import('./pages/Case.tsx') },
    { path: '/coordination/tasks', roles: STAFF, page: () => import('./pages/MyTasks.tsx') },
    { path: '/coordination/meetings', roles: STAFF, page: () => import('./pages/Meetings.tsx') },
    { path: '/coordination/meetings/:id', roles: STAFF, page: () => import('./pages/Meeting.tsx') },
  ],
  navigation: [{ label: 'Care coordination', path: '/coordination', audience: 'staff', roleCodes: CARE_TEAM }],
  home: [{ roleCodes: CARE_TEAM, card: () => import('./HomeCard.tsx') }],
};
