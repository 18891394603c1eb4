/**
 * The directory of services (HealthcareService, Location, Schedule, Slot, Organization): search with
 * eligibility, indicative waits and distances, and booking into slots (docs/REFERRALS.md, "Directory"
 * and "Booking"). The lifecycle codes against `ReferralDirectory`; other modules reach it as
 * `use('referrals').directory`.
 */
import type { ModuleContext, ModuleParts } from '../../modules/contract.ts';
import { BookingService } from '../booking/booking.service.ts';
import type { ReferralDirectory } from './types.ts';
import { slotEffects } from '../booking/slot-holding.ts';
import { DirectoryService } from './directory.service.ts';
import { FIND_SERVICES } from './find-services.ts';
import { PostcodeCentroids } from './geography.ts';
import { registerDirectoryRoutes } from './directory.routes.ts';
import { seedDirectory } from './seed.ts';
import { registerOperations } from '../../fhir/operations/registry.ts';

export type { ReferralDirectory, ServiceOption, ServiceQuery } from './types.ts';

export async function directoryParts(
  context: ModuleContext<unknown>,
): Promise<{ service: ReferralDirectory; parts: ModuleParts }> {
  await Promise.resolve();
  const directory = new DirectoryService({
    recordAs: (actor) => context.recordAs(actor),
    db: context.db,
    centroids: PostcodeCentroids.load(),
  });
  const booking = new BookingService(context);
  const service: ReferralDirectory = {
    search: (actor, query) => directory.search(actor, query),
    freeSlots: (actor, serviceId, window) => directory.freeSlots(actor, serviceId, window),
    book: (actor, input, options) => booking.book(actor, input, options),
    cancel: (actor, appointmentId, reason, options) => booking.cancel(actor, appointmentId, reason, options),
  };
  let systemAccess: ReturnType<ModuleContext['accessFor']> | undefined;
  return {
    service,
    parts: {
      writeEffects: slotEffects(() => (systemAccess ??= context.accessFor(context.systemActor))),
      fhir: (fhir) =>
        registerOperations(fhir, { directory: service, actorOf: (request) => context.actorOf(request) }, [
          FIND_SERVICES,
        ]),
      apiScopes: { read: ['HealthcareService.rs', 'Schedule.rs', 'Slot.rs'], write: [] },
      routes: (app) =>
        registerDirectoryRoutes(app, { directory: service, actorOf: (request) => context.actorOf(request) }),
      seed: async () => {
        await seedDirectory(context.system, { now: new Date() });
      },
    },
  };
}
