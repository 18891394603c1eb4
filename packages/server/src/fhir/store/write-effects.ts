import type { Queryable } from '../../db/database.ts';
import type { ResourceService, WriteEffectRunner, WrittenResource } from './resource.service.ts';

export type { WrittenResource };

/**
 * What a module makes true of other resources whenever resources of some types are written, by anyone,
 * through any path (REST, a Bundle, an import, another module), inside the write's own transaction:
 * an Appointment that names a Slot takes it (the referrals module's slot holding). A thrown
 * OperationOutcomeError (a 409 when the slot is taken) rolls the whole write back.
 */
export interface WriteEffect {
  /** For the log and the outcome: `referrals: slot holding`. */
  name: string;
  types: readonly string[];
  /**
   * Runs after the resources are stored, before the transaction commits. `store` is the unrestricted
   * record bound to the same transaction: bind it to the module's system actor (`store.forCaller(…)`) for
   * writes the caller may not make themselves, so they are audited as the module. `tx` is for the
   * module's own tables.
   */
  apply(tx: Queryable, store: ResourceService, written: readonly WrittenResource[]): Promise<void>;
}

/** The write effects of a platform's store; modules add theirs when they are installed. */
export class WriteEffects implements WriteEffectRunner {
  private readonly effects: WriteEffect[] = [];

  add(effect: WriteEffect): void {
    this.effects.push(effect);
  }

  /** Each effect, in the order added, with the writes of its types (none: not called). */
  async run(tx: Queryable, store: ResourceService, written: readonly WrittenResource[]): Promise<void> {
    for (const effect of this.effects) {
      const mine = written.filter((w) => effect.types.includes(w.resourceType));
      if (mine.length) {
        await effect.apply(tx, store, mine);
      }
    }
  }
}
