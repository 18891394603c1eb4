/**
 * The integration worklist: messages answered AE (the record could not take them yet) or AR, for
 * the people who fix what stopped them and retry. Raw messages carry patient data, so each
 * look is audited, and staff see only their own organisation's feed.
 */
import type { Actor } from '../access/actor.ts';
import type { AuditLog } from '../access/audit.ts';
import { isSecondaryUse } from '../access/secondary-use.ts';
import type { Database } from '../db/database.ts';
import { badRequest, conflict, fail, notFound } from '../fhir/outcome.ts';
import { Hl7MessageRepository, type Hl7MessageRow, type Hl7MessageStatus } from './hl7-message.repository.ts';
import type { Hl7Intake } from './intake.ts';

/**
 * RBAC job roles that work the worklist of their organisation's feeds: R8008 admin and clinical
 * support, R8013 health records manager (who register patients and correct records). System
 * clients for direct care see every feed.
 */
export const WORKLIST_ROLES: readonly string[] = ['R8008', 'R8013'];

const STATUSES: readonly Hl7MessageStatus[] = ['accepted', 'error', 'rejected', 'duplicate'];
const MAX_COUNT = 200;

export interface WorklistQuery {
  status?: string;
  before?: string;
  _count?: string;
}

export interface WorklistPage {
  messages: Hl7MessageRow[];
  /** `before` for the next page, when there may be one. */
  next?: string;
}

/** Which feeds the actor may see: all (undefined) or one organisation's. Throws 401/403 otherwise. */
function feedsOf(actor: Actor | undefined): { organizationId?: string } {
  if (!actor) {
    return fail('login', 'Sign in first');
  }
  if (actor.kind === 'system' && !isSecondaryUse(actor)) {
    return {};
  }
  if (actor.kind === 'staff' && WORKLIST_ROLES.includes(actor.roleCode)) {
    return { organizationId: actor.organizationId };
  }
  return fail('forbidden', `The HL7 v2 worklist is for integration staff (${WORKLIST_ROLES.join(', ')}) and systems`);
}

function mayHandle(scope: { organizationId?: string }, row: Hl7MessageRow): boolean {
  return scope.organizationId === undefined || row.organizationId === scope.organizationId;
}

export class Hl7Worklist {
  private readonly deps: { db: Database; intake: Hl7Intake; audit: AuditLog };

  constructor(deps: { db: Database; intake: Hl7Intake; audit: AuditLog }) {
    this.deps = deps;
  }

  /** Messages by status (default: error and rejected), newest first. */
  async list(actor: Actor | undefined, query: WorklistQuery): Promise<WorklistPage> {
    const scope = feedsOf(actor);
    const statuses = (query.status ?? 'error,rejected').split(',').map((s) => s.trim());
    const unknown = statuses.find((s) => !STATUSES.includes(s as Hl7MessageStatus));
    if (unknown !== undefined) {
      return badRequest(`status '${unknown}' is not one of ${STATUSES.join(', ')}`);
    }
    const count = query._count === undefined ? 50 : Number(query._count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      return badRequest(`_count must be 1 to ${MAX_COUNT}`);
    }
    if (query.before !== undefined && !/^\d{1,18}$/.test(query.before)) {
      return badRequest('before must be a message id');
    }
    const messages = await new Hl7MessageRepository(this.deps.db).list({
      statuses: statuses as Hl7MessageStatus[],
      count,
      ...(scope.organizationId ? { organizationId: scope.organizationId } : {}),
      ...(query.before ? { before: query.before } : {}),
    });
    await this.deps.audit.record(actor!, {
      interaction: 'search',
      resources: [],
      patients: [...new Set(messages.flatMap((m) => (m.patientId ? [m.patientId] : [])))],
      query: `hl7v2/messages?${new URLSearchParams({ status: statuses.join(',') }).toString()}`,
    });
    return { messages, ...(messages.length === count ? { next: messages.at(-1)!.id } : {}) };
  }

  /** One message with its raw text and the ACK it was given. */
  async get(actor: Actor | undefined, id: string): Promise<Hl7MessageRow> {
    const scope = feedsOf(actor);
    const row = await new Hl7MessageRepository(this.deps.db).get(id);
    if (!row || !mayHandle(scope, row)) {
      return notFound(`HL7 v2 message ${id} is not known`);
    }
    await this.deps.audit.record(actor!, {
      interaction: 'read',
      resources: row.resources,
      patients: row.patientId ? [row.patientId] : [],
      query: `hl7v2/messages/${id}`,
    });
    return row;
  }

  /** Applies an AE or AR message again; its feed makes the writes, `actor` is recorded as asking. */
  async retry(actor: Actor | undefined, id: string): Promise<Hl7MessageRow> {
    const scope = feedsOf(actor);
    const repository = new Hl7MessageRepository(this.deps.db);
    const row = await repository.get(id);
    if (!row || !mayHandle(scope, row)) {
      return notFound(`HL7 v2 message ${id} is not known`);
    }
    const outcome = await this.deps.intake.retry(id, actor!);
    if (!outcome) {
      return conflict(`HL7 v2 message ${id} is ${row.status}; only messages in error or rejected can be retried`);
    }
    const { raw: _raw, ...after } = (await repository.get(id))!;
    void _raw;
    return after;
  }
}
