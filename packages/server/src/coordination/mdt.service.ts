/**
 * MDT meetings: a meeting is a `List` (code mdt-meeting) of the patients to discuss — owned data
 * (docs/ACCESS.md, "Owned data"): its owner is the organisation that called it, shared with the
 * organisations taking part, and nobody else sees it, not even staff who may see every patient on it.
 * Its time is an extension; each patient's outcome is a `Communication` (category mdt-outcome,
 * `about` the meeting) in that patient's record, and the next review date goes on their care plan.
 */
import type { CarePlan, Communication, List } from '@medplum/fhirtypes';
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

export interface MeetingView extends MeetingSummary {
  owner?: string;
  sharedWith: string[];
  items: {
    patient: PatientSummary | { id: string; name: string };
    outcome?: { text: string; at?: string };
    nextReview?: string;
  }[];
}

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
      return (await uow.record.create('List', list)).resource.id!;
    });
    return this.meeting(staff, id);
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
    const ids = (list.entry ?? []).map((e) => idIn(e.item.reference, 'Patient') ?? '').filter(Boolean);
    const patients = await patientsById(record, ids);
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
      const communication: Communication = {
        resourceType: 'Communication',
        status: 'completed',
        category: [concept(COORDINATION_SYSTEM, MDT_OUTCOME, 'MDT outcome')],
        subject: { reference: `Patient/${input.patientId}` },
        about: [{ reference: `List/${id}` }],
        sender: { reference: practitioner(staff) },
        sent: new Date().toISOString(),
        payload: [{ contentString: input.outcome }],
        ...(input.nextReview ? { note: [{ text: `Next review ${input.nextReview}` }] } : {}),
      };
      await uow.record.create('Communication', communication);
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
