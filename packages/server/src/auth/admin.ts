import type { Bundle, Organization } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM, ODS_ORGANISATION_SYSTEM, ORGANISATION_TYPE_SYSTEM } from '@careweave/vocabulary';
import type { JWK } from 'jose';
import { ORGANISATION_TYPES, type OrganisationType, type SystemPurpose } from '../access/actor.ts';
import { SECONDARY_PURPOSES, SYSTEM_PURPOSES, systemPurpose } from '../access/secondary-use.ts';
import { badRequest, notFound } from '../fhir/outcome.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { ALLOWED_SCOPES_PROPERTY, PURPOSE_PROPERTY } from './provider.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { parseScope, type Interaction } from './scopes.ts';
import type { AuthStore } from './store.ts';
import {
  accountStatus,
  DuplicateError,
  isRoleCode,
  ROLE_CODES,
  type ClientRecord,
  type RoleProfile,
  type UserRecord,
} from './store.ts';
import { randomBytes } from 'node:crypto';
import type { AppRegistry, AppSummary } from './app-registry.ts';
import { AppMetadataError, type AppRegistration } from './apps.ts';

export interface OrganisationSummary {
  id: string;
  ods?: string;
  name?: string;
  type?: string;
}

export interface UserSummary {
  id: string;
  username: string;
  email?: string;
  displayName?: string;
  fhirUser?: string;
  nhsNumber?: string;
  admin: boolean;
  status: 'active' | 'disabled' | 'locked';
  lockedUntil?: string;
  passwordSet: boolean;
  roles: { id: string; organization: string; role: string; practitionerRole?: string }[];
}

export interface ClientSummary {
  clientId: string;
  description?: string;
  authentication: string;
  scopes: string;
  /** Why it processes patient data; `planning` and `research` honour the National Data Opt-out. */
  purpose: SystemPurpose;
  admin: boolean;
  disabled: boolean;
  createdAt: string;
}

export interface CreateUserInput {
  username: string;
  email?: string;
  displayName?: string;
  /** Omit (with generatePassword false) for accounts that only sign in through NHS CIS2 / NHS login. */
  password?: string;
  generatePassword?: boolean;
  practitioner?: string;
  /** Links a patient account: the Patient with this NHS number. */
  nhsNumber?: string;
  relatedPerson?: string;
  admin?: boolean;
}

export interface AddRoleInput {
  /** Organization id or ODS code. */
  organization: string;
  role: string;
  practitionerRole?: string;
}

export interface CreateClientInput {
  clientId: string;
  description?: string;
  /** Public keys for private_key_jwt (SMART Backend Services). */
  jwks?: { keys: JWK[] };
  jwksUri?: string;
  /** client_secret_basic with a generated secret (when no JWKS is given). */
  secret?: boolean;
  /** Space-separated system/ scopes the client may be given, e.g. `system/Observation.rs`. */
  scopes: string;
  /**
   * `direct-care` (the default), `planning` or `research` (docs/ACCESS.md, *Two kinds of opt-out*): a
   * planning or research client sees nothing of a patient who has a National Data Opt-out.
   */
  purpose?: string;
  admin?: boolean;
}

/**
 * The operations behind `careweave org|user|client` and /api/admin, over the database directly.
 * Bad input is an OperationOutcomeError (400, or 404 for a user or organisation that is not there):
 * the API sends it, the CLI prints its message.
 */
