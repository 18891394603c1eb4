import type {
  Appointment,
  Bundle,
  Communication,
  Questionnaire,
  QuestionnaireResponse,
  ServiceRequest,
  Slot,
  Task,
} from '@medplum/fhirtypes';
import { queryOptions } from '@tanstack/react-query';
import { api, fhirGet, fhirPost, searchAll } from '../../api/client.ts';

/**
 * The referral service's API (packages/server/src/referrals/, docs/REFERRALS.md): the types are its
 * contract; every call carries the Bearer token through `api()`, so the server's view decides.
 */
export type Priority = 'routine' | 'urgent' | 'two-week-wait';
export type SendAction = 'book' | 'defer' | 'triage' | 'advice';

export interface ReferralView {
  serviceRequest: string;
  task?: string;
  status: string;
  businessStatus?: string;
  ubrn?: string;
  priority: Priority;
  specialty?: string;
  patientId?: string;
  service?: { id: string; name?: string; provider?: string };
  appointment?: string;
  shortlist?: string[];
  outcome?: { reason?: string; text?: string };
}

export interface SentReferral extends ReferralView {
  letterPassword: string;
  slotIssue?: boolean;
  bookingProblem?: string;
}

export interface BookedReferral extends ReferralView {
  slotIssue?: boolean;
  bookingProblem?: string;
}

export interface ServiceOption {
  serviceId: string;
  name: string;
  provider: { id: string; name: string };
  location?: { id: string; name: string; postcode?: string };
  distanceKm?: number;
  indicativeWaitDays?: number;
  firstFreeSlot?: { id: string; start: string };
  directlyBookable: boolean;
  triage: boolean;
  eligible: boolean;
  ineligibleReason?: string;
}

export type PathwaySection = 'criteria' | 'tests-first' | 'advice-and-guidance' | 'red-flag';

export interface Pathway {
  id: string;
  url: string;
  version: string;
  status: string;
  title: string;
  specialty: string;
  condition?: string;
  approvalDate?: string;
  lastReviewDate?: string;
  publisher?: string;
  endorsedBy: string[];
  reviewedBy: string[];
  sections: Record<PathwaySection, { title: string; text: string }[]>;
}

export interface WorklistItem {
  serviceRequest: string;
  task?: string;
  ubrn?: string;
  businessStatus?: string;
  status: string;
  priority: Priority;
  specialty?: string;
  patient?: { id: string; name?: string; nhsNumber?: string };
  service?: string;
  provider?: string;
  sentAt?: string;
  waitingDays: number;
  outcome?: { reason?: string; text?: string };
  needsReferrerAction?: boolean;
}

export type TriageDecision =
  | { decision: 'accept'; note?: string }
  | { decision: 'reject'; reason: string; note: string }
  | { decision: 'return'; reason: string; advice: string };

const BASE = '/api/referrals';
/** Everything the module caches: any change refreshes all of it. */
export const REFERRALS_KEY = ['referrals'] as const;
const enc = encodeURIComponent;
const post = <T>(path: string, body?: unknown) => api<T>(`${BASE}${path}`, { method: 'POST', body: body ?? {} });

/** The current version of each pathway of a specialty; `all`: every version (a referral names the one followed). */
export const pathwaysQuery = (specialty: string, all = false) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'pathways', specialty, all],
    queryFn: ({ signal }) =>
      api<{ pathways: Pathway[] }>(`${BASE}/pathways?specialty=${enc(specialty)}${all ? '&all=true' : ''}`, { signal }),
    staleTime: 5 * 60_000,
  });

export const formQuery = (formId: string) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'form', formId],
    queryFn: ({ signal }) => fhirGet<Questionnaire>(`Questionnaire/${enc(formId)}`, signal),
    staleTime: 5 * 60_000,
  });

/** The SDC `$populate`: the form pre-filled from the record as the caller may see it (nothing stored). */
export const populateQuery = (formId: string, patientId: string) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'populate', formId, patientId],
    queryFn: ({ signal }) =>
      fhirGet<QuestionnaireResponse>(
        `Questionnaire/${enc(formId)}/$populate?subject=Patient/${enc(patientId)}`,
        signal,
      ),
    staleTime: Infinity,
  });

export const referralQuery = (id: string) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'referral', id],
    queryFn: ({ signal }) => api<ReferralView>(`${BASE}/referrals/${enc(id)}`, { signal }),
  });

