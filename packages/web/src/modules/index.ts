import { accessReview } from './access-review/index.ts';
import { administration } from './administration/index.ts';
import { admissionNotice } from './admission-notice/index.ts';
import { advice } from './advice/index.ts';
import { careProfile } from './care-profile/index.ts';
import { clinical } from './clinical/index.ts';
import { connectedApps } from './connected-apps/index.ts';
import type { WebModule } from './contract.ts';
import { coordination } from './coordination/index.ts';
import { home } from './home/index.ts';
import { inbox } from './inbox/index.ts';
import { phone } from './phone/index.ts';
import { populationHealth } from './population-health/index.ts';
import { portal } from './portal/index.ts';
import { practiceSms } from './practice-sms/index.ts';
import { referralAnalytics } from './referral-analytics/index.ts';
import { referrals } from './referrals/index.ts';
import { telehealth } from './telehealth/index.ts';

/**
 * Every module of the web app, in header order (a person's first link is their start page). The
 * routes and the header are built from this list: a new module is its folder and one line here.
 */
export const MODULES: readonly WebModule[] = [
  home,
  clinical,
  // A patient's first link is the portal's; for staff the inbox is daily work, kept out of "More".
  portal,
  inbox,
  telehealth,
  practiceSms,
  phone,
  coordination,
  careProfile,
  populationHealth,
  admissionNotice,
  advice,
  referrals,
  referralAnalytics,
  accessReview,
  connectedApps,
  administration,
];
