import type { Resource } from '@medplum/fhirtypes';
import type { SystemActor } from '../access/actor.ts';
import type { Database, Queryable } from '../db/database.ts';
import type { OutboxConsumer } from '../fhir/subscriptions/dispatch.ts';
import type { OutboxEvent } from '../fhir/subscriptions/repository.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { interactionOf, type Reaction, type ReactionRegistry, type ResourceEvent } from './bus.ts';
import { listen, notifyOnCommit, type Unlisten } from './listen.ts';
import { ReactionRepository, type NewReaction, type ReactionRow } from './reaction.repository.ts';

/**
 * Deliveries claimed per run (of every reaction together). An A01 becomes one row for each module
 * reacting to its Encounter, so a claim of 20 held about five admissions: measured at 200 A01/s on
 * a quiet 2-core machine, 100 cut the admission alerts' CPU per message from 13.2 to 9.9 ms and p95
 * from 31 to 20 s (250: 8.9 ms, 16 s), docs/PERFORMANCE.md.
 */
const BATCH = 100;
/** How long a run holds its delivery before another instance may take it again. */
const LEASE_MS = 5 * 60_000;
/**
 * The longest the runner sleeps: a safety net under the notifications, for deliveries whose lease
 * ran out (an instance died mid-run) or that were recorded while this instance's listener was away.
 */
const SWEEP_MS = 60_000;
/** Notified when the outbox dispatcher of any instance records deliveries: every runner wakes. */
const REACTIONS_CHANNEL = 'careweave_event_reactions';
const DEFAULT_ATTEMPTS = 5;
const DEFAULT_DELAY_MS = 1000;

export interface ReactionDispatcherOptions {
  db: Database;
  /** Unrestricted. */
  resources: ResourceService;
  /** The platform's access for an actor (the reaction's own writes are audited as it). */
  accessFor: (actor: SystemActor) => CallerAccess;
  /** The app's reactions. */
  registry: ReactionRegistry;
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
  private listening: Promise<Unlisten | undefined> | undefined;

  constructor(options: ReactionDispatcherOptions) {
    this.options = options;
  }

