/**
 * `ServiceRequest/{id}/$book-pathway` and `Appointment/{id}/$reschedule` (docs/REFERRALS.md, "Pathway
 * booking"): thin handlers over the service, whose first line is the guard.
 */
import type { Appointment, ParametersParameter } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../access/actor.ts';
import { defineOperation } from '../../fhir/operations/define.ts';
import type { PathwayBookingService } from './pathway-booking.service.ts';

export interface PathwayBookingDeps {
  service: PathwayBookingService;
  actorOf(request: FastifyRequest): Actor | undefined;
}

const ref = (name: string, appointment: Appointment): ParametersParameter => ({
  name,
  valueReference: { reference: `Appointment/${appointment.id}` },
});

export const BOOK_PATHWAY = defineOperation<PathwayBookingDeps>({
  code: 'book-pathway',
  name: 'ServiceRequestBookPathway',
  title: 'Book every appointment of a referral pathway',
  description:
    'Books every appointment of a pathway template (a PlanDefinition of type workflow-definition: first ' +
    'appointment, diagnostics, follow-up, each a range of days after an earlier one) for an active referral, ' +
    'in one transaction: every slot is taken and the pathway CarePlan written, or nothing is (422 naming the ' +
    'appointment that has no free slot; 409 when a slot is taken meanwhile or the pathway is already booked). ' +
    'An appointment the referral already has with the first service is kept. Staff only.',
  levels: ['instance'],
  resourceTypes: ['ServiceRequest'],
  affectsState: true,
  parameters: [
    {
      name: 'pathway',
      use: 'in',
      min: 1,
      max: 1,
      type: 'canonical',
      documentation: 'The template: its url, or url|version',
    },
    { name: 'earliest', use: 'in', min: 0, max: 1, type: 'dateTime', documentation: 'Not before (default now)' },
    { name: 'carePlan', use: 'out', min: 1, max: 1, type: 'Reference', targetTypes: ['CarePlan'] },
    {
      name: 'appointment',
      use: 'out',
      min: 1,
      max: '*',
      type: 'Reference',
      targetTypes: ['Appointment'],
      documentation: 'One per step, in the pathway’s order',
    },
  ],
  scopes: [
    { resourceType: 'Appointment', interaction: 'c' },
    { resourceType: 'CarePlan', interaction: 'c' },
  ],
  handler: async ({ request, deps, id, input }) => {
    const earliest = input.string('earliest');
    const booked = await deps.service.bookPathway(deps.actorOf(request), id!, {
      ...(input.string('pathway') ? { pathway: input.string('pathway')! } : {}),
      ...(earliest ? { earliest } : {}),
    });
    return {
      status: 201,
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'carePlan', valueReference: { reference: `CarePlan/${booked.carePlan.id}` } },
          ...booked.steps.map((s) => ref('appointment', s.appointment)),
        ],
      },
    };
  },
});

export const RESCHEDULE = defineOperation<PathwayBookingDeps>({
  code: 'reschedule',
  name: 'AppointmentReschedule',
  title: 'Move a referral appointment to another free slot of the same service',
  description:
    'Cancels the appointment (its slot freed) and books `slot`, a free slot of the same service, in one ' +
    'transaction. In a booked pathway the later appointments move too, keeping their gaps as near as the free ' +
    'slots allow; if none fits, nothing changes (422 naming the appointment). A slot taken meanwhile is 409. ' +
    'Someone else’s appointment is 404.',
  levels: ['instance'],
  resourceTypes: ['Appointment'],
  affectsState: true,
  parameters: [
    { name: 'slot', use: 'in', min: 1, max: 1, type: 'Reference', targetTypes: ['Slot'], documentation: 'A free Slot' },
    { name: 'appointment', use: 'out', min: 1, max: 1, type: 'Reference', targetTypes: ['Appointment'] },
    {
      name: 'moved',
      use: 'out',
      min: 0,
      max: '*',
      type: 'Reference',
      targetTypes: ['Appointment'],
      documentation: 'Later appointments of the pathway, booked again',
    },
    { name: 'carePlan', use: 'out', min: 0, max: 1, type: 'Reference', targetTypes: ['CarePlan'] },
  ],
  scopes: [
    { resourceType: 'Appointment', interaction: 'c' },
    { resourceType: 'Appointment', interaction: 'u' },
  ],
  handler: async ({ request, deps, id, input }) => {
    const done = await deps.service.reschedule(deps.actorOf(request), id!, input.referenceId('slot')!);
    return {
      resourceType: 'Parameters',
      parameter: [
        ref('appointment', done.appointment),
        ...done.moved.map((a) => ref('moved', a)),
        ...(done.carePlan ? [{ name: 'carePlan', valueReference: { reference: `CarePlan/${done.carePlan.id}` } }] : []),
      ],
    };
  },
});

export const CANCEL_REFERRAL_APPOINTMENT = defineOperation<PathwayBookingDeps>({
  code: 'cancel-referral-appointment',
  name: 'AppointmentCancelReferralAppointment',
  title: 'Cancel a referral appointment',
  description:
    'Cancels a booked referral appointment and frees its slot (when still ahead), in one transaction: the ' +
    'patient their own (also one the practice or hospital booked, which the module cancels on their behalf, ' +
    'audited as such), staff one they may change. Someone else’s is 404; cancelling twice is 409.',
  levels: ['instance'],
  resourceTypes: ['Appointment'],
  affectsState: true,
  parameters: [
    { name: 'reason', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Why (cancelationReason.text)' },
    { name: 'return', use: 'out', min: 1, max: 1, type: 'Appointment', documentation: 'The cancelled Appointment' },
  ],
  scopes: [{ resourceType: 'Appointment', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) =>
    deps.service.cancel(deps.actorOf(request), id!, input.string('reason')),
});
