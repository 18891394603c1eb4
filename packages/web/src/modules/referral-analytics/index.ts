import { CLERICAL, CLINICIANS, COMMISSIONERS } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

/** Commissioners see every practice; a practice's GPs and administrators their own and the area (the server decides). */
const ANALYTICS = [...COMMISSIONERS, ...CLINICIANS, ...CLERICAL] as const;

/**
 * Referral analytics and practice benchmarking (docs/REFERRALS.md, "Analytics"): for a commissioner
 * every practice against the area; for a GP practice its own figures and the area's. The server
 * decides who sees what (others are refused); the link is offered to staff.
 */
export const referralAnalytics: WebModule = {
  name: 'referral-analytics',
  title: 'Referral analytics',
  routes: [{ path: '/referral-analytics', roles: ['staff'], page: () => import('./pages/Dashboard.tsx') }],
  navigation: [{ label: 'Referral analytics', path: '/referral-analytics', audience: 'staff', roleCodes: ANALYTICS }],
  home: [{ roleCodes: COMMISSIONERS, card: () => import('./HomeCard.tsx') }],
};
