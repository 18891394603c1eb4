import { queryOptions } from '@tanstack/react-query';
import type { OperationOutcome, Patient } from '@medplum/fhirtypes';
import { api, FHIR_BASE } from '../../api/client.ts';
import { ApiError, outcomeText, plainWords } from '../../api/errors.ts';
import { accessToken, onUnauthorised } from '../../auth/session.ts';

/** The practice SMS API (`/api/practice-sms`, packages/server/src/practice-sms); types are its contract. */
const BASE = '/api/practice-sms';
export const PRACTICE_SMS_KEY = ['practice-sms'] as const;

export interface ConversationSummary {
  phone: string;
  patientId: string | null;
  patientName: string | null;
  lastMessage: { direction: 'in' | 'out'; kind: string; body: string; at: string };
  count: number;
}

export interface ThreadMessage {
  id: string;
  direction: 'in' | 'out';
  kind: string;
  body: string;
  at: string;
  sentBy: string | null;
}

export interface Thread {
  phone: string;
  patientId: string | null;
  patientName: string | null;
  messages: ThreadMessage[];
}

export interface ReminderSettings {
  remindersEnabled: boolean;
  windowFromHours: number;
  windowToHours: number;
}

export interface Reminder {
  appointmentId: string;
  patientName: string;
  phone: string;
  appointmentStart: string;
  status: 'sent' | 'opted-out' | 'cancelled-by-reply';
  sentAt: string;
  cancelledAt: string | null;
}

export type Review = 'asthma' | 'diabetes' | 'blood-pressure';

export interface RecallCandidate {
  patientId: string;
  name: string;
  nhsNumber: string | null;
  mobile: string | null;
  excluded: 'no mobile' | 'opted out' | 'deceased' | 'reviewed in the last 12 months' | null;
  /** When "not reviewed in 12 months" was asked: the start of their last review in the window. */
  lastReviewed?: string | null;
}

export interface RecallPreview {
  review: Review;
  notReviewedRecently: boolean;
  title: string;
  count: number;
  excludedCount: number;
  example: string;
  candidates: RecallCandidate[];
}

export interface Recall {
  id: string;
  review: Review;
  sentCount: number;
  excludedCount: number;
  sentAt: string;
}

export interface Template {
  kind: string;
  body: string;
  custom: boolean;
  fields: string[];
  encoding: string;
  characters: number;
  parts: number;
}

export const conversationsQuery = queryOptions({
  queryKey: [...PRACTICE_SMS_KEY, 'conversations'],
  queryFn: ({ signal }) => api<{ conversations: ConversationSummary[] }>(`${BASE}/conversations`, { signal }),
  refetchInterval: 10_000,
});

export const threadQuery = (phone: string) =>
  queryOptions({
    queryKey: [...PRACTICE_SMS_KEY, 'thread', phone],
    queryFn: ({ signal }) => api<Thread>(`${BASE}/conversations/${encodeURIComponent(phone)}`, { signal }),
    refetchInterval: 10_000,
  });

export const remindersQuery = queryOptions({
  queryKey: [...PRACTICE_SMS_KEY, 'reminders'],
  queryFn: ({ signal }) => api<{ reminders: Reminder[] }>(`${BASE}/reminders`, { signal }),
  refetchInterval: 10_000,
});

export const reminderSettingsQuery = queryOptions({
  queryKey: [...PRACTICE_SMS_KEY, 'reminder-settings'],
  queryFn: ({ signal }) => api<ReminderSettings>(`${BASE}/reminders/settings`, { signal }),
});

export const recallsQuery = queryOptions({
  queryKey: [...PRACTICE_SMS_KEY, 'recalls'],
  queryFn: ({ signal }) => api<{ recalls: Recall[] }>(`${BASE}/recalls`, { signal }),
});

export const templatesQuery = queryOptions({
  queryKey: [...PRACTICE_SMS_KEY, 'templates'],
  queryFn: ({ signal }) => api<{ templates: Template[] }>(`${BASE}/templates`, { signal }),
});

export const reply = (phone: string, body: string) =>
  api<{ id: string; optedOut: boolean }>(`${BASE}/conversations/${encodeURIComponent(phone)}/reply`, {
    method: 'POST',
    body: { body },
  });

export const saveReminderSettings = (settings: ReminderSettings) =>
  api<ReminderSettings>(`${BASE}/reminders/settings`, { method: 'PUT', body: settings });

export const sendDueReminders = () => api<{ sent: number }>(`${BASE}/reminders/send-due`, { method: 'POST' });

export interface RecallChoice {
  review: Review;
  /** Leave out patients reviewed at the practice in the last 12 months. */
  notReviewedRecently: boolean;
}

export const previewRecall = (choice: RecallChoice) =>
  api<RecallPreview>(`${BASE}/recalls/preview`, { method: 'POST', body: choice });

export const sendRecall = (choice: RecallChoice) => api<Recall>(`${BASE}/recalls`, { method: 'POST', body: choice });

export type ResultsKind = 'results-normal' | 'results-neutral';

/** What marking a result normal would text (the server decides the wording by the patient's agreement). */
export interface ResultsTextPreview {
  kind: ResultsKind;
  body: string;
  phone: string | null;
  clinicalContentAgreed: boolean;
  alreadySent: boolean;
}

export interface ResultsTextSent {
  kind: ResultsKind;
  body: string;
  optedOut: boolean;
  clinicalContentAgreed: boolean;
}

/** `reference` is `Observation/{id}` or `DiagnosticReport/{id}`. GPs only. */
export const previewResultsText = (reference: string) =>
  api<ResultsTextPreview>(`${BASE}/results/preview`, { method: 'POST', body: { reference } });

export const sendResultsText = (reference: string) =>
  api<ResultsTextSent>(`${BASE}/results`, { method: 'POST', body: { reference } });

export const saveTemplate = (kind: string, body: string) =>
  api<Template>(`${BASE}/templates/${kind}`, { method: 'PUT', body: { body } });

export const previewTemplate = (kind: string, body: string) =>
  api<{ text: string; parts: number; characters: number; encoding: string }>(`${BASE}/templates/${kind}/preview`, {
    method: 'POST',
    body: { body },
  });

export const REVIEW_TITLES: Record<Review, string> = {
  asthma: 'Asthma review',
  diabetes: 'Diabetes review',
  'blood-pressure': 'Blood pressure review',
};

export const TEMPLATE_TITLES: Record<string, string> = {
  reminder: 'Appointment reminder',
  cancelled: 'Appointment cancelled by reply',
  recall: 'Recall for a review',
  'results-normal': 'Results normal (patient agreed to clinical texts)',
  'results-neutral': 'Results update (no clinical detail)',
};

/**
 * The Patient as stored now, never from the browser's HTTP cache (FHIR reads carry Last-Modified and
 * no Cache-Control, so a browser may reuse an old copy): its version is sent back as If-Match.
 */
export async function readPatientFresh(id: string, signal?: AbortSignal): Promise<Patient> {
  const token = accessToken();
  let response: Response;
  try {
    response = await fetch(`${FHIR_BASE}/Patient/${encodeURIComponent(id)}`, {
      cache: 'no-store',
      signal,
      headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, plainWords(0, ''));
  }
  const json = (await response.json().catch(() => undefined)) as Patient | OperationOutcome | undefined;
  if (!response.ok) {
    if (response.status === 401) {
      onUnauthorised();
    }
    const outcome = json?.resourceType === 'OperationOutcome' ? json : undefined;
    throw new ApiError(response.status, plainWords(response.status, outcomeText(outcome)), outcome);
  }
  return json as Patient;
}
