import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ORGANISATION_TYPE_SYSTEM } from '@careweave/vocabulary';
import {
  ORGANISATION_TYPES,
  type Actor,
  type OrganisationType,
  type StaffActor,
  type SystemPurpose,
} from '../access/actor.ts';
import { SYSTEM_PURPOSES, systemPurpose } from '../access/secondary-use.ts';
import { forbidden, isOperationOutcomeError, unauthorised, type OperationOutcomeError } from '../fhir/outcome.ts';
import { FHIR_JSON, queryPairs } from '../fhir/rest/http.ts';
import type { AuthContext } from './context.ts';
import { SIGNING_ALG, VerificationKeys } from './keys.ts';
import { relatedPersonPatient } from './provider.ts';
import { VerifiedTokens } from './verified-tokens.ts';
import { requireScopes, scopeRequirements } from './scopes.ts';
import { isRoleCode, parseFhirUser } from './store.ts';

/** A verified access token. */
export interface VerifiedToken {
  claims: JWTPayload & Record<string, unknown>;
  clientId: string;
  /** The signed-in person's account, absent for system (client credentials) tokens. */
  userId?: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is making the request (src/access/actor.ts); set for /fhir and /api requests with a valid token. */
    actor?: Actor;
    /** The verified access token behind `actor` (also set for accounts with no actor, e.g. administrators). */
    token?: VerifiedToken;
  }
}

/** Small time-limited memo, so a burst of requests costs one lookup. */
class Memo<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(ttlMs: number, max = 5000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) {
      return hit.value;
    }
    if (this.entries.size >= this.max) {
      this.entries.clear();
    }
    const value = load();
    this.entries.set(key, { value, at: Date.now() });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}

/**
 * Verifies access tokens (signature with the database's keys, issuer, audience = FHIR base,
 * expiry, `typ: at+jwt`, RS256 only: `alg: none` and HMAC tricks are refused by construction; the
 * grant they came from not revoked) and turns them into the Actor the access policy works with.
 */
export class TokenVerifier {
  private readonly auth: AuthContext;
  private readonly keys: VerificationKeys;
  private readonly organisationTypes = new Memo<OrganisationType | undefined>(300_000);
  private readonly carers = new Memo<string | undefined>(60_000);
  private readonly accounts = new Memo<'ok' | 'disabled' | 'missing'>(30_000);
  private readonly clients = new Memo<'ok' | 'disabled' | 'missing'>(30_000);
  private readonly verified = new VerifiedTokens();

  constructor(auth: AuthContext) {
    this.auth = auth;
    this.keys = new VerificationKeys(auth.platform.db);
  }

  async verify(token: string): Promise<VerifiedToken> {
    const claims = this.verified.get(token) ?? (await this.verifySignature(token));
    // Tokens from a grant the provider revoked (a replayed code, sign-out, …) die with it.
    if (typeof claims.grant === 'string' && (await this.auth.revocations.isRevoked(claims.grant))) {
      throw unauthorised('The access token has been revoked', 'invalid_token');
    }
    const clientId = String(claims.client_id);
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    const isSystem = claims.actor === 'system';
    return { claims, clientId, scopes, ...(isSystem ? {} : { userId: String(claims.sub) }) };
  }

  private async verifySignature(token: string): Promise<JWTPayload & Record<string, unknown>> {
    try {
      const header = decodeProtectedHeader(token);
      const resolver = await this.keys.resolverFor(header.kid);
      const verified = await jwtVerify(token, resolver, {
        issuer: this.auth.issuer,
        audience: this.auth.fhirBase,
        algorithms: [SIGNING_ALG],
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
        clockTolerance: 5,
      });
      this.verified.remember(token, verified.payload);
      return verified.payload;
    } catch (error) {
      throw unauthorised(describeJoseError(error), 'invalid_token');
    }
  }

