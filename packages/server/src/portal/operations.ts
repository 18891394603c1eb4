import type { FastifyRequest } from 'fastify';
import { defineOperation } from '../fhir/operations/define.ts';
import type { OperationInput } from '../fhir/operations/parameters.ts';
import { bookAppointment, cancelAppointment, type Booking } from './appointments.ts';
import { messagePractice, replyToPatient } from './messages.ts';
import { nominatePharmacy } from './pharmacy.ts';
import type { ModuleServices } from '../modules/contract.ts';
import { approveRepeat, orderRepeat, rejectRepeat, withdrawRepeat } from './repeats.ts';
import type { PortalCaller } from './transaction.ts';

export interface PortalDeps {
  /** Who is calling, with the record as they and as the system see it. */
  callerOf: (request: FastifyRequest) => PortalCaller;
  /** Booking and cancelling (the referrals module's directory: one implementation for every slot). */
  booking: () => Booking;
  /** Telling the patient the practice replied (the notifications module). */
  notifications: () => ModuleServices['notifications'];
}

/** A text parameter, trimmed; blank is absent. */
function text(input: OperationInput, name: string): string | undefined {
  return input.string(name)?.trim() || undefined;
}

const appointment = (documentation: string) =>
  ({ name: 'return', use: 'out', min: 1, max: 1, type: 'Appointment', documentation }) as const;
const medicationRequest = (documentation: string) =>
  ({ name: 'return', use: 'out', min: 1, max: 1, type: 'MedicationRequest', documentation }) as const;

