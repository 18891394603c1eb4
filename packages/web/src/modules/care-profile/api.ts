import type { Composition, Patient } from '@medplum/fhirtypes';
import { api, fhirGet, fhirPost } from '../../api/client.ts';

/** A patient's suggested correction, as the server shows it (server: care-profile/suggestions.service.ts). */
export interface Suggestion {
  id: string;
  section?: string;
  text: string;
  status: 'waiting' | 'accepted' | 'declined';
  suggestedAt?: string;
  decidedAt?: string;
  note?: string;
}

export type InputKind = 'what-matters' | 'communication' | 'end-of-life' | 'respect';
export type Cpr = 'cpr-not-attempted' | 'cpr-attempted';
export type InputBody =
  { kind: Exclude<InputKind, 'respect'>; text: string } | { kind: 'respect'; cpr: Cpr; text: string };

/** The caller's copy of the profile (made if missing and brought up to date: `$care-profile`). */
export const profileQuery = (patientId: string) => ({
  queryKey: ['care-profile', patientId],
  queryFn: () =>
    fhirPost<Composition>(`Patient/${encodeURIComponent(patientId)}/$care-profile`, { resourceType: 'Parameters' }),
  retry: false,
});

/** Who the profile is about (name, NHS number and date of birth on screen and on paper). */
export const patientQuery = (patientId: string) => ({
  queryKey: ['care-profile', patientId, 'patient'],
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    fhirGet<Patient>(`Patient/${encodeURIComponent(patientId)}`, signal),
  retry: false,
});

export const suggestionsQuery = (patientId: string) => ({
  queryKey: ['care-profile', patientId, 'suggestions'],
  queryFn: async () =>
    (
      await api<{ suggestions: Suggestion[] }>(
        `/api/care-profile/patients/${encodeURIComponent(patientId)}/suggestions`,
      )
    ).suggestions,
});

export const mySuggestionsQuery = () => ({
  queryKey: ['care-profile', 'mine', 'suggestions'],
  queryFn: async () => (await api<{ suggestions: Suggestion[] }>('/api/care-profile/my/suggestions')).suggestions,
});

export const recordInput = (patientId: string, body: InputBody): Promise<unknown> =>
  api(`/api/care-profile/patients/${encodeURIComponent(patientId)}/inputs`, { method: 'POST', body });

export const suggest = (body: { section?: string; text: string }): Promise<Suggestion> =>
  api<Suggestion>('/api/care-profile/suggestions', { method: 'POST', body });

export const decide = (id: string, accept: boolean, note?: string): Promise<Suggestion> =>
  api<Suggestion>(`/api/care-profile/suggestions/${encodeURIComponent(id)}/${accept ? 'accept' : 'decline'}`, {
    method: 'POST',
    body: note ? { note } : {},
  });
