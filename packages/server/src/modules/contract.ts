/**
 * The care module contract (docs/MODULES.md). A module is a folder that exports one `CareModule`;
 * the server's one list of modules (src/care-modules.ts) is the only file outside the folder that
 * names it. Everything a module needs from the platform comes through `ModuleContext`, a narrow
 * interface: a module never imports `http/app.ts`, and never another module's internals — it reacts
 * to events, reads the record through the caller's view, and uses the services other modules
 * `provide` (declared by declaration merging on `ModuleServices`).
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor, SystemActor } from '../access/actor.ts';
import type { AuditLog } from '../access/audit.ts';
import type { Config } from '../config/config.ts';
import type { Database, Queryable } from '../db/database.ts';
import type { Reaction } from '../events/bus.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { Hl7Handler } from '../hl7v2/registry.ts';
import type { InboundSmsHandler } from '../gateways/sms/registry.ts';
import type { JobDefinition, JobQueue } from '../jobs/queue.ts';
import type { WriteCheck } from '../fhir/store/write-checks.ts';
import type { WriteEffect } from '../fhir/store/write-effects.ts';
import type { ApiScopes } from './api-scopes.ts';
import type { UnitOfWork } from './unit-of-work.ts';

/** A module's own migration: operational state only, with the same access labels as the record. */
export interface ModuleMigration {
  /** 1, 2, 3, … within the module; append, never edit a released one. */
  version: number;
  name: string;
  sql: string;
}

/**
 * Services modules offer each other, by module name. A module that provides one declares it:
 *
 * @example
 * declare module '../modules/contract.ts' {
 *   interface ModuleServices { notifications: NotificationService }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModuleServices {}

/** What the platform gives a module: narrow on purpose (no `Platform`, no raw app). */
export interface ModuleContext<S = unknown> {
  /** The module's name (kebab-case). */
  name: string;
  /** Its `CAREWEAVE_<NAME>_*` settings, validated at start-up. */
  settings: S;
  /** Core settings modules may read. */
  core: { baseUrl: string; fhirBase: string; production: boolean; demoData: boolean };
  /**
   * The whole core configuration: for the platform's own gateway modules (HL7 v2, SMS, e-mail) whose
   * settings have names fixed by their providers (`CAREWEAVE_MLLP_PORT`, `CAREWEAVE_TWILIO_AUTH_TOKEN`).
   * Care modules use `settings`.
   */
  config: Readonly<Config>;
  /** The module's own tables (repositories). Never for FHIR data: use the record. */
  db: Database;
  /** The whole record, unrestricted: for jobs and reactions that run as a named system actor. */
  system: ResourceService;
  /** The record as the request's verified actor may see and change it (docs/ACCESS.md). */
  recordFor(request: FastifyRequest): ResourceService;
  /** The record as `actor` may see and change it. */
  recordAs(actor: Actor): ResourceService;
  /** The audit trail: a module records who looked at or changed its own operational state. */
  audit: Pick<AuditLog, 'record'>;
  /** The access of `actor` (the policy plus the platform's rules), for repositories that label rows. */
  accessFor(actor: Actor): CallerAccess;
  /** The verified actor of a request (undefined: no one signed in or an account with no person). */
  actorOf(request: FastifyRequest): Actor | undefined;
  /**
   * The system actor this module's background work is done as: `module:<name>` in the audit trail,
   * with the scopes it declares (`systemScopes`), direct care.
   */
  systemActor: SystemActor;
  /**
   * One transaction with the caller's view, row locks, and the module's system view. With `join`, the
   * unit is part of a transaction already open (an inbound text's handler gets one).
   */
  unitOfWork<T>(actor: Actor, work: (uow: UnitOfWork) => Promise<T>, join?: { tx: Queryable }): Promise<T>;
  /** Durable jobs and schedules shared by every instance (src/jobs/). */
  jobs: JobQueue;
  /** A service another module provides; throws if that module is not installed (list it in `requires`). */
  use<K extends keyof ModuleServices>(name: K): ModuleServices[K];
  log: FastifyBaseLogger;
}

