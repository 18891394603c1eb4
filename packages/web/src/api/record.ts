import { queryOptions } from '@tanstack/react-query';
import type { Bundle, Encounter, OperationOutcome, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { codeIn, ORGANISATION_TYPE_SYSTEM, refId } from '../lib/fhir-display.ts';
import { api, FHIR_BASE, fhirGet } from './client.ts';
import { ApiError } from './errors.ts';

/** One patient's record as the caller may see it, from one `$everything` request. */
export interface PatientRecord {
  patient: Patient;
  /** Everything in the patient's compartment (not the Patient itself). */
  resources: Resource[];
  byType: Map<string, Resource[]>;
  /** Organisations, practitioners, locations and other resources the record points to, by `Type/id`. */
  referenced: Map<string, Resource>;
  organisations: Map<string, Organization>;
  /** The server said part of the record is withheld from this caller. */
  withheld: boolean;
  withheldMessages: string[];
  /** Milliseconds from request to parsed record (shown in the page for the performance check). */
  loadMs: number;
}

const organisations = new Map<string, Organization>();

/** The query key of every loaded record: invalidate it after a change that can alter what a record shows. */
export const RECORD_KEY = ['record'] as const;

/**
 * One patient's record as a TanStack Query: loaded once per visit and shared by every page that
 * shows it (the summary, timeline and trends tabs switch without another `$everything`).
 */
export const recordQuery = (patientId: string) =>
  queryOptions({
    queryKey: [...RECORD_KEY, patientId],
    queryFn: () => fetchRecord(patientId),
    staleTime: 5 * 60_000,
  });

async function fetchRecord(patientId: string): Promise<PatientRecord> {
  const started = performance.now();
  const bundle = await api<Bundle>(`${FHIR_BASE}/Patient/${encodeURIComponent(patientId)}/$everything`);
  const resources: Resource[] = [];
  const referenced = new Map<string, Resource>();
  const outcomes: OperationOutcome[] = [];
  let patient: Patient | undefined;
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (!resource) {
      continue;
    }
    if (resource.resourceType === 'OperationOutcome' || entry.search?.mode === 'outcome') {
      outcomes.push(resource as OperationOutcome);
    } else if (resource.resourceType === 'Patient' && resource.id === patientId) {
      patient = resource;
    } else if (entry.search?.mode === 'include' || !inCompartment(resource)) {
      referenced.set(`${resource.resourceType}/${resource.id}`, resource);
      if (resource.resourceType === 'Organization') {
        organisations.set(resource.id!, resource);
      }
    } else {
      resources.push(resource);
    }
  }
  if (!patient) {
    throw new ApiError(404, 'We could not find this patient, or their record is not shared with your organisation.');
  }
  const byType = new Map<string, Resource[]>();
  for (const resource of resources) {
    const list = byType.get(resource.resourceType) ?? [];
    list.push(resource);
    byType.set(resource.resourceType, list);
  }
  const record: PatientRecord = {
    patient,
    resources,
    byType,
    referenced,
    organisations: new Map(),
    ...withheldFrom(outcomes, bundle),
    loadMs: 0,
  };
  const wanted = new Set<string>();
  for (const resource of [patient, ...resources]) {
    const org = sourceOrganisationId(resource, record);
    if (org) {
      wanted.add(org);
    }
  }
  const gp = refId(
    patient.generalPractitioner?.find((g) => refId(g, 'Organization')),
    'Organization',
  );
  if (gp) {
    wanted.add(gp);
  }
  await resolveOrganisations([...wanted]);
  for (const id of wanted) {
    const org = organisations.get(id);
    if (org) {
      record.organisations.set(id, org);
    }
  }
  record.loadMs = Math.round(performance.now() - started);
  return record;
}

/** Types `$everything` adds because the record points to them; they are not the patient's own. */
const DIRECTORY_TYPES = new Set([
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'Medication',
  'HealthcareService',
  'Device',
  'Endpoint',
  'Schedule',
  'Slot',
  'Substance',
]);

