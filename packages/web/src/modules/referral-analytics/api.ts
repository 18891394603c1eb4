import { queryOptions } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { ApiError, plainWords } from '../../api/errors.ts';
import { accessToken } from '../../auth/session.ts';

/**
 * Referral analytics' API (packages/server/src/referrals/analytics/, docs/REFERRALS.md "Analytics"):
 * the types are its contract; every call carries the Bearer token through `api()`.
 */
export type Shown = number | '<5';
export type Flag = 'high-alarm' | 'high-alert' | 'within' | 'low-alert' | 'low-alarm';

export interface PracticeRow {
  id: string;
  name: string;
  listSize: number;
  referrals: Shown;
  electronic: Shown;
  electronicShare: number | null;
  belowTarget: boolean | null;
  ratePer1000: number | null;
  standardisedRatio: number | null;
  standardisedRatePer1000: number | null;
  expected: number;
  adviceRequests: Shown;
  adviceAvoided: Shown;
  rejected: Shown;
  returned: Shown;
  rejectionRate: number | null;
  slotIssues: Shown;
  slotIssueRate: number | null;
  medianWaitDays: number | null;
  dna: Shown;
  dnaRate: number | null;
  flags: { electronic: Flag; referralRate: Flag; rejection: Flag; dna: Flag };
}

export interface Limits {
  size: number;
  lower95: number;
  upper95: number;
  lower998: number;
  upper998: number;
}

export interface Funnel {
  measure: 'electronic' | 'referralRate' | 'rejection' | 'dna';
  kind: 'proportion' | 'ratio';
  centre: number | null;
  curve: Limits[];
  points: { id: string; name: string; size: number; value: number | null; flag: Flag }[];
}

export interface Dashboard {
  view: 'commissioner' | 'practice';
  period: { from: string; to: string; months: string[] };
  specialty: string | null;
  practice: { id: string; name: string } | null;
  targets: number[];
  suppression: string;
  area: PracticeRow;
  practices: PracticeRow[];
  trend: {
    month: string;
    area: { referrals: Shown; share: number | null };
    practice?: { referrals: Shown; share: number | null };
  }[];
  specialties: {
    specialty: string;
    areaRatePer1000: number | null;
    practices: {
      id: string;
      name: string;
      observed: Shown;
      expected: number;
      ratio: number | null;
      ratePer1000: number | null;
      flag: Flag;
    }[];
  }[];
  reasons: { decision: string; reason: string; area: Shown; practice?: Shown }[];
  funnels: Funnel[];
}

export interface AnalyticsFilter {
  from?: string;
  to?: string;
  specialty?: string;
  practice?: string;
}

export const SPECIALTIES: readonly [string, string][] = [
  ['msk', 'MSK and physiotherapy'],
  ['trauma-orthopaedics', 'Trauma and orthopaedics'],
  ['dermatology', 'Dermatology'],
  ['cardiology', 'Cardiology'],
  ['gynaecology', 'Gynaecology'],
  ['breast', 'Breast'],
];

const MONTH = /^20\d\d-(0[1-9]|1[0-2])$/;

/** The filter in the address, keeping only what the server accepts. */
export function parseFilter(params: URLSearchParams): AnalyticsFilter {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const specialty = params.get('specialty') ?? '';
  const practice = params.get('practice') ?? '';
  return {
    ...(MONTH.test(from) ? { from } : {}),
    ...(MONTH.test(to) ? { to } : {}),
    ...(SPECIALTIES.some(([code]) => code === specialty) ? { specialty } : {}),
    ...(/^[A-Za-z0-9.-]{1,64}$/.test(practice) ? { practice } : {}),
  };
}

export function filterQuery(filter: AnalyticsFilter): URLSearchParams {
  return new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
}

const BASE = '/api/referrals/analytics/dashboard';

export const dashboardQuery = (filter: AnalyticsFilter) =>
  queryOptions({
    queryKey: ['referral-analytics', filter],
    queryFn: ({ signal }) => {
      const query = filterQuery(filter).toString();
      return api<Dashboard>(`${BASE}${query ? `?${query}` : ''}`, { signal });
    },
    staleTime: 60_000,
  });

export const csvPath = (filter: AnalyticsFilter): string => {
  const query = filterQuery(filter).toString();
  return `${BASE}.csv${query ? `?${query}` : ''}`;
};

/** The CSV with the signed-in user's token (a plain navigation carries none). */
export async function downloadCsv(path: string): Promise<{ blob: Blob; fileName: string }> {
  const token = accessToken();
  const response = await fetch(path, {
    headers: { accept: 'text/csv', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!response.ok) {
    throw new ApiError(response.status, plainWords(response.status, ''));
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  return {
    blob: await response.blob(),
    fileName: /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'referral-analytics.csv',
  };
}
