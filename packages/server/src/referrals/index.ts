/**
 * Electronic referrals (issue 13, docs/REFERRALS.md): the directory of services and their slots,
 * booking, local pathways, standardised referral forms, the referral lifecycle (ServiceRequest + Task),
 * advice and guidance, worklists and referral analytics. Each capability is a folder that returns its
 * own `ModuleParts`; this file only puts them together, in order (the lifecycle uses the directory).
 */
import { defineModule, type ModuleContext, type ModuleParts } from '../modules/contract.ts';
import { adviceParts } from './advice/index.ts';
import { analyticsParts } from './analytics/index.ts';
import { directoryParts, type ReferralDirectory } from './directory/index.ts';
import { formsParts } from './forms/index.ts';
import { lifecycleParts } from './lifecycle/index.ts';
import type { ReferralLifecycle } from './lifecycle/referral.service.ts';
import { pathwayParts } from './pathways/index.ts';
import { pathwayBookingParts } from './pathway-booking/index.ts';
import { reminderParts } from './reminders/index.ts';
import { worklistParts } from './worklists/index.ts';
import { mergeParts } from './parts.ts';
import { REFERRALS_MIGRATIONS } from './migrations.ts';
import { REFERRALS_SETTINGS, type ReferralsSettings } from './settings.ts';

declare module '../modules/contract.ts' {
  interface ModuleServices {
    referrals: { directory: ReferralDirectory; lifecycle: ReferralLifecycle };
  }
}

export const referralsModule = defineModule({
  name: 'referrals',
  title: 'Electronic referrals',
  requires: ['notifications'],
  settings: REFERRALS_SETTINGS,
  migrations: REFERRALS_MIGRATIONS,
  setup: async (context: ModuleContext<ReferralsSettings>): Promise<ModuleParts> =>
    referralsParts(context, await directoryParts(context)),
});

/** The module's parts around a directory (the real one; tests of the lifecycle may give a stand-in). */
export async function referralsParts(
  context: ModuleContext<ReferralsSettings>,
  directory: { service: ReferralDirectory; parts: ModuleParts },
): Promise<ModuleParts> {
  const lifecycle = await lifecycleParts(context, directory.service);
  return mergeParts(
    { provides: { referrals: { directory: directory.service, lifecycle: lifecycle.service } } },
    directory.parts,
    pathwayParts(context).parts,
    formsParts(context),
    lifecycle.parts,
    worklistParts(context),
    pathwayBookingParts(context, directory.service),
    reminderParts(context),
    adviceParts(context, lifecycle.service),
    analyticsParts(context),
  );
}
