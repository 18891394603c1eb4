import type { Communication } from '@medplum/fhirtypes';
import { FHIR_BASE, api, fhirGet, searchAll } from '../../../api/client.ts';

/** Messages between a patient and their GP practice (packages/server/src/portal/messages.ts). */
export const PRACTICE_MESSAGE = 'https://careweave.example/fhir/CodeSystem/portal-message|practice-message';
export const MAX_MESSAGE = 2000;

/** A conversation: its first message and the replies and follow-ups, oldest first. */
export interface Conversation {
  root: Communication;
  messages: Communication[];
}

export const textOf = (message: Communication): string =>
  message.payload?.map((p) => p.contentString ?? '').join('\n') ?? '';

export const topicOf = (message: Communication): string => message.topic?.text ?? 'Message';

/** Who wrote a message, as the patient reads it. */
export function fromText(message: Communication, patientId: string, practice = 'Your GP practice'): string {
  const sender = message.sender?.reference ?? '';
  if (sender === `Patient/${patientId}`) {
    return 'You';
  }
  if (sender.startsWith('RelatedPerson/')) {
    return message.sender?.display ?? 'A carer';
  }
  return practice;
}

/**
 * Groups messages into conversations (a message `partOf` another belongs to its thread), newest
 * activity first. A reply whose first message is not among them is left out.
 */
export function conversations(messages: readonly Communication[]): Conversation[] {
  const roots = new Map<string, Conversation>();
  for (const m of messages) {
    if (!m.partOf?.length && m.id) {
      roots.set(m.id, { root: m, messages: [m] });
    }
  }
  for (const m of messages) {
    const rootId = m.partOf?.[0]?.reference?.replace(/^Communication\//, '');
    const conversation = rootId ? roots.get(rootId) : undefined;
    conversation?.messages.push(m);
  }
  const at = (m: Communication) => Date.parse(m.sent ?? '') || 0;
  const list = [...roots.values()];
  for (const c of list) {
    c.messages.sort((a, b) => at(a) - at(b));
  }
  return list.sort((a, b) => at(b.messages[b.messages.length - 1]!) - at(a.messages[a.messages.length - 1]!));
}

/** Whether the practice has written last (the patient has a reply to read). */
export function repliedLast(conversation: Conversation): boolean {
  const last = conversation.messages[conversation.messages.length - 1]!;
  return last.sender?.reference?.startsWith('Practitioner') ?? false;
}

export async function loadPatientMessages(patientId: string): Promise<Conversation[]> {
  const found = await searchAll<Communication>(
    'Communication',
    { patient: `Patient/${patientId}`, category: PRACTICE_MESSAGE, _sort: '-sent', _count: '200' },
    { maxPages: 2 },
  );
  return conversations(found.resources);
}

export async function loadPracticeMessages(practiceId: string): Promise<Conversation[]> {
  const roots = await searchAll<Communication>(
    'Communication',
    { recipient: `Organization/${practiceId}`, category: PRACTICE_MESSAGE, _sort: '-sent', _count: '100' },
    { maxPages: 2 },
  );
  const replies = roots.resources.length
    ? await searchAll<Communication>(
        'Communication',
        { 'part-of': roots.resources.map((r) => `Communication/${r.id}`).join(','), _count: '500' },
        { maxPages: 2 },
      )
    : { resources: [] };
  const seen = new Set<string>();
  return conversations(
    [...roots.resources, ...replies.resources].filter((m) => !seen.has(m.id!) && Boolean(seen.add(m.id!))),
  );
}

export async function loadConversation(rootId: string): Promise<Conversation> {
  const [root, rest] = await Promise.all([
    fhirGet<Communication>(`Communication/${encodeURIComponent(rootId)}`),
    searchAll<Communication>('Communication', { 'part-of': `Communication/${rootId}`, _count: '200' }, { maxPages: 2 }),
  ]);
  return conversations([root, ...rest.resources])[0] ?? { root, messages: [root] };
}

export function sendToPractice(
  patientId: string,
  input: { text: string; topic?: string | undefined; thread?: string | undefined },
): Promise<Communication> {
  return api<Communication>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$message-practice`, {
    method: 'POST',
    body: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'text', valueString: input.text },
        ...(input.topic ? [{ name: 'topic', valueString: input.topic }] : []),
        ...(input.thread ? [{ name: 'thread', valueReference: { reference: `Communication/${input.thread}` } }] : []),
      ],
    },
  });
}

export function replyToPatient(rootId: string, text: string): Promise<Communication> {
  return api<Communication>(`${FHIR_BASE}/Communication/${encodeURIComponent(rootId)}/$reply-to-patient`, {
    method: 'POST',
    body: { resourceType: 'Parameters', parameter: [{ name: 'text', valueString: text }] },
  });
}
