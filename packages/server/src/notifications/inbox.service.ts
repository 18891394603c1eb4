import type { Actor } from '../access/actor.ts';
import type { AuditLog } from '../access/audit.ts';
import { requireActor } from '../access/guards.ts';
import type { Database } from '../db/database.ts';
import { badRequest, fail } from '../fhir/outcome.ts';
import type { CallerAccess } from '../fhir/store/hooks.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { NotificationRepository, type NotificationRow } from './notification.repository.ts';
import type { NotificationService } from './notification.service.ts';
import { parsePreferences, presentPreferences } from './preferences.ts';
import { canSeeAll, unauditedAccess } from './recipients.ts';
import { HIDDEN_ITEM } from './texts.ts';
import { CATEGORIES, categoryDisplay, type InboxItem, type Preferences } from './types.ts';

const MAX_COUNT = 200;

export interface InboxDeps {
  db: Database;
  system: ResourceService;
  accessFor(actor: Actor): CallerAccess;
  audit: Pick<AuditLog, 'record'>;
  notifications: NotificationService;
}

/** Whose inbox a signed-in person has: staff their Practitioner's, patients theirs, proxies their RelatedPerson's. */
function inboxOf(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
      return `Practitioner/${actor.practitionerId}`;
    case 'patient':
      return `Patient/${actor.patientId}`;
    case 'related-person':
      return `RelatedPerson/${actor.relatedPersonId}`;
    case 'system':
      return fail('forbidden', 'Notifications are for people: a system client has no inbox');
  }
}

/**
 * The signed-in person's own notifications (GET/POST /api/notifications…) and their preferences.
 * Every method starts with its guard; an item is shown in full only while the reader may still see
 * what it is about, and what is shown is audited as read by them.
 */
export class InboxService {
  private readonly deps: InboxDeps;

  constructor(deps: InboxDeps) {
    this.deps = deps;
  }

  async list(
    actor: Actor | undefined,
    query: { status?: string; category?: string; count?: string },
  ): Promise<{ unread: number; items: InboxItem[] }> {
    const reader = requireActor(actor);
    const recipient = inboxOf(reader);
    const status = query.status ?? 'all';
    if (status !== 'unread' && status !== 'all') {
      return badRequest('status must be unread or all', ['status']);
    }
    if (query.category !== undefined && !Object.hasOwn(CATEGORIES, query.category)) {
      return badRequest(`category must be one of ${Object.keys(CATEGORIES).join(', ')}`, ['category']);
    }
    const count = query.count === undefined ? 50 : Number(query.count);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      return badRequest(`count must be 1 to ${MAX_COUNT}`, ['count']);
    }
    const repository = new NotificationRepository(this.deps.db);
    const rows = await repository.inbox(recipient, {
      unreadOnly: status === 'unread',
      ...(query.category ? { category: query.category } : {}),
      count,
    });
    const items = await this.present(reader, rows);
    return { unread: await repository.unreadCount(recipient), items };
  }

  async unreadCount(actor: Actor | undefined): Promise<{ unread: number }> {
    const reader = requireActor(actor);
    return { unread: await new NotificationRepository(this.deps.db).unreadCount(inboxOf(reader)) };
  }

  /** Marks one of the reader's own items read or acknowledged; anyone else's is 404 (and audited). */
  async mark(actor: Actor | undefined, id: string, what: 'read' | 'acknowledged'): Promise<InboxItem> {
    const reader = requireActor(actor);
    const repository = new NotificationRepository(this.deps.db);
    const row = await repository.mark(id, inboxOf(reader), what);
    if (!row) {
      const other = await repository.find(id);
      if (other?.status === 'sent') {
        // Someone else's notification: answered like an unknown one, and the attempt kept as evidence.
        await this.deps.audit.record(reader, {
          interaction: 'read',
          resources: [`Communication/${id}`],
          patients: other.patientId ? [other.patientId] : [],
          decision: 'deny',
        });
      }
      return fail('not-found', `Notification ${id} is not known`);
    }
    const [item] = await this.present(reader, [row]);
    return item!;
  }

  async preferences(actor: Actor | undefined): Promise<Preferences> {
    const reader = requireActor(actor);
    const stored = await new NotificationRepository(this.deps.db).preferences(inboxOf(reader));
    return presentPreferences(stored, this.deps.notifications.listKinds());
  }

  async savePreferences(actor: Actor | undefined, body: unknown): Promise<Preferences> {
    const reader = requireActor(actor);
    const recipient = inboxOf(reader);
    const parsed = parsePreferences(body, this.deps.notifications.knownKinds());
    await new NotificationRepository(this.deps.db).savePreferences(recipient, parsed);
    return presentPreferences(parsed, this.deps.notifications.listKinds());
  }

  /**
   * Items as the reader may see them now: one whose patient or subject they can no longer see shows
   * only that there was something. What is shown in full is audited as read by them.
   */
  private async present(reader: Actor, rows: readonly NotificationRow[]): Promise<InboxItem[]> {
    const view = this.deps.system.forCaller(unauditedAccess(this.deps.accessFor(reader)));
    const seen = new Map<string, boolean>();
    const visible = async (reference: string | null): Promise<boolean> => {
      if (!reference) {
        return true;
      }
      if (!seen.has(reference)) {
        seen.set(reference, await canSeeAll(view, [reference]));
      }
      return seen.get(reference)!;
    };
    const items: InboxItem[] = [];
    const shown: NotificationRow[] = [];
    for (const row of rows) {
      const open = (await visible(row.subject)) && (await visible(row.about));
      items.push(open ? item(row) : hidden(row));
      if (open) {
        shown.push(row);
      }
    }
    if (shown.length) {
      await this.deps.audit.record(reader, {
        interaction: 'read',
        resources: shown.map((row) => `Communication/${row.id}`),
        patients: [...new Set(shown.flatMap((row) => (row.patientId ? [row.patientId] : [])))],
      });
    }
    return items;
  }
}

function times(row: NotificationRow): Pick<InboxItem, 'sentAt' | 'readAt' | 'acknowledgedAt'> {
  return {
    sentAt: row.sentAt,
    ...(row.readAt ? { readAt: row.readAt } : {}),
    ...(row.acknowledgedAt ? { acknowledgedAt: row.acknowledgedAt } : {}),
  };
}

function item(row: NotificationRow): InboxItem {
  return {
    id: row.id,
    kind: row.kind,
    category: { code: row.category, display: categoryDisplay(row.category) },
    priority: row.priority,
    title: row.title ?? '',
    text: row.body ?? '',
    ...(row.subject
      ? { subject: { reference: row.subject, ...(row.subjectDisplay ? { display: row.subjectDisplay } : {}) } }
      : {}),
    ...(row.about
      ? { about: { reference: row.about, ...(row.aboutDisplay ? { display: row.aboutDisplay } : {}) } }
      : {}),
    ...times(row),
  };
}

/** No words, no subject, nothing about it but that it was there (and its category and time). */
function hidden(row: NotificationRow): InboxItem {
  return {
    id: row.id,
    kind: row.kind,
    category: { code: row.category, display: categoryDisplay(row.category) },
    priority: row.priority,
    title: HIDDEN_ITEM,
    text: HIDDEN_ITEM,
    ...times(row),
  };
}