/** What a module adds to the platform once set up. Every part is optional. */
export interface ModuleParts {
  /** Services other modules may `use` (by this module's name, see ModuleServices). */
  provides?: Partial<ModuleServices>;
  /** Routes under `/fhir/R4` (FHIR `$operations`: call `registerOperations` here). */
  fhir?: (fhir: FastifyInstance) => void;
  /** Other HTTP routes: `/api/<module>/…` (Bearer token required) and `/webhooks/<module>/…` (not). */
  routes?: (app: FastifyInstance) => void | Promise<void>;
  /**
   * What the `/api` routes need from the token's SMART scopes (`read` for GET, `write` otherwise), as
   * `/fhir/R4` needs them; a route may declare its own in `config.scopes`. Required when `routes` adds
   * an `/api` route: start-up fails without it (src/modules/api-scopes.ts).
   */
  apiScopes?: ApiScopes;
  /** Jobs and schedules (cron in Europe/London), defined before the queue starts. */
  jobs?: readonly JobDefinition<object>[];
  /** Reactions to committed writes (src/events/). */
  reactions?: readonly Reaction[];
  /** HL7 v2 handlers by message type (MSH-9.1), e.g. `{ ADT: adtHandler }`. */
  hl7?: Readonly<Record<string, Hl7Handler>>;
  /** Inbound texts that are not opt-out keywords, in module order, inside the storing transaction. */
  inboundSms?: InboundSmsHandler;
  /**
   * Rules for resources the module acts on, checked on every write by anyone (a broken one is refused
   * with a 422 OperationOutcome, nothing written): e.g. a telehealth CarePlan must name a protocol
   * version that exists and record the patient's agreement.
   */
  writeChecks?: readonly WriteCheck[];
  /**
   * What the module makes true whenever resources of some types are written by anyone, inside the
   * write's own transaction (a throw rolls the write back): an Appointment naming a Slot takes it.
   */
  writeEffects?: readonly WriteEffect[];
  /** Demo data, after the core demo population; must be idempotent (runs on every start with demo data). */
  seed?: (demo: DemoSeed) => Promise<void>;
  /** When the app is ready (after jobs start) and when it closes. */
  start?: () => void | Promise<void>;
  stop?: () => void | Promise<void>;
}

/** What a module's demo seed gets. */
export interface DemoSeed {
  /** The demo population's seed (deterministic data). */
  seed: number;
  log: (line: string) => void;
}

/** A care module. */
export interface CareModule<S = unknown> {
  /** kebab-case: `portal`, `telehealth`. Names its settings (`CAREWEAVE_TELEHEALTH_*`) and migrations. */
  name: string;
  title: string;
  /** Modules that must be set up first (whose services this one uses). */
  requires?: readonly string[];
  /** Settings read from `CAREWEAVE_<NAME>_<KEY>`: a zod object over the keys without the prefix. */
  settings?: z.ZodType<S>;
  migrations?: readonly ModuleMigration[];
  /** SMART scopes of the module's system actor (default: none beyond what its parts declare). */
  systemScopes?: readonly string[];
  setup(context: ModuleContext<S>): ModuleParts | Promise<ModuleParts>;
}

/**
 * Declares a module (typing its settings from the schema).
 *
 * @example
 * export const telehealth = defineModule({
 *   name: 'telehealth',
 *   title: 'Telehealth by text message',
 *   settings: z.object({ REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(9) }),
 *   setup: (context) => ({ routes: (app) => registerTelehealthRoutes(app, context) }),
 * });
 */
export function defineModule<S>(module: CareModule<S>): CareModule<S> {
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(module.name)) {
    throw new Error(`Module name '${module.name}' must be kebab-case (a-z, 0-9, -), 2-31 characters`);
  }
  return module;
}
