import { PRIVACY_OFFICERS } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

/**
 * The privacy officer's access reviews (R0001): emergency access and declared relationships to
 * review, and a search of the audit log (`/api/access/audit`, which refuses everyone else).
 */
export const accessReview: WebModule = {
  name: 'access-review',
  title: 'Access reviews',
  routes: [{ path: '/access-review', roles: ['staff'], page: () => import('./pages/AccessReview.tsx') }],
  navigation: [{ label: 'Access reviews', path: '/access-review', audience: 'staff', roleCodes: PRIVACY_OFFICERS }],
  home: [{ roleCodes: PRIVACY_OFFICERS, card: () => import('./HomeCard.tsx') }],
};
