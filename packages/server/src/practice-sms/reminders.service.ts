/**
 * Appointment reminders: a schedule job texts each patient with a booked appointment at a practice
 * that has reminders on, starting in its window — once per appointment ever (a row claimed with
 * `on conflict do nothing`, so two instances or two runs never both send) — and a CANCEL reply to a
 * reminder cancels that appointment and frees its slot.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Actor } from '../access/actor.ts';
import { badRequest } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import type { UnitOfWork } from '../modules/unit-of-work.ts';
import { requirePracticeStaff } from './access.ts';
import { appointmentFields, bookedBetween, cancelByPatient, organisationOf, patientOf } from './appointments.ts';
import type { Messenger } from './messenger.ts';
import { PracticeSmsRepository, type ReminderRow, type ReminderSettings } from './practice-sms.repository.ts';
import { firstName, fullName, mobileOf, organisationName, parse } from './record.ts';
import { render } from './templates.ts';
import { templateFor } from './templates.service.ts';

const HOUR = 3_600_000;

export interface PracticeSmsSettings {
  REPLY_DAYS: number;
}

export class ReminderService {
  private readonly context: ModuleContext<PracticeSmsSettings>;
  private readonly messenger: Messenger;

  constructor(context: ModuleContext<PracticeSmsSettings>, messenger: Messenger) {
    this.context = context;
    this.messenger = messenger;
  }

  /** Sends every reminder now due (all practices, or one); returns how many were sent. */
  async sendDue(now = new Date(), onlyOrganization?: string): Promise<number> {
    const practices = (await new PracticeSmsRepository(this.context.db).reminderPractices()).filter(
      (p) => !onlyOrganization || p.organizationId === onlyOrganization,
    );
    let sent = 0;
    for (const practice of practices) {
      sent += await this.context.unitOfWork(this.context.systemActor, (uow) => this.remindPractice(uow, practice, now));
    }
    return sent;
  }

  private async remindPractice(
    uow: UnitOfWork,
    practice: ReminderSettings & { organizationId: string },
    now: Date,
  ): Promise<number> {
    const system = uow.system();
    const repository = new PracticeSmsRepository(uow.tx);
    const from = new Date(now.getTime() + practice.windowFromHours * HOUR);
    const to = new Date(now.getTime() + practice.windowToHours * HOUR);
    const appointments = (await bookedBetween(system, from, to)).filter(
      (a) => organisationOf(a) === practice.organizationId,
    );
    if (!appointments.length) {
      return 0;
    }
    const practiceName = await organisationName(system, practice.organizationId);
    const template = await templateFor(uow.tx, practice.organizationId, 'reminder');
    let sent = 0;
    for (const appointment of appointments) {
      const patientId = patientOf(appointment);
      if (!patientId) {
        continue;
      }
      const patient = parse<Patient>((await system.read('Patient', patientId)).json);
      const phone = mobileOf(patient);
      if (!phone || patient.deceasedBoolean || patient.deceasedDateTime) {
        continue;
      }
      const claimed = await repository.claimReminder({
        appointmentId: appointment.id!,
        organizationId: practice.organizationId,
        patientId,
        patientName: fullName(patient),
        phone,
        appointmentStart: appointment.start!,
      });
      if (!claimed) {
        continue;
      }
      const fields = await appointmentFields(system, appointment, practiceName);
      const body = render(template, { firstName: firstName(patient), practiceName, ...fields });
      const { message, optedOut } = await this.messenger.send(uow, {
        organizationId: practice.organizationId,
        phone,
        patientId,
        patientName: fullName(patient),
        kind: 'reminder',
        body,
        about: `Appointment/${appointment.id}`,
      });
      await repository.reminderSent(appointment.id!, message.smsMessageId!, optedOut);
      sent += optedOut ? 0 : 1;
    }
    return sent;
  }

  /**
   * A CANCEL reply, inside the unit that received it: true when the number had a live reminder (sent
   * within REPLY_DAYS, appointment still ahead) and the reply was acted on. Exactly one such reminder
   * cancels its appointment; two or more (a shared phone) cancel nothing and ask the patient to call.
   */
  async cancelByReply(uow: UnitOfWork, from: string, body: string, smsMessageId: string): Promise<boolean> {
    const repository = new PracticeSmsRepository(uow.tx);
    const since = new Date(Date.now() - this.context.settings.REPLY_DAYS * 24 * HOUR);
    const live = await repository.liveReminders(from, since);
    if (!live.length) {
      return false;
    }
    const [latest] = live as [ReminderRow, ...ReminderRow[]];
    const samePatient = live.every((r) => r.patientId === latest.patientId);
    const received = {
      organizationId: latest.organizationId,
      phone: from,
      patientId: samePatient ? latest.patientId : null,
      patientName: samePatient ? latest.patientName : null,
    };
    if (live.length > 1) {
      await this.messenger.record(uow, { ...received, direction: 'in', kind: 'cancel-unclear', body, smsMessageId });
      await this.messenger.send(uow, {
        ...received,
        kind: 'reply',
        body: 'We could not tell which appointment you meant, so nothing has been cancelled. Please call the practice.',
      });
      return true;
    }
    await uow.lock(`Appointment/${latest.appointmentId}`);
    const about = `Appointment/${latest.appointmentId}`;
    await this.messenger.record(uow, { ...received, direction: 'in', kind: 'cancel', body, smsMessageId, about });
    const system = uow.system();
    const result = await cancelByPatient(system, latest.appointmentId);
    if ('notBooked' in result) {
      await this.messenger.send(uow, {
        ...received,
        kind: 'reply',
        about,
        body: 'This appointment is no longer booked, so there was nothing to cancel. Please call the practice if you need help.',
      });
      return true;
    }
    await repository.markCancelled(latest.appointmentId);
    const practiceName = await organisationName(system, latest.organizationId);
    const patient = parse<Patient>((await system.read('Patient', latest.patientId)).json);
    const fields = await appointmentFields(system, result.cancelled, practiceName);
    const template = await templateFor(uow.tx, latest.organizationId, 'cancelled');
    await this.messenger.send(uow, {
      ...received,
      kind: 'cancelled',
      about,
      body: render(template, { firstName: firstName(patient), practiceName, ...fields }),
    });
    return true;
  }

  async settings(actor: Actor | undefined): Promise<ReminderSettings> {
    const staff = requirePracticeStaff(actor, 'see appointment reminder settings');
    return new PracticeSmsRepository(this.context.db).settings(staff.organizationId);
  }

  async saveSettings(actor: Actor | undefined, input: Record<string, unknown>): Promise<ReminderSettings> {
    const staff = requirePracticeStaff(actor, 'change appointment reminder settings');
    const settings = readSettings(input);
    await new PracticeSmsRepository(this.context.db).saveSettings(staff.organizationId, settings);
    return settings;
  }

  async list(actor: Actor | undefined) {
    const staff = requirePracticeStaff(actor, 'see appointment reminders');
    return { reminders: await new PracticeSmsRepository(this.context.db).reminders(staff.organizationId) };
  }

  /** "Send due reminders now" for the caller's practice (the schedule does it every 15 minutes anyway). */
  async runNow(actor: Actor | undefined) {
    const staff = requirePracticeStaff(actor, 'send appointment reminders');
    return { sent: await this.sendDue(new Date(), staff.organizationId) };
  }
}

function readSettings(input: Record<string, unknown>): ReminderSettings {
  const enabled = input.remindersEnabled;
  const from = input.windowFromHours;
  const to = input.windowToHours;
  if (typeof enabled !== 'boolean') {
    badRequest('Say whether reminders are on', ['remindersEnabled']);
  }
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1 || from > 167) {
    badRequest('The window starts 1 to 167 hours before the appointment', ['windowFromHours']);
  }
  if (typeof to !== 'number' || !Number.isInteger(to) || to <= from || to > 168) {
    badRequest('The window ends after it starts, at most 168 hours before the appointment', ['windowToHours']);
  }
  return { remindersEnabled: enabled, windowFromHours: from, windowToHours: to };
}