export interface AdminOperations {
  createOrganization(input: { name: string; ods: string; type: string; partOf?: string }): Promise<OrganisationSummary>;
  listOrganizations(): Promise<OrganisationSummary[]>;
  createUser(input: CreateUserInput): Promise<{ user: UserSummary; password?: string }>;
  listUsers(): Promise<UserSummary[]>;
  addRole(username: string, input: AddRoleInput): Promise<UserSummary>;
  lockUser(username: string): Promise<UserSummary>;
  unlockUser(username: string): Promise<UserSummary>;
  setPassword(username: string, password?: string): Promise<{ user: UserSummary; password?: string }>;
  createClient(input: CreateClientInput): Promise<{ client: ClientSummary; clientSecret?: string }>;
  listClients(): Promise<ClientSummary[]>;
  /** Registers a third-party SMART app (src/auth/apps.ts). */
  registerApp(input: AppRegistration): Promise<{ app: AppSummary; clientSecret?: string }>;
  listApps(): Promise<AppSummary[]>;
  /** An initial access token for RFC 7591 dynamic registration at /auth/reg. */
  issueInitialAccessToken(ttlSeconds?: number): Promise<{ token: string; expiresAt: string }>;
}

const ID = /^[A-Za-z0-9.-]{1,64}$/;

export class DatabaseAdmin implements AdminOperations {
  private readonly store: AuthStore;
  private readonly resources: ResourceService;
  private readonly registry: AppRegistry | undefined;

  /** `apps`: for the SMART app operations (registerApp, listApps, issueInitialAccessToken). */
  constructor(store: AuthStore, resources: ResourceService, apps?: AppRegistry) {
    this.store = store;
    this.resources = resources;
    this.registry = apps;
  }

  private get apps(): AppRegistry {
    if (!this.registry) {
      throw new Error('DatabaseAdmin was made without an AppRegistry');
    }
    return this.registry;
  }

  registerApp(input: AppRegistration): Promise<{ app: AppSummary; clientSecret?: string }> {
    return asBadRequest(() => this.apps.register(input));
  }

  listApps(): Promise<AppSummary[]> {
    return this.apps.list();
  }

  issueInitialAccessToken(ttlSeconds?: number): Promise<{ token: string; expiresAt: string }> {
    return asBadRequest(() => this.apps.issueInitialAccessToken(ttlSeconds));
  }

