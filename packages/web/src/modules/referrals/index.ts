import { CLINICIANS, NURSES, PROFESSIONALS } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;
/** Referrers and providers' clinicians, triagers and booking clerks (R8008); not reception (R8010). */
const REFERRAL_WORK = [...CLINICIANS, ...NURSES, ...PROFESSIONALS, 'R8008'] as const;

/**
 * Electronic referrals (docs/REFERRALS.md), for staff: a referral from the patient's record (specialty,
 * local pathway, pre-filled form, shortlist with waits and distances, book now / defer / triage,
 * UBRN and letter password), the referral's page (history, appointments, letters, triage and booking
 * actions) and the referrers' and providers' worklists.
 */
export const referrals: WebModule = {
  name: 'referrals',
  title: 'Referrals',
  routes: [
    { path: '/referrals', roles: STAFF, page: () => import('./pages/Worklists.tsx') },
    { path: '/referrals/new', roles: STAFF, page: () => import('./pages/NewReferral.tsx') },
    { path: '/referrals/:id', roles: STAFF, page: () => import('./pages/Referral.tsx') },
    { path: '/referrals/:id/services', roles: STAFF, page: () => import('./pages/Services.tsx') },
  ],
  navigation: [{ label: 'Referrals', path: '/referrals', audience: 'staff', roleCodes: REFERRAL_WORK }],
  home: [
    { roleCodes: PROFESSIONALS, card: () => import('./home/ReviewCard.tsx') },
    { roleCodes: ['R8008'], card: () => import('./home/BookingCard.tsx') },
    { roleCodes: CLINICIANS, card: () => import('./home/ReturnedCard.tsx') },
  ],
};
