import { queryOptions } from '@tanstack/react-query';
import type { OperationOutcome, Organization, RiskAssessment } from '@medplum/fhirtypes';
import { api, FHIR_BASE } from '../../api/client.ts';
import { ApiError, outcomeText, plainWords } from '../../api/errors.ts';
import { accessToken } from '../../auth/session.ts';
import { filterQuery, type ListFilter } from './filters.ts';

/**
 * The risk lists' API (packages/server/src/population-health/lists/): the types are its contract
 * exactly; every call carries the Bearer token through `api()`.
 */
export type Band = 'very-high' | 'high' | 'moderate' | 'low';
/** A count a commissioner's list withholds because fewer than five people share it. */
export type Count = number | '<5';

interface CommonRow {
  practice?: { id: string; name: string };
  sex: string;
  band: Band;
  probability: number;
  previousProbability?: number;
  rising: boolean;
  emergencyAdmissions12m: number;
  aeAttendances12m: number;
  outpatientAttendances12m: number;
  repeatMedicines: number;
  cost12m: number;
  conditions: string[];
  frailty: string;
  efi: number;
  factors: string[];
  scoredAt: string;
}

export interface IdentifiableRow extends CommonRow {
  patient: { reference: string; name: string; nhsNumber?: string; birthDate?: string };
  age: number;
  riskAssessment: string;
}

export interface PseudonymisedRow extends CommonRow {
  pseudonym: string;
  /** A five-year band, or null when fewer than five people share it (suppressed). */
  ageBand: string | null;
}

interface ListBase {
  modelVersion: string;
  page: number;
  pageSize: number;
}

export interface IdentifiableList extends ListBase {
  mode: 'identifiable';
  total: number;
  bands: Partial<Record<Band, number>>;
  rows: IdentifiableRow[];
}

export interface PseudonymisedList extends ListBase {
  mode: 'pseudonymised';
  total: Count;
  bands: Partial<Record<Band, Count>>;
  rows: PseudonymisedRow[];
  notice?: string;
}

export type RiskList = IdentifiableList | PseudonymisedList;

/**
 * One person on the caller's case list, which is the care coordination hub's (docs/COORDINATION.md,
 * "From the risk list"): on their caseload as coordinator, or referred by them to the single point of
 * access (waiting for triage, or allocated to a coordinator).
 */
export interface CaseListEntry {
  patient: string;
  name: string;
  status: 'caseload' | 'referred' | 'allocated';
  added?: string;
  reason?: string;
  coordinator?: string;
  riskBand?: string;
}

/** What "Add to case list" did: put the patient on the caller's caseload, or referred them to the SPA. */
export interface CaseListAdded {
  outcome: 'caseload' | 'referred';
  already: boolean;
  entries: CaseListEntry[];
}

/** Which list a person sees: commissioners the pseudonymised one, everyone else their own patients. */
export type ListMode = RiskList['mode'];

const BASE = '/api/population-health';
export const POPULATION_HEALTH_KEY = ['population-health'] as const;

const LIST_PATH: Record<ListMode, string> = {
  identifiable: `${BASE}/risk-list`,
  pseudonymised: `${BASE}/pseudonymised-list`,
};

export const riskListQuery = (mode: ListMode, filter: ListFilter) =>
  queryOptions({
    queryKey: [...POPULATION_HEALTH_KEY, mode, filter],
    queryFn: ({ signal }) => {
      const query = filterQuery(filter).toString();
      return api<RiskList>(`${LIST_PATH[mode]}${query ? `?${query}` : ''}`, { signal });
    },
  });

/**
 * The band counts of the list with every filter but the band: the server counts within the filters,
 * so a list narrowed to one band would show the others as 0. One row is asked for (the counts come
 * with any page), so no more records are read than needed.
 */
export const bandCountsQuery = (mode: ListMode, filter: ListFilter) =>
  queryOptions({
    queryKey: [...POPULATION_HEALTH_KEY, mode, 'bands', { ...filter, band: undefined, page: 1 }],
    queryFn: async ({ signal }) => {
      const params = filterQuery({ ...filter, band: undefined, page: 1 });
      params.set('pageSize', '1');
      return (await api<RiskList>(`${LIST_PATH[mode]}?${params.toString()}`, { signal })).bands;
    },
  });

