import type { IncomingMessage, ServerResponse } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { isOperationOutcomeError, tooManyRequests } from '../fhir/outcome.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { purgeExpired } from './adapter.ts';
import { registerAdminApi } from './admin-api.ts';
import { AppAuthorisations } from './app-consent.ts';
import { AppRegistry } from './app-registry.ts';
import { registerConnectedAppsApi } from './connected-apps.ts';
import { authenticateHook, fhirScopeHook, TokenVerifier } from './authenticate.ts';
import { clientAddress } from './client-address.ts';
import { CorsPolicy, corsHook } from './cors.ts';
import { AUTH_PREFIX, WEB_CLIENT_ID, type AuthContext, type AuthPlatform } from './context.ts';
import { Federation } from './federation.ts';
import { registerInteractionRoutes } from './interactions.ts';
import { ensureSigningKeys } from './keys.ts';
import { createProvider, ROUTES } from './provider.ts';
import { databaseRateLimitStore } from './rate-limit.ts';
import { GrantRevocations } from './revocations.ts';
import { smartConfiguration } from './smart.ts';
import { AuthStore } from './store.ts';
import { PAGE_HEADERS, renderMessagePage } from './views.ts';

export { clientAddress };

const AUTH_PURGE_QUEUE = 'auth.purge-expired';

export interface AuthRuntime {
  context: AuthContext;
  provider: Provider;
  verifier: TokenVerifier;
}

/**
 * Sign-in for the whole app, in one call from buildApp (before the FHIR routes are registered):
 * - the OpenID provider under /auth (its Koa handler behind a Fastify catch-all route),
 *   the login pages, NHS CIS2 / NHS login federation, discovery documents;
 * - CORS for browser apps on other origins (src/auth/cors.ts);
 * - an onRequest hook requiring a Bearer token on /fhir/* and /api/* that sets `request.actor`;
 * - a preHandler refusing FHIR requests the token's SMART scopes do not cover;
 * - the admin API under /api/admin, and /api/connected-apps (the apps a person has allowed).
 */
