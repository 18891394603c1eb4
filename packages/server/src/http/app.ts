import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { fromDatabaseError } from '../fhir/database-errors.ts';
import { isOperationOutcomeError, issue, OperationOutcomeError, outcome, statusForOutcome } from '../fhir/outcome.ts';
import { FHIR_JSON } from '../fhir/rest/http.ts';
import { registerFhirRoutes } from '../fhir/rest/routes.ts';
import { operationRegistry } from '../fhir/operations/registry.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import { SOFTWARE } from '../version.ts';
import { registerAuth } from '../auth/register.ts';
import { actorOf } from '../auth/authenticate.ts';
import {
  accessHooks,
  createAccessModule,
  registerAccessRoutes,
  registerAuditOperations,
  type AccessModule,
  type AccessOptions,
} from '../access/index.ts';
import type { Actor } from '../access/actor.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import { CARE_MODULES } from '../care-modules.ts';
import type { CareModule } from '../modules/contract.ts';
import { installModules, type InstalledModules } from '../modules/install.ts';
import { loadModuleSettings } from '../modules/settings.ts';
import { registerWebApp } from './web-app.ts';
import fastifyCompress from '@fastify/compress';
import { registerSharingSummary } from '../access/sharing-summary.routes.ts';
import { registerPatientMatch } from '../access/patient-match.ts';
import type { FastifyRequest } from 'fastify';
import { JobQueue } from '../jobs/queue.ts';
import { BulkExportService } from '../fhir/bulk/service.ts';
import { registerBulkExportRoutes } from '../fhir/bulk/routes.ts';
import { WriteChecks } from '../fhir/store/write-checks.ts';
import { WriteEffects } from '../fhir/store/write-effects.ts';
import { SubscriptionEvents } from '../fhir/subscriptions/events.ts';
import { SubscriptionService } from '../fhir/subscriptions/service.ts';
import { registerSubscriptionWebsocket } from '../fhir/subscriptions/websocket.routes.ts';
import { Events } from '../events/index.ts';
import { listen } from '../events/listen.ts';
import { clientErrorHandler, frameworkErrorHandler, registerHardening } from './hardening.ts';
import { parseJsonBody } from './json-body.ts';
import { answerInXml, registerXmlResponses, requestedFormat, XML_TYPES } from './fhir-format.ts';
import { parseXmlBody } from './xml-body.ts';
import { registerReplicaRouting, replicaReaderOf } from './replica-routing.ts';
import { ReplicaRouter } from '../db/replicas.ts';

export interface Platform {
  config: Config;
  db: Database;
  /** The whole record, unrestricted: for internal jobs. Requests use `serviceFor(request)`. */
  resources: ResourceService;
  fhirBase: string;
  access: AccessModule;
  /**
   * A caller's whole access: the access policy plus the platform's own rules on top (who may see a
   * Subscription). Everything that reads or writes for someone binds this, never `access.accessFor`.
   */
  accessFor(actor: Actor, options?: AccessOptions): CallerAccess;
  /** The record as the request's verified actor may see and change it (docs/ACCESS.md). */
  serviceFor(request: FastifyRequest): ResourceService;
  /** Streaming replicas serving reads, when configured (src/db/replicas.ts). */
  replicas?: ReplicaRouter;
  /** Background jobs (pg-boss), shared by every instance on the database; started with the app. */
  jobs: JobQueue;
  /** FHIR Bulk Data export ($export), run as jobs. */
  bulkExport: BulkExportService;
  /** FHIR Subscriptions (rest-hook), matched and delivered as their owners through the access policy. */
  subscriptions: SubscriptionService;
  /** Domain events: reactions to committed writes, fed by the same outbox (src/events/). */
  events: Events;
  /** The care modules this platform runs (src/care-modules.ts), set up by `buildApp`. */
  modules: readonly CareModule[];
  /** Each module's `CAREWEAVE_<MODULE>_*` settings, validated when the platform is created. */
  moduleSettings: ReadonlyMap<string, unknown>;
  /** What modules require of the resources they act on, checked on every write. */
  writeChecks: WriteChecks;
  /** What modules make true when resources are written, in the write's transaction (slot holding). */
  writeEffects: WriteEffects;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's care modules, set up (src/modules/install.ts): `app.modules.use('sms')`. */
    modules: InstalledModules;
  }
}

/**
 * The platform's services over one database. Fails (ConfigError) when a module's settings are
 * invalid, so a misconfigured deployment stops at start-up.
 */
