import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, SystemActor } from '../access/actor.ts';
import type { AuditLog } from '../access/audit.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { Reaction } from '../events/bus.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { WriteCheck } from '../fhir/store/write-checks.ts';
import type { WriteEffect } from '../fhir/store/write-effects.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { CareModule, DemoSeed, ModuleContext, ModuleParts, ModuleServices } from './contract.ts';
import { registerScopedRoutes, type ApiRoute } from './api-scopes.ts';
import { migrateModules } from './migrations.ts';
import { runUnitOfWork } from './unit-of-work.ts';

/** What the platform offers modules: the narrow side of `Platform` (src/http/app.ts satisfies it). */
export interface ModuleHost {
  config: Config;
  db: Database;
  resources: ResourceService;
  fhirBase: string;
  accessFor(actor: Actor): CallerAccess;
  jobs: JobQueue;
  access: { audit: AuditLog };
  events: { register(reaction: Reaction): void };
  writeChecks: { add(check: WriteCheck): void };
  writeEffects: { add(effect: WriteEffect): void };
  /** Each module's validated settings (src/modules/settings.ts). */
  moduleSettings: ReadonlyMap<string, unknown>;
}

/** A module once set up in an app. */
export interface InstalledModule {
  module: CareModule;
  context: ModuleContext;
  parts: ModuleParts;
  /** The `/api/` routes it added, each behind its scope guard (src/modules/api-scopes.ts). */
  apiRoutes: ApiRoute[];
}

/** The modules of one app, in order. */
export class InstalledModules {
  readonly list: readonly InstalledModule[];
  private readonly services: Partial<ModuleServices>;

  constructor(list: readonly InstalledModule[], services: Partial<ModuleServices>) {
    this.list = list;
    this.services = services;
  }

  /** A service a module provides (tests, the CLI); throws if no installed module provides it. */
  use<K extends keyof ModuleServices>(name: K): ModuleServices[K] {
    const service = this.services[name];
    if (!service) {
      throw new Error(`No installed module provides '${String(name)}'`);
    }
    return service;
  }

  /** Each module's demo data, in module order (after the core demo population). */
  async seed(demo: DemoSeed): Promise<void> {
    for (const { module, parts } of this.list) {
      if (parts.seed) {
        demo.log(`Demo data: ${module.title}`);
        await parts.seed(demo);
      }
    }
  }

  async start(): Promise<void> {
    for (const { parts } of this.list) {
      await parts.start?.();
    }
  }

  /** In reverse order: a module stops before those it uses. */
  async stop(): Promise<void> {
    for (const { parts } of [...this.list].reverse()) {
      await parts.stop?.();
    }
  }
}

/**
 * Sets up `modules` on `app`, in list order (a module's `requires` must come before it): migrates
 * their tables, builds each one's context and parts, then registers the parts — services, FHIR
 * routes under `/fhir/R4`, other routes, jobs, reactions, HL7 v2 and inbound-SMS handlers (through
 * the `hl7v2` and `sms` modules' services). Call before the app is ready (jobs start then).
 */
export async function installModules(
  app: FastifyInstance,
  host: ModuleHost,
  modules: readonly CareModule[],
): Promise<InstalledModules> {
  checkOrder(modules);
  await migrateModules(host.db, modules);
  const services: Partial<ModuleServices> = {};
  const installed: InstalledModule[] = [];
  for (const module of modules) {
    const context = contextFor(app, host, module, services);
    const parts = await module.setup(context);
    Object.assign(services, parts.provides ?? {});
    installed.push({ module, context, parts, apiRoutes: [] });
  }
  for (const entry of installed) {
    entry.apiRoutes = await registerParts(app, host, entry.context, entry.parts);
  }
  return new InstalledModules(installed, services);
}

function checkOrder(modules: readonly CareModule[]): void {
  const seen = new Set<string>();
  for (const module of modules) {
    if (seen.has(module.name)) {
      throw new Error(`Module '${module.name}' is listed twice`);
    }
    for (const required of module.requires ?? []) {
      if (!seen.has(required)) {
        throw new Error(`Module '${module.name}' requires '${required}', which must be listed before it`);
      }
    }
    seen.add(module.name);
  }
}

export function moduleSystemActor(module: Pick<CareModule, 'name' | 'systemScopes'>): SystemActor {
  return { kind: 'system', clientId: `module:${module.name}`, scopes: module.systemScopes ?? ['system/*.cruds'] };
}

function contextFor(
  app: FastifyInstance,
  host: ModuleHost,
  module: CareModule,
  services: Partial<ModuleServices>,
): ModuleContext {
  const recordAs = (actor: Actor): ResourceService => host.resources.forCaller(host.accessFor(actor));
  const systemActor = moduleSystemActor(module);
  return {
    name: module.name,
    settings: host.moduleSettings.get(module.name) ?? {},
    core: {
      baseUrl: host.config.baseUrl,
      fhirBase: host.fhirBase,
      production: host.config.production,
      demoData: host.config.demoData,
    },
    config: host.config,
    db: host.db,
    system: host.resources,
    recordFor: (request: FastifyRequest) => recordAs(requireRequestActor(request)),
    recordAs,
    audit: host.access.audit,
    accessFor: (actor) => host.accessFor(actor),
    actorOf: (request) => request.actor,
    systemActor,
    unitOfWork: (actor, work, join) => runUnitOfWork({ ...host, systemActor }, actor, work, join),
    jobs: host.jobs,
    use: (name) => {
      const service = services[name];
      if (!service) {
        throw new Error(`Module '${module.name}' uses '${String(name)}', which is not installed before it`);
      }
      return service;
    },
    log: app.log.child({ module: module.name }),
  };
}

function requireRequestActor(request: FastifyRequest): Actor {
  if (!request.actor) {
    // The sign-in layer refuses /fhir and /api requests without a token before any route runs;
    // a route that reaches here without an actor is a wiring mistake, and fails closed.
    throw Object.assign(new Error('An access token is required'), { statusCode: 401 });
  }
  return request.actor;
}

async function registerParts(
  app: FastifyInstance,
  host: ModuleHost,
  context: ModuleContext,
  parts: ModuleParts,
): Promise<ApiRoute[]> {
  if (parts.fhir) {
    const fhir = parts.fhir;
    await app.register(
      (scope, _options, done) => {
        fhir(scope);
        done();
      },
      { prefix: '/fhir/R4' },
    );
  }
  const apiRoutes = parts.routes
    ? await registerScopedRoutes(app, context.name, parts.apiScopes, parts.routes, host.access.audit)
    : [];
  for (const job of parts.jobs ?? []) {
    host.jobs.define(job);
  }
  for (const reaction of parts.reactions ?? []) {
    host.events.register(reaction);
  }
  for (const check of parts.writeChecks ?? []) {
    host.writeChecks.add(check);
  }
  for (const effect of parts.writeEffects ?? []) {
    host.writeEffects.add(effect);
  }
  for (const [messageType, handler] of Object.entries(parts.hl7 ?? {})) {
    context.use('hl7v2').handlers.register(messageType, handler);
  }
  if (parts.inboundSms) {
    context.use('sms').onInbound(parts.inboundSms);
  }
  return apiRoutes;
}
