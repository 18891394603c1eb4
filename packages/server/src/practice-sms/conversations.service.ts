/**
 * The practice's two-way text inbox: conversations by phone number, a thread, and a reply from
 * staff. Rows are the practice's own (organisation of the caller's role profile); another practice's
 * conversation is answered as absent (404).
 */
import type { Actor, StaffActor } from '../access/actor.ts';
import { badRequest, notFound } from '../fhir/outcome.ts';
import { normalisePhone } from '../gateways/sms/index.ts';
import type { ModuleContext } from '../modules/contract.ts';
import { requirePracticeStaff } from './access.ts';
import type { Messenger } from './messenger.ts';
import { PracticeSmsRepository } from './practice-sms.repository.ts';

/** Clerical staff see demographics and appointments, not results: a results text's words are withheld. */
function shown(staff: StaffActor, m: { kind: string; body: string }): string {
  return staff.roleCode === 'R8010' && m.kind.startsWith('results')
    ? 'A message about test results (only clinical staff see its words)'
    : m.body;
}

function phoneParam(value: string): string {
  try {
    return normalisePhone(value);
  } catch (error) {
    return badRequest((error as Error).message, ['phone']);
  }
}

export class ConversationService {
  private readonly context: ModuleContext;
  private readonly messenger: Messenger;

  constructor(context: ModuleContext, messenger: Messenger) {
    this.context = context;
    this.messenger = messenger;
  }

  async list(actor: Actor | undefined) {
    const staff = requirePracticeStaff(actor, 'read the practice’s text messages');
    const rows = await new PracticeSmsRepository(this.context.db).conversations(staff.organizationId);
    await this.audited(staff, 'search', rows);
    return {
      conversations: rows.map((r) => ({
        phone: r.phone,
        patientId: r.patientId,
        patientName: r.patientName,
        lastMessage: { direction: r.direction, kind: r.kind, body: shown(staff, r), at: r.createdAt },
        count: r.count,
      })),
    };
  }

  async thread(actor: Actor | undefined, phone: string) {
    const staff = requirePracticeStaff(actor, 'read the practice’s text messages');
    const messages = await new PracticeSmsRepository(this.context.db).thread(staff.organizationId, phoneParam(phone));
    if (!messages.length) {
      notFound('No conversation with this number');
    }
    await this.audited(staff, 'read', messages);
    const named = [...messages].reverse().find((m) => m.patientId);
    return {
      phone: messages[0]!.phone,
      patientId: named?.patientId ?? null,
      patientName: named?.patientName ?? null,
      messages: messages.map((m) => ({
        id: m.id,
        direction: m.direction,
        kind: m.kind,
        body: shown(staff, m),
        at: m.createdAt,
        sentBy: m.sentBy,
      })),
    };
  }

  /** Who read which patients' texts: in each patient's access log, like a read of their record. */
  private async audited(
    staff: StaffActor,
    interaction: 'read' | 'search',
    rows: readonly { patientId: string | null; communicationId: string | null }[],
  ): Promise<void> {
    await this.context.audit.record(staff, {
      interaction,
      resources: rows.flatMap((r) => (r.communicationId ? [`Communication/${r.communicationId}`] : [])),
      patients: [...new Set(rows.flatMap((r) => (r.patientId ? [r.patientId] : [])))],
      query: 'practice-sms conversations',
    });
  }

  /** A reply from staff, to a number already in the practice's inbox (never a new number from here). */
  async reply(actor: Actor | undefined, phone: string, body: unknown) {
    const staff = requirePracticeStaff(actor, 'reply to text messages');
    const text = typeof body === 'string' ? body.trim() : '';
    if (!text) {
      badRequest('Enter your reply', ['body']);
    }
    if (text.length > 612) {
      badRequest('A reply must be 612 characters or fewer', ['body']);
    }
    const number = phoneParam(phone);
    return this.context.unitOfWork(staff, async (uow) => {
      const thread = await new PracticeSmsRepository(uow.tx).thread(staff.organizationId, number);
      if (!thread.length) {
        notFound('No conversation with this number');
      }
      const named = [...thread].reverse().find((m) => m.patientId);
      const { message, optedOut } = await this.messenger.send(uow, {
        organizationId: staff.organizationId,
        phone: number,
        patientId: named?.patientId ?? null,
        patientName: named?.patientName ?? null,
        kind: 'reply',
        body: text,
        sentBy: `Practitioner/${staff.practitionerId}`,
      });
      return { id: message.id, optedOut };
    });
  }
}