/** `Appointment/$book`: books a free Slot for a patient (src/referrals/booking/booking.service.ts). */
export const BOOK = defineOperation<PortalDeps>({
  code: 'book',
  name: 'AppointmentBook',
  title: 'Book an appointment in a free slot',
  description:
    'Books a free Slot for a patient — a GP surgery or a referral service (with `basedOn` the referral) — the ' +
    'Slot becomes busy and a booked Appointment is created, in one transaction. Of two bookings of one slot ' +
    'exactly one succeeds; the other gets 409. A slot in the past is 422.',
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
    {
      name: 'basedOn',
      use: 'in',
      min: 0,
      max: 1,
      type: 'Reference',
      targetTypes: ['ServiceRequest'],
      documentation: 'The referral the appointment is for',
    },
    { name: 'comment', use: 'in', min: 0, max: 1, type: 'string', documentation: 'A note for the practice' },
    {
      name: 'reason',
      use: 'in',
      min: 0,
      max: 1,
      type: 'string',
      documentation:
        'The reason for the visit in the patient’s words (reasonCode.text; at most 500 characters). Read by the ' +
        'practice before the appointment: not monitored as an urgent request.',
    },
    appointment('The booked Appointment (201)'),
  ],
  scopes: [{ resourceType: 'Appointment', interaction: 'c' }],
  handler: async ({ request, deps, input }) => ({
    status: 201,
    resource: await bookAppointment(deps.callerOf(request), deps.booking(), {
      slotId: input.referenceId('slot')!,
      patientId: input.referenceId('patient'),
      basedOn: input.referenceId('basedOn'),
      comment: text(input, 'comment'),
      reason: text(input, 'reason'),
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
    cancelAppointment(deps.callerOf(request), deps.booking(), id!, { reason: text(input, 'reason') }),
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

/** `MedicationRequest/{id}/$withdraw-repeat`: the patient (or their carer) cancels their own waiting request. */
export const WITHDRAW_REPEAT = defineOperation<PortalDeps>({
  code: 'withdraw-repeat',
  name: 'MedicationRequestWithdrawRepeat',
  title: 'Withdraw a repeat prescription request',
  description:
    'The patient (or their carer) cancels a repeat request (a `proposal`) the practice has not dealt with yet. ' +
    'A request already approved or rejected is 409; one the caller cannot see is 404.',
  levels: ['instance'],
  resourceTypes: ['MedicationRequest'],
  affectsState: true,
  parameters: [medicationRequest('The cancelled request')],
  scopes: [{ resourceType: 'MedicationRequest', interaction: 'c' }],
  handler: async ({ request, deps, id }) => withdrawRepeat(deps.callerOf(request), id!),
});

/** `Patient/{id}/$nominate-pharmacy`: the patient (or their carer) chooses where their prescriptions go. */
export const NOMINATE_PHARMACY = defineOperation<PortalDeps>({
  code: 'nominate-pharmacy',
  name: 'PatientNominatePharmacy',
  title: 'Nominate a pharmacy',
  description:
    'Sets the patient’s nominated pharmacy (UK Core Extension-UKCore-NominatedPharmacy on the Patient), where ' +
    'their electronic prescriptions go. The pharmacy must be an active pharmacy in the directory (422 otherwise); ' +
    'a patient or carer may nominate only for themselves or the person they act for (404 otherwise).',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: true,
  parameters: [
    {
      name: 'pharmacy',
      use: 'in',
      min: 1,
      max: 1,
      type: 'Reference',
      targetTypes: ['Organization'],
      documentation: 'The pharmacy (an Organization of type pharmacy)',
    },
    {
      name: 'return',
      use: 'out',
      min: 1,
      max: 1,
      type: 'Patient',
      documentation: 'The patient, as the caller sees them',
    },
  ],
  scopes: [{ resourceType: 'Patient', interaction: 'u' }],
  handler: async ({ request, deps, id, input }) =>
    nominatePharmacy(deps.callerOf(request), id!, { pharmacyId: input.referenceId('pharmacy')! }),
});

const communication = (documentation: string) =>
  ({ name: 'return', use: 'out', min: 1, max: 1, type: 'Communication', documentation }) as const;

/** `Patient/{id}/$message-practice`: a non-urgent message from the patient (or their carer) to their GP practice. */
export const MESSAGE_PRACTICE = defineOperation<PortalDeps>({
  code: 'message-practice',
  name: 'PatientMessagePractice',
  title: 'Send a non-urgent message to the GP practice',
  description:
    'The patient (or their carer, when the patient lets them see messages) sends a non-urgent message to the GP ' +
    'practice they are registered with, or follows up in a conversation (`thread`). Not monitored as urgent: the ' +
    'practice replies within its stated working days. Another patient is 404; a carer without permission is 403.',
  levels: ['instance'],
  resourceTypes: ['Patient'],
  affectsState: true,
  parameters: [
    {
      name: 'text',
      use: 'in',
      min: 1,
      max: 1,
      type: 'string',
      documentation: 'The message (at most 2,000 characters)',
    },
    { name: 'topic', use: 'in', min: 0, max: 1, type: 'string', documentation: 'A subject for a new conversation' },
    {
      name: 'thread',
      use: 'in',
      min: 0,
      max: 1,
      type: 'Reference',
      targetTypes: ['Communication'],
      documentation: 'The first message of the conversation this follows up',
    },
    communication('The message (201)'),
  ],
  scopes: [{ resourceType: 'Communication', interaction: 'c' }],
  handler: async ({ request, deps, id, input }) => ({
    status: 201,
    resource: await messagePractice(deps.callerOf(request), id!, {
      text: input.string('text'),
      topic: text(input, 'topic'),
      thread: input.referenceId('thread'),
    }),
  }),
});

/** `Communication/{id}/$reply-to-patient`: the practice replies to a patient's conversation. */
export const REPLY_TO_PATIENT = defineOperation<PortalDeps>({
  code: 'reply-to-patient',
  name: 'CommunicationReplyToPatient',
  title: 'Reply to a patient’s message',
  description:
    'Staff at the GP practice a patient wrote to reply in the conversation (`id`: its first message); the patient ' +
    '(or the carer who wrote) is told in their inbox. Staff at another organisation are 403.',
  levels: ['instance'],
  resourceTypes: ['Communication'],
  affectsState: true,
  parameters: [
    { name: 'text', use: 'in', min: 1, max: 1, type: 'string', documentation: 'The reply (at most 2,000 characters)' },
    communication('The reply (201)'),
  ],
  scopes: [{ resourceType: 'Communication', interaction: 'c' }],
  handler: async ({ request, deps, id, input }) => ({
    status: 201,
    resource: await replyToPatient(deps.callerOf(request), deps.notifications(), id!, { text: input.string('text') }),
  }),
});

export const PORTAL_OPERATIONS = [
  BOOK,
  CANCEL,
  ORDER_REPEAT,
  APPROVE,
  REJECT,
  WITHDRAW_REPEAT,
  NOMINATE_PHARMACY,
  MESSAGE_PRACTICE,
  REPLY_TO_PATIENT,
];
