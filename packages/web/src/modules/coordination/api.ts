import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

/**
 * The care coordination hub's API (packages/server/src/coordination/, docs/COORDINATION.md): the
 * types are its contract; every call carries the Bearer token through `api()`.
 */
export interface PatientSummary {
  id: string;
  name: string;
  nhsNumber?: string;
  birthDate?: string;
}

export interface Referral {
  id: string;
  serviceRequest: string;
  status: string;
  priority: string;
  receivedAt?: string;
  patient?: PatientSummary;
  reason: string;
  referrer?: string;
  outcome?: string;
  owner?: string;
}

export interface CaseRow {
  patient: PatientSummary;
  carePlan?: string;
  nextReview?: string;
  reviewOverdue: boolean;
  openTasks: number;
  overdueTasks: number;
  riskBand?: string;
}

export interface PlanTask {
  id: string;
  status: string;
  description: string;
  role?: string;
  owner?: string;
  ownerName?: string;
  due?: string;
  overdue: boolean;
  goal?: string;
  completedAt?: string;
  notes: { text: string; time?: string }[];
}

export interface MyTask extends PlanTask {
  patient?: PatientSummary;
  carePlan?: string;
}

export interface CaseView {
  patient: PatientSummary;
  carePlan: { id: string; title: string; nextReview?: string; status: string };
  team: { role?: string; member: string; name?: string; organization?: string; current: boolean }[];
  goals: { id: string; description: string; status: string; due?: string }[];
  tasks: PlanTask[];
  riskBand?: string;
  canEdit: boolean;
}

export interface MeetingSummary {
  id: string;
  title: string;
  start?: string;
  patients: number;
  status: string;
}

/** The meeting as scheduled: a FHIR Appointment with the care teams' members invited. */
export interface MeetingAppointment {
  id: string;
  status: string;
  start?: string;
  end?: string;
  participants: { reference: string; name?: string; status: string; chair: boolean }[];
  carePlans: string[];
}

export interface Meeting extends MeetingSummary {
  owner?: string;
  sharedWith: string[];
  appointment?: MeetingAppointment;
  items: {
    patient: { id: string; name: string; nhsNumber?: string };
    outcome?: { text: string; at?: string };
    nextReview?: string;
  }[];
}

export interface Directory {
  spaOrganization: string;
  roles: { code: string; display: string }[];
  organizations: { id: string; name: string; type?: string }[];
  coordinators: { id: string; name: string }[];
}

export type TriageDecision =
  | { decision: 'accept'; priority: 'routine' | 'urgent' | 'asap'; coordinator: string }
  | { decision: 'reject'; reason: string }
  | { decision: 'redirect'; organization: string; reason: string };

const BASE = '/api/coordination';
/** Everything the hub caches: any change refreshes all of it. */
export const COORDINATION_KEY = ['coordination'] as const;

export const casesQuery = queryOptions({
  queryKey: [...COORDINATION_KEY, 'cases'],
  queryFn: ({ signal }) => api<{ cases: CaseRow[] }>(`${BASE}/cases`, { signal }),
});
export const referralsQuery = queryOptions({
  queryKey: [...COORDINATION_KEY, 'referrals'],
  queryFn: ({ signal }) => api<{ referrals: Referral[] }>(`${BASE}/referrals`, { signal }),
});
export const caseQuery = (patientId: string) =>
  queryOptions({
    queryKey: [...COORDINATION_KEY, 'case', patientId],
    queryFn: ({ signal }) => api<CaseView>(`${BASE}/cases/${encodeURIComponent(patientId)}`, { signal }),
  });
export const myTasksQuery = queryOptions({
  queryKey: [...COORDINATION_KEY, 'tasks'],
  queryFn: ({ signal }) => api<{ tasks: MyTask[] }>(`${BASE}/tasks`, { signal }),
});
export const meetingsQuery = queryOptions({
  queryKey: [...COORDINATION_KEY, 'meetings'],
  queryFn: ({ signal }) => api<{ meetings: MeetingSummary[] }>(`${BASE}/meetings`, { signal }),
});
export const meetingQuery = (id: string) =>
  queryOptions({
    queryKey: [...COORDINATION_KEY, 'meeting', id],
    queryFn: ({ signal }) => api<Meeting>(`${BASE}/meetings/${encodeURIComponent(id)}`, { signal }),
  });
export const directoryQuery = queryOptions({
  queryKey: [...COORDINATION_KEY, 'directory'],
  queryFn: ({ signal }) => api<Directory>(`${BASE}/directory`, { signal }),
  staleTime: 5 * 60_000,
});

const post = <T>(path: string, body: unknown) => api<T>(`${BASE}${path}`, { method: 'POST', body });

export const refer = (body: { patientId: string; reason: string; priority: 'routine' | 'urgent' }) =>
  post<Referral>('/referrals', body);
export const triage = (id: string, body: TriageDecision) =>
  post<Referral>(`/referrals/${encodeURIComponent(id)}/triage`, body);
export const addGoal = (patientId: string, body: { description: string; due?: string }) =>
  post<CaseView>(`/cases/${encodeURIComponent(patientId)}/goals`, body);
export const addTask = (
  patientId: string,
  body: { description: string; role: string; organization: string; practitioner?: string; due: string; goal?: string },
) => post<CaseView>(`/cases/${encodeURIComponent(patientId)}/tasks`, body);
export const completeTask = (id: string, note: string) =>
  post<PlanTask>(`/tasks/${encodeURIComponent(id)}/complete`, note ? { note } : {});
export const createMeeting = (body: { title: string; start: string; patients: string[]; organizations: string[] }) =>
  post<Meeting>('/meetings', body);
export const recordOutcome = (id: string, body: { patientId: string; outcome: string; nextReview?: string }) =>
  post<Meeting>(`/meetings/${encodeURIComponent(id)}/outcomes`, body);

export const ROLE_NAMES: Record<string, string> = {
  'care-coordinator': 'Care coordinator',
  gp: 'GP',
  'district-nurse': 'District nurse',
  'community-matron': 'Community matron',
  'social-worker': 'Social worker',
  'voluntary-sector': 'Voluntary sector',
  paramedic: 'Paramedic',
};
export const BAND_NAMES: Record<string, string> = {
  'very-high': 'Very high',
  high: 'High',
  moderate: 'Moderate',
  low: 'Low',
};

/** "2026-12-06" → "6 December 2026" (dates as the NHS writes them). */
export function longDate(date: string | undefined): string {
  if (!date) {
    return '—';
  }
  const parsed = new Date(date.length === 10 ? `${date}T12:00:00Z` : date);
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
    ...(date.length > 10 ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(parsed);
}
