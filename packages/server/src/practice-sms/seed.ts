/**
 * Demo data (idempotent: nothing when the demo practice already uses practice SMS): reminders on at
 * demo.practiceadmin's practice, appointments booked for a few of its patients with a mobile, their
 * reminders sent, one cancelled by a CANCEL reply, a reply that became a conversation with an answer
 * from the practice, and an asthma recall.
 */
import type { Appointment, Patient, PractitionerRole, Schedule, Slot } from '@medplum/fhirtypes';
import type { StaffActor } from '../access/actor.ts';
import type { DemoSeed, ModuleContext } from '../modules/contract.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { PracticeSmsRepository } from './practice-sms.repository.ts';
import { mobileOf, parse } from './record.ts';
import type { RecallService } from './recalls.service.ts';
import type { ConversationService } from './conversations.service.ts';
import type { ReminderService } from './reminders.service.ts';

const BOOKED_BY_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/slot-booked-by';
const HOUR = 3_600_000;

export interface SeedServices {
  reminders: ReminderService;
  recalls: RecallService;
  conversations: ConversationService;
}

/** What the demo still has to text once the job queue runs (texts cannot be queued before it starts). */
export interface DemoTexts {
  organizationId: string;
  booked: { patient: Patient; appointment: Appointment }[];
}

/** The record part of the demo: reminders switched on and appointments booked (no texts yet). */
export async function seedPracticeSms(context: ModuleContext, demo: DemoSeed): Promise<DemoTexts | undefined> {
  const system = context.system;
  let role: PractitionerRole;
  try {
    role = parse<PractitionerRole>((await system.read('PractitionerRole', 'prrole-demo-practiceadmin')).json);
  } catch {
    return undefined; // no demo staff (a population without the demo logins)
  }
  const organizationId = role.organization?.reference?.split('/')[1];
  const repository = new PracticeSmsRepository(context.db);
  if (!organizationId || (await repository.reminderPractices()).some((p) => p.organizationId === organizationId)) {
    return undefined;
  }
  await repository.saveSettings(organizationId, { remindersEnabled: true, windowFromHours: 24, windowToHours: 48 });
  const patients = await patientsWithMobiles(system, organizationId, 4);
  const slots = await freeSlots(system, organizationId, new Date(Date.now() + 25 * HOUR), patients.length);
  const booked: { patient: Patient; appointment: Appointment }[] = [];
  for (const [i, patient] of patients.entries()) {
    const slot = slots[i];
    if (slot) {
      booked.push({ patient, appointment: await book(system, organizationId, patient, slot) });
    }
  }
  demo.log(`  practice SMS: ${booked.length} appointments booked (reminders are texted once the server is up)`);
  return { organizationId, booked };
}

/**
 * The texting part of the demo, once the job queue runs (the module's `start`): reminders, one
 * cancelled by a CANCEL reply, a reply answered by the practice, an asthma recall.
 */
export async function sendDemoTexts(context: ModuleContext, services: SeedServices, demo: DemoTexts): Promise<void> {
  const { organizationId, booked } = demo;
  // Sent as if 30 hours before each appointment: the demo has reminders whatever day it starts on.
  let sent = 0;
  for (const { appointment } of booked) {
    sent += await services.reminders.sendDue(new Date(Date.parse(appointment.start!) - 30 * HOUR), organizationId);
  }
  const sms = context.use('sms');
  const [first, second] = booked;
  if (first) {
    await sms.receive({
      provider: 'loopback',
      providerMessageId: 'demo-practice-sms-1',
      from: mobileOf(first.patient)!,
      body: 'CANCEL',
    });
  }
  const admin: StaffActor = {
    kind: 'staff',
    userId: 'demo-practiceadmin',
    practitionerId: 'prac-demo-practiceadmin',
    practitionerRoleId: 'prrole-demo-practiceadmin',
    organizationId,
    organizationType: 'gp-practice',
    roleCode: 'R8010',
    scopes: ['user/*.cruds'],
  };
  if (second) {
    const phone = mobileOf(second.patient)!;
    await sms.receive({
      provider: 'loopback',
      providerMessageId: 'demo-practice-sms-2',
      from: phone,
      body: 'Could I see the nurse instead of the doctor?',
    });
    await services.conversations.reply(
      admin,
      phone,
      'Yes, we can change that for you. We will call you this afternoon.',
    );
  }
  const recall = await services.recalls.send(admin, { review: 'asthma' });
  context.log.info(
    `practice SMS demo: ${sent} reminders, 1 cancelled by reply, a conversation, an asthma recall to ${recall.sentCount} patients`,
  );
}

