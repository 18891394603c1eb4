/**
 * Keeps the reminder plan in step with every Appointment write, in the write's own transaction (a
 * write effect, like the slot holding): a booked referral appointment (one with a directory service
 * among its participants) has a row per lead day whose time is still ahead; any other state —
 * cancelled, moved to another status, deleted — cancels the rows still due at once, so no reminder
 * can be sent for an appointment that was cancelled a moment before the job ran (H-255). A new start
 * time plans the reminders again for it.
 */
import type { Appointment } from '@medplum/fhirtypes';
import type { Queryable } from '../../db/database.ts';
import type { WriteEffect, WrittenResource } from '../../fhir/store/write-effects.ts';

const DAY = 86_400_000;

/** The patient and service of a referral appointment, from its participants. */
export function referralParticipants(appointment: Appointment): { patientId?: string; serviceId?: string } {
  const of = (type: string) =>
    appointment.participant
      ?.map((p) => p.actor?.reference)
      .find((r) => r?.startsWith(`${type}/`))
      ?.slice(type.length + 1);
  return { patientId: of('Patient'), serviceId: of('HealthcareService') };
}

/** The reminders a written Appointment should have: lead days and when each is due (future only). */
export function plannedReminders(
  appointment: Appointment | undefined,
  leadDays: readonly number[],
  now: Date,
): { patientId: string; start: string; due: { leadDays: number; dueAt: Date }[] } | undefined {
  const { patientId, serviceId } = appointment ? referralParticipants(appointment) : {};
  if (!appointment || appointment.status !== 'booked' || !patientId || !serviceId || !appointment.start) {
    return undefined;
  }
  const start = Date.parse(appointment.start);
  const due = leadDays
    .map((days) => ({ leadDays: days, dueAt: new Date(start - days * DAY) }))
    .filter((d) => d.dueAt.getTime() > now.getTime());
  return { patientId, start: new Date(start).toISOString(), due };
}

export function reminderPlanEffect(leadDays: readonly number[], now: () => Date = () => new Date()): WriteEffect {
  return {
    name: 'referrals: appointment reminders',
    types: ['Appointment'],
    apply: async (tx, _store, written) => {
      for (const w of written) {
        await planOne(tx, w, leadDays, now());
      }
    },
  };
}

async function planOne(tx: Queryable, written: WrittenResource, leadDays: readonly number[], now: Date): Promise<void> {
  const plan = plannedReminders(written.resource as Appointment | undefined, leadDays, now);
  // What is no longer planned (cancelled, moved, a lead day past) is not sent; what was sent stays sent.
  // A first version has no reminders to cancel: they are keyed by the Appointment's id, and any earlier
  // write of that id would have made this version 2 or later.
  if (written.resource?.meta?.versionId !== '1') {
    await cancelUnplanned(tx, written.id, plan);
  }
  if (!plan?.due.length) {
    return;
  }
  // A reminder already sent for this start is kept; a new start time makes every reminder due again.
  await tx.query(
    `insert into referrals_reminder (appointment_id, lead_days, patient_id, appointment_start, due_at)
     select $1, lead, $2, $3, due from unnest($4::int[], $5::timestamptz[]) as t(lead, due)
     on conflict (appointment_id, lead_days) do update
        set patient_id = excluded.patient_id, appointment_start = excluded.appointment_start,
            due_at = excluded.due_at, updated_at = now(),
            status = case when referrals_reminder.status = 'sent'
                           and referrals_reminder.appointment_start = excluded.appointment_start
                          then 'sent' else 'due' end,
            reason = case when referrals_reminder.status = 'sent'
                           and referrals_reminder.appointment_start = excluded.appointment_start
                          then referrals_reminder.reason else null end`,
    [
      written.id,
      plan.patientId,
      plan.start,
      plan.due.map((d) => d.leadDays),
      plan.due.map((d) => d.dueAt.toISOString()),
    ],
  );
}

async function cancelUnplanned(
  tx: Queryable,
  appointmentId: string,
  plan: ReturnType<typeof plannedReminders>,
): Promise<void> {
  await tx.query(
    `update referrals_reminder set status = 'cancelled', reason = $3, updated_at = now()
      where appointment_id = $1 and status = 'due' and not (lead_days = any($2::int[]))`,
    [appointmentId, plan ? plan.due.map((d) => d.leadDays) : [], plan ? 'no longer due' : 'appointment not booked'],
  );
}
