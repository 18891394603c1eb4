/**
 * Advice and guidance (docs/REFERRALS.md, "Advice and guidance"): a GP's question to a provider's
 * service, answered in a thread; conversion into a referral with the GP's agreement; response times
 * against the agreed working days; the coded outcome.
 */
import { registerOperations } from '../../fhir/operations/registry.ts';
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import type { ReferralLifecycle } from '../lifecycle/referral.service.ts';
import type { ReferralsSettings } from '../settings.ts';
import { AdviceService } from './advice.service.ts';
import { adviceAttachmentCheck } from './attachment-check.ts';
import { ADVICE_MESSAGE } from './operations/advice-message.ts';
import { CLOSE_ADVICE } from './operations/close-advice.ts';
import { REQUEST_ADVICE } from './operations/request-advice.ts';
import { registerAdviceRoutes } from './routes.ts';
import { seedAdvice } from './seed.ts';

export function adviceParts(context: ModuleContext<ReferralsSettings>, lifecycle: ReferralLifecycle): ModuleParts {
  const advice = new AdviceService(context, lifecycle);
  const actorOf = context.actorOf.bind(context);
  context.use('notifications').registerKind({
    kind: 'referrals-advice',
    title: 'Advice and guidance messages',
    defaultChannels: ['inbox'],
  });
  return {
    fhir: (fhir) => registerOperations(fhir, { advice, actorOf }, [REQUEST_ADVICE, ADVICE_MESSAGE, CLOSE_ADVICE]),
    routes: (app) => registerAdviceRoutes(app, advice, actorOf),
    writeChecks: [adviceAttachmentCheck],
    seed: async ({ log }) => {
      const made = await seedAdvice(context, advice);
      if (made) {
        log(`Advice and guidance: ${made}`);
      }
    },
  };
}
