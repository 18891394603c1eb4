import type { FastifyRequest } from 'fastify';
import { defineOperation } from '../fhir/operations/define.ts';
import type { OperationInput } from '../fhir/operations/parameters.ts';
import { bookAppointment, cancelAppointment } from './appointments.ts';
import { approveRepeat, orderRepeat, rejectRepeat } from './repeats.ts';
import type { PortalCaller } from './transaction.ts';

export interface PortalDeps {
  /** Who is calling, with the record as they and as the system see it. */
  callerOf: (request: FastifyRequest) => PortalCaller;
}

/** A text parameter, trimmed; blank is absent. */
function text(input: OperationInput, name: string): string | undefined {
  return input.string(name)?.trim() || undefined;
}

const appointment = (documentation: string) =>
  ({ name: 'return', use: 'out', min: 1, max: 1, type: 'Appointment', documentation }) as const;
const medicationRequest = (documentation: string) =>
  ({ name: 'return', use: 'out', min: 1, max: 1, type: 'MedicationRequest', documentation }) as const;

/** `Appointment/$book`: books a free Slot for a patient (src/portal/appointments.ts). */
export const BOOK = defineOperation<PortalDeps>({
  code: 'book',
  name: 'AppointmentBook',
  title: 'Book an appointment in a free slot',
  description:
    'Books a free Slot for a patient: the Slot becomes busy and a booked Appointment is created, in one ' +
    'transaction. Of two bookings of one slot exactly one succeeds; the other gets 409. A slot in the past is 422.',
  levels: ['type'],
  resourceTypes: ['Appointment'],
  affectsState: true,
  parameters: [
    { name: 'slot', use: 'in', min: 1, max: 1, type: 'Reference', targetTypes: ['Slot'], documentation: 'A free Slot' },
    {
      name: 'patient',
      use: 'in',
      min: 0,
      max: 1,
      type: 'Reference',
      targetTypes: ['Patient'],
      documentation: 'Who the appointment is for; by default the signed-in patient (or the one their carer acts for)',
    },
    { name: 'comment', use: 'in', min: 0, max: 1, type: 'string', documentation: 'A note for the practice' },
    appointment('The booked Appointment (201)'),
  ],
  scopes: [{ resourceType: 'Appointment', interaction: 'c' }],
  handler: async ({ request, deps, input }) => ({
    status: 201,
    resource: await bookAppointment(deps.callerOf(request), {
      slotId: input.referenceId('slot')!,
      patientId: input.referenceId('patient'),
      comment: text(input, 'comment'),
    }),
  }),
});

/** `Appointment/{id}/$cancel`: cancels a booked appointment and frees its slot. */
export const CANCEL = defineOperation<PortalDeps>({
  code: 'cancel',
  name: 'AppointmentCancel',
  title: 'Cancel an appointment',
  description:
    'Cancels a booked appointment and frees the slot it booked (when the slot is still in the future), in one ' +
    'transaction. Cancelling twice is 409.',
  levels: ['instance'],
  resourceTypes: ['Appointment'],
  affectsState: true,
  parameters: [
    { name: 'reason', use: 'in', min: 0, max: 1, type: 'string', documentation: 'Why (cancelationReason.text)' },
    appointment('The cancelled Appointment'),
  ],
  scopes: [{ resourceType: 'Appointment', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) =>
    cancelAppointment(deps.callerOf(request), id!, { reason: text(input, 'reason') }),
});

/** `MedicationRequest/{id}/$order-repeat`: the patient (or their carer) asks for the next issue of a repeat. */
export const ORDER_REPEAT = defineOperation<PortalDeps>({
  code: 'order-repeat',
  name: 'MedicationRequestOrderRepeat',
  title: 'Order a repeat prescription',
  description:
    'Asks the practice for the next issue of an active repeat prescription: creates a `proposal` based on it, ' +
    'unless one is already waiting (409).',
  levels: ['instance'],
  resourceTypes: ['MedicationRequest'],
  affectsState: true,
  parameters: [
    { name: 'note', use: 'in', min: 0, max: 1, type: 'string', documentation: 'A note for the practice' },
    {
      name: 'requester',
      use: 'in',
      min: 0,
      max: 1,
      type: 'string',
      documentation: 'Who asks, as `Type/id`, when the server cannot tell from the sign-in',
    },
    medicationRequest('The proposal (201)'),
  ],
  scopes: [{ resourceType: 'MedicationRequest', interaction: 'c' }],
  handler: async ({ request, deps, id, input }) => ({
    status: 201,
    resource: await orderRepeat(deps.callerOf(request), id!, {
      note: text(input, 'note'),
      requester: text(input, 'requester'),
    }),
  }),
});

/** `MedicationRequest/{id}/$approve` (practice staff): issues a patient's request as an order. */
export const APPROVE = defineOperation<PortalDeps>({
  code: 'approve',
  name: 'MedicationRequestApprove',
  title: 'Approve a repeat prescription request',
  description:
    'Practice staff issue a patient’s repeat request (a `proposal`) as an `order` based on it, and mark the ' +
    'request `completed`. Acting on a request someone has already dealt with is 409.',
  levels: ['instance'],
  resourceTypes: ['MedicationRequest'],
  affectsState: true,
  parameters: [
    { name: 'note', use: 'in', min: 0, max: 1, type: 'string', documentation: 'A note on the order' },
    medicationRequest('The order (201)'),
  ],
  scopes: [{ resourceType: 'MedicationRequest', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) => ({
    status: 201,
    resource: await approveRepeat(deps.callerOf(request), id!, { note: text(input, 'note') }),
  }),
});

/** `MedicationRequest/{id}/$reject` (practice staff): cancels a patient's request with a reason. */
export const REJECT = defineOperation<PortalDeps>({
  code: 'reject',
  name: 'MedicationRequestReject',
  title: 'Reject a repeat prescription request',
  description: 'Practice staff cancel a patient’s repeat request (a `proposal`), with a reason the patient can read.',
  levels: ['instance'],
  resourceTypes: ['MedicationRequest'],
  affectsState: true,
  parameters: [
    {
      name: 'reason',
      use: 'in',
      min: 1,
      max: 1,
      type: 'string',
      documentation: 'Why, in words the patient understands',
    },
    medicationRequest('The cancelled request'),
  ],
  scopes: [{ resourceType: 'MedicationRequest', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) =>
    rejectRepeat(deps.callerOf(request), id!, { reason: input.string('reason') ?? '' }),
});

export const PORTAL_OPERATIONS = [BOOK, CANCEL, ORDER_REPEAT, APPROVE, REJECT];