export function createPlatform(config: Config, db: Database, modules: readonly CareModule[] = CARE_MODULES): Platform {
  const moduleSettings = loadModuleSettings(modules, config.env);
  const fhirBase = `${config.baseUrl}/fhir/R4`;
  // Every write also records Subscription outbox events, in its own transaction.
  // Modules' rules for what may be written (src/fhir/store/write-checks.ts), added as they are installed.
  const writeChecks = new WriteChecks();
  // And what they make true in the same transaction (src/fhir/store/write-effects.ts).
  const writeEffects = new WriteEffects();
  const subscriptionEvents = new SubscriptionEvents({
    ...accessHooks(fhirBase),
    check: (tx, written) => writeChecks.run(tx, written),
  });
  const resources = new ResourceService(db, {
    fhirBase,
    defaultPageSize: config.defaultPageSize,
    maxPageSize: config.maxPageSize,
    hooks: subscriptionEvents.hooks,
    effects: writeEffects,
  });
  // The access module writes (break-glass alerts) through the same store, so they notify too.
  const access = createAccessModule({ db, fhirBase, resources, auditBufferMs: config.auditBufferMs });
  const jobs = new JobQueue(db, { concurrency: config.jobConcurrency });
  const subscriptions = new SubscriptionService({
    db,
    queue: jobs,
    resources,
    access,
    events: subscriptionEvents,
    fhirBase,
    settings: config.subscriptions,
  });
  const accessFor = (actor: Actor, options?: AccessOptions): CallerAccess => subscriptions.accessFor(actor, options);
  const events = new Events({
    db,
    resources,
    accessFor,
    outbox: subscriptionEvents,
    outboxDispatcher: subscriptions.dispatcher,
  });
  // Exports see the record exactly as the caller's searches do.
  const bulkExport = new BulkExportService({
    db,
    queue: jobs,
    resources,
    access: { ...access, accessFor },
    fhirBase,
    expiryHours: config.bulkExportExpiryHours,
  });
  const replicas =
    config.database.kind === 'postgres' && config.database.replicas
      ? new ReplicaRouter(db, {
          ...config.database.replicas,
          poolSize: config.database.poolSize,
          statementTimeoutMs: config.database.statementTimeoutMs,
        })
      : undefined;
  return {
    config,
    db,
    resources,
    fhirBase,
    access,
    accessFor,
    serviceFor: (request) => {
      const access = accessFor(actorOf(request));
      const reader = replicaReaderOf(request);
      // On a replica the caller's audit rows go to the primary: a standby cannot be written.
      return reader
        ? new ResourceService(reader, resources.options, {
            ...access,
            ...(access.recordAccess ? { recordAccess: (_tx, event) => access.recordAccess!(db, event) } : {}),
          })
        : resources.forCaller(access);
    },
    replicas,
    jobs,
    bulkExport,
    subscriptions,
    events,
    modules,
    moduleSettings,
    writeChecks,
    writeEffects,
  };
}

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json-patch+json'];

