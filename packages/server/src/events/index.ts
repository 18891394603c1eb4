import type { FastifyInstance } from 'fastify';
import type { SystemActor } from '../access/actor.ts';
import type { Database } from '../db/database.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { SubscriptionEvents } from '../fhir/subscriptions/events.ts';
import type { Dispatcher } from '../fhir/subscriptions/dispatch.ts';
import { processReactions, ReactionRegistry, type Reaction } from './bus.ts';
import { ReactionDispatcher, type ReactionLogger } from './dispatcher.ts';
import { ReactionsService } from './reactions.service.ts';
import { registerEventRoutes } from './routes.ts';

export { onResourceEvent, type Reaction, type ReactionContext, type ResourceEvent } from './bus.ts';

export interface EventsOptions {
  db: Database;
  /** Unrestricted. */
  resources: ResourceService;
  accessFor: (actor: SystemActor) => CallerAccess;
  /** The write outbox: its store hook records the types reactions watch too. */
  outbox: SubscriptionEvents;
  /** Its dispatcher, which hands each batch of events to the reactions before deleting it. */
  outboxDispatcher: Dispatcher;
}

/** Domain events (docs/EVENTS.md): reactions to committed writes, fed by the write outbox. */
export class Events {
  readonly dispatcher: ReactionDispatcher;
  readonly reactions: ReactionsService;

  /** This app's reactions (its modules'), over the process's. */
  readonly registry = new ReactionRegistry(processReactions);

  constructor(options: EventsOptions) {
    this.dispatcher = new ReactionDispatcher({ ...options, registry: this.registry });
    this.reactions = new ReactionsService(options.db, this.dispatcher);
    options.outbox.alsoRecord = () => this.registry.watchedTypes();
    options.outboxDispatcher.consumers.push(this.dispatcher);
  }

  /** Adds a reaction for this app (a module's `reactions` part). */
  register(reaction: Reaction): void {
    this.registry.add(reaction);
  }

  start(logger?: ReactionLogger): void {
    this.dispatcher.start(logger);
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
  }

  registerRoutes(app: FastifyInstance): void {
    registerEventRoutes(app, this.reactions);
  }
}
