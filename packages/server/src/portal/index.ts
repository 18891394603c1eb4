/**
 * The patient portal's operations (the first care module): booking and cancelling appointments in
 * free slots, ordering repeat prescriptions, and the practice's approval or rejection of them, and the
 * patient's nominated pharmacy, as FHIR operations under `/fhir/R4` (./operations.ts); and the demo
 * slots to book and pharmacies to nominate.
 */
import type { FastifyRequest } from 'fastify';
import { requireActor } from '../access/guards.ts';
import { registerOperations } from '../fhir/operations/registry.ts';
import { defineModule, type ModuleContext } from '../modules/contract.ts';
import { PORTAL_OPERATIONS } from './operations.ts';
import { REPLY_KIND } from './messages.ts';
import { seedPharmacies } from './pharmacies.ts';
import { seedDemoSlots } from './slots.ts';
import type { PortalCaller } from './transaction.ts';

/** The caller of a portal operation: refused (401) when no one is signed in. */
export function portalCaller(context: ModuleContext, request: FastifyRequest): PortalCaller {
  const actor = requireActor(context.actorOf(request));
  return {
    actor,
    patientId: actor.kind === 'patient' || actor.kind === 'related-person' ? actor.patientId : undefined,
    unitOfWork: (work) => context.unitOfWork(actor, work),
  };
}

export const portalModule = defineModule({
  name: 'portal',
  title: 'Patient portal: appointments, repeat prescriptions and the nominated pharmacy',
  // Booking is the referrals module's (one implementation for GP and referral slots).
  requires: ['referrals', 'notifications'],
  setup: (context) => {
    context.use('notifications').registerKind({
      kind: REPLY_KIND,
      title: 'Replies from your GP practice',
      defaultChannels: ['inbox'],
    });
    return {
      fhir: (fhir) =>
        registerOperations(
          fhir,
          {
            callerOf: (request) => portalCaller(context, request),
            booking: () => context.use('referrals').directory,
            notifications: () => context.use('notifications'),
          },
          PORTAL_OPERATIONS,
        ),
      seed: async ({ seed }) => {
        await seedDemoSlots(context.system, { seed, from: new Date() });
        await seedPharmacies(context.system);
      },
    };
  },
});
