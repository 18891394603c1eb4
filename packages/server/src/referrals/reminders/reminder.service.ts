/**
 * Referral appointment reminders by SMS (docs/REFERRALS.md, "Reminders"; H-255, H-258, H-259): the job
 * claims the reminders now due (skip locked: once across instances), reads each appointment again —
 * never texting for one that is no longer booked, has moved or has passed — and the patient's current
 * mobile and contact preferences, leaves out numbers that texted STOP, queues the texts in the claiming
 * transaction (a rollback sends nothing) and records each text sent as a `Communication` in the record.
 */
import type {
  Appointment,
  Communication,
  HealthcareService,
  Location,
  Organization,
  Patient,
} from '@medplum/fhirtypes';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import { mobileOf } from '../../gateways/sms/index.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import { idIn, REFERRAL_SYSTEM } from '../lifecycle/vocabulary.ts';
import { referralParticipants } from './plan.ts';
import { ReminderRepository, type DueReminder, type ReminderOutcome } from './reminder.repository.ts';
import { currentTelecom, firstNameOf, notTextable, reminderText } from './text.ts';

/** Reminders claimed per transaction. */
const BATCH = 100;
export const REMINDER_CATEGORY = 'referral-appointment-reminder';

interface Prepared {
  reminder: DueReminder;
  appointment: Appointment;
  phone: string;
  body: string;
  providerId?: string;
}

type Context = Pick<ModuleContext, 'unitOfWork' | 'systemActor' | 'use'>;

export class ReminderService {
  private readonly context: Context;

  constructor(context: Context) {
    this.context = context;
  }

  /** Sends every reminder due by `now`, a batch per transaction; returns how many texts were queued. */
  async sendDue(now = new Date()): Promise<number> {
    let sent = 0;
    for (;;) {
      const round = await this.context.unitOfWork(this.context.systemActor, (uow) => this.round(uow, now));
      sent += round.sent;
      if (round.claimed < BATCH) {
        return sent;
      }
    }
  }

  private async round(uow: UnitOfWork, now: Date): Promise<{ claimed: number; sent: number }> {
    const repository = new ReminderRepository(uow.tx);
    const due = await repository.claimDue(now, BATCH);
    const system = uow.system();
    const outcomes: ReminderOutcome[] = [];
    const ready: Prepared[] = [];
    const latest = latestPerAppointment(due);
    for (const reminder of due) {
      const prepared =
        latest.get(reminder.appointmentId) === reminder
          ? await prepare(system, reminder, now)
          : { skip: 'a later reminder is due' };
      if ('skip' in prepared) {
        outcomes.push({ ...key(reminder), status: 'skipped', reason: prepared.skip });
      } else {
        ready.push(prepared);
      }
    }
    const sms = this.context.use('sms');
    const optedOut = await sms.optedOutAmong(
      ready.map((r) => r.phone),
      { tx: uow.tx },
    );
    const sendable = ready.filter((r) => !optedOut.has(r.phone));
    for (const r of ready.filter((r) => optedOut.has(r.phone))) {
      outcomes.push({ ...key(r.reminder), status: 'skipped', reason: 'opted out (STOP)' });
    }
    const queued = await sms.queueMany(
      sendable.map((r) => ({
        to: r.phone,
        body: r.body,
        reference: `Appointment/${r.appointment.id}`,
        ...(r.providerId ? { senderOrganizationId: r.providerId } : {}),
      })),
      { tx: uow.tx },
    );
    let sent = 0;
    for (const [i, result] of queued.entries()) {
      const r = sendable[i]!;
      if ('invalid' in result) {
        outcomes.push({ ...key(r.reminder), status: 'skipped', reason: result.invalid });
        continue;
      }
      const communication = await system.create('Communication', communicationOf(r, now));
      outcomes.push({
        ...key(r.reminder),
        status: 'sent',
        smsMessageId: result.message.id,
        communicationId: communication.resource.id!,
      });
      sent++;
    }
    await repository.record(outcomes);
    return { claimed: due.length, sent };
  }
}

