import type { CareTeam, Extension, Period, Reference, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../db/database.ts';
import { dateRange } from '../fhir/indexing/normalize.ts';
import type { VersionWrite } from '../fhir/store/resource.repository.ts';
import type { SqlParams } from '../fhir/search/sql-params.ts';
import type { StaffActor } from './actor.ts';
import { MULTI_PATIENT_TYPES, OWNED_CATEGORIES, OWNED_TYPES, SHARED_WITH_EXTENSION } from './categories.ts';
import { localReference } from './references.ts';

/**
 * Owned data (docs/ACCESS.md, *Owned data*): worklists, cohorts and drafts about no one patient are
 * their owner's. Who may see one — its owners and whom they share it with — is kept in `access_owned`
 * (one row per resource, in the write's transaction), so every search path filters on it in SQL;
 * CareTeam membership for shares with a team is kept in `access_team_member`.
 */

/** How an owner may be named: a person, a person in a role, or an organisation (its staff). */
const OWNER = /^(Practitioner|PractitionerRole|Organization)\/[A-Za-z0-9\-.]{1,64}$/;
/** Whom owned data may be shared with: a person, a care team (its members) or an organisation (its staff). */
const SHAREE = /^(Practitioner|CareTeam|Organization)\/[A-Za-z0-9\-.]{1,64}$/;

/** Where each owned type names its owner. */
function ownerElement(resource: Resource): Reference | undefined {
  switch (resource.resourceType) {
    case 'Group':
      return resource.managingEntity;
    case 'List':
      return resource.source;
    case 'Basic':
      return resource.author;
    default:
      return undefined;
  }
}

/** Whether a resource of this type about no patient (`patientId`) is owned data. */
export function isOwnedData(resourceType: string, patientId: string | null): boolean {
  return patientId === null && (OWNED_TYPES.includes(resourceType) || MULTI_PATIENT_TYPES.includes(resourceType));
}

/**
 * The owners: the person, role or organisation its owner element names; without one (or naming
 * anything else), its source organisation — so a list written by a member of staff without naming
 * an owner is their organisation's, as cohorts were before owners could be named.
 */
export function ownersOf(resource: Resource, sourceOrg: string | null, fhirBase: string): string[] {
  const named = localReference(ownerElement(resource), fhirBase);
  if (named && OWNER.test(named)) {
    return [named];
  }
  return sourceOrg ? [`Organization/${sourceOrg}`] : [];
}

/** Whom the owner shared it with (extension {@link SHARED_WITH_EXTENSION} on the resource). */
export function sharesOf(resource: Resource, fhirBase: string): string[] {
  const extensions = (resource as { extension?: Extension[] }).extension ?? [];
  return extensions
    .filter((e) => e.url === SHARED_WITH_EXTENSION)
    .map((e) => localReference(e.valueReference, fhirBase))
    .filter((ref): ref is string => ref !== undefined && SHAREE.test(ref));
}

/** Everyone who may see it, sorted and unique, as stored in `access_owned.principals`. */
export function principalsOf(resource: Resource, sourceOrg: string | null, fhirBase: string): string[] {
  return [...new Set([...ownersOf(resource, sourceOrg, fhirBase), ...sharesOf(resource, fhirBase)])].sort();
}

/** The names under which owned data may name a member of staff as owner or sharee (teams aside). */
export function ownedNames(actor: StaffActor): string[] {
  return [
    `Organization/${actor.organizationId}`,
    `Practitioner/${actor.practitionerId}`,
    ...(actor.practitionerRoleId ? [`PractitionerRole/${actor.practitionerRoleId}`] : []),
  ];
}

/**
 * SQL: the row (alias `r`) is owned data the staff actor may see: one of its principals names them,
 * their organisation, or a CareTeam of which they (or their organisation) are a current member. The
 * visible owned rows are found once per query (an uncorrelated, hashed sub-plan).
 */
export function ownedVisibleSql(r: string, params: SqlParams, actor: StaffActor): string {
  const names = `${params.add(ownedNames(actor))}::text[]`;
  const org = `${params.add(actor.organizationId)}::text`;
  const practitioner = `${params.add(actor.practitionerId)}::text`;
  const categories = `${params.add(OWNED_CATEGORIES)}::text[]`;
  const teams = `array(select 'CareTeam/' || tm.care_team_id from access_team_member tm
      where (tm.organization_id = ${org} or tm.practitioner_id = ${practitioner})
        and (tm.valid_from is null or tm.valid_from <= now()) and (tm.valid_to is null or tm.valid_to >= now()))`;
  return `(${r}.category = any(${categories}) and (${r}.resource_type, ${r}.id) in (
      select o.resource_type, o.id from access_owned o where o.principals && (${names} || ${teams})))`;
}

/**
 * Keeps `access_owned` in step with the written resources, in the write's transaction. A deletion
 * keeps its row, so the deleted list's history stays its owners'; a resource that is no longer owned
 * data (it now names one patient) loses it.
 */
export async function replaceOwned(
  db: Queryable,
  writes: readonly VersionWrite[],
  resources: ReadonlyMap<string, Resource>,
  fhirBase: string,
): Promise<void> {
  const rows: [string, string, string[]][] = [];
  const dropped: VersionWrite[] = [];
  for (const w of writes) {
    const resource = resources.get(`${w.resourceType}/${w.id}`);
    if (w.deleted || !resource || !w.labels) {
      continue;
    }
    if (w.labels.category !== null && OWNED_CATEGORIES.includes(w.labels.category) && w.labels.patientId === null) {
      rows.push([w.resourceType, w.id, principalsOf(resource, w.labels.sourceOrg, fhirBase)]);
    } else if (
      w.replacesExisting &&
      (OWNED_TYPES.includes(w.resourceType) || MULTI_PATIENT_TYPES.includes(w.resourceType))
    ) {
      dropped.push(w);
    }
  }
  if (dropped.length) {
    await db.query(
      `delete from access_owned o using unnest($1::text[], $2::text[]) as k(t, i) where o.resource_type = k.t and o.id = k.i`,
      [dropped.map((w) => w.resourceType), dropped.map((w) => w.id)],
    );
  }
  if (rows.length) {
    await db.query(
      `insert into access_owned (resource_type, id, principals)
       select x->>0, x->>1, array(select json_array_elements_text(x->2)) from json_array_elements($1::json) as x
       on conflict (resource_type, id) do update set principals = excluded.principals`,
      [JSON.stringify(rows)],
    );
  }
}

/** A participation's period as instants, as for relationships (derived.ts), which import this module. */
function periodBounds(period: Period | undefined): { validFrom: string | null; validTo: string | null } {
  const start = period?.start ? dateRange(period.start)?.low : undefined;
  const end = period?.end ? dateRange(period.end)?.high : undefined;
  return { validFrom: start?.toISOString() ?? null, validTo: end?.toISOString() ?? null };
}

interface TeamMember {
  careTeamId: string;
  organizationId: string | null;
  practitionerId: string | null;
  validFrom: string | null;
  validTo: string | null;
}

/**
 * The members of a CareTeam while it is in force (status `active` or absent), with or without a
 * subject: its participants that are an Organization or a Practitioner, each for its
 * `participant.period` — the same reading as the care-team relationship.
 */
export function teamMembersOf(team: CareTeam, fhirBase: string): TeamMember[] {
  if (team.status !== undefined && team.status !== 'active') {
    return [];
  }
  return (team.participant ?? []).flatMap((participant) => {
    const member = localReference(participant.member, fhirBase);
    const [type, id] = member?.split('/') ?? [];
    if (!id || (type !== 'Organization' && type !== 'Practitioner')) {
      return [];
    }
    return [
      {
        careTeamId: team.id!,
        organizationId: type === 'Organization' ? id : null,
        practitionerId: type === 'Practitioner' ? id : null,
        ...periodBounds(participant.period),
      },
    ];
  });
}

/** Keeps `access_team_member` in step with written CareTeams, in the write's transaction. */
export async function replaceTeamMembers(
  db: Queryable,
  writes: readonly VersionWrite[],
  resources: ReadonlyMap<string, Resource>,
  fhirBase: string,
): Promise<void> {
  const teams = writes.filter((w) => w.resourceType === 'CareTeam');
  if (!teams.length) {
    return;
  }
  const replaced = teams.filter((w) => w.replacesExisting || w.deleted).map((w) => w.id);
  if (replaced.length) {
    await db.query('delete from access_team_member where care_team_id = any($1::text[])', [replaced]);
  }
  const members = teams.flatMap((w) => {
    const team = w.deleted ? undefined : resources.get(`CareTeam/${w.id}`);
    return team?.resourceType === 'CareTeam' ? teamMembersOf(team, fhirBase) : [];
  });
  if (members.length) {
    await db.query(
      `insert into access_team_member (care_team_id, organization_id, practitioner_id, valid_from, valid_to)
       select x->>0, x->>1, x->>2, (x->>3)::timestamptz, (x->>4)::timestamptz from json_array_elements($1::json) as x`,
      [JSON.stringify(members.map((m) => [m.careTeamId, m.organizationId, m.practitionerId, m.validFrom, m.validTo]))],
    );
  }
}