/** The address of the list as CSV, with the same filters (all pages: the server sends up to 500 rows). */
export function csvPath(mode: ListMode, filter: ListFilter): string {
  const params = filterQuery({ ...filter, page: 1 });
  params.delete('page');
  const query = params.toString();
  return `${LIST_PATH[mode]}.csv${query ? `?${query}` : ''}`;
}

/** The diagnostics of an OperationOutcome body, or nothing when the body is not one. */
function outcomeOf(text: string): string {
  try {
    const body = JSON.parse(text) as OperationOutcome;
    return body.resourceType === 'OperationOutcome' ? outcomeText(body) : '';
  } catch {
    return '';
  }
}

/**
 * Fetches the CSV with the signed-in user's token (a plain link would carry none) and returns it
 * with the file name the server chose; failures are ApiErrors like every other call.
 */
export async function downloadCsv(path: string): Promise<{ blob: Blob; fileName: string }> {
  const token = accessToken();
  const response = await fetch(path, {
    headers: { accept: 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!response.ok) {
    throw new ApiError(response.status, plainWords(response.status, outcomeOf(await response.text())));
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'risk-list.csv';
  return { blob: await response.blob(), fileName };
}

/**
 * The signed-in person's organisation, to tell a commissioner (organisation type `commissioner`)
 * from everyone else; the server enforces the same rule on each list.
 */
export const organisationQuery = (id: string) =>
  queryOptions({
    queryKey: [...POPULATION_HEALTH_KEY, 'organisation', id],
    queryFn: ({ signal }) => api<Organization>(`${FHIR_BASE}/Organization/${encodeURIComponent(id)}`, { signal }),
    staleTime: 30 * 60_000,
  });

export const ORGANISATION_TYPE = 'https://careweave.example/fhir/CodeSystem/organisation-type';

export function isCommissioner(organisation: Organization | undefined): boolean {
  return (organisation?.type ?? []).some((t) =>
    (t.coding ?? []).some((c) => c.system === ORGANISATION_TYPE && c.code === 'commissioner'),
  );
}

export const caseListQuery = queryOptions({
  queryKey: [...POPULATION_HEALTH_KEY, 'case-list'],
  queryFn: ({ signal }) => api<{ entries: CaseListEntry[] }>(`${BASE}/case-list`, { signal }),
});

export const addToCaseList = (patientId: string, reason?: string) =>
  api<CaseListAdded>(`${BASE}/case-list`, {
    method: 'POST',
    body: reason ? { patientId, reason } : { patientId },
  });

export const removeFromCaseList = (patientId: string) =>
  api<{ entries: CaseListEntry[] }>(`${BASE}/case-list/${encodeURIComponent(patientId)}`, { method: 'DELETE' });

/** The patient's latest risk score the caller may see, or undefined when there is none. */
export const latestScoreQuery = (patientId: string) =>
  queryOptions({
    queryKey: [...POPULATION_HEALTH_KEY, 'latest', patientId],
    queryFn: async ({ signal }) => {
      const bundle = await api<{ entry?: { resource?: RiskAssessment; search?: { mode?: string } }[] }>(
        `${FHIR_BASE}/RiskAssessment?subject=Patient/${encodeURIComponent(patientId)}&_sort=-date&_count=1`,
        { signal },
      );
      return (
        bundle.entry?.find((e) => e.resource?.resourceType === 'RiskAssessment' && e.search?.mode !== 'outcome')
          ?.resource ?? null
      );
    },
  });

/** Scores the patient again now (`$risk-score`) and returns the new RiskAssessment. */
export const rescore = (patientId: string) =>
  api<RiskAssessment>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$risk-score`, {
    method: 'POST',
    body: { resourceType: 'Parameters' },
  });

/** "Patient/123" → "123". */
export const idOf = (reference: string): string => reference.slice(reference.indexOf('/') + 1);
