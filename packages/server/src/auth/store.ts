import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/database.ts';
import { jsonbValue } from '../db/jsonb.ts';
import { accountCountersPrefix } from './login-throttle.ts';

/** National RBAC job role codes a role profile may carry (docs/ACCESS.md). */
export const ROLE_CODES = ['R8000', 'R8001', 'R8003', 'R8008', 'R8010', 'R8012', 'R8013', 'R0001'] as const;
export type RoleCode = (typeof ROLE_CODES)[number];

export const ROLE_NAMES: Record<RoleCode, string> = {
  R8000: 'Clinical practitioner',
  R8001: 'Nurse',
  R8003: 'Health professional',
  R8008: 'Admin and clinical support',
  R8010: 'Clerical',
  R8012: 'Information officer',
  R8013: 'Health records manager',
  R0001: 'Privacy officer',
};

export function isRoleCode(value: string): value is RoleCode {
  return (ROLE_CODES as readonly string[]).includes(value);
}

export type FhirUserType = 'Practitioner' | 'Patient' | 'RelatedPerson';
const FHIR_USER = /^(Practitioner|Patient|RelatedPerson)\/([A-Za-z0-9.-]{1,64})$/;

export function parseFhirUser(reference: string): { type: FhirUserType; id: string } | undefined {
  const match = FHIR_USER.exec(reference);
  return match ? { type: match[1] as FhirUserType, id: match[2]! } : undefined;
}

export interface UserRecord {
  id: string;
  username: string;
  email: string | null;
  displayName: string | null;
  passwordHash: string | null;
  /** Legacy: the automatic lockout of earlier versions (replaced by LoginThrottle); nothing sets them now. */
  failedAttempts: number;
  lockedUntil: Date | null;
  disabled: boolean;
  isAdmin: boolean;
  /** `Practitioner/…`, `Patient/…` or `RelatedPerson/…`. */
  fhirUser: string | null;
  nhsNumber: string | null;
  createdAt: Date;
}

export interface RoleProfile {
  id: string;
  userId: string;
  organizationId: string;
  roleCode: RoleCode;
  practitionerRoleId: string | null;
}

export interface ClientRecord {
  clientId: string;
  description: string | null;
  /** oidc-provider client metadata. */
  metadata: Record<string, unknown>;
  isAdmin: boolean;
  disabled: boolean;
  createdAt: Date;
}

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  password_hash: string | null;
  failed_attempts: number;
  locked_until: Date | string | null;
  disabled: boolean;
  is_admin: boolean;
  fhir_user: string | null;
  nhs_number: string | null;
  created_at: Date | string;
}

interface ProfileRow {
  id: string;
  user_id: string;
  organization_id: string;
  role_code: RoleCode;
  practitioner_role_id: string | null;
}

interface ClientRow {
  client_id: string;
  description: string | null;
  metadata: Record<string, unknown> | string;
  is_admin: boolean;
  disabled: boolean;
  created_at: Date | string;
}

const date = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    failedAttempts: Number(row.failed_attempts),
    lockedUntil: row.locked_until === null ? null : date(row.locked_until),
    disabled: row.disabled,
    isAdmin: row.is_admin,
    fhirUser: row.fhir_user,
    nhsNumber: row.nhs_number,
    createdAt: date(row.created_at),
  };
}

function toProfile(row: ProfileRow): RoleProfile {
  return {
    id: row.id,
    userId: row.user_id,
    organizationId: row.organization_id,
    roleCode: row.role_code,
    practitionerRoleId: row.practitioner_role_id,
  };
}

function toClient(row: ClientRow): ClientRecord {
  return {
    clientId: row.client_id,
    description: row.description,
    metadata: jsonbValue(row.metadata),
    isAdmin: row.is_admin,
    disabled: row.disabled,
    createdAt: date(row.created_at),
  };
}

export class DuplicateError extends Error {}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}

export interface NewUser {
  username: string;
  email?: string;
  displayName?: string;
  passwordHash?: string;
  fhirUser?: string;
  nhsNumber?: string;
  isAdmin?: boolean;
}

/** Whether the account may sign in now, and why not. */
export function accountStatus(user: UserRecord, now = new Date()): 'active' | 'disabled' | 'locked' {
  if (user.disabled) {
    return 'disabled';
  }
  return user.lockedUntil !== null && user.lockedUntil > now ? 'locked' : 'active';
}

