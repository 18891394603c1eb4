import type { Actor } from '../access/actor.ts';
import { isSecondaryUse } from '../access/secondary-use.ts';
import type { Database } from '../db/database.ts';
import { fail } from '../fhir/outcome.ts';
import type { ReactionDispatcher } from './dispatcher.ts';
import { REACTION_STATUSES, ReactionRepository, type ReactionRow, type ReactionStatus } from './reaction.repository.ts';

/** Staff who work integration failures (as the HL7 v2 worklist): R8008 admin and clinical support, R8013 health records manager. */
export const REACTION_ROLES: readonly string[] = ['R8008', 'R8013'];
const MAX_COUNT = 200;

export interface ReactionQuery {
  status?: string;
  before?: string;
  _count?: string;
}

function requireOperator(actor: Actor | undefined): void {
  if (!actor) {
    fail('login', 'Sign in first');
  }
  if (actor.kind === 'system' && !isSecondaryUse(actor)) {
    return;
  }
  if (actor.kind === 'staff' && REACTION_ROLES.includes(actor.roleCode)) {
    return;
  }
  fail('forbidden', `Event reactions are for integration staff (${REACTION_ROLES.join(', ')}) and systems`);
}

/** The deliveries of events to reactions, for the people who see and retry failures. */
export class ReactionsService {
  private readonly db: Database;
  private readonly dispatcher: ReactionDispatcher;

  constructor(db: Database, dispatcher: ReactionDispatcher) {
    this.db = db;
    this.dispatcher = dispatcher;
  }

  async list(actor: Actor | undefined, query: ReactionQuery): Promise<{ reactions: ReactionRow[]; next?: string }> {
    requireOperator(actor);
    if (query.status !== undefined && !REACTION_STATUSES.includes(query.status as ReactionStatus)) {
      fail('invalid', `status must be one of ${REACTION_STATUSES.join(', ')}`, ['status']);
    }
    if (query.before !== undefined && !/^[0-9]{1,18}$/.test(query.before)) {
      fail('invalid', 'before must be a reaction id', ['before']);
    }
    const count = query._count === undefined ? 50 : Number(query._count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      fail('invalid', `_count must be 1 to ${MAX_COUNT}`, ['_count']);
    }
    const rows = await new ReactionRepository(this.db).list({
      ...(query.status ? { status: query.status as ReactionStatus } : {}),
      ...(query.before ? { before: query.before } : {}),
      count,
    });
    const last = rows.at(-1);
    return rows.length === count && last ? { reactions: rows, next: last.id } : { reactions: rows };
  }

  /** Runs a failed reaction again, with a fresh count of attempts. */
  async retry(actor: Actor | undefined, id: string): Promise<ReactionRow> {
    requireOperator(actor);
    const repository = new ReactionRepository(this.db);
    const row = /^[0-9]{1,18}$/.test(id) ? await repository.find(id) : undefined;
    if (!row) {
      return fail('not-found', `No event reaction ${id}`);
    }
    const retried = await repository.retry(id);
    if (!retried) {
      return fail('conflict', `Event reaction ${id} is ${row.status}; only a failed one is retried`);
    }
    this.dispatcher.wake();
    return retried;
  }
}
