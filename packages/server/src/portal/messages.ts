import type { Communication, Patient } from '@medplum/fhirtypes';
import { requireActor, requireStaff } from '../access/guards.ts';
import { fail, OperationOutcomeError } from '../fhir/outcome.ts';
import { invalidParameter } from '../fhir/operations/parameters.ts';
import type { ModuleServices } from '../modules/contract.ts';
import { actorReference, inTransaction, parse, type PortalCaller } from './transaction.ts';

/** Where a message between a patient and their GP practice is coded (Communication.category). */
export const PRACTICE_MESSAGE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/portal-message';
export const PRACTICE_MESSAGE = {
  system: PRACTICE_MESSAGE_SYSTEM,
  code: 'practice-message',
  display: 'Non-urgent message with the GP practice',
} as const;
export const MAX_MESSAGE_LENGTH = 2000;
export const MAX_TOPIC_LENGTH = 100;
/** The notification the patient (or carer) gets when the practice replies. */
export const REPLY_KIND = 'practice-message-reply';

type Notifications = ModuleServices['notifications'];

export function isPracticeMessage(message: Communication): boolean {
  return Boolean(
    message.category?.some((c) =>
      c.coding?.some((x) => x.system === PRACTICE_MESSAGE_SYSTEM && x.code === PRACTICE_MESSAGE.code),
    ),
  );
}

function checkText(text: string | undefined, topic?: string): string {
  const body = text?.trim();
  if (!body) {
    return invalidParameter('text', 'Enter your message');
  }
  if (body.length > MAX_MESSAGE_LENGTH) {
    invalidParameter('text', `The message must be ${MAX_MESSAGE_LENGTH} characters or fewer`);
  }
  if (topic && topic.length > MAX_TOPIC_LENGTH) {
    invalidParameter('topic', `The subject must be ${MAX_TOPIC_LENGTH} characters or fewer`);
  }
  return body;
}

/**
 * `Patient/{id}/$message-practice`: the patient (or their carer) sends a non-urgent message to the GP
 * practice they are registered with, or follows up in a thread (`thread`: its first message). The
 * message is written by the portal's system actor (patients write no Communications themselves,
 * docs/ACCESS.md *Writes*), addressed to the practice and owned by it, then read back as the caller in
 * the same transaction: a carer whose permission does not cover messages (documents) is refused (403)
 * and nothing is kept. A patient or carer sends only for themselves or the person they act for (404).
 */
export async function messagePractice(
  caller: PortalCaller,
  patientId: string,
  input: { text?: string | undefined; topic?: string | undefined; thread?: string | undefined },
): Promise<Communication> {
  const actor = requireActor(caller.actor);
  if (actor.kind !== 'patient' && actor.kind !== 'related-person') {
    return fail('forbidden', 'Only a patient or their carer sends a message to the practice here; staff reply to one');
  }
  const text = checkText(input.text, input.topic);
  return inTransaction(caller, async ({ system, asCaller }) => {
    const patient = parse<Patient>((await asCaller.read('Patient', patientId)).json);
    if (actor.patientId !== patientId) {
      return fail('not-found', `Patient/${patientId} is not known`);
    }
    const practice = patient.generalPractitioner?.find((g) => g.reference?.startsWith('Organization/'))?.reference;
    if (!practice) {
      return fail('business-rule', 'You are not registered with a GP practice, so cannot message one here.');
    }
    const root = input.thread ? await threadRoot(asCaller, input.thread, patientId) : undefined;
    const message: Communication = {
      resourceType: 'Communication',
      meta: { source: practice },
      status: 'completed',
      category: [{ coding: [{ ...PRACTICE_MESSAGE }] }],
      priority: 'routine',
      subject: { reference: `Patient/${patientId}` },
      sender: { reference: actorReference(actor)! },
      recipient: [{ reference: practice }],
      sent: new Date().toISOString(),
      ...(root
        ? { partOf: [{ reference: `Communication/${root.id!}` }], topic: root.topic }
        : input.topic?.trim()
          ? { topic: { text: input.topic.trim() } }
          : {}),
      payload: [{ contentString: text }],
    };
    const written = (await system.create('Communication', message)).resource as Communication;
    try {
      return parse<Communication>((await asCaller.read('Communication', written.id!)).json);
    } catch (error) {
      if (error instanceof OperationOutcomeError && error.status === 404) {
        return fail('forbidden', 'The patient has not let you see or send messages with their GP practice');
      }
      throw error;
    }
  });
}

/** The first message of a practice-message thread the reader may see (404 otherwise, 422 for another kind). */
async function threadRoot(
  record: { read(type: string, id: string): Promise<{ json?: string | null }> },
  reference: string,
  patientId?: string,
): Promise<Communication> {
  const id = reference.replace(/^Communication\//, '');
  const root = parse<Communication>((await record.read('Communication', id)).json);
  if (!isPracticeMessage(root) || root.partOf?.length) {
    return fail('business-rule', `Communication/${id} does not start a conversation with a GP practice`);
  }
  if (patientId && root.subject?.reference !== `Patient/${patientId}`) {
    return fail('not-found', `Communication/${id} is not known`);
  }
  return root;
}

/**
 * `Communication/{id}/$reply-to-patient`: a member of staff at the practice a conversation is with
 * replies to it (written as themselves, so their organisation owns it), and the person who started it
 * is told in their inbox, in the same transaction. Staff elsewhere are refused (403); a conversation
 * they may not see is 404.
 */
export async function replyToPatient(
  caller: PortalCaller,
  notifications: Notifications,
  threadId: string,
  input: { text?: string | undefined },
): Promise<Communication> {
  const staff = requireStaff(caller.actor, { doing: 'reply to a patient’s message' });
  const text = checkText(input.text);
  return caller.unitOfWork(async (uow) => {
    const root = await threadRoot(uow.record, threadId);
    if (!root.recipient?.some((r) => r.reference === `Organization/${staff.organizationId}`)) {
      return fail('forbidden', 'Only the practice the patient wrote to replies to this message');
    }
    const reply: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      category: root.category,
      priority: 'routine',
      subject: root.subject,
      partOf: [{ reference: `Communication/${root.id!}` }],
      topic: root.topic,
      sender: { reference: `Practitioner/${staff.practitionerId}` },
      recipient: root.sender ? [root.sender] : [],
      sent: new Date().toISOString(),
      payload: [{ contentString: text }],
    };
    const written = (await uow.record.create('Communication', reply)).resource as Communication;
    if (root.sender?.reference) {
      await notifications.notify(
        {
          kind: REPLY_KIND,
          category: 'message',
          priority: 'routine',
          recipient: root.sender.reference,
          subject: root.subject!.reference!,
          about: `Communication/${written.id!}`,
          title: 'Your GP practice has replied',
          text: `A reply to your message${root.topic?.text ? ` “${root.topic.text}”` : ''}.`,
          smsText: 'CareWeave: your GP practice has replied to your message. Sign in to read it.',
          idempotencyKey: `${REPLY_KIND}:Communication/${written.id!}`,
        },
        { tx: uow.tx },
      );
    }
    return written;
  });
}