export async function registerAuth(
  app: FastifyInstance,
  platform: AuthPlatform & { jobs: Pick<JobQueue, 'define'> },
): Promise<AuthRuntime> {
  const config = platform.config.auth;
  if (config.bootstrapClient && platform.config.production) {
    throw new Error('Refusing to start: CAREWEAVE_BOOTSTRAP_CLIENT_ID is set and CAREWEAVE_PRODUCTION=true');
  }
  const context: AuthContext = {
    platform,
    config,
    store: new AuthStore(platform.db),
    issuer: `${platform.config.baseUrl}${AUTH_PREFIX}`,
    fhirBase: platform.fhirBase,
    webClientId: WEB_CLIENT_ID,
    revocations: new GrantRevocations(platform.db),
    apps: new AppRegistry(platform.db, config.webRedirectUris),
    authorisations: new AppAuthorisations(platform.db),
    cors: new CorsPolicy({
      baseUrl: platform.config.baseUrl,
      webRedirectUris: config.webRedirectUris,
      ...(config.corsOrigins ? { origins: config.corsOrigins } : {}),
    }),
  };
  // Registered apps' origins join the CORS allow list (their redirect URIs say where they run).
  context.cors.addSource((origin) => context.apps.allowsOrigin(origin));
  await context.apps.refresh();
  const keys = await ensureSigningKeys(platform.db);
  const provider = createProvider(context, keys);
  provider.on('server_error', (_ctx, error) => app.log.error({ err: error }, 'OpenID provider error'));
  const federation = new Federation(context);
  const verifier = new TokenVerifier(context);

  if (config.bootstrapClient) {
    const warning =
      `BOOTSTRAP CLIENT '${config.bootstrapClient.clientId}' IS ENABLED: it can read and change every record with ` +
      'system/*.cruds. Use it only for first set-up and development; unset CAREWEAVE_BOOTSTRAP_CLIENT_ID/SECRET afterwards.';
    app.log.warn(warning);
    if (platform.config.logLevel === 'silent') {
      process.emitWarning(warning, { code: 'CAREWEAVE_BOOTSTRAP_CLIENT' });
    }
  }

  if (!app.hasRequestDecorator('actor')) {
    app.decorateRequest('actor', undefined);
  }
  if (!app.hasRequestDecorator('token')) {
    app.decorateRequest('token', undefined);
  }
  // CORS first: a preflight carries no token, and is answered before authentication would refuse it.
  app.addHook('onRequest', corsHook(context.cors));
  app.addHook('onRequest', authenticateHook(verifier));
  app.addHook('preHandler', fhirScopeHook());

  const smart = smartConfiguration(context.issuer);
  app.get('/.well-known/smart-configuration', (_request, reply) =>
    reply.header('cache-control', 'max-age=300').send(smart),
  );
  app.get('/fhir/R4/.well-known/smart-configuration', (_request, reply) =>
    reply.header('cache-control', 'max-age=300').send(smart),
  );

  const limit = { max: config.rateLimit.max, timeWindow: config.rateLimit.windowSeconds * 1000 };
  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false,
      store: databaseRateLimitStore(platform.db),
      keyGenerator: (request) => clientAddress(request, config.trustProxy),
      errorResponseBuilder: (_request, context) =>
        tooManyRequests(`Too many requests: try again in ${Math.ceil(context.ttl / 1000)} seconds`, context.ttl / 1000),
    });
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      const status = isOperationOutcomeError(error) ? error.status : (error.statusCode ?? 500);
      if (status >= 500) {
        request.log.error({ err: error }, 'sign-in request failed');
      }
      const message = status >= 500 ? 'Something went wrong. Try again later.' : error.message;
      if (isOperationOutcomeError(error)) {
        void reply.headers(error.headers);
      }
      if (request.method === 'POST' && request.url.startsWith(`${AUTH_PREFIX}${ROUTES.token}`)) {
        return reply
          .code(status)
          .header('cache-control', 'no-store')
          .send({ error: status === 429 ? 'too_many_requests' : 'server_error', error_description: message });
      }
      return reply
        .code(status)
        .headers(PAGE_HEADERS)
        .send(renderMessagePage(status === 429 ? 'Too many attempts' : 'Sorry, there is a problem', message));
    });

    // The provider reads its own request bodies: in its scope, Fastify leaves the stream alone.
    await scope.register((oidc, _options, registered) => {
      oidc.removeAllContentTypeParsers();
      oidc.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      const handler = provider.callback() as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
      const forward = (path?: string) => async (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        const raw = request.raw as IncomingMessage & { originalUrl?: string };
        const url = path ? `${path}${raw.url!.includes('?') ? raw.url!.slice(raw.url!.indexOf('?')) : ''}` : raw.url!;
        // Express-style mount: oidc-provider derives its mount path from originalUrl minus url.
        raw.originalUrl = url;
        raw.url = url.slice(AUTH_PREFIX.length) || '/';
        await handler(raw, reply.raw);
      };
      oidc.post(`${AUTH_PREFIX}${ROUTES.token}`, { config: { rateLimit: limit } }, forward());
      oidc.all(`${AUTH_PREFIX}/*`, forward());
      oidc.get('/.well-known/openid-configuration', forward(`${AUTH_PREFIX}/.well-known/openid-configuration`));
      oidc.get('/.well-known/oauth-authorization-server', forward(`${AUTH_PREFIX}/.well-known/openid-configuration`));
      registered();
    });

    await scope.register((pages, _options, registered) => {
      registerInteractionRoutes(pages, context, provider, federation);
      registered();
    });
  });

  registerAdminApi(app, context);
  registerConnectedAppsApi(app, context);

  // Expired sessions, codes, rate-limit windows: a schedule, run by one instance every 10 minutes.
  platform.jobs.define({
    name: AUTH_PURGE_QUEUE,
    schedule: { cron: '*/10 * * * *' },
    options: { retryLimit: 0 },
    handler: () => purgeExpired(platform.db),
  });

  return { context, provider, verifier };
}
