/**
 * Inbound texts (docs/PRACTICE-SMS.md, "Routing"). This module's handler runs before telehealth's
 * (care-modules.ts order) and answers 'handled' only for what is the practice's:
 *
 * 1. a cancel reply ("CANCEL", "cancel please", commands.ts) from a number with a live reminder;
 * 2. a reply whose last text received (`inReplyTo`, any module's) was one of ours: the conversation;
 * 3. a number no module ever texted that is on the record of patients of exactly one practice using
 *    practice SMS: a new conversation in that practice's inbox.
 *
 * except, for 2 and 3, a number whose patient is on telehealth (an active telehealth CarePlan in the
 * record): telehealth does not text on enrolment, so their first reading may follow one of our texts,
 * and a reading must reach telehealth. Anything else passes on (telehealth readings, strangers' texts). A bare "CANCEL" is also an opt-out
 * keyword; the SMS module offers it here first (`onReplyWord`), and unclaimed it opts out as before.
 */
import type { Queryable } from '../db/database.ts';
import type { InboundSms } from '../gateways/sms/index.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { isCancelReply } from './commands.ts';
import type { Messenger } from './messenger.ts';
import { PracticeSmsRepository } from './practice-sms.repository.ts';
import { fullName, onTelehealth, patientsByPhone, practicesOf } from './record.ts';
import type { PracticeSmsSettings, ReminderService } from './reminders.service.ts';

const ACKNOWLEDGEMENT =
  'Thank you, your message has been passed to the practice team, who read messages in opening hours. ' +
  'If you need help urgently call 111, or 999 in an emergency.';

export class InboundService {
  private readonly context: ModuleContext<PracticeSmsSettings>;
  private readonly messenger: Messenger;
  private readonly reminders: ReminderService;

  constructor(context: ModuleContext<PracticeSmsSettings>, messenger: Messenger, reminders: ReminderService) {
    this.context = context;
    this.messenger = messenger;
    this.reminders = reminders;
  }

  /** The SMS module's offer of a bare CANCEL: ours only when it answers a live reminder. */
  claimReplyWord(message: InboundSms, tx: Queryable): Promise<boolean> {
    return this.context.unitOfWork(
      this.context.systemActor,
      (uow) => this.reminders.cancelByReply(uow, message.from, message.body, message.id),
      { tx },
    );
  }

  handle(message: InboundSms, tx: Queryable): Promise<void | 'handled'> {
    return this.context.unitOfWork(this.context.systemActor, (uow) => this.route(uow, message), { tx });
  }

  private async route(uow: UnitOfWork, message: InboundSms): Promise<void | 'handled'> {
    if (
      isCancelReply(message.body) &&
      (await this.reminders.cancelByReply(uow, message.from, message.body, message.id))
    ) {
      return 'handled';
    }
    const repository = new PracticeSmsRepository(uow.tx);
    if (message.inReplyTo) {
      const ours = await repository.bySmsMessage(message.inReplyTo.id);
      if (!ours) {
        return undefined; // a reply to another module's text (a telehealth prompt): theirs
      }
      const patientIds = ours.patientId
        ? [ours.patientId]
        : (await patientsByPhone(uow.system(), message.from)).map((p) => p.id!);
      if (await onTelehealth(uow.system(), patientIds)) {
        return undefined;
      }
      await this.receive(uow, message, ours);
      return 'handled';
    }
    const patients = await patientsByPhone(uow.system(), message.from);
    const practices = [...new Set(patients.flatMap(practicesOf))];
    if (
      practices.length !== 1 ||
      (await onTelehealth(
        uow.system(),
        patients.map((p) => p.id!),
      ))
    ) {
      return undefined;
    }
    const organizationId = practices[0]!;
    const uses = await uow.tx.query('select 1 from practice_sms_settings where organization_id = $1', [organizationId]);
    if (!uses.length) {
      return undefined;
    }
    const only = patients.length === 1 ? patients[0]! : undefined;
    await this.receive(uow, message, {
      organizationId,
      patientId: only?.id ?? null,
      patientName: only ? fullName(only) : null,
    });
    return 'handled';
  }

  /** Into the practice's conversation (and the patient's record when the number is one patient's). */
  private async receive(
    uow: UnitOfWork,
    message: InboundSms,
    to: { organizationId: string; patientId: string | null; patientName: string | null },
  ): Promise<void> {
    const who = {
      organizationId: to.organizationId,
      phone: message.from,
      patientId: to.patientId,
      patientName: to.patientName,
    };
    await this.messenger.record(uow, {
      ...who,
      direction: 'in',
      kind: 'conversation',
      body: message.body,
      smsMessageId: message.id,
    });
    // Tell the patient a person will read it, and where to go if it is urgent — once a day at most.
    const recent = await uow.tx.query(
      `select 1 from practice_sms_message where organization_id = $1 and phone = $2 and kind = 'acknowledgement'
          and created_at > now() - interval '1 day'`,
      [to.organizationId, message.from],
    );
    if (!recent.length) {
      await this.messenger.send(uow, { ...who, kind: 'acknowledgement', body: ACKNOWLEDGEMENT });
    }
  }
}
