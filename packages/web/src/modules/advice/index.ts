import { CLINICIANS } from '../../lib/staff-roles.ts';
import type { WebModule } from '../contract.ts';

const STAFF = ['staff'] as const;

/**
 * Advice and guidance (docs/REFERRALS.md, "Advice and guidance"), for staff: the conversations of the
 * signed-in person's organisation (asked by a practice, or to answer at a provider), a GP's new
 * question about a patient (`/advice/new?patient={id}` from the patient's record), and one
 * conversation's thread with what the reader may do next.
 */
export const advice: WebModule = {
  name: 'advice',
  title: 'Advice and guidance',
  routes: [
    { path: '/advice', roles: STAFF, page: () => import('./pages/AdviceList.tsx') },
    { path: '/advice/new', roles: STAFF, page: () => import('./pages/NewRequest.tsx') },
    { path: '/advice/:id', roles: STAFF, page: () => import('./pages/Conversation.tsx') },
  ],
  // GPs ask, consultants answer: both are clinical practitioners (R8000).
  navigation: [{ label: 'Advice and guidance', path: '/advice', audience: 'staff', roleCodes: CLINICIANS }],
};
