import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

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
  excluded: 'no mobile' | 'opted out' | 'deceased' | null;
}

export interface RecallPreview {
  review: Review;
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

export const previewRecall = (review: Review) =>
  api<RecallPreview>(`${BASE}/recalls/preview`, { method: 'POST', body: { review } });

export const sendRecall = (review: Review) => api<Recall>(`${BASE}/recalls`, { method: 'POST', body: { review } });

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
