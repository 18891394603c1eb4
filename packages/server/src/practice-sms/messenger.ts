/**
 * Every practice text goes out and comes in here: through the SMS module (in the unit's transaction,
 * so a rolled-back unit sends nothing), as a row of the practice's conversation, and — when the number
 * is one patient's — as a Communication in their record, written as the module's system actor.
 */
import type { SmsService } from '../gateways/sms/index.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { PracticeSmsRepository, type ConversationMessage } from './practice-sms.repository.ts';
import { smsCommunication } from './record.ts';

export interface PracticeText {
  organizationId: string;
  phone: string;
  patientId: string | null;
  patientName: string | null;
  /** reminder, cancelled, recall, results, reply, conversation, … */
  kind: string;
  body: string;
  /** What it concerns (`Appointment/1`): the SMS module's reference, and the Communication's `about`. */
  about?: string;
  /** Who sent it (a Practitioner reference), or undefined for the module itself. */
  sentBy?: string;
}

export class Messenger {
  private readonly sms: () => SmsService;

  constructor(sms: () => SmsService) {
    this.sms = sms;
  }

  /** Queues the text and records it; `optedOut` when the number texted STOP (nothing is sent). */
  async send(uow: UnitOfWork, text: PracticeText): Promise<{ message: ConversationMessage; optedOut: boolean }> {
    const queued = await this.sms().queueSms(
      {
        to: text.phone,
        body: text.body,
        reference: text.about ?? `practice-sms/${text.kind}`,
        senderOrganizationId: text.organizationId,
      },
      { tx: uow.tx },
    );
    const optedOut = queued.status === 'failed';
    const message = await this.record(uow, { ...text, direction: 'out', smsMessageId: queued.id });
    return { message, optedOut };
  }

  /** Records a text received (or sent) in the conversation and, for one known patient, the record. */
  async record(
    uow: UnitOfWork,
    text: PracticeText & { direction: 'in' | 'out'; smsMessageId: string },
  ): Promise<ConversationMessage> {
    let communicationId: string | null = null;
    if (text.patientId) {
      const created = await uow.system().create(
        'Communication',
        smsCommunication({
          organizationId: text.organizationId,
          patientId: text.patientId,
          direction: text.direction,
          body: text.body,
          ...(text.about ? { about: text.about } : {}),
        }),
      );
      communicationId = created.resource.id ?? null;
    }
    return new PracticeSmsRepository(uow.tx).addMessage({
      organizationId: text.organizationId,
      phone: text.phone,
      patientId: text.patientId,
      patientName: text.patientName,
      direction: text.direction,
      kind: text.kind,
      body: text.body,
      about: text.about ?? null,
      smsMessageId: text.smsMessageId,
      communicationId,
      sentBy: text.sentBy ?? null,
    });
  }
}
