/**
 * MDT meetings. A meeting is scheduled as a FHIR `Appointment` (service category mdt-meeting): its
 * participants are the team members — the current practitioners of the care teams of the patients
 * discussed, the caller chairing — and its `supportingInformation` the CarePlans discussed and the
 * agenda. The agenda is a `List` (code mdt-meeting) of the patients to discuss — owned data
 * (docs/ACCESS.md, "Owned data"): its owner is the organisation that called it, shared with the
 * organisations taking part, and nobody else sees it, not even staff who may see every patient on it.
 * The Appointment names no patient (so it is in no patient's record, and any member of staff may see
 * it in a calendar): it carries no free text — the title stays on the agenda (H-185). Each patient's
 * outcome is a `Communication` (category mdt-outcome, `about` the agenda and the Appointment) in that
 * patient's record, and the next review date goes on their care plan.
 */
import type {
  Appointment,
  AppointmentParticipant,
  CarePlan,
  CareTeam,
  Communication,
  List,
  Practitioner,
} from '@medplum/fhirtypes';
import { z } from 'zod';
import type { Actor, StaffActor } from '../access/actor.ts';
import { requireStaff } from '../access/guards.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { fail, notFound } from '../fhir/outcome.ts';
import type { ModuleContext } from '../modules/contract.ts';
import {
  concept,
  COORDINATION_SYSTEM,
  hasCode,
  idIn,
  MDT_APPOINTMENT_IDENTIFIER_SYSTEM,
  MDT_MEETING,
  MDT_OUTCOME,
  MEETING_START_EXTENSION,
  NEXT_REVIEW_EXTENSION,
  readAs,
  searchAs,
  SHARED_WITH_EXTENSION,
} from './fhir.ts';
import { currentPlan, parse } from './plan.service.ts';
import type { CoordinationSettings } from './settings.ts';
import { patientsById, type PatientSummary } from './views.ts';

const ID = z.string().min(1).max(64);
const MEETING = z.object({
  title: z.string().trim().min(3).max(200),
  start: z.string().datetime({ offset: true }),
  /** How long the meeting is booked for (the Appointment's end). */
  minutes: z.coerce.number().int().min(15).max(480).default(60),
  patients: z.array(ID).min(1).max(50),
  organizations: z.array(ID).max(20).default([]),
});
const OUTCOME = z.object({
  patientId: ID,
  outcome: z.string().trim().min(3).max(4000),
  nextReview: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')
    .optional(),
});

export interface MeetingSummary {
  id: string;
  title: string;
  start?: string;
  patients: number;
  status: string;
}

export interface MeetingAppointment {
  id: string;
  status: Appointment['status'];
  start?: string;
  end?: string;
  participants: { reference: string; name?: string; status: AppointmentParticipant['status']; chair: boolean }[];
  /** CarePlans discussed (the Appointment's supportingInformation), as references. */
  carePlans: string[];
}

export interface MeetingView extends MeetingSummary {
  owner?: string;
  sharedWith: string[];
  /** The meeting as scheduled (absent only for a meeting called before meetings were Appointments). */
  appointment?: MeetingAppointment;
  items: {
    patient: PatientSummary | { id: string; name: string };
    outcome?: { text: string; at?: string };
    nextReview?: string;
  }[];
}

/** The chair is the primary performer (v3 ParticipationType, the binding of Appointment.participant.type). */
const PARTICIPATION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const CHAIR = 'PPRF';
const startOf = (list: List) => list.extension?.find((e) => e.url === MEETING_START_EXTENSION)?.valueDateTime;

function summary(list: List): MeetingSummary {
  const start = startOf(list);
  return {
    id: list.id!,
    title: list.title ?? 'MDT meeting',
    ...(start ? { start } : {}),
    patients: list.entry?.length ?? 0,
    status: list.status,
  };
}

export class MdtService {
  private readonly context: ModuleContext<CoordinationSettings>;

  constructor(context: ModuleContext<CoordinationSettings>) {
    this.context = context;
  }