  async createOrganization(input: {
    name: string;
    ods: string;
    type: string;
    partOf?: string;
  }): Promise<OrganisationSummary> {
    if (!input.name.trim()) {
      badRequest('An organisation needs a name');
    }
    if (!/^[A-Z0-9]{3,10}$/i.test(input.ods)) {
      badRequest(`'${input.ods}' is not an ODS code (3 to 10 letters and digits)`);
    }
    if (!ORGANISATION_TYPES.includes(input.type as OrganisationType)) {
      badRequest(`Organisation type must be one of: ${ORGANISATION_TYPES.join(', ')}`);
    }
    const ods = input.ods.toUpperCase();
    if (await this.organisationIdByOds(ods)) {
      badRequest(`An organisation with ODS code ${ods} already exists`);
    }
    let partOf: string | undefined;
    if (input.partOf) {
      partOf = await this.resolveOrganisation(input.partOf);
    }
    const organisation: Organization = {
      resourceType: 'Organization',
      identifier: [{ system: ODS_ORGANISATION_SYSTEM, value: ods }],
      active: true,
      type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: input.type }] }],
      name: input.name.trim(),
      ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {}),
    };
    const created = await this.resources.create('Organization', organisation, {
      ifNoneExist: `identifier=${encodeURIComponent(`${ODS_ORGANISATION_SYSTEM}|${ods}`)}`,
    });
    return summariseOrganisation(created.resource as Organization);
  }

  async listOrganizations(): Promise<OrganisationSummary[]> {
    const out: OrganisationSummary[] = [];
    const bundle: Bundle = await this.resources.search('Organization', [
      ['_count', '1000'],
      ['_sort', 'name'],
    ]);
    for (const entry of bundle.entry ?? []) {
      if (entry.resource?.resourceType === 'Organization') {
        out.push(summariseOrganisation(entry.resource));
      }
    }
    return out;
  }

  async createUser(input: CreateUserInput): Promise<{ user: UserSummary; password?: string }> {
    const username = input.username.trim();
    if (!/^[A-Za-z0-9._@-]{3,100}$/.test(username)) {
      badRequest('A username has 3 to 100 letters, digits and . _ @ -');
    }
    const links = [input.practitioner, input.nhsNumber, input.relatedPerson].filter((v) => v !== undefined);
    if (links.length > 1) {
      badRequest('Link a user to one of: a Practitioner, a patient (NHS number) or a RelatedPerson');
    }
    let fhirUser: string | undefined;
    let nhsNumber: string | undefined;
    if (input.practitioner !== undefined) {
      fhirUser = `Practitioner/${await this.requireResource('Practitioner', input.practitioner)}`;
    } else if (input.relatedPerson !== undefined) {
      fhirUser = `RelatedPerson/${await this.requireResource('RelatedPerson', input.relatedPerson)}`;
    } else if (input.nhsNumber !== undefined) {
      nhsNumber = input.nhsNumber.replace(/\s/g, '');
      const patientId = await this.findByIdentifier('Patient', NHS_NUMBER_SYSTEM, nhsNumber);
      if (!patientId) {
        badRequest(`No patient has NHS number ${nhsNumber}`);
      }
      fhirUser = `Patient/${patientId}`;
    }
    let password = input.password;
    if (password === undefined && input.generatePassword) {
      password = generatePassword();
    }
    if (password !== undefined) {
      const problem = passwordProblem(password);
      if (problem) {
        badRequest(problem);
      }
    }
    try {
      const user = await this.store.createUser({
        username,
        ...(input.email ? { email: input.email } : {}),
        ...(input.displayName ? { displayName: input.displayName } : {}),
        ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
        ...(fhirUser ? { fhirUser } : {}),
        ...(nhsNumber ? { nhsNumber } : {}),
        isAdmin: input.admin ?? false,
      });
      return {
        user: await this.summariseUser(user),
        ...(input.password === undefined && password !== undefined ? { password } : {}),
      };
    } catch (error) {
      if (error instanceof DuplicateError) {
        badRequest(error.message);
      }
      throw error;
    }
  }

  async listUsers(): Promise<UserSummary[]> {
    return Promise.all((await this.store.listUsers()).map((u) => this.summariseUser(u)));
  }

  async addRole(username: string, input: AddRoleInput): Promise<UserSummary> {
    const user = await this.requireUser(username);
    if (!user.fhirUser?.startsWith('Practitioner/')) {
      badRequest(`${username} is not linked to a Practitioner; only staff have role profiles`);
    }
    const role = input.role.toUpperCase();
    if (!isRoleCode(role)) {
      badRequest(`Role must be one of: ${ROLE_CODES.join(', ')}`);
    }
    const organizationId = await this.resolveOrganisation(input.organization);
    let practitionerRoleId: string | undefined;
    if (input.practitionerRole) {
      practitionerRoleId = await this.requireResource('PractitionerRole', input.practitionerRole);
    }
    try {
      await this.store.addRoleProfile(user.id, {
        organizationId,
        roleCode: role,
        ...(practitionerRoleId ? { practitionerRoleId } : {}),
      });
    } catch (error) {
      if (error instanceof DuplicateError) {
        badRequest(error.message);
      }
      throw error;
    }
    return this.summariseUser(user);
  }

  async lockUser(username: string): Promise<UserSummary> {
    const user = await this.requireUser(username);
    await this.store.setDisabled(user.id, true);
    return this.summariseUser((await this.store.userById(user.id))!);
  }

  async unlockUser(username: string): Promise<UserSummary> {
    const user = await this.requireUser(username);
    await this.store.setDisabled(user.id, false);
    return this.summariseUser((await this.store.userById(user.id))!);
  }

  async setPassword(username: string, password?: string): Promise<{ user: UserSummary; password?: string }> {
    const user = await this.requireUser(username);
    const chosen = password ?? generatePassword();
    const problem = passwordProblem(chosen);
    if (problem) {
      badRequest(problem);
    }
    await this.store.setPassword(user.id, await hashPassword(chosen));
    return {
      user: await this.summariseUser((await this.store.userById(user.id))!),
      ...(password === undefined ? { password: chosen } : {}),
    };
  }

  async createClient(input: CreateClientInput): Promise<{ client: ClientSummary; clientSecret?: string }> {
    if (!/^[A-Za-z0-9._-]{3,64}$/.test(input.clientId)) {
      badRequest('A client id has 3 to 64 letters, digits and . _ -');
    }
    const scopes = input.scopes.split(/\s+/).filter(Boolean);
    if (!scopes.length) {
      badRequest('Give the scopes the client may have, e.g. --scopes "system/Observation.rs"');
    }
    for (const scope of scopes) {
      if (parseScope(scope)?.context !== 'system') {
        badRequest(`'${scope}' is not a SMART system scope (system/Type.cruds, system/*.rs, ...)`);
      }
    }
    const purpose = clientPurpose(input.purpose, scopes);
    const methods = [input.jwks, input.jwksUri, input.secret || undefined].filter((v) => v !== undefined);
    if (methods.length !== 1) {
      badRequest('Give exactly one of a JWKS (--jwks), a JWKS URL (--jwks-uri) or --secret');
    }
    if (input.jwks) {
      if (!Array.isArray(input.jwks.keys) || !input.jwks.keys.length) {
        badRequest('The JWKS has no keys');
      }
      for (const key of input.jwks.keys) {
        if ('d' in key || 'k' in key) {
          badRequest('The JWKS must hold public keys only');
        }
        if (key.kty !== 'RSA' && key.kty !== 'EC' && key.kty !== 'OKP') {
          badRequest(`Unsupported key type '${String(key.kty)}'`);
        }
      }
    }
    if (input.jwksUri !== undefined && !/^https:\/\//.test(input.jwksUri)) {
      badRequest('The JWKS URL must be https://');
    }
    const clientSecret = input.secret ? randomBytes(32).toString('base64url') : undefined;
    const metadata: Record<string, unknown> = {
      client_name: input.description ?? input.clientId,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      [ALLOWED_SCOPES_PROPERTY]: scopes.join(' '),
      ...(purpose ? { [PURPOSE_PROPERTY]: purpose } : {}),
      ...(clientSecret
        ? { token_endpoint_auth_method: 'client_secret_basic', client_secret: clientSecret }
        : { token_endpoint_auth_method: 'private_key_jwt' }),
      ...(input.jwks ? { jwks: input.jwks } : {}),
      ...(input.jwksUri ? { jwks_uri: input.jwksUri } : {}),
    };
    try {
      const client = await this.store.createClient({
        clientId: input.clientId,
        metadata,
        isAdmin: input.admin ?? false,
        ...(input.description ? { description: input.description } : {}),
      });
      return { client: summariseClient(client), ...(clientSecret ? { clientSecret } : {}) };
    } catch (error) {
      if (error instanceof DuplicateError) {
        badRequest(error.message);
      }
      throw error;
    }
  }

  async listClients(): Promise<ClientSummary[]> {
    return (await this.store.listClients()).map(summariseClient);
  }

  private async requireUser(username: string): Promise<UserRecord> {
    const user = await this.store.userByLogin(username);
    if (!user) {
      notFound(`No user '${username}'`);
    }
    return user;
  }

  private async requireResource(type: string, id: string): Promise<string> {
    const clean = id.replace(new RegExp(`^${type}/`), '');
    if (!ID.test(clean)) {
      badRequest(`'${id}' is not a ${type} id`);
    }
    try {
      await this.resources.read(type, clean);
    } catch {
      badRequest(`${type}/${clean} does not exist`);
    }
    return clean;
  }

  /** An organisation by id (`org-p81002`, `Organization/…`) or ODS code (`P81002`). */
  private async resolveOrganisation(value: string): Promise<string> {
    const clean = value.replace(/^Organization\//, '');
    if (ID.test(clean)) {
      try {
        await this.resources.read('Organization', clean);
        return clean;
      } catch {
        // not an id: try it as an ODS code
      }
    }
    const byOds = await this.organisationIdByOds(value.toUpperCase());
    if (!byOds) {
      notFound(`No organisation with id or ODS code '${value}'`);
    }
    return byOds;
  }

  private organisationIdByOds(ods: string): Promise<string | undefined> {
    return this.findByIdentifier('Organization', ODS_ORGANISATION_SYSTEM, ods);
  }

  private async findByIdentifier(type: string, system: string, value: string): Promise<string | undefined> {
    const bundle: Bundle = await this.resources.search(type, [
      ['identifier', `${system}|${value}`],
      ['_count', '1'],
    ]);
    return bundle.entry?.find((e) => e.resource?.resourceType === type)?.resource?.id;
  }

  private async summariseUser(user: UserRecord): Promise<UserSummary> {
    const profiles: RoleProfile[] = await this.store.roleProfiles(user.id);
    const status = accountStatus(user);
    return {
      id: user.id,
      username: user.username,
      ...(user.email ? { email: user.email } : {}),
      ...(user.displayName ? { displayName: user.displayName } : {}),
      ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
      ...(user.nhsNumber ? { nhsNumber: user.nhsNumber } : {}),
      admin: user.isAdmin,
      status,
      ...(status === 'locked' && user.lockedUntil ? { lockedUntil: user.lockedUntil.toISOString() } : {}),
      passwordSet: user.passwordHash !== null,
      roles: profiles.map((p) => ({
        id: p.id,
        organization: p.organizationId,
        role: p.roleCode,
        ...(p.practitionerRoleId ? { practitionerRole: p.practitionerRoleId } : {}),
      })),
    };
  }
}