function inCompartment(resource: Resource): boolean {
  return !DIRECTORY_TYPES.has(resource.resourceType);
}

/** Outcome entries (or a `withheld` flag) by which the server says it left something out. */
function withheldFrom(outcomes: OperationOutcome[], bundle: Bundle): { withheld: boolean; withheldMessages: string[] } {
  const messages: string[] = [];
  for (const outcome of outcomes) {
    for (const issue of outcome.issue ?? []) {
      const text = `${issue.diagnostics ?? ''} ${issue.details?.text ?? ''}`;
      if (
        issue.code === 'suppressed' ||
        issue.code === 'forbidden' ||
        issue.code === 'security' ||
        /withheld|not shared|restricted|consent/i.test(text)
      ) {
        messages.push(text.trim());
      }
    }
  }
  const flagged = bundle.meta?.tag?.some((t) => /withheld|suppressed|redacted/i.test(`${t.code}`)) ?? false;
  return { withheld: messages.length > 0 || flagged, withheldMessages: messages };
}

/**
 * The organisation whose record this is (docs/ACCESS.md): `meta.source`, else the encounter's
 * provider, else the patient's registered practice.
 */
export function sourceOrganisationId(
  resource: Resource,
  record: Pick<PatientRecord, 'patient' | 'referenced' | 'byType'>,
): string | undefined {
  const fromMeta = refId(resource.meta?.source, 'Organization');
  if (fromMeta) {
    return fromMeta;
  }
  const r = resource as unknown as Record<string, { reference?: string } | undefined>;
  if (resource.resourceType === 'Encounter') {
    return refId(resource.serviceProvider, 'Organization');
  }
  const encounterId = refId(r.encounter ?? r.context, 'Encounter');
  if (encounterId) {
    const encounter = record.byType.get('Encounter')?.find((e) => e.id === encounterId) as Encounter | undefined;
    const provider = refId(encounter?.serviceProvider, 'Organization');
    if (provider) {
      return provider;
    }
  }
  const patient = record.patient;
  return (
    refId(patient.managingOrganization, 'Organization') ??
    refId(
      patient.generalPractitioner?.find((g) => refId(g, 'Organization')),
      'Organization',
    )
  );
}

/** Fetches the names of organisations not seen yet, in one `Organization?_id=a,b,c` search. */
export async function resolveOrganisations(ids: string[]): Promise<Map<string, Organization>> {
  const missing = ids.filter((id) => !organisations.has(id));
  for (let i = 0; i < missing.length; i += 50) {
    const chunk = missing.slice(i, i + 50);
    const bundle = await fhirGet<Bundle>(`Organization?_id=${chunk.map(encodeURIComponent).join(',')}&_count=50`);
    for (const entry of bundle.entry ?? []) {
      if (entry.resource?.resourceType === 'Organization') {
        organisations.set(entry.resource.id!, entry.resource);
      }
    }
  }
  return new Map(ids.filter((id) => organisations.has(id)).map((id) => [id, organisations.get(id)!]));
}

export function organisationName(id: string | undefined): string {
  if (!id) {
    return 'Organisation not recorded';
  }
  return organisations.get(id)?.name ?? `Organisation ${id}`;
}

export function organisationType(id: string | undefined): string | undefined {
  return id ? codeIn(organisations.get(id)?.type, ORGANISATION_TYPE_SYSTEM) : undefined;
}

/** Every organisation in the directory (for sharing choices); it changes rarely, so it is kept for the visit. */
export const organisationsQuery = queryOptions({
  queryKey: ['organisations'],
  queryFn: async (): Promise<Organization[]> => {
    const bundle = await fhirGet<Bundle>('Organization?_count=500&_sort=name');
    const list = (bundle.entry ?? [])
      .map((e) => e.resource as Organization)
      .filter((o) => o?.resourceType === 'Organization');
    list.forEach((o) => organisations.set(o.id!, o));
    return list;
  },
  staleTime: Infinity,
});