  /** Calls a meeting: owned by the caller's organisation, shared with those taking part. */
  async create(actor: Actor | undefined, body: unknown): Promise<MeetingView> {
    const staff = requireStaff(actor, { doing: 'arrange MDT meetings' });
    const input = parse(MEETING, body);
    const id = await this.context.unitOfWork(staff, async (uow) => {
      for (const patient of input.patients) {
        await readAs(uow.record, 'Patient', patient);
      }
      const list: List = {
        resourceType: 'List',
        status: 'current',
        mode: 'working',
        title: input.title,
        code: concept(COORDINATION_SYSTEM, MDT_MEETING, 'MDT meeting'),
        source: { reference: `Organization/${staff.organizationId}` },
        date: new Date().toISOString(),
        entry: input.patients.map((p) => ({ item: { reference: `Patient/${p}` } })),
        extension: [
          { url: MEETING_START_EXTENSION, valueDateTime: input.start },
          ...[...new Set(input.organizations)]
            .filter((org) => org !== staff.organizationId)
            .map((org) => ({ url: SHARED_WITH_EXTENSION, valueReference: { reference: `Organization/${org}` } })),
        ],
      };
      const created = (await uow.record.create('List', list)).resource as List;
      await this.schedule(uow.record, created, input.minutes, `Practitioner/${staff.practitionerId}`);
      return created.id!;
    });
    return this.meeting(staff, id);
  }

  /**
   * The meeting's Appointment, once per agenda: the team members of each patient's care plan that
   * `record` may see are invited (the chair has accepted), the CarePlans and the agenda are its
   * supporting information. `chair`: the caller's Practitioner (absent when the demo data is upgraded).
   */
  async schedule(record: ResourceService, list: List, minutes = 60, chair?: string): Promise<Appointment> {
    const existing = await this.appointmentOf(record, list.id!);
    if (existing) {
      return existing;
    }
    const start = startOf(list) ?? new Date().toISOString();
    const plans: string[] = [];
    const members = new Map<string, AppointmentParticipant>();
    if (chair) {
      const name = await nameOf(record, chair);
      members.set(chair, {
        actor: { reference: chair, ...(name ? { display: name } : {}) },
        type: [{ ...concept(PARTICIPATION_TYPE_SYSTEM, CHAIR, 'primary performer'), text: 'Chair' }],
        required: 'required',
        status: 'accepted',
      });
    }
    const now = new Date().toISOString();
    for (const patientId of patientIdsOf(list)) {
      const plan = await currentPlan(record, patientId);
      if (!plan) {
        continue;
      }
      plans.push(`CarePlan/${plan.id!}`);
      for (const ref of plan.careTeam ?? []) {
        const teamId = idIn(ref.reference, 'CareTeam');
        const team = teamId ? await readAs<CareTeam>(record, 'CareTeam', teamId).catch(() => undefined) : undefined;
        for (const p of team?.resource.participant ?? []) {
          const member = p.member?.reference;
          const current = !p.period?.end || p.period.end > now;
          // An Appointment's participants are people: a team member that is an organisation is invited
          // through the agenda's sharing instead.
          if (!member || !current || !/^(Practitioner|PractitionerRole)\//.test(member) || members.has(member)) {
            continue;
          }
          members.set(member, {
            actor: { reference: member, ...(p.member?.display ? { display: p.member.display } : {}) },
            ...(p.role?.length ? { type: p.role } : {}),
            required: 'required',
            status: 'needs-action',
          });
        }
      }
    }
    const owner = list.source?.reference;
    const appointment: Appointment = {
      resourceType: 'Appointment',
      // The meeting's organisation's record (a staff write is always the writer's; this tells the upgrade's).
      ...(owner?.startsWith('Organization/') ? { meta: { source: owner } } : {}),
      identifier: [{ system: MDT_APPOINTMENT_IDENTIFIER_SYSTEM, value: `List/${list.id!}` }],
      status: 'booked',
      serviceCategory: [concept(COORDINATION_SYSTEM, MDT_MEETING, 'MDT meeting')],
      // No title, no names: the Appointment is in no patient's record and any member of staff may see it (H-185).
      description: 'Multidisciplinary team (MDT) meeting',
      start,
      end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
      minutesDuration: minutes,
      created: now,
      supportingInformation: [...plans.map((reference) => ({ reference })), { reference: `List/${list.id!}` }],
      participant: [...members.values()],
    };
    return (await record.create('Appointment', appointment)).resource as Appointment;
  }

