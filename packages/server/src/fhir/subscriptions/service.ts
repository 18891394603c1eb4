import type { Actor } from '../../access/actor.ts';
import type { AccessModule, AccessOptions } from '../../access/index.ts';
import type { SubscriptionConfig } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { JobQueue, QueueLogger } from '../../jobs/queue.ts';
import type { CallerAccess } from '../store/hooks.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { withSubscriptionRules } from './access.ts';
import { Deliverer } from './delivery.ts';
import { DELIVER_QUEUE, Dispatcher, type Delivery } from './dispatch.ts';
import type { SubscriptionEvents } from './events.ts';
import { Nudger } from './nudge.ts';

export const DISPATCH_QUEUE = 'fhir-subscription-dispatch';

export interface SubscriptionServiceOptions {
  db: Database;
  queue: JobQueue;
  /** Unrestricted, built with `events.hooks`. */
  resources: ResourceService;
  access: AccessModule;
  events: SubscriptionEvents;
  fhirBase: string;
  settings: SubscriptionConfig;
}

/**
 * FHIR R4 Subscriptions with rest-hook delivery (docs/FHIR.md, Subscriptions). Writes add outbox
 * events in their own transaction (SubscriptionEvents); the dispatcher turns them into delivery
 * jobs, woken as soon as a writing transaction commits and swept every minute by a pg-boss cron job
 * (which catches what a crashed or request-only instance left); delivery jobs POST the
 * notifications with the queue's retries and backoff. Matching and delivery both run as the
 * Subscription's owner through the access policy.
 */
export class SubscriptionService {
  private readonly options: SubscriptionServiceOptions;
  readonly dispatcher: Dispatcher;
  private readonly nudger: Nudger;
  private logger: QueueLogger | undefined;

  constructor(options: SubscriptionServiceOptions) {
    this.options = options;
    this.dispatcher = new Dispatcher(options);
    const deliverer = new Deliverer(options);
    this.nudger = new Nudger(
      () => this.dispatcher.drain(),
      (error) => this.logger?.error({ err: error }, 'subscription dispatch failed; the sweep will retry'),
    );
    options.events.onRecorded(() => this.nudger.committed());
    options.queue.define({
      name: DISPATCH_QUEUE,
      schedule: { cron: '* * * * *' },
      options: { retryLimit: 0, expireInSeconds: 300 },
      handler: async () => void (await this.dispatcher.drain()),
    });
    options.queue.define<Delivery>({
      name: DELIVER_QUEUE,
      options: {
        retryLimit: options.settings.retryLimit,
        retryDelay: options.settings.retryDelaySeconds,
        retryBackoff: true,
        retryDelayMax: 3600,
        // Several attempts at most as long as the timeout each; a lost instance's job is retried.
        expireInSeconds: Math.ceil(options.settings.timeoutMs / 1000) + 60,
      },
      handler: (job) => deliverer.run(job),
    });
  }

  /** The caller's access to the record with the Subscription rules (ownership, validation) added. */
  accessFor(actor: Actor, accessOptions?: AccessOptions): CallerAccess {
    return withSubscriptionRules(this.options.access.accessFor(actor, accessOptions), actor, this.options.settings);
  }

  /** Starts waking the dispatcher after writes (once the queue it sends to is running). */
  start(logger?: QueueLogger): void {
    this.logger = logger;
    this.dispatcher.logger = logger;
    this.nudger.start();
  }

  async stop(): Promise<void> {
    await this.nudger.stop();
  }
}
