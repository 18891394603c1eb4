import type { Bundle, Practitioner } from '@medplum/fhirtypes';
import { api, fhirGet } from '../../api/client.ts';
import { resolveOrganisations } from '../../api/record.ts';
import { displayName, refId } from '../../lib/fhir-display.ts';
import type { AuditEntry } from '../portal/access-log.ts';

export interface ReviewEntry extends AuditEntry {
  patientIds?: string[];
}

export interface AuditSearch {
  patient?: string;
  /** yyyy-mm-dd, inclusive. */
  from?: string;
  /** yyyy-mm-dd, inclusive. */
  to?: string;
  concern?: 'break-glass' | 'refused';
  before?: number;
}

export interface DeclaredRelationship {
  id: string;
  patientId: string;
  practitionerId: string;
  organizationId: string;
  roleCode: string | null;
  reason: string;
  startedAt: string;
  expiresAt: string;
  endedAt: string | null;
}

/** The `/api/access/audit` address for a privacy officer's search (src/access/routes.ts). */
export function auditSearchPath(search: AuditSearch, count = 50): string {
  const params = new URLSearchParams({ _count: String(count) });
  if (search.patient) {
    params.set('patient', search.patient);
  }
  if (search.from) {
    params.append('date', `ge${search.from}`);
  }
  if (search.to) {
    params.append('date', `le${search.to}`);
  }
  if (search.concern) {
    params.set('concern', search.concern);
  }
  if (search.before !== undefined) {
    params.set('before', String(search.before));
  }
  return `/api/access/audit?${params.toString()}`;
}

/** Practitioners' names for the rows (the directory is readable by staff), by id. */
export async function practitionerNames(ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const unique = [...new Set(ids)].slice(0, 100);
  if (unique.length) {
    const bundle = await fhirGet<Bundle<Practitioner>>(`Practitioner?_id=${unique.join(',')}&_count=100`);
    for (const entry of bundle.entry ?? []) {
      names.set(entry.resource!.id!, displayName(entry.resource!.name));
    }
  }
  return names;
}

export async function searchAudit(search: AuditSearch) {
  const page = await api<{ entries: ReviewEntry[]; next?: { before: number } }>(auditSearchPath(search));
  const names = await practitionerNames(
    page.entries.map((e) => refId(e.actor.practitioner, 'Practitioner')).filter((id): id is string => Boolean(id)),
  );
  await resolveOrganisations([
    ...new Set(
      page.entries.map((e) => refId(e.actor.organization, 'Organization')).filter((id): id is string => Boolean(id)),
    ),
  ]);
  return { ...page, names };
}

export async function declaredToReview() {
  const { declarations } = await api<{ declarations: DeclaredRelationship[] }>(
    '/api/access/declared-relationships?scope=organisation&days=30',
  );
  const names = await practitionerNames(declarations.map((d) => d.practitionerId));
  return { declarations, names };
}

/** yyyy-mm-dd of 30 days ago: the review window. */
export function thirtyDaysAgo(now = new Date()): string {
  const day = new Date(now.getTime() - 30 * 86_400_000);
  return day.toISOString().slice(0, 10);
}