/**
 * Shortlisting records the services offered on the draft, so it is a POST; it is cached like a read
 * for the page's life (asked again only on purpose).
 */
export const shortlistQuery = (id: string) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'shortlist', id],
    queryFn: () => post<{ referral: ReferralView; options: ServiceOption[] }>(`/referrals/${enc(id)}/shortlist`),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: false,
  });

export const slotsQuery = (serviceId: string, to?: string) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'slots', serviceId, to],
    queryFn: ({ signal }) =>
      api<{ slots: Slot[] }>(`${BASE}/services/${enc(serviceId)}/slots?limit=12${to ? `&to=${enc(to)}` : ''}`, {
        signal,
      }),
  });

export const worklistQuery = (name: string, filters: Record<string, string>) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'worklist', name, filters],
    queryFn: ({ signal }) =>
      api<{ worklist: string; items: WorklistItem[] }>(
        `${BASE}/worklists/${enc(name)}?${new URLSearchParams(filters).toString()}`,
        { signal },
      ),
  });

/** What the referral page shows beside the lifecycle's view: the FHIR record, as the caller sees it. */
export interface ReferralRecord {
  request: ServiceRequest;
  form?: QuestionnaireResponse;
  history: Task[];
  appointments: Appointment[];
  letters: Communication[];
}

export const recordQuery = (id: string, taskId: string | undefined) =>
  queryOptions({
    queryKey: [...REFERRALS_KEY, 'record', id, taskId],
    queryFn: async ({ signal }): Promise<ReferralRecord> => {
      const request = await fhirGet<ServiceRequest>(`ServiceRequest/${enc(id)}`, signal);
      const formRef = request.supportingInfo?.find((s) => s.reference?.startsWith('QuestionnaireResponse/'))?.reference;
      const optional = <T>(promise: Promise<T>) => promise.catch(() => undefined);
      const [form, history, appointments, letters] = await Promise.all([
        formRef ? optional(fhirGet<QuestionnaireResponse>(formRef, signal)) : undefined,
        taskId
          ? optional(fhirGet<Bundle<Task>>(`${taskId}/_history?_count=50`, signal)).then((b) =>
              (b?.entry ?? []).map((e) => e.resource!).filter(Boolean),
            )
          : [],
        searchAll<Appointment>('Appointment', { 'based-on': `ServiceRequest/${id}`, _count: '20' }, { signal }).then(
          (r) => r.resources,
        ),
        searchAll<Communication>(
          'Communication',
          { 'based-on': `ServiceRequest/${id}`, _count: '20' },
          { signal },
        ).then((r) => r.resources),
      ]);
      return { request, form, history, appointments, letters };
    },
  });

export const saveForm = (response: QuestionnaireResponse) =>
  fhirPost<QuestionnaireResponse>('QuestionnaireResponse', response);
export const draftReferral = (body: {
  patientId: string;
  specialty: string;
  priority: Priority;
  reason: string;
  form?: string;
  pathway?: string;
}) => post<ReferralView>('/referrals', body);
export const sendReferral = (id: string, body: { serviceId: string; action: SendAction; slotId?: string }) =>
  post<SentReferral>(`/referrals/${enc(id)}/send`, body);
export const acknowledge = (id: string, body: { action: 'close' | 'revise'; note?: string }) =>
  post<ReferralView>(`/referrals/${enc(id)}/acknowledge`, body);
export const triage = (taskId: string, body: TriageDecision) =>
  post<ReferralView>(`/tasks/${enc(taskId)}/triage`, body);
export const previewLetter = (taskId: string, reason: string) =>
  post<{ letter: string }>(`/tasks/${enc(taskId)}/letter-preview`, { reason });
export const book = (taskId: string, slotId?: string) =>
  post<BookedReferral>(`/tasks/${enc(taskId)}/book`, slotId ? { slotId } : {});
export const attendance = (taskId: string, outcome: 'attended' | 'did-not-attend') =>
  post<ReferralView>(`/tasks/${enc(taskId)}/attendance`, { outcome });
export const discharge = (taskId: string, summary: string) =>
  post<ReferralView>(`/tasks/${enc(taskId)}/discharge`, { summary });

/** `Task/abc` → `abc`, `ServiceRequest/1` → `1`. */
export const idOf = (reference: string | undefined): string => reference?.split('/')[1] ?? '';
