/**
 * The referral lifecycle (ServiceRequest + Task, the FHIR workflow; docs/REFERRALS.md, "Lifecycle"):
 * drafts, shortlists, sending (book now, defer, triage, advice), triage with coded outcomes and the
 * patient's letter, booking within the priority's window, attendance and discharge.
 */
import { registerOperations } from '../../fhir/operations/registry.ts';
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import type { ReferralDirectory } from '../directory/index.ts';
import type { ReferralsSettings } from '../settings.ts';
import { LetterPreview, registerLetterPreview } from './letter-preview.ts';
import { SEND_REFERRAL } from './operations/send-referral.ts';
import { SHORTLIST } from './operations/shortlist.ts';
import { TRIAGE_REFERRAL } from './operations/triage-referral.ts';
import { ReferralLifecycle } from './referral.service.ts';
import { registerLifecycleRoutes } from './routes.ts';
import { seedReferralHistory } from './seed.ts';

export async function lifecycleParts(
  context: ModuleContext<ReferralsSettings>,
  directory: ReferralDirectory,
): Promise<{ service: ReferralLifecycle; parts: ModuleParts }> {
  await Promise.resolve();
  const lifecycle = new ReferralLifecycle(context, directory);
  const actorOf = context.actorOf.bind(context);
  return {
    service: lifecycle,
    parts: {
      fhir: (fhir) => registerOperations(fhir, { lifecycle, actorOf }, [SHORTLIST, SEND_REFERRAL, TRIAGE_REFERRAL]),
      apiScopes: {
        read: ['ServiceRequest.rs', 'Task.rs', 'Patient.rs'],
        write: ['ServiceRequest.cu', 'Task.u'],
      },
      routes: (app) => {
        registerLifecycleRoutes(app, lifecycle, actorOf);
        registerLetterPreview(app, new LetterPreview(context), actorOf);
      },
      seed: async ({ seed, log }) => {
        const made = await seedReferralHistory(context, lifecycle, seed);
        if (made) {
          log(`Referrals: ${made}`);
        }
      },
    },
  };
}
