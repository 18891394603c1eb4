import type { AccessModule } from '../../access/index.ts';
import type { Database, Queryable } from '../../db/database.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { findDeletedAsOwner } from './deleted.ts';
import { findAsOwner } from './evaluate.ts';
import { SubscriptionRepository, type OutboxEvent, type SubscriptionRow } from './repository.ts';

export const DELIVER_QUEUE = 'fhir-subscription-deliver';
const BATCH = 100;

/** One notification to send: what the delivery job carries. */
export interface Delivery {
  subscriptionId: string;
  resourceType: string;
  resourceId: string;
  versionId: number;
  method: 'create' | 'update' | 'delete';
  eventNumber: number;
}

export interface DispatcherOptions {
  db: Database;
  queue: JobQueue;
  resources: ResourceService;
  access: AccessModule;
}

/** Another reader of the outbox (domain events, src/events/), given each batch before it is deleted. */
export interface OutboxConsumer {
  take(tx: Queryable, events: readonly OutboxEvent[]): Promise<void>;
  /** After a drain that took events, once its transactions have committed. */
  drained(): void;
}

export interface DispatchLogger {
  warn(details: object, message: string): void;
}

/**
 * Turns outbox events into delivery jobs. Each batch is one transaction that locks its events
 * `for update skip locked`, so any number of instances drain the outbox at once and each event is
 * taken by exactly one; the delivery jobs are sent in the same transaction as the events are
 * deleted, so an event becomes its notifications exactly once, or (on a crash) stays to be taken again.
 */
export class Dispatcher {
  private readonly options: DispatcherOptions;
  logger: DispatchLogger | undefined;
  readonly consumers: OutboxConsumer[] = [];

  constructor(options: DispatcherOptions) {
    this.options = options;
  }

  /** Dispatches until the outbox has nothing this instance can take; returns the events handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.options.db.transaction((tx) => this.dispatchBatch(tx));
      total += handled;
      if (handled < BATCH) {
        if (total > 0) {
          this.consumers.forEach((consumer) => consumer.drained());
        }
        return total;
      }
    }
  }

  private async dispatchBatch(tx: Queryable): Promise<number> {
    const repository = new SubscriptionRepository(tx);
    const events = await repository.claimEvents(BATCH);
    if (!events.length) {
      return 0;
    }
    for (const consumer of this.consumers) {
      await consumer.take(tx, events);
    }
    const subscriptions = await repository.live([...new Set(events.map((e) => e.resourceType))]);
    for (const event of events) {
      for (const subscription of subscriptions.filter((s) => s.resourceType === event.resourceType)) {
        if (await this.matches(tx, subscription, event)) {
          const eventNumber = await repository.nextEventNumber(subscription.id);
          const delivery: Delivery = {
            subscriptionId: subscription.id,
            resourceType: event.resourceType,
            resourceId: event.resourceId,
            versionId: event.versionId,
            method: event.deleted ? 'delete' : event.versionId === 1 ? 'create' : 'update',
            eventNumber,
          };
          await this.options.queue.send(DELIVER_QUEUE, delivery, { tx });
        }
      }
    }
    await repository.deleteEvents(events.map((e) => e.seq));
    return events.length;
  }

  /**
   * Whether the event's version matches the Subscription as its owner sees it (a deletion: whether
   * the last version before it did, deleted.ts). Not audited: nothing is disclosed here; the
   * delivery job repeats the check, audited, when it sends. A failure is
   * confined to this Subscription (a savepoint), so one broken criteria cannot block the outbox.
   */
  private async matches(tx: Queryable, subscription: SubscriptionRow, event: OutboxEvent): Promise<boolean> {
    await tx.query('savepoint subscription_match');
    try {
      const evaluation = {
        owner: subscription.owner!,
        criteria: subscription.criteria ?? '',
        resourceType: event.resourceType,
        resourceId: event.resourceId,
      };
      if (event.deleted) {
        const last = await findDeletedAsOwner(
          tx,
          this.options.access,
          { ...evaluation, versionId: event.versionId },
          false,
        );
        await tx.query('release savepoint subscription_match');
        return last !== undefined;
      }
      const found = await findAsOwner(tx, this.options.resources, this.options.access, evaluation, false);
      await tx.query('release savepoint subscription_match');
      // A later version has its own event, which notifies (or not) on what it is now.
      return found !== undefined && Number(found.meta?.versionId) === event.versionId;
    } catch (error) {
      await tx.query('rollback to savepoint subscription_match');
      this.logger?.warn(
        { err: error, subscription: subscription.id },
        'subscription criteria could not be evaluated; skipped',
      );
      return false;
    }
  }
}
