import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_PREFIX, ROUTES } from './endpoints.ts';

/**
 * Cross-origin access for browser apps (SMART apps on another origin): SMART discovery, the token,
 * revocation, introspection, userinfo and key endpoints, and the FHIR API. The authorization
 * endpoint and the sign-in pages are browser navigations and get none; nor does `/api`.
 *
 * Allowed origins: `CAREWEAVE_CORS_ORIGINS` (default: the base URL's origin), the web app's
 * redirect URI origins, and whatever the registered-app sources say (`addSource`: the seam for
 * SMART app registration, whose apps' origins are allowed without configuration). A request from
 * any other origin gets no CORS headers at all, so the browser keeps the answer from the page.
 * `Access-Control-Allow-Credentials` is never sent: tokens travel in the Authorization header,
 * and the sign-in cookies must never be usable from another origin.
 */

/** Answers whether an origin (`https://app.example`) is allowed; must be quick (it runs per request). */
export type OriginSource = (origin: string) => boolean;

export interface CorsSettings {
  /** `CAREWEAVE_CORS_ORIGINS`; undefined: the base URL's origin. */
  origins?: readonly string[];
  baseUrl: string;
  webRedirectUris: readonly string[];
}

export class CorsPolicy {
  private readonly fixed: ReadonlySet<string>;
  private readonly sources: OriginSource[] = [];

  constructor(settings: CorsSettings) {
    const configured = settings.origins ?? [new URL(settings.baseUrl).origin];
    this.fixed = new Set([...configured, ...settings.webRedirectUris.map((uri) => new URL(uri).origin)]);
  }

  /** Adds a source of allowed origins (registered SMART apps). */
  addSource(source: OriginSource): void {
    this.sources.push(source);
  }

  allows(origin: string | undefined): boolean {
    if (!origin || origin === 'null') {
      return false;
    }
    return this.fixed.has(origin) || this.sources.some((source) => source(origin));
  }
}

const FHIR_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Prefer',
  'If-Match',
  'If-None-Match',
  'If-None-Exist',
  'If-Modified-Since',
].join(', ');
/** What a FHIR client reads from answers: where a created resource is, versions, the 401 challenge, bulk progress. */
const EXPOSE_HEADERS = [
  'Location',
  'Content-Location',
  'ETag',
  'Last-Modified',
  'WWW-Authenticate',
  'Retry-After',
  'X-Progress',
  'Expires',
].join(', ');
/** Seconds a browser may cache a preflight answer. */
export const PREFLIGHT_MAX_AGE = 600;

/** The methods a cross-origin path takes; undefined: the path gets no CORS. */
export function corsMethods(path: string): string | undefined {
  if (path === '/fhir/R4' || path.startsWith('/fhir/R4/')) {
    return path.endsWith('/.well-known/smart-configuration') ? 'GET, HEAD' : FHIR_METHODS;
  }
  if (path.startsWith('/.well-known/') || path.startsWith(`${AUTH_PREFIX}/.well-known/`)) {
    return 'GET, HEAD';
  }
  if (!path.startsWith(`${AUTH_PREFIX}/`)) {
    return undefined;
  }
  switch (path.slice(AUTH_PREFIX.length)) {
    case ROUTES.token:
    case ROUTES.revocation:
    case ROUTES.introspection:
      return 'POST';
    case ROUTES.userinfo:
      return 'GET, POST';
    case ROUTES.jwks:
      return 'GET, HEAD';
    default:
      return undefined;
  }
}

/**
 * Sets a header where it will be sent: on the reply, and on the raw response for the routes the
 * OpenID provider answers itself (they hijack the reply; it then sees them and adds no CORS of its own).
 */
function set(reply: FastifyReply, name: string, value: string): void {
  void reply.header(name, value);
  reply.raw.setHeader(name, value);
}

/**
 * onRequest hook, registered before authentication: answers preflights itself (204, never
 * refused for want of a token — a preflight carries none) and adds the CORS headers to the
 * answers of allowed origins. Other requests go on as usual; without the headers a browser
 * keeps the answer from a page of a disallowed origin.
 */
export function corsHook(policy: CorsPolicy) {
  return function cors(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const path = request.url.split('?')[0]!;
    const methods = corsMethods(path);
    if (!methods) {
      return done();
    }
    const origin = request.headers.origin;
    const preflight =
      request.method === 'OPTIONS' && typeof request.headers['access-control-request-method'] === 'string';
    set(reply, 'Vary', 'Origin');
    const allowed = policy.allows(origin);
    if (allowed) {
      set(reply, 'Access-Control-Allow-Origin', origin!);
    }
    if (!preflight) {
      if (allowed) {
        set(reply, 'Access-Control-Expose-Headers', EXPOSE_HEADERS);
      }
      return done();
    }
    if (allowed) {
      void reply.headers({
        'access-control-allow-methods': methods,
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE),
      });
    }
    void reply.code(204).send();
  };
}
