import type { Queryable } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';
import { parseScope, type Interaction } from './scopes.ts';

/** The `auth_oidc` model of what a person allowed an app (the provider never reads it). */
export const APP_AUTHORISATION_MODEL = 'AppAuthorisation';

export interface AppAuthorisation {
  accountId: string;
  clientId: string;
  /** Every scope the person allowed (OpenID, launch and resource scopes). */
  scopes: string[];
  grantedAt: string;
}

interface Row {
  payload: AppAuthorisation | string;
}

/**
 * What each person has allowed each third-party app, so that they are asked once, not at every
 * sign-in, and can see and take it back (the connected-apps page). One row per person and app in
 * `auth_oidc` (`uid` = the person, indexed), beside the provider's own grants.
 */
export class AppAuthorisations {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /** Remembers what the person allowed, adding to what they allowed the app before. */
  async remember(accountId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    const before = await this.find(accountId, clientId);
    const all = [...new Set([...(before?.scopes ?? []), ...scopes])];
    const payload: AppAuthorisation = { accountId, clientId, scopes: all, grantedAt: new Date().toISOString() };
    await this.db.query(
      `insert into auth_oidc (model, id, payload, uid) values ($1, $2, $3::jsonb, $4)
       on conflict (model, id) do update set payload = excluded.payload`,
      [APP_AUTHORISATION_MODEL, key(accountId, clientId), JSON.stringify(payload), accountId],
    );
  }

  async find(accountId: string, clientId: string): Promise<AppAuthorisation | undefined> {
    const [row] = await this.db.query<Row>('select payload from auth_oidc where model = $1 and id = $2', [
      APP_AUTHORISATION_MODEL,
      key(accountId, clientId),
    ]);
    return row ? jsonbValue(row.payload) : undefined;
  }

  /** Whether the person already allowed the app every one of `scopes`. */
  async covers(accountId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const found = await this.find(accountId, clientId);
    return found !== undefined && scopes.every((s) => found.scopes.includes(s));
  }

  /** The apps the person has allowed, newest first. */
  async list(accountId: string): Promise<AppAuthorisation[]> {
    const rows = await this.db.query<Row>(
      `select payload from auth_oidc where model = $1 and uid = $2 order by payload->>'grantedAt' desc`,
      [APP_AUTHORISATION_MODEL, accountId],
    );
    return rows.map((r) => jsonbValue(r.payload));
  }

  /**
   * Takes back what the person allowed the app: forgets it, and returns the ids of the provider's
   * grants of that person to that app, for the caller to revoke (with their tokens). Empty when
   * there was nothing to take back.
   */
  async forget(accountId: string, clientId: string): Promise<{ found: boolean; grantIds: string[] }> {
    const deleted = await this.db.query('delete from auth_oidc where model = $1 and id = $2 returning id', [
      APP_AUTHORISATION_MODEL,
      key(accountId, clientId),
    ]);
    const grants = await this.db.query<{ id: string }>(
      `select id from auth_oidc where model = 'Grant' and payload->>'accountId' = $1 and payload->>'clientId' = $2`,
      [accountId, clientId],
    );
    return { found: deleted.length > 0, grantIds: grants.map((g) => g.id) };
  }
}

function key(accountId: string, clientId: string): string {
  return `${accountId} ${clientId}`;
}

const VERBS: Record<Interaction, string> = { c: 'add to', r: 'read', u: 'change', d: 'delete from', s: 'search' };

/** Plain words for FHIR types a patient meets; others are named as written. */
const TYPE_WORDS: Record<string, string> = {
  AllergyIntolerance: 'allergies',
  Appointment: 'appointments',
  CarePlan: 'care plans',
  Condition: 'conditions and problems',
  DiagnosticReport: 'test reports',
  DocumentReference: 'documents and letters',
  Encounter: 'visits and admissions',
  Immunization: 'vaccinations',
  MedicationRequest: 'prescriptions',
  MedicationStatement: 'medicines',
  Observation: 'test results and measurements',
  Patient: 'personal details',
  Procedure: 'procedures and operations',
};

/**
 * What a scope lets an app do, in plain words for the consent screen. `patient/` scopes are about
 * the signed-in patient's own record (or, for a carer, the record of the person they care for);
 * `user/` scopes reach whatever the signed-in person may see.
 */
export function describeScope(scope: string): string | undefined {
  switch (scope) {
    case 'openid':
    case 'profile':
      return 'Know who you are: your name and your CareWeave account';
    case 'fhirUser':
      return 'Know who you are in the health record (you as a patient, carer or member of staff)';
    case 'launch/patient':
      return 'Know whose health record you are using it with';
    case 'offline_access':
    case 'online_access':
      return 'Stay connected while you are signed in to CareWeave, without asking you again';
  }
  const parsed = parseScope(scope);
  if (!parsed) {
    return undefined;
  }
  const verbs = (['r', 's', 'c', 'u', 'd'] as const).filter((p) => parsed.permissions.has(p)).map((p) => VERBS[p]);
  const what =
    parsed.resourceType === '*' ? 'everything in' : `the ${TYPE_WORDS[parsed.resourceType] ?? parsed.resourceType} in`;
  const whose =
    parsed.context === 'patient'
      ? 'your health record (or the record of the person you care for)'
      : 'the health records you can see in CareWeave';
  const list = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)!}` : verbs[0]!;
  return `${list[0]!.toUpperCase()}${list.slice(1)} ${what} ${whose}`;
}

/** The consent screen's list: one line per distinct meaning. */
export function describeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map(describeScope).filter((d): d is string => d !== undefined))];
}
