import type { Consent, ConsentProvision, ConsentProvisionActor, Period, Reference, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import { dateRange } from '../fhir/indexing/normalize.ts';
import type { VersionWrite } from '../fhir/store/resource.repository.ts';
import { DATA_CATEGORY_SYSTEM, RECIPIENT_ROLE_EXTENSION } from './actor.ts';
import { replaceDataOptOuts } from './data-opt-out.ts';
import { replaceOnlineWithheld } from './online-view.ts';
import { replaceOwned, replaceTeamMembers } from './owned.ts';
import { localReference, targetId } from './references.ts';
import { CONSENT_SCOPE_SYSTEM } from '@careweave/vocabulary';

/** `declared`: a self-claimed relationship (declared.ts), not derived from any resource. */
export type RelationshipKind = 'registered' | 'care-team' | 'referral' | 'encounter' | 'episode' | 'declared';

export interface RelationshipRow {
  sourceType: string;
  sourceId: string;
  patientId: string;
  organizationId: string | null;
  practitionerId: string | null;
  kind: RelationshipKind;
  validFrom: string | null;
  validTo: string | null;
  careTeamId: string | null;
}

export interface ConsentRuleRow {
  consentId: string;
  ruleIndex: number;
  patientId: string;
  effect: 'deny' | 'permit';
  actors: string[];
  categories: string[];
  validFrom: string | null;
  validTo: string | null;
  active: boolean;
}

/** Resource types whose current versions establish legitimate relationships (docs/ACCESS.md). */
export const RELATIONSHIP_TYPES: readonly string[] = [
  'Patient',
  'CareTeam',
  'ServiceRequest',
  'Encounter',
  'EpisodeOfCare',
];
const OPEN_ENCOUNTER = ['in-progress', 'arrived', 'triaged', 'onleave'];

function periodBounds(period: Period | undefined): { validFrom: string | null; validTo: string | null } {
  const start = period?.start ? dateRange(period.start)?.low : undefined;
  const end = period?.end ? dateRange(period.end)?.high : undefined;
  return { validFrom: start?.toISOString() ?? null, validTo: end?.toISOString() ?? null };
}

/** The relationships a resource establishes while it is current (empty for other types and statuses). */
export function relationshipsOf(resource: Resource, fhirBase: string): RelationshipRow[] {
  const rows: RelationshipRow[] = [];
  const base = {
    sourceType: resource.resourceType,
    sourceId: resource.id!,
    validFrom: null,
    validTo: null,
    careTeamId: null,
  };
  const add = (
    patientId: string | undefined,
    kind: RelationshipKind,
    member: Reference | undefined,
    extra: Partial<RelationshipRow> = {},
  ): void => {
    const organizationId = targetId(member, 'Organization', fhirBase) ?? null;
    const practitionerId = organizationId ? null : (targetId(member, 'Practitioner', fhirBase) ?? null);
    if (patientId && (organizationId || practitionerId)) {
      rows.push({ ...base, patientId, kind, organizationId, practitionerId, ...extra });
    }
  };
  switch (resource.resourceType) {
    case 'Patient': {
      const orgs = new Set<string>();
      for (const reference of [...(resource.generalPractitioner ?? []), resource.managingOrganization]) {
        const id = targetId(reference, 'Organization', fhirBase);
        if (id && !orgs.has(id)) {
          orgs.add(id);
          add(resource.id, 'registered', { reference: `Organization/${id}` });
        }
      }
      break;
    }
    case 'CareTeam': {
      if (resource.status !== undefined && resource.status !== 'active') {
        break;
      }
      const patientId = targetId(resource.subject, 'Patient', fhirBase);
      for (const participant of resource.participant ?? []) {
        add(patientId, 'care-team', participant.member, {
          ...periodBounds(participant.period),
          careTeamId: resource.id!,
        });
      }
      break;
    }
    case 'ServiceRequest': {
      if (resource.status !== 'active') {
        break;
      }
      const patientId = targetId(resource.subject, 'Patient', fhirBase);
      for (const performer of resource.performer ?? []) {
        add(patientId, 'referral', performer);
      }
      break;
    }
    case 'Encounter':
      if (resource.status && OPEN_ENCOUNTER.includes(resource.status)) {
        add(targetId(resource.subject, 'Patient', fhirBase), 'encounter', resource.serviceProvider);
      }
      break;
    case 'EpisodeOfCare':
      if (resource.status === 'active') {
        add(targetId(resource.patient, 'Patient', fhirBase), 'episode', resource.managingOrganization);
      }
      break;
    default:
      break;
  }
  return rows;
}

const WELL_FORMED = /^[A-Za-z]{1,64}\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * A rule's actor as stored: `Type/id`, or `Organization/{id}|{role}` when the rule names the
 * organisation's staff in one RBAC job role only (extension {@link RECIPIENT_ROLE_EXTENSION}).
 */
export function ruleActor(actor: ConsentProvisionActor, fhirBase: string): string {
  // Only a well-formed local reference names anyone: a crafted one (`Organization/x|R8000` typed as
  // the reference itself) must not pass for a role-qualified name, which only the extension makes.
  const local = localReference(actor.reference, fhirBase);
  const reference = local && WELL_FORMED.test(local) ? local : '(unresolvable)';
  const role = actor.extension?.find((e) => e.url === RECIPIENT_ROLE_EXTENSION)?.valueCoding?.code;
  // A role qualifies only an organisation; a person is named whatever their role.
  return role !== undefined && reference.startsWith('Organization/') ? `${reference}|${role}` : reference;
}

/**
 * A Consent's rules: the top-level provision and every nested one, depth first. `active` is set
 * when the Consent is in force (status `active`, scope `patient-privacy`); a provision without a
 * type, or whose codes include none of the data-category system, has no effect and gives no row.
 */
export function consentRulesOf(consent: Consent, fhirBase: string): ConsentRuleRow[] {
  const patientId = targetId(consent.patient, 'Patient', fhirBase);
  if (!patientId || !consent.provision) {
    return [];
  }
  const active =
    consent.status === 'active' &&
    (consent.scope?.coding ?? []).some(
      (c) => c.code === 'patient-privacy' && (c.system === undefined || c.system === CONSENT_SCOPE_SYSTEM),
    );
  const rows: ConsentRuleRow[] = [];
  let ruleIndex = 0;
  const visit = (provision: ConsentProvision): void => {
    const index = ruleIndex++;
    const categories = (provision.code ?? []).flatMap((concept) =>
      (concept.coding ?? []).filter((c) => c.system === DATA_CATEGORY_SYSTEM && c.code).map((c) => c.code!),
    );
    const coversSomething = !provision.code?.length || categories.length > 0;
    if ((provision.type === 'deny' || provision.type === 'permit') && coversSomething) {
      rows.push({
        consentId: consent.id!,
        ruleIndex: index,
        patientId,
        effect: provision.type,
        actors: (provision.actor ?? []).map((actor) => ruleActor(actor, fhirBase)),
        categories: [...new Set(categories)],
        ...periodBounds(provision.period),
        active,
      });
    }
    for (const nested of provision.provision ?? []) {
      visit(nested);
    }
  };
  visit(consent.provision);
  return rows;
}

/**
 * Keeps `access_relationship`, `access_consent_rule`, `online_withheld`, `access_data_opt_out` (the
 * National Data Opt-out, data-opt-out.ts), `access_owned` and `access_team_member` (owned.ts) in step with the written resources, in
 * the write's transaction: rows of every rewritten or deleted source are removed, rows of the new
 * current versions inserted.
 */
export async function replaceDerivedFacts(
  db: Queryable,
  writes: readonly VersionWrite[],
  resources: ReadonlyMap<string, Resource>,
  fhirBase: string,
): Promise<void> {
  await replaceOnlineWithheld(db, writes, resources);
  await replaceDataOptOuts(db, writes, resources, fhirBase);
  await replaceOwned(db, writes, resources, fhirBase);
  await replaceTeamMembers(db, writes, resources, fhirBase);
  const relationshipWrites = writes.filter((w) => RELATIONSHIP_TYPES.includes(w.resourceType));
  const consentWrites = writes.filter((w) => w.resourceType === 'Consent');
  if (!relationshipWrites.length && !consentWrites.length) {
    return;
  }
  const replaced = relationshipWrites.filter((w) => w.replacesExisting || w.deleted);
  if (replaced.length) {
    await db.query(
      `delete from access_relationship a using unnest($1::text[], $2::text[]) as k(t, i)
        where a.source_type = k.t and a.source_id = k.i`,
      [replaced.map((w) => w.resourceType), replaced.map((w) => w.id)],
    );
  }
  const relationships = relationshipWrites
    .filter((w) => !w.deleted)
    .flatMap((w) => {
      const resource = resources.get(`${w.resourceType}/${w.id}`);
      return resource ? relationshipsOf(resource, fhirBase) : [];
    });
  if (relationships.length) {
    await db.query(
      `insert into access_relationship (source_type, source_id, patient_id, organization_id, practitioner_id, kind,
          valid_from, valid_to, care_team_id)
       select x->>0, x->>1, x->>2, x->>3, x->>4, x->>5, (x->>6)::timestamptz, (x->>7)::timestamptz, x->>8
         from json_array_elements($1::json) as x`,
      [
        JSON.stringify(
          relationships.map((r) => [
            r.sourceType,
            r.sourceId,
            r.patientId,
            r.organizationId,
            r.practitionerId,
            r.kind,
            r.validFrom,
            r.validTo,
            r.careTeamId,
          ]),
        ),
      ],
    );
  }

  const consentsReplaced = consentWrites.filter((w) => w.replacesExisting || w.deleted);
  if (consentsReplaced.length) {
    await db.query('delete from access_consent_rule where consent_id = any($1::text[])', [
      consentsReplaced.map((w) => w.id),
    ]);
  }
  const rules = consentWrites
    .filter((w) => !w.deleted)
    .flatMap((w) => {
      const resource = resources.get(`Consent/${w.id}`);
      return resource?.resourceType === 'Consent' ? consentRulesOf(resource, fhirBase) : [];
    });
  if (rules.length) {
    await db.query(
      `insert into access_consent_rule (consent_id, rule_index, patient_id, effect, actors, categories,
          valid_from, valid_to, active)
       select x->>0, (x->>1)::int, x->>2, x->>3,
              array(select json_array_elements_text(x->4)), array(select json_array_elements_text(x->5)),
              (x->>6)::timestamptz, (x->>7)::timestamptz, (x->>8)::bool
         from json_array_elements($1::json) as x`,
      [
        JSON.stringify(
          rules.map((r) => [
            r.consentId,
            r.ruleIndex,
            r.patientId,
            r.effect,
            r.actors,
            r.categories,
            r.validFrom,
            r.validTo,
            r.active,
          ]),
        ),
      ],
    );
  }
}
