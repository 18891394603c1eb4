import type { Resource } from '@medplum/fhirtypes';
import type { SystemActor } from '../access/actor.ts';
import type { Database, Queryable } from '../db/database.ts';
import type { OutboxConsumer } from '../fhir/subscriptions/dispatch.ts';
import type { OutboxEvent } from '../fhir/subscriptions/repository.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import { interactionOf, reaction as findReaction, reactions, type ResourceEvent } from './bus.ts';
import { ReactionRepository, type NewReaction, type ReactionRow } from './reaction.repository.ts';

const BATCH = 20;
/** How long a run holds its delivery before another instance may take it again. */
const LEASE_MS = 5 * 60_000;
/** The longest the runner sleeps: a sweep for what other instances recorded or left. */
const SWEEP_MS = 60_000;
const DEFAULT_ATTEMPTS = 5;
const DEFAULT_DELAY_MS = 1000;

export interface ReactionDispatcherOptions {
  db: Database;
  /** Unrestricted. */
  resources: ResourceService;
  /** The platform's access for an actor (the reaction's own writes are audited as it). */
  accessFor: (actor: SystemActor) => CallerAccess;
}

export interface ReactionLogger {
  error(details: object, message: string): void;
}

/** The system actor a reaction runs as. */
export function reactionActor(name: string): SystemActor {
  return { kind: 'system', clientId: `reaction:${name}`, scopes: ['system/*.cruds'] };
}

/**
 * Domain events from the write outbox. As an outbox consumer it records, in the Subscription
 * dispatcher's transaction, one `event_reaction` row per event and matching reaction (so an event
 * becomes its deliveries exactly once); as a runner it claims due rows `for update skip locked`
 * with a lease, runs each reaction as `reaction:<name>`, and retries with backoff until the
 * attempts are spent and the row is `failed`.
 */
export class ReactionDispatcher implements OutboxConsumer {
  private readonly options: ReactionDispatcherOptions;
  logger: ReactionLogger | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ReactionDispatcherOptions) {
    this.options = options;
  }

  async take(tx: Queryable, events: readonly OutboxEvent[]): Promise<void> {
    const registered = reactions();
    if (!registered.length) {
      return;
    }
    const store = new ResourceService(tx, this.options.resources.options);
    const rows: NewReaction[] = [];
    for (const event of events) {
      const interaction = interactionOf(event.versionId, event.deleted);
      const matching = registered.filter(
        (r) => r.types.includes(event.resourceType) && (r.interactions ?? [interaction]).includes(interaction),
      );
      if (!matching.length) {
        continue;
      }
      const versions = matching.some((r) => r.filter) ? await this.versionsOf(tx, store, event) : undefined;
      for (const r of matching) {
        let error: string | undefined;
        if (r.filter && versions) {
          try {
            if (!versions.resource || !r.filter(versions.resource, versions.previous)) {
              continue;
            }
          } catch (thrown) {
            error = `filter failed: ${messageOf(thrown)}`;
          }
        }
        rows.push({
          eventSeq: event.seq,
          reaction: r.name,
          resourceType: event.resourceType,
          resourceId: event.resourceId,
          versionId: event.versionId,
          interaction,
          ...(error ? { error } : {}),
        });
      }
    }
    await new ReactionRepository(tx).record(rows);
  }

  drained(): void {
    this.wake();
  }

  start(logger?: ReactionLogger): void {
    this.logger = logger;
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs what is due now (soon after, if a run is under way). */
  wake(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.loop()
      .catch((error: unknown) => this.logger?.error({ err: error }, 'event reactions could not run; will retry'))
      .finally(() => {
        this.running = undefined;
        this.schedule();
      });
  }

  /** Runs due deliveries until none is left; returns how many ran. */
  async runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await new ReactionRepository(this.options.db).claim(BATCH, LEASE_MS);
      await Promise.all(claimed.map((row) => this.run(row)));
      total += claimed.length;
      if (claimed.length < BATCH || this.stopped) {
        return total;
      }
    }
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.runDue();
    } while (this.again && !this.stopped);
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    void new ReactionRepository(this.options.db)
      .nextDueInMs()
      .then((ms) => {
        if (!this.stopped && !this.running) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.wake(), Math.min(ms ?? SWEEP_MS, SWEEP_MS));
          this.timer.unref();
        }
      })
      .catch((error: unknown) => {
        this.logger?.error({ err: error }, 'event reactions could not be scheduled');
        this.timer = setTimeout(() => this.wake(), SWEEP_MS);
        this.timer.unref();
      });
  }

  private async run(row: ReactionRow): Promise<void> {
    const repository = new ReactionRepository(this.options.db);
    const registered = findReaction(row.reaction);
    if (!registered) {
      // Recorded by an instance that has it; this one (older code, tests) leaves it to be taken again.
      await repository.postpone(row.id, `reaction '${row.reaction}' is not registered on this instance`, SWEEP_MS);
      return;
    }
    const attempts = registered.retry?.attempts ?? DEFAULT_ATTEMPTS;
    const delayMs = registered.retry?.delayMs ?? DEFAULT_DELAY_MS;
    try {
      const actor = reactionActor(registered.name);
      const resources = this.options.resources.forCaller(this.options.accessFor(actor));
      const event: ResourceEvent = {
        seq: row.eventSeq,
        resourceType: row.resourceType,
        resourceId: row.resourceId,
        versionId: row.versionId,
        interaction: row.interaction,
      };
      if (row.interaction !== 'delete') {
        const stored = await this.options.resources.vread(row.resourceType, row.resourceId, String(row.versionId));
        event.resource = JSON.parse(stored.json ?? '{}') as Resource;
      }
      await registered.handle(event, { actor, resources, attempt: row.attempts });
      await repository.done(row.id);
    } catch (error) {
      const retryInMs = row.attempts < attempts ? delayMs * 2 ** (row.attempts - 1) : undefined;
      await repository.failed(row.id, messageOf(error), retryInMs);
      if (retryInMs === undefined) {
        this.logger?.error({ err: error, reaction: row.reaction, id: row.id }, 'event reaction failed');
      }
    }
  }

  /** The version written (or, for a deletion, the last before it) and the one before that. */
  private async versionsOf(
    tx: Queryable,
    store: ResourceService,
    event: OutboxEvent,
  ): Promise<{ resource?: Resource; previous?: Resource }> {
    const read = async (versionId: number): Promise<Resource | undefined> => {
      if (versionId < 1) {
        return undefined;
      }
      await tx.query('savepoint event_version');
      try {
        const found = await store.vread(event.resourceType, event.resourceId, String(versionId));
        await tx.query('release savepoint event_version');
        return found.json ? (JSON.parse(found.json) as Resource) : undefined;
      } catch {
        await tx.query('rollback to savepoint event_version');
        return undefined;
      }
    };
    const previous = await read(event.versionId - 1);
    return event.deleted ? { resource: previous } : { resource: await read(event.versionId), previous };
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