/** Accounts, role profiles, identities and clients: the tables of migration 003-auth. */
export class AuthStore {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      const [row] = await this.db.query<UserRow>(
        `insert into auth_user (id, username, email, display_name, password_hash, fhir_user, nhs_number, is_admin)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
        [
          randomUUID(),
          user.username,
          user.email ?? null,
          user.displayName ?? null,
          user.passwordHash ?? null,
          user.fhirUser ?? null,
          user.nhsNumber ?? null,
          user.isAdmin ?? false,
        ],
      );
      return toUser(row!);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DuplicateError(`A user '${user.username}'${user.email ? ` or '${user.email}'` : ''} already exists`);
      }
      throw error;
    }
  }

  async userById(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>('select * from auth_user where id = $1', [id]);
    return row ? toUser(row) : undefined;
  }

  /** By username or email, case-insensitively. */
  async userByLogin(login: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>(
      'select * from auth_user where lower(username) = lower($1) or lower(email) = lower($1) order by lower(username) = lower($1) desc limit 1',
      [login],
    );
    return row ? toUser(row) : undefined;
  }

  async userByFhirUser(reference: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>(
      'select * from auth_user where fhir_user = $1 order by created_at limit 1',
      [reference],
    );
    return row ? toUser(row) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.query<UserRow>('select * from auth_user order by lower(username)')).map(toUser);
  }

  /** A new password; also lifts the sign-in throttling of the account (docs/AUTH.md). */
  async setPassword(userId: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query(
      `update auth_user set password_hash = $2, failed_attempts = 0, locked_until = null, updated_at = now()
       where id = $1 returning id`,
      [userId, passwordHash],
    );
    await this.clearLoginThrottle(userId);
    return rows.length > 0;
  }

  /**
   * An administrator's lock: no sign-in (password or federated) and no new tokens until unlocked.
   * Unlocking also lifts the sign-in throttling of the account, wherever the attempts came from.
   */
  async setDisabled(userId: string, disabled: boolean): Promise<boolean> {
    const rows = await this.db.query(
      `update auth_user set disabled = $2, failed_attempts = case when $2 then failed_attempts else 0 end,
         locked_until = case when $2 then locked_until else null end, updated_at = now()
       where id = $1 returning id`,
      [userId, disabled],
    );
    if (!disabled) {
      await this.clearLoginThrottle(userId);
    }
    return rows.length > 0;
  }

  private async clearLoginThrottle(userId: string): Promise<void> {
    await this.db.query('delete from auth_rate_limit where starts_with(key, $1)', [accountCountersPrefix(userId)]);
  }

  async recordSuccessfulLogin(userId: string): Promise<void> {
    await this.db.query(
      'update auth_user set failed_attempts = 0, locked_until = null, updated_at = now() where id = $1',
      [userId],
    );
  }

  async addRoleProfile(
    userId: string,
    profile: { organizationId: string; roleCode: RoleCode; practitionerRoleId?: string },
  ): Promise<RoleProfile> {
    try {
      const [row] = await this.db.query<ProfileRow>(
        `insert into auth_role_profile (id, user_id, organization_id, role_code, practitioner_role_id)
         values ($1, $2, $3, $4, $5) returning *`,
        [randomUUID(), userId, profile.organizationId, profile.roleCode, profile.practitionerRoleId ?? null],
      );
      return toProfile(row!);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DuplicateError(
          `The user already has role ${profile.roleCode} at Organization/${profile.organizationId}`,
        );
      }
      throw error;
    }
  }

  /** The profile for (user, organisation, role), created when missing (federated sign-in). */
  async ensureRoleProfile(
    userId: string,
    profile: { organizationId: string; roleCode: RoleCode; practitionerRoleId?: string },
  ): Promise<RoleProfile> {
    const [row] = await this.db.query<ProfileRow>(
      `insert into auth_role_profile (id, user_id, organization_id, role_code, practitioner_role_id)
       values ($1, $2, $3, $4, $5)
       on conflict (user_id, organization_id, role_code)
         do update set practitioner_role_id = coalesce(excluded.practitioner_role_id, auth_role_profile.practitioner_role_id)
       returning *`,
      [randomUUID(), userId, profile.organizationId, profile.roleCode, profile.practitionerRoleId ?? null],
    );
    return toProfile(row!);
  }

  async roleProfiles(userId: string): Promise<RoleProfile[]> {
    return (
      await this.db.query<ProfileRow>(
        'select * from auth_role_profile where user_id = $1 order by created_at, organization_id, role_code',
        [userId],
      )
    ).map(toProfile);
  }

  async roleProfile(id: string): Promise<RoleProfile | undefined> {
    const [row] = await this.db.query<ProfileRow>('select * from auth_role_profile where id = $1', [id]);
    return row ? toProfile(row) : undefined;
  }

  async setGrantProfile(grantId: string, profileId: string): Promise<void> {
    await this.db.query(
      `insert into auth_grant_profile (grant_id, profile_id) values ($1, $2)
       on conflict (grant_id) do update set profile_id = excluded.profile_id`,
      [grantId, profileId],
    );
  }

  async grantProfile(grantId: string): Promise<RoleProfile | undefined> {
    const [row] = await this.db.query<ProfileRow>(
      `select p.* from auth_grant_profile g join auth_role_profile p on p.id = g.profile_id where g.grant_id = $1`,
      [grantId],
    );
    return row ? toProfile(row) : undefined;
  }

  async identity(provider: string, subject: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query<UserRow>(
      `select u.* from auth_identity i join auth_user u on u.id = i.user_id where i.provider = $1 and i.subject = $2`,
      [provider, subject],
    );
    return row ? toUser(row) : undefined;
  }

  async linkIdentity(provider: string, subject: string, userId: string): Promise<void> {
    await this.db.query(
      `insert into auth_identity (provider, subject, user_id, last_login_at) values ($1, $2, $3, now())
       on conflict (provider, subject) do update set user_id = excluded.user_id, last_login_at = now()`,
      [provider, subject, userId],
    );
  }

  async createClient(client: {
    clientId: string;
    description?: string;
    metadata: Record<string, unknown>;
    isAdmin?: boolean;
  }): Promise<ClientRecord> {
    try {
      const [row] = await this.db.query<ClientRow>(
        `insert into auth_client (client_id, description, metadata, is_admin) values ($1, $2, $3::jsonb, $4) returning *`,
        [client.clientId, client.description ?? null, JSON.stringify(client.metadata), client.isAdmin ?? false],
      );
      return toClient(row!);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DuplicateError(`A client '${client.clientId}' already exists`);
      }
      throw error;
    }
  }

  async client(clientId: string): Promise<ClientRecord | undefined> {
    const [row] = await this.db.query<ClientRow>('select * from auth_client where client_id = $1', [clientId]);
    return row ? toClient(row) : undefined;
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.db.query<ClientRow>('select * from auth_client order by client_id')).map(toClient);
  }
}