  /** The actor for a verified token, or undefined for an account not linked to anyone in the record. */
  async actor(token: VerifiedToken): Promise<Actor | undefined> {
    const { claims, scopes } = token;
    if (!token.userId) {
      await this.assertClientActive(token.clientId);
      return { kind: 'system', clientId: token.clientId, scopes, ...tokenPurpose(claims) };
    }
    await this.assertAccountActive(token.userId);
    const fhirUser = typeof claims.fhirUser === 'string' ? claims.fhirUser : undefined;
    if (!fhirUser) {
      return undefined;
    }
    if (!fhirUser.startsWith(`${this.auth.fhirBase}/`)) {
      throw unauthorised('fhirUser is not on this server', 'invalid_token');
    }
    const ref = parseFhirUser(fhirUser.slice(this.auth.fhirBase.length + 1));
    if (!ref) {
      throw unauthorised('fhirUser is not a Practitioner, Patient or RelatedPerson', 'invalid_token');
    }
    const userId = token.userId;
    switch (ref.type) {
      case 'Patient':
        return { kind: 'patient', userId, patientId: ref.id, scopes };
      case 'RelatedPerson': {
        const patientId = await this.carers.get(ref.id, () => relatedPersonPatient(this.auth, ref.id));
        if (!patientId) {
          throw forbidden(`RelatedPerson/${ref.id} is not linked to a patient`);
        }
        return { kind: 'related-person', userId, relatedPersonId: ref.id, patientId, scopes };
      }
      case 'Practitioner':
        return this.staffActor(userId, ref.id, claims, scopes);
    }
  }

  private async staffActor(
    userId: string,
    practitionerId: string,
    claims: Record<string, unknown>,
    scopes: string[],
  ): Promise<StaffActor> {
    const profile = claims.role_profile as
      { organization?: unknown; role?: unknown; practitionerRole?: unknown } | undefined;
    const organizationId = typeof profile?.organization === 'string' ? profile.organization : undefined;
    const roleCode = typeof profile?.role === 'string' ? profile.role : undefined;
    if (!organizationId || !roleCode || !isRoleCode(roleCode)) {
      throw unauthorised('The token carries no role profile', 'invalid_token');
    }
    const organizationType = await this.organisationTypes.get(organizationId, () =>
      organisationType(this.auth, organizationId),
    );
    if (!organizationType) {
      throw forbidden(`Organization/${organizationId} is not known or has no CareWeave organisation type`);
    }
    return {
      kind: 'staff',
      userId,
      practitionerId,
      organizationId,
      organizationType,
      roleCode,
      ...(typeof profile?.practitionerRole === 'string' ? { practitionerRoleId: profile.practitionerRole } : {}),
      scopes,
    };
  }

  private async assertAccountActive(userId: string): Promise<void> {
    const state = await this.accounts.get(userId, async () => {
      const user = await this.auth.store.userById(userId);
      return !user ? 'missing' : user.disabled ? 'disabled' : 'ok';
    });
    if (state !== 'ok') {
      throw unauthorised(
        state === 'missing' ? 'The account no longer exists' : 'The account is locked',
        'invalid_token',
      );
    }
  }

  private async assertClientActive(clientId: string): Promise<void> {
    if (clientId === this.auth.config.bootstrapClient?.clientId) {
      return;
    }
    const state = await this.clients.get(clientId, async () => {
      const client = await this.auth.store.client(clientId);
      return !client ? 'missing' : client.disabled ? 'disabled' : 'ok';
    });
    if (state !== 'ok') {
      throw unauthorised(`Client ${clientId} is not registered or is disabled`, 'invalid_token');
    }
  }
}

/**
 * A system token's purpose (the client's registered purpose, src/auth/provider.ts): absent means
 * direct care; one we do not know is refused rather than read as direct care.
 */
function tokenPurpose(claims: Record<string, unknown>): { purpose?: SystemPurpose } {
  if (claims.purpose === undefined) {
    return {};
  }
  const purpose = systemPurpose(claims.purpose);
  if (!purpose) {
    throw unauthorised(
      `The access token names an unknown purpose (expected one of ${SYSTEM_PURPOSES.join(', ')})`,
      'invalid_token',
    );
  }
  return { purpose };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) {
    return 'The access token has expired';
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `The access token is not valid here (${error.claim} ${error.reason})`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return 'The access token is not signed with an accepted algorithm';
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return 'The access token signature is not valid';
  }
  return 'The access token is not valid';
}