// The conditions the telehealth demo enrols patients for (COPD, hypertension, heart failure, diabetes):
// its seed runs after this one, and a demo patient on telehealth texts readings, not the practice.
const TELEHEALTH_DEMO_CONDITIONS = ['13645005', '38341003', '84114007', '44054006'];

async function patientsWithMobiles(system: ResourceService, organizationId: string, count: number): Promise<Patient[]> {
  const bundle = await system.search('Patient', [
    ['general-practitioner', `Organization/${organizationId}`],
    ['_count', '200'],
  ]);
  const seen = new Set<string>();
  const chosen: Patient[] = [];
  for (const patient of (bundle.entry ?? []).map((e) => e.resource as Patient)) {
    const mobile = mobileOf(patient);
    // Distinct numbers, so each demo phone has one conversation.
    if (patient.deceasedBoolean || patient.deceasedDateTime || !mobile || seen.has(mobile)) {
      continue;
    }
    const conditions = await system.search('Condition', [
      ['subject', `Patient/${patient.id}`],
      ['code', TELEHEALTH_DEMO_CONDITIONS.map((c) => `http://snomed.info/sct|${c}`).join(',')],
      ['_summary', 'count'],
    ]);
    if (conditions.total) {
      continue;
    }
    seen.add(mobile);
    chosen.push(patient);
    if (chosen.length >= count) {
      break;
    }
  }
  return chosen;
}

async function freeSlots(system: ResourceService, organizationId: string, from: Date, count: number): Promise<Slot[]> {
  const bundle = await system.search('Slot', [
    ['status', 'free'],
    ['start', `ge${from.toISOString()}`],
    ['start', `le${new Date(from.getTime() + 7 * 24 * HOUR).toISOString()}`],
    ['_sort', 'start'],
    ['_count', '200'],
  ]);
  return (bundle.entry ?? [])
    .map((e) => e.resource as Slot)
    .filter((s) => s.meta?.source?.endsWith(`Organization/${organizationId}`))
    .slice(0, count);
}

/** Books a slot as the practice's reception would (the Slot busy and naming the Appointment). */
async function book(
  system: ResourceService,
  organizationId: string,
  patient: Patient,
  slot: Slot,
): Promise<Appointment> {
  const schedule = parse<Schedule>((await system.read('Schedule', slot.schedule.reference!.split('/')[1]!)).json);
  const appointment = (
    await system.create('Appointment', {
      resourceType: 'Appointment',
      meta: { source: `Organization/${organizationId}` },
      status: 'booked',
      serviceType: slot.serviceType,
      description: slot.serviceType?.[0]?.coding?.[0]?.display ?? 'Appointment',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: `Slot/${slot.id}` }],
      created: new Date().toISOString(),
      participant: [
        { actor: { reference: `Patient/${patient.id}` }, required: 'required', status: 'accepted' },
        ...(schedule.actor ?? []).map((actor) => ({
          actor,
          required: 'required' as const,
          status: 'accepted' as const,
        })),
      ],
    } satisfies Appointment)
  ).resource as Appointment;
  await system.update('Slot', slot.id!, {
    ...slot,
    status: 'busy',
    extension: [
      ...(slot.extension ?? []),
      { url: BOOKED_BY_EXTENSION, valueReference: { reference: `Appointment/${appointment.id}` } },
    ],
  });
  return appointment;
}
