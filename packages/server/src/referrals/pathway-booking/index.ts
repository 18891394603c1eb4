/**
 * Pathway booking (docs/REFERRALS.md, "Pathway booking"): every appointment of a referral's pathway
 * booked at once (`ServiceRequest/$book-pathway`), and an appointment moved to another free slot of
 * its service (`Appointment/$reschedule`) — with the later appointments of its pathway — in one unit of work.
 */
import { registerOperations } from '../../fhir/operations/registry.ts';
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import type { ReferralDirectory } from '../directory/types.ts';
import { BOOK_PATHWAY, CANCEL_REFERRAL_APPOINTMENT, RESCHEDULE } from './operations.ts';
import { PathwayBookingService } from './pathway-booking.service.ts';
import { seedDemoPathway, seedPathwayTemplates } from './seed.ts';

export function pathwayBookingParts(
  context: ModuleContext<unknown>,
  directory: Pick<ReferralDirectory, 'book' | 'cancel'>,
): ModuleParts {
  const service = new PathwayBookingService(context, directory);
  const actorOf = context.actorOf.bind(context);
  return {
    fhir: (fhir) =>
      registerOperations(fhir, { service, actorOf }, [BOOK_PATHWAY, RESCHEDULE, CANCEL_REFERRAL_APPOINTMENT]),
    seed: async ({ log }) => {
      await seedPathwayTemplates(context.system, new Date());
      const made = await seedDemoPathway(context.system, service, context.systemActor).catch((error: unknown) => {
        // The rest of the demo does not depend on it: say so and go on.
        context.log.warn({ err: error }, 'Pathway booking demo: skipped');
        return '';
      });
      if (made) {
        log(made);
      }
    },
  };
}