const key = (r: DueReminder) => ({ appointmentId: r.appointmentId, leadDays: r.leadDays });

/** Of an appointment's reminders due at once (after downtime), only the nearest one is sent. */
function latestPerAppointment(due: readonly DueReminder[]): Map<string, DueReminder> {
  const latest = new Map<string, DueReminder>();
  for (const reminder of due) {
    const held = latest.get(reminder.appointmentId);
    if (!held || reminder.leadDays < held.leadDays) {
      latest.set(reminder.appointmentId, reminder);
    }
  }
  return latest;
}

/** The text for a due reminder, or why it is not sent — read again from the record now (H-255). */
async function prepare(
  system: ResourceService,
  reminder: DueReminder,
  now: Date,
): Promise<Prepared | { skip: string }> {
  const appointment = await readOrUndefined<Appointment>(system, 'Appointment', reminder.appointmentId);
  if (!appointment || appointment.status !== 'booked') {
    return { skip: `appointment ${appointment?.status ?? 'not found'}` };
  }
  if (!appointment.start || Date.parse(appointment.start) !== Date.parse(reminder.appointmentStart)) {
    return { skip: 'appointment moved' };
  }
  if (Date.parse(appointment.start) <= now.getTime()) {
    return { skip: 'appointment passed' };
  }
  const { patientId, serviceId } = referralParticipants(appointment);
  const patient = patientId ? await readOrUndefined<Patient>(system, 'Patient', patientId) : undefined;
  if (!patient) {
    return { skip: 'patient not found' };
  }
  const why = notTextable(patient);
  if (why) {
    return { skip: why };
  }
  const phone = mobileOf(currentTelecom(patient, now));
  if (!phone) {
    return { skip: 'no mobile number' };
  }
  const service = serviceId
    ? await readOrUndefined<HealthcareService>(system, 'HealthcareService', serviceId)
    : undefined;
  const providerId = idIn(service?.providedBy?.reference, 'Organization');
  const provider = providerId ? await readOrUndefined<Organization>(system, 'Organization', providerId) : undefined;
  const body = reminderText(
    {
      ...(firstNameOf(patient) ? { firstName: firstNameOf(patient)! } : {}),
      start: appointment.start,
      ...(await placeOf(system, appointment)),
      ...(provider?.name ? { provider: provider.name } : {}),
    },
    now,
  );
  return { reminder, appointment, phone, body, ...(providerId ? { providerId } : {}) };
}

async function placeOf(system: ResourceService, appointment: Appointment): Promise<{ place?: string }> {
  const actor = appointment.participant?.find((p) => p.actor?.reference?.startsWith('Location/'))?.actor;
  if (actor?.display) {
    return { place: actor.display };
  }
  const location = await readOrUndefined<Location>(system, 'Location', idIn(actor?.reference, 'Location') ?? '');
  return location?.name ? { place: location.name } : {};
}

function communicationOf(r: Prepared, now: Date): Communication {
  const patient = `Patient/${r.reminder.patientId}`;
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [
      { coding: [{ system: REFERRAL_SYSTEM, code: REMINDER_CATEGORY, display: 'Referral appointment reminder' }] },
    ],
    medium: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
            code: 'SMSWRIT',
            display: 'SMS written',
          },
        ],
      },
    ],
    subject: { reference: patient },
    recipient: [{ reference: patient }],
    ...(r.providerId ? { sender: { reference: `Organization/${r.providerId}` } } : {}),
    about: [{ reference: `Appointment/${r.appointment.id}` }],
    ...(r.appointment.basedOn?.length ? { basedOn: r.appointment.basedOn } : {}),
    sent: now.toISOString(),
    payload: [{ contentString: r.body }],
  };
}

async function readOrUndefined<T>(system: ResourceService, type: string, id: string): Promise<T | undefined> {
  if (!id) {
    return undefined;
  }
  try {
    return JSON.parse((await system.read(type, id)).json ?? 'null') as T;
  } catch {
    // Deleted or never there: the reminder says why it was not sent.
    return undefined;
  }
}