/** Builds the HTTP application: FHIR API under /fhir/R4, health check, errors as OperationOutcome. */
export async function buildApp(platform: Platform): Promise<FastifyInstance> {
  const { config } = platform;
  const hardening = { hstsMaxAge: config.hstsMaxAge };
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.maxRequestBytes,
    // Getting ready starts the job queue and the modules (their schemas on a first start): on a busy
    // machine that takes longer than Fastify's 10 s default, which would abort the start.
    pluginTimeout: 120_000,
    // Per-request log lines only when debugging: at thousands of requests a second they are noise.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // What Node or the router refuses before any route runs is an OperationOutcome too (src/http/hardening.ts).
    clientErrorHandler: clientErrorHandler(hardening),
    frameworkErrors: frameworkErrorHandler(hardening),
  });
  registerHardening(app, hardening);
  // Responses over 1 KiB compressed for clients that accept it (a patient's $everything is ~10x
  // smaller gzipped); Brotli at quality 4, cheap enough per request. The web app's own files are
  // compressed once at build time and sent as they are (src/http/web-app.ts).
  // FHIR XML answers are made from the routes' JSON before compression sees them.
  registerXmlResponses(app);
  await app.register(fastifyCompress, { encodings: ['br', 'gzip'], threshold: 1024 });
  // One registry of FHIR operations for every plugin: the CapabilityStatement and OperationDefinitions read it.
  operationRegistry(app);

  app.removeAllContentTypeParsers();
  // Bodies past the size, node-count or depth limits, or holding text PostgreSQL cannot store, are
  // refused before anything is built from them (src/fhir/limits.ts, docs/FHIR.md "Limits").
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : parseJsonBody(body as string, { maxNodes: config.maxJsonNodes }));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (request, body, done) => {
    try {
      // Only the FHIR API reads XML: elsewhere (webhooks, unknown paths, before any sign-in) it is
      // refused unread.
      if (!request.url.startsWith('/fhir/')) {
        throw new OperationOutcomeError(
          outcome(
            issue(
              'error',
              'not-supported',
              `Unsupported content type '${String(request.headers['content-type'])}' here; send JSON`,
            ),
          ),
          415,
        );
      }
      done(null, body === '' ? undefined : parseXmlBody(body as string, { maxNodes: config.maxJsonNodes }));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isOperationOutcomeError(error)) {
      // The refusal's own headers too: a 401's challenge, a 429's retry-after.
      return reply
        .code(error.status)
        .headers(error.headers)
        .header('content-type', FHIR_JSON)
        .send(JSON.stringify(error.outcome));
    }
    const refused = fromDatabaseError(error);
    if (refused) {
      request.log.warn({ err: error }, 'the database refused the request');
      return reply
        .code(refused.status)
        .headers(refused.headers)
        .header('content-type', FHIR_JSON)
        .send(JSON.stringify(refused.outcome));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    const code =
      status === 413 ? 'too-costly' : status === 415 ? 'not-supported' : status >= 500 ? 'exception' : 'invalid';
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `The request body is larger than the limit of ${config.maxRequestBytes} bytes`
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? `Unsupported content type '${String(request.headers['content-type'])}'; send application/fhir+json or application/fhir+xml`
          : status >= 500
            ? 'Internal server error'
            : error.message;
    return reply
      .code(status)
      .header('content-type', FHIR_JSON)
      .send(JSON.stringify(outcome(issue('error', code, message))));
  });

  app.setNotFoundHandler((request, reply) => {
    const body = outcome(issue('error', 'not-found', `No route for ${request.method} ${request.url.split('?')[0]}`));
    return reply.code(statusForOutcome(body)).header('content-type', FHIR_JSON).send(JSON.stringify(body));
  });

  // The job queue runs while the app does: started when it is ready, stopped (running jobs are
  // left to be retried) when it closes.
  app.addHook('onReady', async () => {
    await platform.replicas?.start(app.log);
    await platform.jobs.start(app.log);
    platform.subscriptions.start(app.log);
    platform.events.start(app.log);
    await app.modules.start();
  });
  app.addHook('onClose', async () => {
    await app.modules.stop();
    await platform.events.stop();
    await platform.subscriptions.stop();
    await platform.jobs.stop();
    await platform.replicas?.stop();
  });

  app.get('/healthz', async () => {
    await platform.db.query('select 1');
    return { status: 'ok', database: platform.db.kind };
  });

  // ---- Sign-in (src/auth/): /auth, discovery documents, /api/admin, and the hooks that require a
  // Bearer token on /fhir/* and /api/*, set request.actor and enforce SMART scopes. Must come
  // before the routes it protects.
  await registerAuth(app, platform);
  // ----

  // Every route under /fhir/R4 (the core's and the modules') answers JSON, or XML when asked
  // (`_format` or `Accept`; src/http/fhir-format.ts turns the JSON into XML on the way out).
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/fhir/')) {
      return done();
    }
    const format = requestedFormat(request.url, request.headers.accept);
    if (!format) {
      const body = outcome(
        issue('error', 'not-supported', '_format must be json or xml (application/fhir+json or application/fhir+xml)'),
      );
      void reply.code(406).header('content-type', FHIR_JSON).send(JSON.stringify(body));
      return;
    }
    if (format === 'xml') {
      answerInXml(request);
    }
    done();
  });

  if (platform.replicas) {
    registerReplicaRouting(app, platform.replicas);
  }

  await app.register(
    (fhir, _options, done) => {
      registerFhirRoutes(fhir, {
        serviceFor: (request) => platform.serviceFor(request),
        fhirBase: platform.fhirBase,
        software: SOFTWARE,
      });
      // The audit trail as AuditEvents: Patient/{id}/$access-log and $audit-log (src/access/).
      registerAuditOperations(fhir, { audit: platform.access.audit, fhirBase: platform.fhirBase });
      registerSharingSummary(fhir, { db: platform.db, audit: platform.access.audit });
      // A trace by NHS number or surname and date of birth, identity only (src/access/patient-match.ts).
      registerPatientMatch(fhir, {
        system: platform.resources,
        audit: platform.access.audit,
        fhirBase: platform.fhirBase,
      });
      registerBulkExportRoutes(fhir, {
        exports: platform.bulkExport,
        actorOf,
        serviceFor: (request) => platform.serviceFor(request),
        fhirBase: platform.fhirBase,
      });
      done();
    },
    { prefix: '/fhir/R4' },
  );
  // FHIR Subscriptions' websocket channel (src/fhir/subscriptions/websocket.ts).
  await registerSubscriptionWebsocket(app, {
    ...platform,
    listen: (channel, onNotify, onError) => listen(platform.db, channel, onNotify, onError),
  });
  registerAccessRoutes(app, platform.access);
  // Domain events: failed reactions listed and retried under /api/events (src/events/).
  platform.events.registerRoutes(app);
  // The care modules (src/care-modules.ts): their operations, routes, jobs, reactions and handlers.
  app.decorate('modules', await installModules(app, platform, platform.modules));
  // The web app at / (every module's pages).
  await registerWebApp(app);
  return app;
}
