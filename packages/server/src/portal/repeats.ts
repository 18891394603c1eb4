import type { MedicationRequest, Reference } from '@medplum/fhirtypes';
import { conflict, fail, OperationOutcomeError } from '../fhir/outcome.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { invalidParameter } from '../fhir/operations/parameters.ts';
import { requireActor, requireStaff } from '../access/guards.ts';
import { actorReference, inTransaction, parse, type PortalCaller } from './transaction.ts';

const COURSE_OF_THERAPY = 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy';

/** A repeat template: an active, continuous order that is not itself an issue of another request. */
export function isRepeatTemplate(request: MedicationRequest): boolean {
  return (
    request.intent === 'order' &&
    request.status === 'active' &&
    !request.basedOn?.length &&
    Boolean(request.courseOfTherapyType?.coding?.some((c) => c.system === COURSE_OF_THERAPY && c.code === 'continuous'))
  );
}

/**
 * `MedicationRequest/{id}/$order-repeat`: the patient (or their carer) asks the practice for the
 * next issue of a repeat. Creates a `proposal` based on the repeat, owned by the practice that
 * holds the repeat, unless one is already waiting (409).
 */
export async function orderRepeat(
  caller: PortalCaller,
  id: string,
  { note, requester }: { note?: string; requester?: string },
): Promise<MedicationRequest> {
  requireActor(caller.actor);
  return inTransaction(caller, async ({ system, asCaller, lock }) => {
    const repeat = parse<MedicationRequest>((await asCaller.read('MedicationRequest', id)).json);
    if (!isRepeatTemplate(repeat)) {
      return fail('business-rule', 'Only an active repeat prescription can be ordered.');
    }
    await lock(`repeat-order:MedicationRequest/${id}`);
    if ((await pending(system, `MedicationRequest/${id}`)).length > 0) {
      return conflict('You have already ordered this medicine. Your GP practice is looking at the request.');
    }
    const proposal: MedicationRequest = {
      resourceType: 'MedicationRequest',
      meta: repeat.meta?.source ? { source: repeat.meta.source } : undefined,
      status: 'active',
      intent: 'proposal',
      category: repeat.category,
      medicationCodeableConcept: repeat.medicationCodeableConcept,
      medicationReference: repeat.medicationReference,
      subject: repeat.subject,
      authoredOn: new Date().toISOString(),
      requester: { reference: actorReference(caller.actor) ?? requester ?? repeat.subject.reference },
      reasonReference: repeat.reasonReference,
      courseOfTherapyType: repeat.courseOfTherapyType,
      dosageInstruction: repeat.dosageInstruction,
      dispenseRequest: repeat.dispenseRequest?.quantity ? { quantity: repeat.dispenseRequest.quantity } : undefined,
      basedOn: [{ reference: `MedicationRequest/${id}` }],
      note: note ? [{ text: note }] : undefined,
    };
    return (await asCaller.create('MedicationRequest', proposal)).resource as MedicationRequest;
  });
}

/**
 * `MedicationRequest/{id}/$approve` (practice staff): issues the proposal as an `order` based on
 * it and marks the proposal `completed`.
 */
export async function approveRepeat(
  caller: PortalCaller,
  id: string,
  { note }: { note?: string },
): Promise<MedicationRequest> {
  requireStaff(caller.actor, { doing: 'approve or reject repeat prescription requests', allowSystem: true });
  return inTransaction(caller, async ({ asCaller }) => {
    const [proposal, version] = await readProposal(asCaller, id);
    const prescriber = actorReference(caller.actor);
    const order: MedicationRequest = {
      ...proposal,
      id: undefined,
      meta: proposal.meta?.source ? { source: proposal.meta.source } : undefined,
      status: 'active',
      intent: 'order',
      authoredOn: new Date().toISOString(),
      requester: prescriber ? { reference: prescriber } : undefined,
      basedOn: [{ reference: `MedicationRequest/${id}` }, ...(proposal.basedOn ?? [])],
      note: note ? [{ text: note }] : undefined,
    };
    await settle(asCaller, { ...proposal, status: 'completed' }, version);
    return (await asCaller.create('MedicationRequest', order)).resource as MedicationRequest;
  });
}

/** `MedicationRequest/{id}/$reject` (practice staff): cancels the proposal with a reason for the patient. */
export async function rejectRepeat(
  caller: PortalCaller,
  id: string,
  input: { reason: string },
): Promise<MedicationRequest> {
  requireStaff(caller.actor, { doing: 'approve or reject repeat prescription requests', allowSystem: true });
  const reason =
    input.reason.trim() || invalidParameter('reason', "Parameter 'reason' is required: tell the patient why");
  return inTransaction(caller, async ({ asCaller }) => {
    const [proposal, version] = await readProposal(asCaller, id);
    return settle(asCaller, { ...proposal, status: 'cancelled', statusReason: { text: reason } }, version);
  });
}

/** Why a repeat request was closed without an issue, when the patient closed it (not the practice). */
export const REQUEST_OUTCOME_SYSTEM = 'https://careweave.example/fhir/CodeSystem/repeat-request-outcome';

/**
 * `MedicationRequest/{id}/$withdraw-repeat`: the patient (or their carer) withdraws a request the
 * practice has not dealt with yet. The request must be one the caller can see (hidden and absent
 * are both 404); it is cancelled with the reason coded `withdrawn`, so the portal and the practice
 * never read it as the practice's refusal.
 */
export async function withdrawRepeat(caller: PortalCaller, id: string): Promise<MedicationRequest> {
  requireActor(caller.actor);
  if (caller.actor.kind !== 'patient' && caller.actor.kind !== 'related-person') {
    return fail('business-rule', 'Practice staff close a request with $reject, giving the patient a reason.');
  }
  return inTransaction(caller, async ({ system, asCaller }) => {
    const [proposal, version] = await readProposal(asCaller, id);
    return settle(
      system,
      {
        ...proposal,
        status: 'cancelled',
        statusReason: {
          coding: [{ system: REQUEST_OUTCOME_SYSTEM, code: 'withdrawn', display: 'Withdrawn by the patient' }],
          text: 'You cancelled this request',
        },
      },
      version,
    );
  });
}

async function readProposal(service: ResourceService, id: string): Promise<[MedicationRequest, number]> {
  const stored = await service.read('MedicationRequest', id);
  const proposal = parse<MedicationRequest>(stored.json);
  if (proposal.intent !== 'proposal') {
    return fail('business-rule', 'Only a repeat request from a patient (intent proposal) can be approved or rejected.');
  }
  if (proposal.status !== 'active') {
    return conflict(`This request has already been dealt with (it is ${proposal.status}).`);
  }
  return [proposal, stored.versionId];
}

/** Updates the proposal on the version read, so two members of staff cannot both act on it. */
async function settle(
  service: ResourceService,
  proposal: MedicationRequest,
  version: number,
): Promise<MedicationRequest> {
  try {
    return (await service.update('MedicationRequest', proposal.id!, proposal, { ifMatch: version }))
      .resource as MedicationRequest;
  } catch (error) {
    if (error instanceof OperationOutcomeError && error.status === 412) {
      conflict('Someone else has just dealt with this request.');
    }
    throw error;
  }
}

async function pending(service: ResourceService, repeat: string): Promise<Reference[]> {
  const bundle = await service.search('MedicationRequest', [
    ['based-on', repeat],
    ['intent', 'proposal'],
    ['status', 'active'],
    ['_count', '1'],
  ]);
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => ({ reference: e.fullUrl }));
}