  async take(tx: Queryable, events: readonly OutboxEvent[]): Promise<void> {
    const registered = this.options.registry.all();
    if (!registered.length) {
      return;
    }
    const repository = new ReactionRepository(tx);
    const matching = new Map<OutboxEvent, Reaction[]>();
    for (const event of events) {
      const interaction = interactionOf(event.versionId, event.deleted);
      const found = registered.filter(
        (r) => r.types.includes(event.resourceType) && (r.interactions ?? [interaction]).includes(interaction),
      );
      if (found.length) {
        matching.set(event, found);
      }
    }
    // The versions the filters look at, for the whole batch in one query.
    const filtered = [...matching].filter(([, found]) => found.some((r) => r.filter)).map(([event]) => event);
    const stored = await repository.versions(
      filtered.flatMap((e) =>
        (e.deleted ? [e.versionId - 1] : [e.versionId - 1, e.versionId]).map((versionId) => ({
          resourceType: e.resourceType,
          id: e.resourceId,
          versionId,
        })),
      ),
    );
    const rows: NewReaction[] = [];
    for (const [event, found] of matching) {
      const interaction = interactionOf(event.versionId, event.deleted);
      const versions = versionsOf(stored, event);
      for (const r of found) {
        let error: string | undefined;
        if (r.filter) {
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
    const added = await repository.record(rows);
    if (added > 0) {
      // Every instance's runner wakes when this batch commits, not at its next sweep.
      await notifyOnCommit(tx, REACTIONS_CHANNEL);
    }
  }

  drained(): void {
    this.wake();
  }

  /** Runs what is due, then listens for deliveries recorded by any instance. */
  start(logger?: ReactionLogger): void {
    this.logger = logger;
    this.stopped = false;
    this.listening ??= listen(
      this.options.db,
      REACTIONS_CHANNEL,
      () => this.wake(),
      (error) => this.logger?.error({ err: error }, 'event reactions: listener lost; the sweep covers meanwhile'),
    ).catch((error: unknown) => {
      this.logger?.error({ err: error }, 'event reactions: cannot listen; relying on the sweep');
      return undefined;
    });
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const unlisten = await this.listening;
    this.listening = undefined;
    await unlisten?.();
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
      const repository = new ReactionRepository(this.options.db);
      const claimed = await repository.claim(BATCH, LEASE_MS);
      // The versions the handlers get (an update's previous one too), in one query rather than one each.
      const stored = await repository.versions(
        claimed
          .filter((row) => row.interaction !== 'delete')
          .flatMap((row) =>
            [row.versionId, ...(row.interaction === 'update' ? [row.versionId - 1] : [])].map((versionId) => ({
              resourceType: row.resourceType,
              id: row.resourceId,
              versionId,
            })),
          ),
      );
      const at = (row: ReactionRow, versionId: number) =>
        stored.get(`${row.resourceType}/${row.resourceId}/${versionId}`);
      // A reaction that takes a batch gets its rows together; the rest one by one, concurrently.
      const batches = new Map<string, ReactionRow[]>();
      const single: ReactionRow[] = [];
      for (const row of claimed) {
        const reaction = this.options.registry.get(row.reaction);
        if (reaction?.handleBatch && row.interaction !== 'delete' && at(row, row.versionId)) {
          batches.set(row.reaction, [...(batches.get(row.reaction) ?? []), row]);
        } else {
          single.push(row);
        }
      }
      await Promise.all([
        ...single.map((row) => this.run(row, at(row, row.versionId), at(row, row.versionId - 1))),
        ...[...batches.values()].map((rows) => this.runBatch(rows, at)),
      ]);
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

  /**
   * Rows of one reaction with `handleBatch`, handled together and marked done together. If the batch
   * fails (all or nothing, so nothing of it happened), each row runs alone, with its own retries.
   */
  private async runBatch(
    rows: readonly ReactionRow[],
    at: (row: ReactionRow, versionId: number) => Resource | undefined,
  ): Promise<void> {
    const registered = this.options.registry.get(rows[0]!.reaction)!;
    if (rows.length > 1) {
      const actor = reactionActor(registered.name);
      const resources = this.options.resources.forCaller(this.options.accessFor(actor));
      const events = rows.map((row): ResourceEvent => {
        const previous = row.interaction === 'update' ? at(row, row.versionId - 1) : undefined;
        return {
          seq: row.eventSeq,
          resourceType: row.resourceType,
          resourceId: row.resourceId,
          versionId: row.versionId,
          interaction: row.interaction,
          resource: at(row, row.versionId)!,
          ...(previous ? { previous } : {}),
        };
      });
      try {
        await registered.handleBatch!(events, { actor, resources, attempt: Math.min(...rows.map((r) => r.attempts)) });
        await new ReactionRepository(this.options.db).doneMany(rows.map((row) => row.id));
        return;
      } catch (error) {
        this.logger?.error(
          { err: error, reaction: registered.name, events: rows.length },
          'event reaction batch failed; running each alone',
        );
      }
    }
    await Promise.all(rows.map((row) => this.run(row, at(row, row.versionId), at(row, row.versionId - 1))));
  }

  private async run(row: ReactionRow, version: Resource | undefined, previous?: Resource): Promise<void> {
    const repository = new ReactionRepository(this.options.db);
    const registered = this.options.registry.get(row.reaction);
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
        ...(previous && row.interaction === 'update' ? { previous } : {}),
      };
      if (row.interaction !== 'delete') {
        // Read through the store when the batch read missed it, for its not-found or gone error.
        event.resource =
          version ??
          (JSON.parse(
            (await this.options.resources.vread(row.resourceType, row.resourceId, String(row.versionId))).json ?? '{}',
          ) as Resource);
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
}

/** The version written (or, for a deletion, the last before it) and, for a write, the one before that. */
function versionsOf(
  stored: ReadonlyMap<string, Resource>,
  event: OutboxEvent,
): { resource?: Resource; previous?: Resource } {
  const at = (versionId: number): Resource | undefined =>
    stored.get(`${event.resourceType}/${event.resourceId}/${versionId}`);
  const previous = at(event.versionId - 1);
  return event.deleted ? { resource: previous } : { resource: at(event.versionId), previous };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}
