/**
 * The server's one list of modules (docs/MODULES.md), in set-up order: a module comes after those
 * it `requires`. Adding a module is adding its folder and one line here.
 */
import { admissionNoticeModule } from './admission-notice/index.ts';
import { careProfileModule } from './care-profile/index.ts';
import { coordinationModule } from './coordination/index.ts';
import { emailModule } from './gateways/email/index.ts';
import { smsModule } from './gateways/sms/index.ts';
import { hl7v2Module } from './hl7v2/index.ts';
import type { CareModule } from './modules/contract.ts';
import { notificationsModule } from './notifications/index.ts';
import { populationHealthModule } from './population-health/index.ts';
import { portalModule } from './portal/index.ts';
import { referralsModule } from './referrals/index.ts';
import { practiceSmsModule } from './practice-sms/index.ts';
import { telehealthModule } from './telehealth/index.ts';

export const CARE_MODULES: readonly CareModule[] = [
  // The platform's gateways, which care modules use.
  hl7v2Module,
  smsModule,
  emailModule,
  // Telling people things: inbox, SMS, e-mail (other modules use it).
  notificationsModule,
  // Care modules. Electronic referrals (directory, booking, pathways, forms, triage, advice and guidance;
  // issue 13) come first: the portal books through its directory.
  referralsModule,
  portalModule,
  admissionNoticeModule,
  // Risk of emergency admission: scored nightly and on news; lists for staff and commissioners.
  populationHealthModule,
  // Telehealth hears a text first: an enrolled number's texts are readings (and most traffic); the
  // practice's handler then takes replies to practice texts and its patients' messages (docs/PRACTICE-SMS.md).
  telehealthModule,
  practiceSmsModule,
  careProfileModule,
  coordinationModule,
] as readonly CareModule[];
