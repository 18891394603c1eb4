import type { Resource, Subscription } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import type { StoreHooks } from '../store/hooks.ts';
import type { VersionWrite } from '../store/resource.repository.ts';
import { SubscriptionRepository, type SubscriptionMirror } from './repository.ts';

/**
 * The store side of Subscriptions: composes the platform's other store hooks (the access module's
 * labels and derived facts run first, unchanged) with two steps in the same transaction as every
 * write — Subscription resources are mirrored into `subscription`, and writes of watched types are
 * added to the outbox `subscription_event`, so a committed write is never missed and a rolled-back
 * one never notified. Listeners hear of each committed transaction that wrote watched types (to wake
 * the dispatcher); the outbox row is queued with the write's next statement, not a round trip of its
 * own, so whether it added any events is not known here, and an empty drain is cheap.
 */
export class SubscriptionEvents {
  readonly hooks: StoreHooks;
  private readonly listeners: (() => void)[] = [];
  /** Types recorded whether or not a Subscription watches them (domain-event reactions, src/events/). */
  alsoRecord: () => readonly string[] = () => [];

  constructor(inner: StoreHooks) {
    this.hooks = {
      ...(inner.check ? { check: inner.check.bind(inner) } : {}),
      ...(inner.label ? { label: inner.label.bind(inner) } : {}),
      afterWrite: async (tx, writes, resources) => {
        await inner.afterWrite?.(tx, writes, resources);
        await this.afterWrite(tx, writes, resources);
      },
    };
  }

  /** `listener` is called once a transaction that may have added events has committed. */
  onRecorded(listener: () => void): void {
    this.listeners.push(listener);
  }

  private async afterWrite(
    tx: Queryable,
    writes: readonly VersionWrite[],
    resources: ReadonlyMap<string, Resource>,
  ): Promise<void> {
    const repository = new SubscriptionRepository(tx);
    const own = writes.filter((w) => w.resourceType === 'Subscription');
    if (own.length) {
      await repository.mirror(own.flatMap((w) => (w.deleted ? [] : [mirrorOf(w, resources)])));
      await repository.markDeleted(own.filter((w) => w.deleted).map((w) => w.id));
    }
    // Subscriptions themselves are never watched (criteria.ts), so they need no events.
    const watched = writes.filter((w) => w.resourceType !== 'Subscription');
    if (!watched.length) {
      return;
    }
    await repository.recordEvents(watched, this.alsoRecord());
    for (const listener of this.listeners) {
      tx.afterCommit(listener);
    }
  }
}

function mirrorOf(write: VersionWrite, resources: ReadonlyMap<string, Resource>): SubscriptionMirror {
  const resource = (resources.get(`Subscription/${write.id}`) ??
    (write.json ? JSON.parse(write.json) : {})) as Subscription;
  const criteria = resource.criteria?.trim() ?? null;
  // Written without the caller checks (import, internal), criteria may be anything: the type is
  // only what precedes '?', and the dispatcher parses the rest again (skipping what fails).
  const resourceType = criteria ? (/^([A-Za-z]+)(\?|$)/.exec(criteria)?.[1] ?? null) : null;
  return {
    id: write.id,
    resourceType,
    criteria,
    status: resource.status ?? null,
    endsAt: resource.end && !Number.isNaN(Date.parse(resource.end)) ? new Date(resource.end).toISOString() : null,
  };
}