  /** Schedules every meeting called before meetings were Appointments (the demo data's upgrade); returns how many. */
  async scheduleUnscheduled(): Promise<number> {
    const lists = await searchAs<List>(this.context.system, 'List', [
      ['code', `${COORDINATION_SYSTEM}|${MDT_MEETING}`],
      ['_count', '500'],
    ]);
    let scheduled = 0;
    for (const list of lists) {
      if (!(await this.appointmentOf(this.context.system, list.id!))) {
        await this.schedule(this.context.system, list);
        scheduled += 1;
      }
    }
    return scheduled;
  }

  /** Meetings the caller may see (theirs or shared with them), the next first, then past ones. */
  async list(actor: Actor | undefined): Promise<MeetingSummary[]> {
    const staff = requireStaff(actor, { doing: 'see MDT meetings' });
    const lists = await searchAs<List>(this.context.recordAs(staff), 'List', [
      ['code', `${COORDINATION_SYSTEM}|${MDT_MEETING}`],
      ['_count', '200'],
    ]);
    const now = new Date().toISOString();
    const meetings = lists.map(summary);
    const upcoming = meetings.filter((m) => (m.start ?? '') >= now).sort((a, b) => a.start!.localeCompare(b.start!));
    const past = meetings
      .filter((m) => (m.start ?? '') < now)
      .sort((a, b) => (b.start ?? '').localeCompare(a.start ?? ''));
    return [...upcoming, ...past];
  }

  /** A meeting with its patients, each with the outcome recorded and the next review date (404 if hidden). */
  async meeting(actor: Actor | undefined, id: string): Promise<MeetingView> {
    const staff = requireStaff(actor, { doing: 'see MDT meetings' });
    const record = this.context.recordAs(staff);
    const list = await this.read(record, id);
    const ids = patientIdsOf(list);
    const patients = await patientsById(record, ids);
    const appointment = await this.appointmentOf(record, id);
    const items: MeetingView['items'] = [];
    for (const patientId of ids) {
      const outcome = await this.outcomeOf(record, patientId, id);
      const plan = await currentPlan(record, patientId);
      const review = plan?.extension?.find((e) => e.url === NEXT_REVIEW_EXTENSION)?.valueDate;
      items.push({
        // A patient the caller may not see stays on the list without a name (hidden is not absent here:
        // the list is theirs, but the record is not).
        patient: patients.get(patientId) ?? { id: patientId, name: 'A patient whose record you may not see' },
        ...(outcome ? { outcome } : {}),
        ...(review ? { nextReview: review } : {}),
      });
    }
    return {
      ...summary(list),
      ...(list.source?.reference ? { owner: list.source.reference } : {}),
      sharedWith: (list.extension ?? [])
        .filter((e) => e.url === SHARED_WITH_EXTENSION)
        .map((e) => e.valueReference?.reference ?? ''),
      ...(appointment ? { appointment: appointmentView(appointment) } : {}),
      items,
    };
  }

  /** Records a patient's outcome (a Communication in their record) and, if given, their next review date. */
  async recordOutcome(actor: Actor | undefined, id: string, body: unknown): Promise<MeetingView> {
    const staff = requireStaff(actor, { doing: 'record MDT outcomes' });
    const input = parse(OUTCOME, body);
    await this.context.unitOfWork(staff, async (uow) => {
      const list = await this.read(uow.record, id);
      if (!(list.entry ?? []).some((e) => e.item.reference === `Patient/${input.patientId}`)) {
        fail('invalid', 'That patient is not on this meeting’s list', ['patientId']);
      }
      await uow.lock(`coordination:mdt:${id}:${input.patientId}`);
      const appointment = await this.appointmentOf(uow.record, id);
      const communication: Communication = {
        resourceType: 'Communication',
        status: 'completed',
        category: [concept(COORDINATION_SYSTEM, MDT_OUTCOME, 'MDT outcome')],
        subject: { reference: `Patient/${input.patientId}` },
        about: [{ reference: `List/${id}` }, ...(appointment ? [{ reference: `Appointment/${appointment.id!}` }] : [])],
        sender: { reference: practitioner(staff) },
        sent: new Date().toISOString(),
        payload: [{ contentString: input.outcome }],
        ...(input.nextReview ? { note: [{ text: `Next review ${input.nextReview}` }] } : {}),
      };
      await uow.record.create('Communication', communication);
      if (
        appointment?.status === 'booked' &&
        appointment.start &&
        appointment.start <= new Date().toISOString() &&
        isOwnRecord(appointment, staff)
      ) {
        // An outcome after the start: the meeting took place (its organisation's record; a partner's
        // outcome leaves the booking as it is).
        await uow.record.update('Appointment', appointment.id!, { ...appointment, status: 'fulfilled' });
      }
      if (input.nextReview) {
        const plan = await currentPlan(uow.record, input.patientId);
        if (!plan) {
          fail('invalid', 'This patient has no care coordination plan to set a review date on', ['nextReview']);
        }
        const others = (plan.extension ?? []).filter((e) => e.url !== NEXT_REVIEW_EXTENSION);
        await uow.record.update('CarePlan', plan.id!, {
          ...plan,
          extension: [...others, { url: NEXT_REVIEW_EXTENSION, valueDate: input.nextReview }],
        } satisfies CarePlan);
      }
    });
    return this.meeting(staff, id);
  }

