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
  /** Default 5 attempts, 1 s doubling (1, 2, 4, 8 s). */
  retry?: { attempts?: number; delayMs?: number };
}

const registry = new Map<string, Reaction>();

/**
 * Registers a reaction to committed writes (docs/EVENTS.md). Call at module load; names are unique.
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
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(reaction.name)) {
    throw new Error(`Reaction name '${reaction.name}' must be 1-100 letters, digits, '.', '_' or '-'`);
  }
  if (registry.has(reaction.name)) {
    throw new Error(`A reaction named '${reaction.name}' is already registered`);
  }
  registry.set(reaction.name, reaction);
}

/** Removes a reaction (tests). */
export function offResourceEvent(name: string): void {
  registry.delete(name);
}

export function reactions(): readonly Reaction[] {
  return [...registry.values()];
}

export function reaction(name: string): Reaction | undefined {
  return registry.get(name);
}

/** Every type some reaction watches: the outbox records their writes. */
export function watchedTypes(): string[] {
  return [...new Set([...registry.values()].flatMap((r) => r.types))];
}

export function interactionOf(versionId: number, deleted: boolean): Interaction {
  return deleted ? 'delete' : versionId === 1 ? 'create' : 'update';
}
