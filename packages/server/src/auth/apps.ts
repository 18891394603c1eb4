import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { parseScope } from './scopes.ts';

/**
 * Third-party SMART apps (SMART App Launch 2.0): public or confidential clients that people sign
 * in to with the authorization code flow. One set of rules for every way one is registered (the
 * admin API, `careweave apps register`, RFC 7591 dynamic registration at /auth/reg), so that no
 * way lets an app ask for more than the others would.
 */

/** Client metadata property listing the SMART scope patterns a client may be given (also provider.ts). */
export const APP_ALLOWED_SCOPES_PROPERTY = 'careweave_allowed_scopes';

/** What an app may be given when it does not say: reading, for the patient or the signed-in user. */
export const DEFAULT_APP_SCOPES = ['patient/*.rs', 'user/*.rs'];

/** How a SMART app authenticates at the token endpoint (as discovery advertises). */
export const APP_AUTH_METHODS = ['none', 'client_secret_basic', 'private_key_jwt'] as const;
export type AppAuthMethod = (typeof APP_AUTH_METHODS)[number];

export interface AppRegistration {
  /** Chosen by the administrator; generated for dynamic registration. */
  clientId: string;
  name: string;
  redirectUris: readonly string[];
  /** `none`: a public app (browser or native, PKCE only). */
  authentication: AppAuthMethod;
  jwks?: { keys: JWK[] };
  jwksUri?: string;
  /** patient/ and user/ scope patterns it may be given; default DEFAULT_APP_SCOPES. */
  scopes?: readonly string[];
}

/** A registration the rules refuse, with the RFC 7591 error code to answer with. */
export class AppMetadataError extends Error {
  readonly code: 'invalid_redirect_uri' | 'invalid_client_metadata';

  constructor(code: AppMetadataError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A redirect URI an app may register: absolute https (or http on this machine, for development
 * and native apps), no fragment, no user info. Another app's redirect URI is not refused here:
 * what protects a user is that codes go only to the redirect URIs of the client that asked, and
 * PKCE (required of every client) binds the code to the app that started the sign-in.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `'${uri}' is not an absolute URL`;
  }
  if (url.hash || uri.includes('#')) {
    return `'${uri}' must not have a fragment`;
  }
  if (url.username || url.password) {
    return `'${uri}' must not carry a user name or password`;
  }
  if (url.protocol === 'https:') {
    return undefined;
  }
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) {
    return undefined;
  }
  return `'${uri}' must be https:// (http:// only on localhost or 127.0.0.1)`;
}

/** The scope patterns an app may be given: patient/ and user/ resource scopes only. */
export function appScopePatterns(given: readonly string[] | undefined): string[] {
  const scopes = given?.length ? [...new Set(given)] : DEFAULT_APP_SCOPES;
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (!parsed || parsed.context === 'system') {
      throw new AppMetadataError(
        'invalid_client_metadata',
        `'${scope}' is not a SMART patient/ or user/ scope (patient/*.rs, user/Observation.rs, ...); ` +
          'back-end integrations are registered with `careweave client create`',
      );
    }
  }
  return scopes;
}

/**
 * The provider metadata of a SMART app, checked. Throws AppMetadataError. A confidential app with
 * client_secret_basic gets a generated secret (returned once).
 */
export function appMetadata(input: AppRegistration): { metadata: Record<string, unknown>; clientSecret?: string } {
  if (!/^[A-Za-z0-9._-]{3,64}$/.test(input.clientId)) {
    throw new AppMetadataError('invalid_client_metadata', 'A client id has 3 to 64 letters, digits and . _ -');
  }
  const name = input.name.trim();
  if (!name || name.length > 200) {
    throw new AppMetadataError(
      'invalid_client_metadata',
      'An app needs a name (client_name) of at most 200 characters',
    );
  }
  if (!input.redirectUris.length) {
    throw new AppMetadataError('invalid_redirect_uri', 'An app needs at least one redirect URI');
  }
  for (const uri of input.redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) {
      throw new AppMetadataError('invalid_redirect_uri', problem);
    }
  }
  if (!APP_AUTH_METHODS.includes(input.authentication)) {
    throw new AppMetadataError(
      'invalid_client_metadata',
      `token_endpoint_auth_method must be one of ${APP_AUTH_METHODS.join(', ')}`,
    );
  }
  const keys = [input.jwks, input.jwksUri].filter((v) => v !== undefined);
  if (input.authentication === 'private_key_jwt' && keys.length !== 1) {
    throw new AppMetadataError('invalid_client_metadata', 'private_key_jwt needs exactly one of jwks or jwks_uri');
  }
  if (input.authentication !== 'private_key_jwt' && keys.length) {
    throw new AppMetadataError('invalid_client_metadata', 'jwks and jwks_uri are for private_key_jwt only');
  }
  for (const key of input.jwks?.keys ?? []) {
    if ('d' in key || 'k' in key) {
      throw new AppMetadataError('invalid_client_metadata', 'The JWKS must hold public keys only');
    }
  }
  if (input.jwksUri !== undefined && !input.jwksUri.startsWith('https://')) {
    throw new AppMetadataError('invalid_client_metadata', 'jwks_uri must be https://');
  }
  const scopes = appScopePatterns(input.scopes);
  const clientSecret =
    input.authentication === 'client_secret_basic' ? randomBytes(32).toString('base64url') : undefined;
  const metadata: Record<string, unknown> = {
    client_name: name,
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...new Set(input.redirectUris)],
    token_endpoint_auth_method: input.authentication,
    [APP_ALLOWED_SCOPES_PROPERTY]: scopes.join(' '),
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    ...(input.jwks ? { jwks: input.jwks } : {}),
    ...(input.jwksUri ? { jwks_uri: input.jwksUri } : {}),
  };
  return { metadata, ...(clientSecret ? { clientSecret } : {}) };
}

/** Whether stored client metadata is a SMART app's (people sign in to it), not a back-end client's. */
export function isAppMetadata(metadata: Record<string, unknown>): boolean {
  return Array.isArray(metadata.grant_types) && metadata.grant_types.includes('authorization_code');
}

/** The origins of an app's redirect URIs: where it runs, so where its browser requests come from. */
export function appOrigins(metadata: Record<string, unknown>): string[] {
  const uris = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris : [];
  const out: string[] = [];
  for (const uri of uris) {
    try {
      out.push(new URL(String(uri)).origin);
    } catch {
      // not a URL: no origin
    }
  }
  return out;
}