async function organisationType(auth: AuthContext, id: string): Promise<OrganisationType | undefined> {
  try {
    const stored = await auth.platform.resources.read('Organization', id);
    const org = JSON.parse(stored.json ?? '{}') as { type?: { coding?: { system?: string; code?: string }[] }[] };
    const code = org.type
      ?.flatMap((t) => t.coding ?? [])
      .find(
        (c) => c.system === ORGANISATION_TYPE_SYSTEM && ORGANISATION_TYPES.includes(c.code as OrganisationType),
      )?.code;
    return code as OrganisationType | undefined;
  } catch {
    return undefined;
  }
}

/** Route patterns that need no token. */
const PUBLIC_ROUTES = new Set([
  '/fhir/R4/metadata',
  '/fhir/R4/.well-known/smart-configuration',
  '/.well-known/smart-configuration',
  '/.well-known/openid-configuration',
]);

export function isProtectedRoute(routeUrl: string | undefined): boolean {
  if (!routeUrl || PUBLIC_ROUTES.has(routeUrl)) {
    return false;
  }
  return routeUrl.startsWith('/fhir/') || routeUrl.startsWith('/api/');
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') {
    return undefined;
  }
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  if (!match) {
    throw unauthorised('The Authorization header must be "Bearer <access token>"', 'invalid_request');
  }
  return match[1];
}

/** The refusal with its own headers (the 401's `www-authenticate` challenge). */
function sendRefusal(reply: FastifyReply, error: OperationOutcomeError): FastifyReply {
  return reply
    .code(error.status)
    .headers(error.headers)
    .header('content-type', FHIR_JSON)
    .send(JSON.stringify(error.outcome));
}

/**
 * onRequest hook for /fhir/* and /api/*: a valid Bearer token is required (except the
 * CapabilityStatement and discovery documents); sets `request.token` and `request.actor`.
 * FHIR requests also need an actor (an account linked to a person in the record, or a system).
 */
export function authenticateHook(verifier: TokenVerifier) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const route = request.routeOptions.url;
    if (!isProtectedRoute(route)) {
      return;
    }
    try {
      const raw = bearer(request);
      if (!raw) {
        throw unauthorised('An access token is required: send Authorization: Bearer <token>');
      }
      const token = await verifier.verify(raw);
      request.token = token;
      const actor = await verifier.actor(token);
      if (actor) {
        request.actor = actor;
      } else if (route!.startsWith('/fhir/')) {
        throw forbidden('Your account is not linked to a person in the record');
      }
    } catch (error) {
      if (isOperationOutcomeError(error)) {
        return void sendRefusal(reply, error);
      }
      throw error;
    }
  };
}

/**
 * preHandler for the FHIR API: the token's scopes must cover every resource type and interaction
 * the request touches (each entry of a batch or transaction), else 403.
 */
export function fhirScopeHook() {
  return function enforceScopes(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
    try {
      checkFhirScopes(request);
    } catch (error) {
      return done(error as Error);
    }
    done();
  };
}

function checkFhirScopes(request: FastifyRequest): void {
  const route = request.routeOptions.url;
  if (!route?.startsWith('/fhir/R4') || !isProtectedRoute(route)) {
    return;
  }
  const actor = actorOf(request);
  const params = (request.params ?? {}) as Record<string, string>;
  const relative = route
    .slice('/fhir/R4'.length)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? (params[segment.slice(1)] ?? '') : segment))
    .join('/');
  const query = queryPairs(request);
  if (request.method === 'POST' && relative.endsWith('/_search') && typeof request.body === 'string') {
    query.push(...new URLSearchParams(request.body));
  }
  requireScopes(actor, scopeRequirements(request.method, relative, query, request.body));
}

/**
 * The actor of an authenticated request, for `serviceFor(request)`: throws a 401
 * OperationOutcomeError when the request has none (which the hook prevents on protected routes).
 */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) {
    throw unauthorised('An access token is required');
  }
  return request.actor;
}