  private async read(record: ResourceService, id: string): Promise<List> {
    const { resource } = await readAs<List>(record, 'List', id);
    return hasCode(resource.code, COORDINATION_SYSTEM, MDT_MEETING) ? resource : notFound(`List/${id} is not known`);
  }

  /** The meeting's Appointment as `record` sees it (found by its agenda), if any. */
  private async appointmentOf(record: ResourceService, listId: string): Promise<Appointment | undefined> {
    const [appointment] = await searchAs<Appointment>(record, 'Appointment', [
      ['identifier', `${MDT_APPOINTMENT_IDENTIFIER_SYSTEM}|List/${listId}`],
      ['_count', '1'],
    ]);
    return appointment;
  }

  private async outcomeOf(record: ResourceService, patientId: string, meetingId: string) {
    const found = await searchAs<Communication>(record, 'Communication', [
      ['subject', `Patient/${patientId}`],
      ['category', `${COORDINATION_SYSTEM}|${MDT_OUTCOME}`],
      ['_sort', '-sent'],
      ['_count', '50'],
    ]);
    const latest = found.find((c) => c.about?.some((a) => a.reference === `List/${meetingId}`));
    const text = latest?.payload?.[0]?.contentString;
    return text ? { text, ...(latest.sent ? { at: latest.sent } : {}) } : undefined;
  }
}

const practitioner = (staff: StaffActor) => `Practitioner/${staff.practitionerId}`;
const isOwnRecord = (resource: { meta?: { source?: string } }, staff: StaffActor) =>
  !!resource.meta?.source?.endsWith(`/Organization/${staff.organizationId}`) ||
  resource.meta?.source === `Organization/${staff.organizationId}`;

/** A Practitioner's name as `record` sees it (public directory), if known. */
async function nameOf(record: ResourceService, reference: string): Promise<string | undefined> {
  const id = idIn(reference, 'Practitioner');
  const found = id ? await readAs<Practitioner>(record, 'Practitioner', id).catch(() => undefined) : undefined;
  const name = found?.resource.name?.[0];
  return name ? [name.prefix?.join(' '), name.given?.join(' '), name.family].filter(Boolean).join(' ') : undefined;
}

const patientIdsOf = (list: List): string[] =>
  (list.entry ?? []).map((e) => idIn(e.item.reference, 'Patient') ?? '').filter(Boolean);

/** The Appointment as the meeting page shows it (pure). */
export function appointmentView(appointment: Appointment): MeetingAppointment {
  return {
    id: appointment.id!,
    status: appointment.status,
    ...(appointment.start ? { start: appointment.start } : {}),
    ...(appointment.end ? { end: appointment.end } : {}),
    participants: appointment.participant
      .filter((p) => p.actor?.reference)
      .map((p) => ({
        reference: p.actor!.reference!,
        ...(p.actor?.display ? { name: p.actor.display } : {}),
        status: p.status,
        chair: hasCode(p.type, PARTICIPATION_TYPE_SYSTEM, CHAIR),
      })),
    carePlans: (appointment.supportingInformation ?? [])
      .map((r) => r.reference ?? '')
      .filter((r) => r.startsWith('CarePlan/')),
  };
}
