import type { Database, Queryable } from '../db/database.ts';
import { SqlParams } from '../fhir/search/sql-params.ts';
import type { Actor } from './actor.ts';
import { withheldOnlineSql } from './online-view.ts';
import { restrictionFor, TODAY_SQL } from './policy.ts';
import { ORGANISATION_TYPE_SYSTEM, RBAC_JOB_ROLE_SYSTEM as RBAC_SYSTEM } from '@careweave/vocabulary';

/** One kind of row in the patient's record: whose record, which category, which resource type. */
export interface RecordRow {
  /** The source organisation's id, or null (a Consent, or a record whose source is unknown). */
  source: string | null;
  category: string;
  resourceType: string;
}

export interface CurrentRelationship {
  organizationId: string | null;
  practitionerId: string | null;
  kind: string;
  validTo: string | null;
  /** Derived from a resource kept out of the patient's online view. */
  withheld: boolean;
}

export interface RuleInForce {
  effect: 'permit' | 'deny';
  actors: string[];
  categories: string[];
}

export interface CurrentGrant {
  provider: string;
  recipient: string;
  category: string;
  /** Empty: any role. */
  roles: string[];
}

export interface Organisation {
  id: string;
  type?: string;
}

export interface StaffProfile {
  practitionerId: string;
  organizationId: string;
  roleCode?: string;
}

export interface EmergencyAccess {
  practitionerId: string;
  organizationId: string;
  expiresAt: string;
}

const NOW_VALID = (a: string): string =>
  `(${a}.valid_from is null or ${a}.valid_from <= now()) and (${a}.valid_to is null or ${a}.valid_to >= now())`;

/** Marks an evaluation that must not outlive its transaction (see `withWhatIfRelationships`). */
class WhatIfResult<T> extends Error {
  readonly value: T;

  constructor(value: T) {
    super('what-if evaluation rolled back');
    this.value = value;
  }
}

interface Coded {
  coding?: { system?: string; code?: string }[];
}

const codeIn = (concepts: Coded[] | undefined, system: string): string | undefined =>
  (concepts ?? []).flatMap((c) => c.coding ?? []).find((c) => c.system === system)?.code;

const idOf = (reference: string | undefined, type: string): string | undefined =>
  reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined;

