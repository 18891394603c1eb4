import type { Organization, Patient, Reference, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import type { ResourceLabels } from '../fhir/store/resource.repository.ts';
import { ORGANISATION_TYPE_SYSTEM } from './actor.ts';
import { categoryOf, MULTI_PATIENT_TYPES, noPatientCategory } from './categories.ts';
import { fromPortal } from './origin.ts';
import { organisationOfSource, patientOf, targetId } from './references.ts';

export interface Labelled {
  resource: Resource;
  labels: ResourceLabels;
}

/**
 * Labels a batch of resources about to be written (docs/ACCESS.md, "What each resource is"):
 * patient, source organisation and category, and writes the source into `meta.source` as
 * `{fhirBase}/Organization/{id}`.
 *
 * A Consent has no source organisation: it is the patient's own record of their wishes.
 * Otherwise the source organisation, in order: `meta.source` naming an Organization (for a staff write the
 * access layer has already set it to the actor's organisation, see authorize.ts, so that always
 * wins); `Encounter.serviceProvider`; the source organisation of the resource's `encounter` (not for what
 * the portal wrote: a patient's reading pointing at a hospital's encounter is not its record); a
 * Patient's `managingOrganization`; the patient's registered practice (first Organization in
 * `Patient.generalPractitioner`). Everything the batch itself holds (the Patient, its Encounters,
 * Organizations) is used first; what is missing is read with at most three queries per batch.
 */
export async function labelResources(
  db: Queryable,
  resources: readonly Resource[],
  fhirBase: string,
): Promise<Labelled[]> {
  const items = resources.map((resource) => ({
    resource,
    patientId: MULTI_PATIENT_TYPES.includes(resource.resourceType) ? null : patientOf(resource, fhirBase),
  }));
  const batchPatients = new Map<string, Patient>();
  const batchEncounters = new Map<string, number>();
  const batchOrgs = new Map<string, Organization>();
  items.forEach(({ resource }, index) => {
    if (!resource.id) {
      return;
    }
    if (resource.resourceType === 'Patient') {
      batchPatients.set(resource.id, resource);
    } else if (resource.resourceType === 'Encounter') {
      batchEncounters.set(resource.id, index);
    } else if (resource.resourceType === 'Organization') {
      batchOrgs.set(resource.id, resource);
    }
  });

  const storedEncounterSource = new Map<string, string | null>();
  const storedPractice = new Map<string, string | null>();
  const wantedEncounters = new Set<string>();
  const wantedPatients = new Set<string>();

  const practiceOf = (patientId: string | null): string | undefined => {
    if (!patientId) {
      return undefined;
    }
    const patient = batchPatients.get(patientId);
    if (patient) {
      return registeredPractice(patient, fhirBase);
    }
    if (!storedPractice.has(patientId)) {
      wantedPatients.add(patientId);
    }
    return storedPractice.get(patientId) ?? undefined;
  };

  const resolve = (): (string | undefined)[] => {
    const memo = new Map<number, string | undefined>();
    const sourceAt = (index: number): string | undefined => {
      if (memo.has(index)) {
        return memo.get(index);
      }
      memo.set(index, undefined); // guards against reference cycles
      const { resource, patientId } = items[index]!;
      if (resource.resourceType === 'Consent') {
        return undefined; // a patient's Consent is their own, never an organisation's record
      }
      const found =
        organisationOfSource(resource.meta?.source) ??
        (resource.resourceType === 'Encounter'
          ? targetId(resource.serviceProvider, 'Organization', fhirBase)
          : undefined) ??
        encounterSource(resource) ??
        (resource.resourceType === 'Patient'
          ? targetId(resource.managingOrganization, 'Organization', fhirBase)
          : undefined) ??
        practiceOf(patientId);
      memo.set(index, found);
      return found;
    };
    const encounterSource = (resource: Resource): string | undefined => {
      // What a patient or carer writes in the portal never borrows an organisation's encounter.
      if (fromPortal(resource)) {
        return undefined;
      }
      const encounterId = targetId(encounterReference(resource), 'Encounter', fhirBase);
      if (!encounterId) {
        return undefined;
      }
      const inBatch = batchEncounters.get(encounterId);
      if (inBatch !== undefined) {
        return sourceAt(inBatch);
      }
      if (!storedEncounterSource.has(encounterId)) {
        wantedEncounters.add(encounterId);
      }
      return storedEncounterSource.get(encounterId) ?? undefined;
    };
    return items.map((_, index) => sourceAt(index));
  };

  let sources = resolve();
  if (wantedEncounters.size || wantedPatients.size) {
    await loadStored(db, [...wantedEncounters], [...wantedPatients], storedEncounterSource, storedPractice, fhirBase);
    wantedEncounters.clear();
    wantedPatients.clear();
    sources = resolve();
    if (wantedPatients.size) {
      // A stored Encounter without a source sent us to a practice not fetched yet.
      await loadStored(db, [], [...wantedPatients], storedEncounterSource, storedPractice, fhirBase);
      sources = resolve();
    }
  }

  const orgTypes = new Map<string, string | null>();
  for (const [id, org] of batchOrgs) {
    orgTypes.set(id, organisationType(org));
  }
  const unknownOrgs = [
    ...new Set(sources.filter((s, i): s is string => !!s && !!items[i]!.patientId && !orgTypes.has(s))),
  ];
  if (unknownOrgs.length) {
    const rows = await db.query<{ id: string; code: string }>(
      `select id, code from search_token
        where resource_type = 'Organization' and param = 'type' and system = $1 and id = any($2::text[])
        order by id, code`,
      [ORGANISATION_TYPE_SYSTEM, unknownOrgs],
    );
    for (const row of rows) {
      if (!orgTypes.get(row.id)) {
        orgTypes.set(row.id, row.code);
      }
    }
  }

  return items.map(({ resource, patientId }, index) => {
    const source = sources[index] ?? null;
    const stamped: Resource = source
      ? { ...resource, meta: { ...(resource.meta ?? {}), source: `${fhirBase}/Organization/${source}` } }
      : resource.resourceType === 'Consent'
        ? withoutMetaSource(resource)
        : resource;
    return {
      resource: stamped,
      labels: {
        patientId,
        sourceOrg: source,
        category: patientId ? categoryOf(resource, source ? orgTypes.get(source) : null) : noPatientCategory(resource),
      },
    };
  });
}

async function loadStored(
  db: Queryable,
  encounterIds: string[],
  patientIds: string[],
  encounterSource: Map<string, string | null>,
  practice: Map<string, string | null>,
  fhirBase: string,
): Promise<void> {
  if (encounterIds.length) {
    const rows = await db.query<{ id: string; source_org: string | null }>(
      `select id, source_org from resource where resource_type = 'Encounter' and id = any($1::text[]) and not deleted`,
      [encounterIds],
      { genericPlan: true },
    );
    encounterIds.forEach((id) => encounterSource.set(id, null));
    rows.forEach((row) => encounterSource.set(row.id, row.source_org));
  }
  if (patientIds.length) {
    const rows = await db.query<{ id: string; gp: string | null }>(
      `select id, (content->'generalPractitioner')::text as gp from current_resource
        where resource_type = 'Patient' and id = any($1::text[]) and not deleted`,
      [patientIds],
      // By primary key, however many ids: the generic plan is as good, and skips planning each time.
      { genericPlan: true },
    );
    patientIds.forEach((id) => practice.set(id, null));
    for (const row of rows) {
      const gp = row.gp ? (JSON.parse(row.gp) as Patient['generalPractitioner']) : [];
      practice.set(row.id, registeredPractice({ resourceType: 'Patient', generalPractitioner: gp }, fhirBase) ?? null);
    }
  }
}

/** The first Organization in `Patient.generalPractitioner`. */
export function registeredPractice(patient: Patient, fhirBase: string): string | undefined {
  for (const reference of patient.generalPractitioner ?? []) {
    const id = targetId(reference, 'Organization', fhirBase);
    if (id) {
      return id;
    }
  }
  return undefined;
}

/** The organisation type code of an Organization resource, if it has one of ours. */
export function organisationType(org: Organization): string | null {
  for (const concept of org.type ?? []) {
    for (const coding of concept.coding ?? []) {
      if (coding.system === ORGANISATION_TYPE_SYSTEM && coding.code) {
        return coding.code;
      }
    }
  }
  return null;
}

/** The resource's own `encounter` element (Observation.encounter, Condition.encounter, ...). */
function encounterReference(resource: Resource): Reference | undefined {
  if (resource.resourceType === 'Encounter') {
    return undefined;
  }
  const value = (resource as { encounter?: unknown }).encounter;
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return first && typeof first === 'object' ? first : undefined;
}

/**
 * The resource without a `meta.source`: a Consent claims no organisation as its source, whoever
 * sent one; and a patient or carer may not present what they write as an organisation's record
 * (which that organisation's staff would then see as their own), so any source they send is dropped
 * and derived as for any other resource.
 */
export function withoutMetaSource(resource: Resource): Resource {
  if (!resource.meta?.source) {
    return resource;
  }
  const { source: _source, ...meta } = resource.meta;
  void _source;
  return { ...resource, meta };
}
