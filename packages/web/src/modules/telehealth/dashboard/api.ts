import { queryOptions } from '@tanstack/react-query';
import type { Composition } from '@medplum/fhirtypes';
import { api, FHIR_BASE } from '../../../api/client.ts';

/**
 * The telehealth team dashboard API (packages/server/src/telehealth/dashboard/): the types are its
 * contract exactly; every call carries the Bearer token through `api()`.
 */
export type Level = 'green' | 'amber' | 'red';

export interface PatientSummary {
  reference: string;
  name: string;
  nhsNumber?: string;
}

export interface Reading {
  observation: string;
  measure: string;
  label: string;
  at: string;
  values: { label: string; value: number; unit: string }[];
  display: string;
  level: Level;
  reason?: string;
}

export interface Engagement {
  windowDays: number;
  promptsSent: number;
  repliesReceived: number;
  responseRate: number | null;
  lastReplyAt: string | null;
  droppedOff: boolean;
}

export interface DashboardRow {
  carePlan: string;
  patient: PatientSummary;
  protocol: { id: string; version: number; title: string };
  status: 'active' | 'paused' | 'stopped' | 'refused';
  author?: string;
  mine: boolean;
  level: Level | 'none';
  latest: Reading | null;
  latestRound: Reading[];
  openAlerts: number;
  engagement: Engagement;
}

export interface Alert {
  id: string;
  task: string;
  status: string;
  level: 'red' | 'amber';
  reason: string;
  raisedAt?: string;
  patient: PatientSummary;
  carePlan?: string;
  focus?: string;
  owner?: string;
  closedAt?: string;
  notes: { text: string; time?: string; author?: string }[];
}

export interface PatientView {
  patient: PatientSummary;
  plans: (Omit<DashboardRow, 'patient' | 'latest' | 'latestRound' | 'openAlerts'> & { startedAt: string })[];
  series: { measure: string; label: string; unit: string; readings: Reading[] }[];
  messages: { at: string; direction: 'in' | 'out'; text: string }[];
  alerts: Alert[];
  days: number;
}

export interface DashboardFilter {
  level: Level | '';
  mine: boolean;
  protocol: string;
}

export type CallOutcome = 'reached' | 'no-answer' | 'left-message';

const BASE = '/api/telehealth';
/** Everything the dashboard caches: an action on an alert refreshes all of it. */
export const TELEHEALTH_KEY = ['telehealth'] as const;

export const dashboardQuery = (filter: DashboardFilter) =>
  queryOptions({
    queryKey: [...TELEHEALTH_KEY, 'dashboard', filter],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams();
      if (filter.level) {
        params.set('level', filter.level);
      }
      if (filter.mine) {
        params.set('mine', 'true');
      }
      if (filter.protocol) {
        params.set('protocol', filter.protocol);
      }
      const query = params.toString();
      return api<{ patients: DashboardRow[] }>(`${BASE}/dashboard${query ? `?${query}` : ''}`, { signal });
    },
  });

export const protocolsQuery = queryOptions({
  queryKey: [...TELEHEALTH_KEY, 'protocols'],
  queryFn: ({ signal }) => api<{ protocols: { id: string; title: string }[] }>(`${BASE}/protocols`, { signal }),
  staleTime: 5 * 60_000,
});

export const alertsQuery = queryOptions({
  queryKey: [...TELEHEALTH_KEY, 'alerts'],
  queryFn: ({ signal }) => api<{ alerts: Alert[] }>(`${BASE}/alerts`, { signal }),
});

export const patientQuery = (id: string) =>
  queryOptions({
    queryKey: [...TELEHEALTH_KEY, 'patient', id],
    queryFn: ({ signal }) => api<PatientView>(`${BASE}/patients/${encodeURIComponent(id)}`, { signal }),
  });

const alertAction = (id: string, action: string, body?: unknown): Promise<Alert> =>
  api<Alert>(`${BASE}/alerts/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: body ?? {} });

export const acknowledgeAlert = (id: string) => alertAction(id, 'acknowledge');
export const addAlertNote = (id: string, text: string) => alertAction(id, 'notes', { text });
export const recordCallBack = (id: string, outcome: CallOutcome, text: string) =>
  alertAction(id, 'call-back', { outcome, text });
export const closeAlert = (id: string, note: string) => alertAction(id, 'close', { note });

/** Files the summary of a CarePlan in the record (`$telehealth-summary`) and returns the Composition. */
export const fileSummary = (carePlan: string, days = 30): Promise<Composition> =>
  api<Composition>(`${FHIR_BASE}/${carePlan}/$telehealth-summary`, {
    method: 'POST',
    body: { resourceType: 'Parameters', parameter: [{ name: 'days', valueInteger: days }] },
  });

/** "Patient/123" → "123". */
export const idOf = (reference: string): string => reference.slice(reference.indexOf('/') + 1);
