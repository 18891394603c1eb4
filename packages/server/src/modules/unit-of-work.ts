import type { Actor } from '../access/actor.ts';
import type { Database, Queryable } from '../db/database.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';

/**
 * One piece of a service's work, in one transaction: the record as the caller may see and change it,
 * the module's own tables, row locks, and — for system actors only — the unrestricted record. Every
 * write made through it records its outbox events (Subscriptions, domain events) in the same
 * transaction, so a rolled-back unit tells nobody anything.
 */
export interface UnitOfWork {
  readonly actor: Actor;
  /** The record through the caller's access policy and audit trail. */
  readonly record: ResourceService;
  /** The module's own operational tables, in the same transaction. */
  readonly tx: Queryable;
  /**
   * The record as the module's named system actor (`module:<name>`) sees and changes it, in the same
   * transaction: for what the module does on the caller's behalf but the caller may not do themselves
   * (mark a directory Slot busy when a patient books it). Its writes are audited as that actor.
   */
  system(): ResourceService;
  /**
   * Serialises work on the same keys across connections and processes until the unit ends (PostgreSQL
   * transaction advisory locks; the same keys the FHIR store's conditional interactions take).
   */
  lock(...keys: string[]): Promise<void>;
}

export interface UnitOfWorkOptions {
  db: Database;
  /** Unrestricted store whose options (base URL, hooks) the unit's services share. */
  resources: ResourceService;
  accessFor(actor: Actor): CallerAccess;
  /** The module's system actor, for `system()`. */
  systemActor: Actor;
}

/** Runs `work` as `actor` in one transaction; the caller's refusals are audited once it has ended. */
export async function runUnitOfWork<T>(
  options: UnitOfWorkOptions,
  actor: Actor,
  work: (uow: UnitOfWork) => Promise<T>,
  join?: { tx: Queryable },
): Promise<T> {
  const access = options.accessFor(actor);
  let systemAccess: CallerAccess | undefined;
  // Joining a transaction already open (an inbound text's, an HL7 message's) makes the unit part of
  // it: everything commits or rolls back with that work.
  const inTransaction = <R>(body: (tx: Queryable) => Promise<R>): Promise<R> =>
    join ? body(join.tx) : options.db.transaction(body);
  try {
    return await inTransaction(async (tx) => {
      const store = new ResourceService(tx, options.resources.options, undefined, true);
      const uow: UnitOfWork = {
        actor,
        record: store.forCaller(access),
        tx,
        system: () => {
          systemAccess ??= options.accessFor(options.systemActor);
          return store.forCaller(systemAccess);
        },
        lock: async (...keys) => {
          // Sorted so two units locking the same keys cannot deadlock; queued, so the locks go out
          // with the unit's next statement (the read they protect), in order.
          for (const key of [...new Set(keys)].sort()) {
            await tx.queue('select pg_advisory_xact_lock(hashtextextended($1, 0))', [key], { genericPlan: true });
          }
        },
      };
      return await work(uow);
    });
  } finally {
    await access.flushRefusals?.();
    await systemAccess?.flushRefusals?.();
  }
}
