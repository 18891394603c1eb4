import { queryOptions } from '@tanstack/react-query';
import type { HealthcareService, Patient } from '@medplum/fhirtypes';
import { api, searchAll } from '../../api/client.ts';
import { accessToken } from '../../auth/session.ts';

/**
 * Advice and guidance's API (packages/server/src/referrals/advice/routes.ts): the types are its
 * contract; every call carries the Bearer token through `api()`.
 */
export type AdviceStatus =
  'awaiting-advice' | 'information-requested' | 'advice-given' | 'conversion-proposed' | 'closed';
export type MessageKind =
  'request' | 'answer' | 'question' | 'reply' | 'propose-referral' | 'accept-referral' | 'decline-referral' | 'close';
export type Side = 'requester' | 'provider';
export type Outcome = 'referral-avoided' | 'referral-made' | 'other';

export interface AdviceSummary {
  task: string;
  serviceRequest: string;
  status: AdviceStatus;
  statusText: string;
  priority: string;
  specialty?: string;
  patient: { id: string; name?: string; nhsNumber?: string };
  service?: string;
  provider?: string;
  requestedAt?: string;
  dueAt?: string;
  overdue: boolean;
  outcome?: { code: Outcome; text: string };
  referral?: string;
}

export interface AdviceMessage {
  id: string;
  kind: MessageKind;
  kindText: string;
  side: Side;
  sender?: string;
  sent?: string;
  text?: string;
  attachments: { index: number; title?: string; contentType?: string; size?: number }[];
}

export interface AdviceThread extends AdviceSummary {
  side: Side;
  actions: (MessageKind | 'close')[];
  proposal?: { priority: string; text?: string };
  firstResponseAt?: string;
  messages: AdviceMessage[];
}

export interface NewAttachment {
  contentType: string;
  data: string;
  title: string;
  size: number;
}

const BASE = '/api/referrals/advice';
export const ADVICE_KEY = ['advice'] as const;
export const taskId = (reference: string) => reference.split('/')[1] ?? reference;

/** The list for a side (none: the server's default for the caller's organisation, which it names). */
export const listQuery = (side: Side | undefined, open: boolean) =>
  queryOptions({
    queryKey: [...ADVICE_KEY, 'list', side ?? 'default', open],
    queryFn: ({ signal }) =>
      api<{ side: Side; items: AdviceSummary[] }>(`${BASE}?${side ? `side=${side}&` : ''}open=${open}`, { signal }),
  });

export const threadQuery = (id: string) =>
  queryOptions({
    queryKey: [...ADVICE_KEY, 'thread', id],
    queryFn: ({ signal }) => api<AdviceThread>(`${BASE}/${encodeURIComponent(id)}`, { signal }),
  });

/** Services a practice may ask: the directory's active services of other organisations, by name. */
export const servicesQuery = queryOptions({
  queryKey: [...ADVICE_KEY, 'services'],
  queryFn: async ({ signal }) =>
    (await searchAll<HealthcareService>('HealthcareService', { active: 'true', _count: '100' }, { signal })).resources
      .filter((s) => s.providedBy?.reference)
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')),
});

export const patientQuery = (id: string) =>
  queryOptions({
    queryKey: [...ADVICE_KEY, 'patient', id],
    queryFn: ({ signal }) => api<Patient>(`/fhir/R4/Patient/${encodeURIComponent(id)}`, { signal }),
    enabled: !!id,
  });

/** A patient by NHS number, as the caller may see them (none: not found or not theirs to see). */
export async function findByNhsNumber(nhsNumber: string): Promise<Patient | undefined> {
  const { resources } = await searchAll<Patient>(
    'Patient',
    { identifier: `https://fhir.nhs.uk/Id/nhs-number|${nhsNumber}`, _count: '1' },
    { maxPages: 1 },
  );
  return resources[0];
}

export const requestAdvice = (body: {
  patientId: string;
  serviceId: string;
  priority: 'routine' | 'urgent';
  question: string;
  attachments: NewAttachment[];
}) => api<AdviceThread>(BASE, { method: 'POST', body });

export const sendMessage = (
  id: string,
  body: { kind: MessageKind; text?: string; priority?: string; attachments?: NewAttachment[] },
) => api<AdviceThread>(`${BASE}/${encodeURIComponent(id)}/messages`, { method: 'POST', body });

export const closeAdvice = (id: string, body: { outcome: Outcome; note?: string }) =>
  api<AdviceThread>(`${BASE}/${encodeURIComponent(id)}/close`, { method: 'POST', body });

/** Downloads an attachment with the signed-in person's token (a plain link would carry none). */
export async function downloadAttachment(id: string, messageId: string, index: number, title: string): Promise<void> {
  const token = accessToken();
  const response = await fetch(
    `${BASE}/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/attachments/${index}`,
    {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    },
  );
  if (!response.ok) {
    throw new Error('The file could not be downloaded');
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = title;
  link.click();
  URL.revokeObjectURL(url);
}

/** The safe types the server keeps, and its limit (it checks again, by the file's content too). */
const FILE_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
};
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** A chosen file as an attachment, or what is wrong with it. */
export async function toAttachment(file: File): Promise<NewAttachment | string> {
  if (!FILE_TYPES[file.type]) {
    return `${file.name} is not a PDF, JPEG or PNG file`;
  }
  if (file.size > MAX_FILE_BYTES) {
    return `${file.name} is larger than 2 MB`;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return { contentType: file.type, data: btoa(binary), title: file.name, size: file.size };
}

export const PRIORITY_TEXT: Record<string, string> = {
  routine: 'Routine',
  urgent: 'Urgent',
  'two-week-wait': 'Two-week wait (suspected cancer)',
};