/** An app's metadata refused by the registration rules is the caller's mistake: 400. */
async function asBadRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppMetadataError) {
      badRequest(error.message);
    }
    throw error;
  }
}

function summariseOrganisation(org: Organization): OrganisationSummary {
  const ods = org.identifier?.find((i) => i.system === ODS_ORGANISATION_SYSTEM)?.value;
  const type = org.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === ORGANISATION_TYPE_SYSTEM)?.code;
  return { id: org.id!, ...(ods ? { ods } : {}), ...(org.name ? { name: org.name } : {}), ...(type ? { type } : {}) };
}

/**
 * The purpose a client is registered for (docs/ACCESS.md, *Two kinds of opt-out*), checked: one of
 * the known purposes, and a planning or research client reads only — a write would reach past the
 * National Data Opt-out (system writes are not restricted).
 */
function clientPurpose(given: string | undefined, scopes: readonly string[]): SystemPurpose | undefined {
  if (given === undefined) {
    return undefined;
  }
  const purpose = systemPurpose(given);
  if (!purpose) {
    badRequest(`Unknown purpose '${given}': give one of ${SYSTEM_PURPOSES.join(', ')} (direct-care when omitted)`);
  }
  const writes: readonly Interaction[] = ['c', 'u', 'd'];
  const writing = scopes.find((scope) => writes.some((p) => parseScope(scope)?.permissions.has(p)));
  if (SECONDARY_PURPOSES.includes(purpose) && writing) {
    badRequest(
      `A ${purpose} client only reads: '${writing}' would let it write (give read and search scopes, e.g. system/*.rs)`,
    );
  }
  return purpose;
}

function summariseClient(client: ClientRecord): ClientSummary {
  const m = client.metadata;
  return {
    clientId: client.clientId,
    ...(client.description ? { description: client.description } : {}),
    authentication: typeof m.token_endpoint_auth_method === 'string' ? m.token_endpoint_auth_method : '',
    scopes: typeof m[ALLOWED_SCOPES_PROPERTY] === 'string' ? m[ALLOWED_SCOPES_PROPERTY] : '',
    purpose: systemPurpose(m[PURPOSE_PROPERTY]) ?? 'direct-care',
    admin: client.isAdmin,
    disabled: client.disabled,
    createdAt: client.createdAt.toISOString(),
  };
}