/** The SQL behind the patient's sharing summary (sharing-summary.ts). */
export class SharingSummaryRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /**
   * The kinds of row the patient's record holds now, leaving out what is kept out of their online
   * view: the summary must not tell them, through an organisation's name, what the record hides.
   */
  async recordRows(patientId: string): Promise<RecordRow[]> {
    const rows = await this.db.query<{ source_org: string | null; category: string; resource_type: string }>(
      `select distinct r.source_org, r.category, r.resource_type from resource r
        where r.patient_id = $1 and not r.deleted and r.category is not null and not ${withheldOnlineSql('r')}`,
      [patientId],
    );
    return rows.map((row) => ({ source: row.source_org, category: row.category, resourceType: row.resource_type }));
  }

  /** Relationships with the patient valid now, organisation- or practitioner-level. */
  async relationships(patientId: string): Promise<CurrentRelationship[]> {
    const rows = await this.db.query<{
      organization_id: string | null;
      practitioner_id: string | null;
      kind: string;
      valid_to: Date | string | null;
      withheld: boolean;
    }>(
      `select ar.organization_id, ar.practitioner_id, ar.kind, ar.valid_to,
              exists (select 1 from online_withheld w where w.resource_type = ar.source_type and w.id = ar.source_id) as withheld
         from access_relationship ar where ar.patient_id = $1 and ${NOW_VALID('ar')}`,
      [patientId],
    );
    return rows.map((row) => ({
      organizationId: row.organization_id,
      practitionerId: row.practitioner_id,
      kind: row.kind,
      validTo: row.valid_to === null ? null : new Date(row.valid_to).toISOString(),
      withheld: row.withheld,
    }));
  }

  /** The patient's consent rules in force now (active Consents, within their periods). */
  async rulesInForce(patientId: string): Promise<RuleInForce[]> {
    return this.db.query<RuleInForce>(
      `select cr.effect, cr.actors, cr.categories from access_consent_rule cr
        where cr.patient_id = $1 and cr.active and ${NOW_VALID('cr')}`,
      [patientId],
    );
  }

  /** What agreements grant today from these providers (signed, not withdrawn, direct care, in date). */
  async grantsFrom(providers: readonly string[]): Promise<CurrentGrant[]> {
    if (!providers.length) {
      return [];
    }
    const rows = await this.db.query<{
      provider_org: string;
      recipient_org: string;
      category: string;
      roles: string[];
    }>(
      `select distinct g.provider_org, g.recipient_org, g.category, g.recipient_roles as roles from access_grant g
        where g.provider_org = any($1::text[]) and g.valid_from <= ${TODAY_SQL}
          and (g.valid_to is null or g.valid_to >= ${TODAY_SQL})`,
      [providers],
    );
    return rows.map((row) => ({
      provider: row.provider_org,
      recipient: row.recipient_org,
      category: row.category,
      roles: row.roles,
    }));
  }

  /** Organisations (current, not deleted) with their CareWeave organisation type. */
  async organisations(ids: readonly string[]): Promise<Map<string, Organisation>> {
    const found = new Map<string, Organisation>();
    if (!ids.length) {
      return found;
    }
    const rows = await this.db.query<{ id: string; type: Coded[] | string | null }>(
      `select r.id, r.content->'type' as type from current_resource r
        where r.resource_type = 'Organization' and r.id = any($1::text[]) and not r.deleted`,
      [ids],
    );
    for (const row of rows) {
      const type = typeof row.type === 'string' ? (JSON.parse(row.type) as Coded[]) : (row.type ?? undefined);
      found.set(row.id, { id: row.id, type: codeIn(type, ORGANISATION_TYPE_SYSTEM) });
    }
    return found;
  }

  /**
   * The role profiles (organisation and RBAC job role) these practitioners may work in: their active
   * PractitionerRoles, and the sign-in role profiles of their user accounts (src/auth/), which are
   * what the policy is given when they sign in and need not have a PractitionerRole.
   */
  async staffProfiles(practitionerIds: readonly string[]): Promise<StaffProfile[]> {
    if (!practitionerIds.length) {
      return [];
    }
    const signIn = await this.db.query<{ practitioner_id: string; organization_id: string; role_code: string }>(
      `select distinct substr(u.fhir_user, length('Practitioner/') + 1) as practitioner_id, p.organization_id, p.role_code
         from auth_user u join auth_role_profile p on p.user_id = u.id
        where u.fhir_user = any($1::text[])`,
      [practitionerIds.map((id) => `Practitioner/${id}`)],
    );
    return [
      ...(await this.directoryProfiles(practitionerIds)),
      ...signIn.map((row) => ({
        practitionerId: row.practitioner_id,
        organizationId: row.organization_id,
        roleCode: row.role_code,
      })),
    ];
  }

  private async directoryProfiles(practitionerIds: readonly string[]): Promise<StaffProfile[]> {
    const rows = await this.db.query<{ practitioner_id: string; content: string | Record<string, unknown> }>(
      `select distinct sr.target_id as practitioner_id, r.content::text as content
         from search_reference sr
         join current_resource r on r.resource_type = sr.resource_type and r.id = sr.id
        where sr.resource_type = 'PractitionerRole' and sr.param = 'practitioner' and sr.target_type = 'Practitioner'
          and sr.target_id = any($1::text[]) and not r.deleted`,
      [practitionerIds],
    );
    const profiles: StaffProfile[] = [];
    for (const row of rows) {
      const role = (typeof row.content === 'string' ? JSON.parse(row.content) : row.content) as {
        active?: boolean;
        organization?: { reference?: string };
        code?: Coded[];
      };
      const organizationId = idOf(role.organization?.reference, 'Organization');
      if (role.active === false || !organizationId) {
        continue;
      }
      const roleCode = codeIn(role.code, RBAC_SYSTEM);
      profiles.push({ practitionerId: row.practitioner_id, organizationId, ...(roleCode ? { roleCode } : {}) });
    }
    return profiles;
  }

  /** Which of these RelatedPersons act for the patient (their `patient` is them). */
  async carersOf(patientId: string, relatedPersonIds: readonly string[]): Promise<Set<string>> {
    if (!relatedPersonIds.length) {
      return new Set();
    }
    const rows = await this.db.query<{ id: string }>(
      `select r.id from current_resource r
        where r.resource_type = 'RelatedPerson' and r.id = any($1::text[]) and not r.deleted and r.patient_id = $2`,
      [relatedPersonIds, patientId],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Unexpired break-glass sessions for the patient. */
  async emergencyAccess(patientId: string): Promise<EmergencyAccess[]> {
    const rows = await this.db.query<{ practitioner_id: string; organization_id: string; expires_at: Date | string }>(
      `select bg.practitioner_id, bg.organization_id, max(bg.expires_at) as expires_at from break_glass bg
        where bg.patient_id = $1 and bg.started_at <= now() and bg.expires_at > now()
        group by bg.practitioner_id, bg.organization_id order by 3 desc`,
      [patientId],
    );
    return rows.map((row) => ({
      practitionerId: row.practitioner_id,
      organizationId: row.organization_id,
      expiresAt: new Date(row.expires_at).toISOString(),
    }));
  }

  /**
   * Which of `rows` (each standing for every resource of its kind in the patient's record) the
   * access policy lets `actor` see: the very restriction every search applies (policy.ts), evaluated
   * on one synthetic row per kind. Returns the indexes of the visible rows.
   */
  async visibleRows(
    actor: Actor,
    patientId: string,
    rows: readonly RecordRow[],
    db: Queryable = this.db,
  ): Promise<Set<number>> {
    const restrict = restrictionFor(actor, { distributed: db.distributed });
    if (!rows.length) {
      return new Set();
    }
    if (!restrict) {
      return new Set(rows.map((_row, index) => index));
    }
    const params = new SqlParams();
    const patient = `${params.add(patientId)}::text`;
    const sources = params.add(rows.map((row) => row.source ?? ''));
    const categories = params.add(rows.map((row) => row.category));
    const types = params.add(rows.map((row) => row.resourceType));
    const found = await db.query<{ n: number | string }>(
      `select v.n from (
         select ${patient} as patient_id, nullif(u.source_org, '') as source_org, u.category, u.resource_type,
                '#sharing-summary'::text as id, u.n
           from unnest(${sources}::text[], ${categories}::text[], ${types}::text[])
                with ordinality as u(source_org, category, resource_type, n)) v
        where ${restrict('v', params, { patient })}`,
      params.values as never,
    );
    return new Set(found.map((row) => Number(row.n) - 1));
  }

  /**
   * Runs `work` in a transaction in which each of `organizationIds` has, in addition, an open
   * episode of care with the patient, then rolls it back: "what could they see if they started
   * caring for you", answered by the policy itself. Nothing is ever committed.
   */
  async withWhatIfRelationships<T>(
    patientId: string,
    organizationIds: readonly string[],
    work: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.query(
          `insert into access_relationship (source_type, source_id, patient_id, organization_id, kind)
           select 'SharingSummary', '#what-if', $1, o, 'episode' from unnest($2::text[]) as o`,
          [patientId, organizationIds],
        );
        throw new WhatIfResult(await work(tx));
      });
    } catch (error) {
      if (error instanceof WhatIfResult) {
        return error.value as T;
      }
      throw error;
    }
    throw new Error('unreachable: the what-if transaction always rolls back');
  }
}
