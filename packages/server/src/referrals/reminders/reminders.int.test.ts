/**
 * Referral appointment reminders (H-255, H-258, H-259): planned when an appointment is booked, sent once
 * when due — across concurrent runs — to the patient's mobile as a Communication in the record, never
 * for a cancelled or moved appointment, never to a number that texted STOP or a patient who asked for no
 * telephone contact.
 */
import type { Appointment, Communication, Patient, Slot } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actorClient, diagnostics } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { seedTestDirectory } from '../testing/directory-fixtures.ts';
import { ReminderRepository } from './reminder.repository.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const DAY = 86_400_000;
const PHONE = '+447700900471';

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  await seedTestDirectory(t.platform.resources);
  client = actorClient(t);
});
afterAll(async () => t?.close());

async function setPatient(change: (p: Patient) => Patient): Promise<void> {
  const patient = JSON.parse((await t.platform.resources.read('Patient', 'p1')).json ?? '{}') as Patient;
  await t.platform.resources.update('Patient', 'p1', change(patient));
}

beforeEach(async () => {
  await t.platform.db.query('delete from sms_opt_out');
  await setPatient((p) => ({
    ...p,
    name: [{ given: ['Alice'], family: 'Test' }],
    telecom: [{ system: 'phone', use: 'mobile', value: '07700 900471' }],
    extension: [],
  }));
});

const sender = () => t.app.modules.use('referral-reminders');
const reminders = (id: string) => new ReminderRepository(t.platform.db).ofAppointment(id);
const textsAbout = async (id: string) =>
  t.platform.db.query<{ phone: string; body: string; status: string }>(
    'select phone, body, status from sms_message where reference = $1',
    [`Appointment/${id}`],
  );

let slotCursor = 0;
/** Books the next free MSK CATS slot for p1 as the GP (a referral service appointment). */
async function book(): Promise<Appointment> {
  const res = await t.fhir('GET', `Slot?schedule=Schedule/sch-hs-ref-msk-cats&status=free&_sort=start&_count=50`);
  const slot = (res.body.entry as { resource: Slot }[])[slotCursor++ % 10]!.resource;
  const booked = await client.as(ACTORS.gp, 'POST', 'Appointment/$book', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'slot', valueReference: { reference: `Slot/${slot.id}` } },
      { name: 'patient', valueReference: { reference: 'Patient/p1' } },
    ],
  });
  expect(booked.status, diagnostics(booked)).toBe(201);
  return booked.body as Appointment;
}

/** Just after the day-before reminder is due. */
const dayBefore = (a: Appointment) => new Date(Date.parse(a.start!) - DAY + 60_000);

