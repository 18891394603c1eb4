import type { Observation, Parameters } from '@medplum/fhirtypes';
import { queryOptions } from '@tanstack/react-query';
import { api, FHIR_BASE } from '../../../api/client.ts';

/**
 * The telehealth protocol library as the server runs it (`GET /api/telehealth/protocols/{id}`, the
 * server's `protocols/model.ts`): these types mirror its JSON exactly.
 */
export type Level = 'green' | 'amber' | 'red';
export type RuleMeasure =
  | 'systolic'
  | 'diastolic'
  | 'pulse'
  | 'spo2'
  | 'temperature'
  | 'weight'
  | 'glucose'
  | 'peakflow'
  | 'peakflow-percent-best'
  | 'score'
  | 'answer';

export interface LevelRule {
  measure: RuleMeasure;
  level: 'amber' | 'red';
  below?: number;
  atLeast?: number;
  equals?: number;
  reason: string;
}

export interface Prompt {
  id: string;
  text: string;
  expecting: string[];
  questionCode?: { system: string; code: string; display: string };
  maxScore?: number;
}

export interface TrendRule {
  measure: RuleMeasure;
  change: number;
  withinDays: number;
  level: 'amber' | 'red';
  reason: string;
}

export interface TotalRule {
  prompts: string[];
  atLeast: number;
  level: 'amber' | 'red';
  reason: string;
  code?: { system: string; code: string; display: string };
}

export interface Protocol {
  id: string;
  version: number;
  title: string;
  purpose: string;
  condition?: { system: string; code: string; display: string };
  guideline: { citation: string; url: string };
  schedule: { times: string[]; days: 'daily' | string[]; durationDays?: number };
  prompts: Prompt[];
  levels: LevelRule[];
  trends: TrendRule[];
  totals: TotalRule[];
  needs: 'personal-best-peak-flow'[];
  replies: Record<Level, string>;
  escalate: ('amber' | 'red')[];
  missed: { remindAfterMinutes: number; alertAfterMisses: number };
  catchUpMinutes: number;
}

export interface ProtocolSummary {
  id: string;
  version: number;
  title: string;
  purpose: string;
  guideline: { citation: string; url: string };
  planDefinition: string;
}

const BASE = '/api/telehealth/protocols';

/** The JSON export of one protocol (what "Download as JSON" saves). */
export const protocolUrl = (id: string): string => `${BASE}/${encodeURIComponent(id)}`;

export const protocolListQuery = queryOptions({
  queryKey: ['telehealth', 'protocols'],
  queryFn: ({ signal }) => api<{ protocols: ProtocolSummary[] }>(BASE, { signal }).then((answer) => answer.protocols),
  // The library changes only with a release (or, later, a reviewed local version).
  staleTime: 10 * 60_000,
});

/** Every protocol in full: the enrolment page shows each one's schedule and needs. */
export const protocolsInFullQuery = queryOptions({
  queryKey: ['telehealth', 'protocols', 'full'],
  queryFn: async ({ signal }) => {
    const { protocols } = await api<{ protocols: ProtocolSummary[] }>(BASE, { signal });
    return Promise.all(protocols.map((p) => api<Protocol>(protocolUrl(p.id), { signal })));
  },
  staleTime: 10 * 60_000,
});

export const protocolQuery = (id: string) =>
  queryOptions({
    queryKey: ['telehealth', 'protocol', id],
    queryFn: ({ signal }) => api<Protocol>(protocolUrl(id), { signal }),
    staleTime: 10 * 60_000,
  });

/** What `POST /api/telehealth/protocols` answers: the version it published and what it set in motion. */
export interface Published {
  protocol: Protocol;
  planDefinition: string;
  /** What changed since the version before, in words. */
  changes: string[];
  /** Review tasks raised for patients enrolled on earlier versions. */
  reviews: number;
}

/** Publishes the next version of a protocol (clinicians and nurses; the server numbers it). */
export const publishProtocol = (protocol: Protocol): Promise<Published> =>
  api<Published>(BASE, { method: 'POST', body: protocol });

/** What `PlanDefinition/$try-reply` says a reply would do under a protocol (nothing is stored). */
export interface Preview {
  readings: Observation[];
  command?: string;
  askAgain: boolean;
  problems: string[];
  level?: Level;
  reasons: string[];
  escalate?: boolean;
  reply: string;
}

export async function tryReply(protocol: Protocol, promptId: string, text: string): Promise<Preview> {
  const answer = await api<Parameters>(`${FHIR_BASE}/PlanDefinition/$try-reply`, {
    method: 'POST',
    body: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'text', valueString: text },
        { name: 'protocol', valueCode: protocol.id },
        { name: 'version', valueInteger: protocol.version },
        { name: 'prompt', valueCode: promptId },
      ],
    },
  });
  const all = (name: string) => (answer.parameter ?? []).filter((p) => p.name === name);
  const first = (name: string) => all(name)[0];
  const level = first('level')?.valueCode as Level | undefined;
  return {
    readings: all('reading').map((p) => p.resource as Observation),
    ...(first('command')?.valueCode ? { command: first('command')!.valueCode } : {}),
    askAgain: first('askAgain')?.valueBoolean ?? false,
    problems: all('problem').map((p) => p.valueString ?? ''),
    ...(level ? { level } : {}),
    reasons: all('reason').map((p) => p.valueString ?? ''),
    ...(first('escalate') ? { escalate: first('escalate')!.valueBoolean ?? false } : {}),
    reply: first('reply')?.valueString ?? '',
  };
}
