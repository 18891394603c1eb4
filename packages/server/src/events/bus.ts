import type { Resource } from '@medplum/fhirtypes';
import type { SystemActor } from '../access/actor.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';

export type Interaction = 'create' | 'update' | 'delete';

/** A committed write, as a reaction receives it. */
export interface ResourceEvent {
  /** The outbox event's number (`subscription_event.seq`). */
  seq: string;
  resourceType: string;
  resourceId: string;
  versionId: number;
  interaction: Interaction;
  /** The version written (absent for a deletion), read when the reaction runs. */
  resource?: Resource;
  /** For an update, the version before it when it could be read with the batch (else read it yourself). */
  previous?: Resource;
}

/** What a reaction runs with: the whole record, written and read as `reaction:<name>`. */
export interface ReactionContext {
  actor: SystemActor;
  resources: ResourceService;
  /** 1 on the first run. */
  attempt: number;
}

export interface Reaction {
  /** Unique; the audit trail names the reaction's writes `reaction:<name>`. */
  name: string;
  types: readonly string[];
  /** Default: every interaction. */
  interactions?: readonly Interaction[];
  /**
   * Decides, when the event is taken from the outbox, whether the reaction runs. `resource` is the
   * version written (for a deletion, the last version before it); `previous` the one before, if any.
   * A filter that throws records the reaction as failed (visible), never silently drops it.
   */
  filter?: (resource: Resource, previous?: Resource) => boolean;
  handle: (event: ResourceEvent, context: ReactionContext) => Promise<void>;
  /**
   * Optional: the deliveries of one claimed batch handled together (one transaction for several
   * events: fewer round trips and audit rows). It must be all or nothing: when it throws, each event
   * is handled again alone by `handle`, with its own attempts and backoff.
   */
  handleBatch?: (events: readonly ResourceEvent[], context: ReactionContext) => Promise<void>;
  /** Default 5 attempts, 1 s doubling (1, 2, 4, 8 s). */
  retry?: { attempts?: number; delayMs?: number };
}

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Reactions by name. Each app's `Events` has its own (its modules' reactions), over the process's
 * registry of reactions registered with `onResourceEvent` (tests, scripts): names are unique across both.
 */
export class ReactionRegistry {
  private readonly own = new Map<string, Reaction>();
  private readonly parent: ReactionRegistry | undefined;

  constructor(parent?: ReactionRegistry) {
    this.parent = parent;
  }

  add(reaction: Reaction): void {
    if (!NAME.test(reaction.name)) {
      throw new Error(`Reaction name '${reaction.name}' must be 1-100 letters, digits, '.', '_' or '-'`);
    }
    if (this.get(reaction.name)) {
      throw new Error(`A reaction named '${reaction.name}' is already registered`);
    }
    this.own.set(reaction.name, reaction);
  }

  remove(name: string): void {
    this.own.delete(name);
  }

  get(name: string): Reaction | undefined {
    return this.own.get(name) ?? this.parent?.get(name);
  }

  all(): readonly Reaction[] {
    return [...(this.parent?.all() ?? []), ...this.own.values()];
  }

  /** Every type some reaction watches: the outbox records their writes. */
  watchedTypes(): string[] {
    return [...new Set(this.all().flatMap((r) => r.types))];
  }
}

/** The process's registry (`onResourceEvent`); every app's registry sees it. */
export const processReactions = new ReactionRegistry();

/**
 * Registers a reaction to committed writes for every app in the process (docs/EVENTS.md). Modules
 * declare theirs in their `reactions` part instead, which registers them on their own app only.
 *
 * @example
 * onResourceEvent({
 *   name: 'admission-alert',
 *   types: ['Encounter'],
 *   interactions: ['create'],
 *   filter: (encounter) => (encounter as Encounter).class?.code === 'IMP',
 *   handle: async (event, { resources }) => { … },
 * });
 */
export function onResourceEvent(reaction: Reaction): void {
  processReactions.add(reaction);
}

/** Removes a reaction (tests). */
export function offResourceEvent(name: string): void {
  processReactions.remove(name);
}

export function interactionOf(versionId: number, deleted: boolean): Interaction {
  return deleted ? 'delete' : versionId === 1 ? 'create' : 'update';
}