describe('referral appointment reminders', () => {
  it('plans the reminders on booking and sends the day-before one once, recorded as a Communication', async () => {
    const appointment = await book();
    const planned = await reminders(appointment.id!);
    // The test directory's slots are 18+ days ahead: both the week-before and the day-before are planned.
    expect(planned.map((r) => [r.leadDays, r.status])).toEqual([
      [7, 'due'],
      [1, 'due'],
    ]);
    expect(await sender().sendDue(new Date(Date.parse(appointment.start!) - 7 * DAY - 60_000))).toBe(0);
    const at = dayBefore(appointment);
    // Two instances at once (and again later): one text per reminder, the week-before one superseded.
    const [a, b] = await Promise.all([sender().sendDue(at), sender().sendDue(at)]);
    expect(a + b).toBe(1);
    expect(await sender().sendDue(at)).toBe(0);
    const texts = await textsAbout(appointment.id!);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.phone).toBe(PHONE);
    expect(texts[0]!.body).toMatch(/^Alice, you have a hospital or clinic appointment tomorrow, /);
    expect(texts[0]!.body).toContain('Skelmersdale Health Centre');
    expect(texts[0]!.body).not.toMatch(/MSK|CATS/);
    const after = await reminders(appointment.id!);
    expect(after.map((r) => [r.leadDays, r.status])).toEqual([
      [7, 'skipped'],
      [1, 'sent'],
    ]);
    const communication = JSON.parse(
      (await t.platform.resources.read('Communication', after[1]!.communicationId!)).json ?? '{}',
    ) as Communication;
    expect(communication.subject?.reference).toBe('Patient/p1');
    expect(communication.about?.[0]?.reference).toBe(`Appointment/${appointment.id}`);
    expect(communication.payload?.[0]?.contentString).toBe(texts[0]!.body);
    // The patient sees it in their record.
    expect((await client.as(ACTORS.patient1, 'GET', `Communication/${communication.id}`)).status).toBe(200);
  });

  it('never sends for a cancelled appointment, even when the plan was not updated (H-255)', async () => {
    const appointment = await book();
    const cancelled = await client.as(ACTORS.gp, 'POST', `Appointment/${appointment.id}/$cancel`, {
      resourceType: 'Parameters',
    });
    expect(cancelled.status, diagnostics(cancelled)).toBe(200);
    expect((await reminders(appointment.id!)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    // A stale plan (as if the cancellation raced the job): the job reads the appointment again.
    await t.platform.db.query(`update referrals_reminder set status = 'due' where appointment_id = $1`, [
      appointment.id!,
    ]);
    expect(await sender().sendDue(dayBefore(appointment))).toBe(0);
    expect(await textsAbout(appointment.id!)).toEqual([]);
    expect((await reminders(appointment.id!)).map((r) => r.reason)).toContain('appointment cancelled');
  });

  it('plans again when the appointment moves, and does not text the old time', async () => {
    const appointment = await book();
    const stored = await t.platform.resources.read('Appointment', appointment.id!);
    const later = new Date(Date.parse(appointment.start!) + 2 * DAY).toISOString();
    // Moved in place (an integration changing the time): the reminders follow the new time.
    await t.platform.resources.update('Appointment', appointment.id!, {
      ...(JSON.parse(stored.json ?? '{}') as Appointment),
      start: later,
      end: new Date(Date.parse(later) + 30 * 60_000).toISOString(),
      slot: [],
    });
    // The day before the old time: only the week-before reminder of the new time is due.
    expect(await sender().sendDue(dayBefore(appointment))).toBe(1);
    expect((await textsAbout(appointment.id!))[0]!.body).not.toContain('tomorrow');
    expect(await sender().sendDue(new Date(Date.parse(later) - DAY + 60_000))).toBe(1);
    expect((await textsAbout(appointment.id!)).filter((m) => m.body.includes('tomorrow'))).toHaveLength(1);
  });

  it.each([
    ['a number that texted STOP', 'opted out (STOP)'],
    ['a patient who asked for no telephone contact', 'no telephone contact'],
    ['a patient with no mobile', 'no mobile number'],
  ])('does not text %s', async (_case, reason) => {
    if (reason.startsWith('opted out')) {
      await t.platform.db.query(`insert into sms_opt_out (phone, via) values ($1, 'loopback')`, [PHONE]);
    } else if (reason === 'no telephone contact') {
      await setPatient((p) => ({
        ...p,
        extension: [
          {
            url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference',
            extension: [
              {
                url: 'PreferredContactMethod',
                valueCodeableConcept: {
                  coding: [
                    {
                      system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-PreferredContactMethod',
                      code: '8',
                      display: 'No telephone contact',
                    },
                  ],
                },
              },
            ],
          },
        ],
      }));
    } else {
      await setPatient((p) => ({ ...p, telecom: [{ system: 'email', value: 'alice@example.org' }] }));
    }
    const appointment = await book();
    expect(await sender().sendDue(dayBefore(appointment))).toBe(0);
    expect(await textsAbout(appointment.id!)).toEqual([]);
    expect((await reminders(appointment.id!)).find((r) => r.leadDays === 1)).toMatchObject({
      status: 'skipped',
      reason,
    });
  });
});
