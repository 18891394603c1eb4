/**
 * Pathway booking (docs/REFERRALS.md, "Pathway booking"; H-256, H-257): once a referral's pathway is
 * clear, every appointment of it is booked at once — all in one unit of work, so either every slot is
 * taken (by the store's slot holding rule, as for any booking) and the pathway's CarePlan written, or
 * nothing is. Moving one appointment of a booked pathway moves the later ones, keeping their gaps as
 * near as the free slots allow and always inside the template's ranges, in one unit too; when no slot
 * fits, nothing changes and the refusal names the appointment and the dates it had to fit.
 */
import type { Appointment, CarePlan, ServiceRequest } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import type { Actor } from '../../access/actor.ts';
import { requireActor, requireStaff } from '../../access/guards.ts';
import { conflict, fail } from '../../fhir/outcome.ts';
import type { ModuleContext } from '../../modules/contract.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import type { ReferralDirectory } from '../directory/types.ts';
import { idIn, readAs } from '../lifecycle/vocabulary.ts';
import { planPathway, type Candidate, type PlanResult, type Unplaced } from './planner.ts';
import { PathwayBookingRepository } from './pathway.repository.ts';
import {
  appointmentsByStep,
  carePlanFor,
  changeable,
  keptFirst,
  participantOf,
  pathwayOf,
  readSlotOf,
  slotOf,
  templateFor,
  withActivities,
  withServices,
} from './pathway-record.ts';
import type { PathwayStep } from './template.ts';

const DAY = 86_400_000;
/** How far ahead a pathway's appointments are looked for: beyond this, the slots are not published. */
const HORIZON_DAYS = 366;
const SEARCH_BEFORE_TARGET_DAYS = 42;

export interface BookedStep {
  step: string;
  title: string;
  appointment: Appointment;
}

export interface BookedPathway {
  carePlan: CarePlan;
  steps: BookedStep[];
}

export interface Rescheduled {
  /** The appointment booked in place of the one moved. */
  appointment: Appointment;
  /** Later appointments of its pathway moved with it (new Appointments in their place). */
  moved: Appointment[];
  carePlan?: CarePlan;
}

type Directory = Pick<ReferralDirectory, 'book' | 'cancel'>;

type Context = Pick<ModuleContext, 'unitOfWork' | 'systemActor'>;

export class PathwayBookingService {
  private readonly context: Context;
  private readonly directory: Directory;
  private readonly now: () => Date;

  constructor(context: Context, directory: Directory, now = () => new Date()) {
    this.context = context;
    this.directory = directory;
    this.now = now;
  }

  /**
   * Books every appointment of `pathway` (a template's canonical, `url` or `url|version`) for an
   * active referral, from `earliest` (default now). An appointment the referral already has with the
   * first step's service is kept as the first step. Staff (and direct-care systems) only.
   */
  async bookPathway(
    actor: Actor | undefined,
    serviceRequestId: string,
    input: { pathway?: string; earliest?: string },
  ): Promise<BookedPathway> {
    const caller = requireStaff(actor, { doing: 'book a referral pathway', allowSystem: true });
    return this.context.unitOfWork(caller, async (uow) => {
      const { resource: referral } = await readAs<ServiceRequest>(uow.record, 'ServiceRequest', serviceRequestId);
      if (referral.status !== 'active') {
        fail('business-rule', 'A pathway is booked for a sent (active) referral only.');
      }
      const patientId =
        idIn(referral.subject.reference, 'Patient') ?? fail('business-rule', 'The referral has no patient.');
      // Two bookings of one referral's pathway at once would both find none booked: one waits here.
      await uow.lock(`pathway-booking:ServiceRequest/${serviceRequestId}`);
      const system = uow.system();
      if (await pathwayOf(system, serviceRequestId)) {
        conflict('This referral’s pathway is already booked. Move its appointments instead.');
      }
      const template = await templateFor(system, input.pathway ?? fail('required', "Parameter 'pathway' is required"));
      const steps = withServices(template, referral);
      const earliest = laterOf(this.now(), input.earliest);
      const kept = await keptFirst(uow, serviceRequestId, steps[0]!, earliest);
      const chosen = await this.plan(uow, steps, earliest, kept ? new Map([[steps[0]!.id, kept.slot]]) : new Map());
      const booked: BookedStep[] = [];
      for (const step of steps) {
        const appointment =
          kept && step === steps[0]
            ? kept.appointment
            : await this.directory.book(
                caller,
                { slotId: chosen.get(step.id)!.id, patientId, basedOn: `ServiceRequest/${serviceRequestId}` },
                { uow },
              );
        booked.push({ step: step.id, title: step.title, appointment });
      }
      const carePlan = carePlanFor(template, referral, patientId, booked);
      const written = (await uow.record.create('CarePlan', carePlan)).resource as CarePlan;
      return { carePlan: written, steps: booked };
    });
  }

  /**
   * Moves a booked referral appointment to `slotId`, a free slot of the same service: the old one is
   * cancelled (its slot freed) and a new one booked, in one unit of work. In a booked pathway the later
   * appointments move with it. Anyone who may change the appointment (a patient their own); someone
   * else's is 404, as absent.
   */
  async reschedule(actor: Actor | undefined, appointmentId: string, slotId: string): Promise<Rescheduled> {
    const caller = requireActor(actor);
    return this.context.unitOfWork(caller, async (uow) => {
      const { resource: current } = await readAs<Appointment>(uow.record, 'Appointment', appointmentId);
      const { serviceId } = changeable(current, this.now());
      const system = uow.system();
      const slot = await readSlotOf(system, slotId, serviceId);
      const referralId = current.basedOn?.map((b) => idIn(b.reference, 'ServiceRequest')).find(Boolean);
      if (referralId) {
        await uow.lock(`pathway-booking:ServiceRequest/${referralId}`);
      }
      const plan = referralId ? await pathwayOf(system, referralId, appointmentId) : undefined;
      const writer = this.writerFor(uow, current);
      if (!plan) {
        const appointment = await this.replace(
          writer,
          current,
          { id: slotId, start: slot.start, end: slot.end },
          movedReason(caller),
        );
        return { appointment, moved: [] };
      }
      return this.movePathway(uow, writer, plan, current, { id: slotId, start: slot.start, end: slot.end });
    });
  }

  /**
   * Cancels a booked referral appointment (its slot freed when still ahead): the patient's own, or
   * one the caller may change. Someone else's is 404, as absent; a second cancellation 409.
   */
  async cancel(actor: Actor | undefined, appointmentId: string, reason?: string): Promise<Appointment> {
    const caller = requireActor(actor);
    return this.context.unitOfWork(caller, async (uow) => {
      const { resource: current } = await readAs<Appointment>(uow.record, 'Appointment', appointmentId);
      if (current.status === 'cancelled') {
        conflict('This appointment has already been cancelled.');
      }
      changeable(current, this.now());
      const writer = this.writerFor(uow, current);
      const why = reason?.trim() || (caller.kind === 'patient' ? 'Cancelled online by the patient' : 'Cancelled');
      return this.directory.cancel(writer.actor, appointmentId, why, { uow: writer });
    });
  }

  /**
   * Who writes the appointments of a change. Patients may change only what the portal created
   * (docs/ACCESS.md, *Writes*), yet a referral appointment booked by the practice or the hospital is
   * theirs to move or cancel: for the patient themselves — after their own read of it, which proves it
   * is theirs — the module writes it on their behalf, audited as `module:referrals`. Anyone else
   * (staff, a carer, whose permits decide) writes as themselves.
   */
  private writerFor(uow: UnitOfWork, appointment: Appointment): UnitOfWork {
    const caller = uow.actor;
    if (caller.kind !== 'patient' || participantOf(appointment, 'Patient') !== caller.patientId) {
      return uow;
    }
    const system = uow.system();
    return {
      actor: this.context.systemActor,
      record: system,
      tx: uow.tx,
      system: () => system,
      lock: (...keys) => uow.lock(...keys),
    };
  }

  private async movePathway(
    uow: UnitOfWork,
    writer: UnitOfWork,
    plan: CarePlan,
    current: Appointment,
    to: Candidate,
  ): Promise<Rescheduled> {
    const system = uow.system();
    const template = await templateFor(system, plan.instantiatesCanonical?.[0] ?? '');
    const referral = (
      await readAs<ServiceRequest>(system, 'ServiceRequest', idIn(plan.basedOn?.[0]?.reference, 'ServiceRequest') ?? '')
    ).resource;
    const steps = withServices(template, referral);
    const byStep = await appointmentsByStep(uow, plan, steps);
    const movedStep =
      [...byStep].find(([, a]) => a.id === current.id)?.[0] ??
      fail('business-rule', 'This appointment is not a step of its pathway.');
    const index = steps.findIndex((s) => s.id === movedStep);
    const shift = Date.parse(to.start) - Date.parse(current.start!);
    const fixed = new Map<string, Candidate>(steps.slice(0, index).map((s) => [s.id, slotOf(byStep.get(s.id)!)]));
    fixed.set(movedStep, to);
    const targets = new Map(steps.slice(index + 1).map((s) => [s.id, Date.parse(byStep.get(s.id)!.start!) + shift]));
    const own = new Map(steps.slice(index + 1).map((s) => [s.id, slotOf(byStep.get(s.id)!)]));
    const chosen = await this.plan(uow, steps, this.now(), fixed, targets, own);
    const changed = steps.slice(index).filter((s) => chosen.get(s.id)!.id !== slotOf(byStep.get(s.id)!).id);
    // Cancel first (their slots are free again in this unit), then book: a later step may keep its time.
    for (const step of changed) {
      await this.directory.cancel(writer.actor, byStep.get(step.id)!.id!, movedReason(uow.actor), { uow: writer });
    }
    const replaced = new Map<string, Appointment>();
    for (const step of changed) {
      replaced.set(step.id, await this.bookLike(writer, byStep.get(step.id)!, chosen.get(step.id)!));
    }
    const updated = withActivities(plan, steps, (id) => replaced.get(id) ?? byStep.get(id)!);
    // The caller may change their appointments but not the plan: the module keeps it in step, after
    // the caller's own reads and writes of every appointment it names.
    const carePlan = (await system.update('CarePlan', plan.id!, updated)).resource as CarePlan;
    return {
      appointment: replaced.get(movedStep)!,
      moved: steps.slice(index + 1).flatMap((s) => (replaced.has(s.id) ? [replaced.get(s.id)!] : [])),
      carePlan,
    };
  }

  /** A slot for every step, or a refusal that names the step that has none (nothing is written). */
  private async plan(
    uow: UnitOfWork,
    steps: readonly PathwayStep[],
    earliest: Date,
    fixed: ReadonlyMap<string, Candidate>,
    targets?: ReadonlyMap<string, number>,
    own: ReadonlyMap<string, Candidate> = new Map(),
  ): Promise<Map<string, Candidate>> {
    const repository = new PathwayBookingRepository(uow.tx);
    const candidates = new Map<string, Candidate[]>();
    for (const step of steps.filter((s) => !fixed.has(s.id))) {
      // Around a moved step's target (its gap kept), else from the earliest day: 500 slots either way.
      const target = targets?.get(step.id);
      const from = new Date(Math.max(earliest.getTime(), (target ?? 0) - SEARCH_BEFORE_TARGET_DAYS * DAY));
      const free = await repository.freeSlots(step.serviceId!, from, new Date(from.getTime() + HORIZON_DAYS * DAY));
      const mine = own.get(step.id);
      candidates.set(step.id, mine ? [mine, ...free] : free);
    }
    const result: PlanResult = planPathway({ steps, candidates, fixed, earliest, ...(targets ? { targets } : {}) });
    if ('unplaced' in result) {
      return fail('business-rule', refusal(result.unplaced, Boolean(targets)));
    }
    return result.chosen;
  }

  private async replace(writer: UnitOfWork, current: Appointment, to: Candidate, reason: string): Promise<Appointment> {
    await this.directory.cancel(writer.actor, current.id!, reason, { uow: writer });
    return this.bookLike(writer, current, to);
  }

  /** Books `to` for the same patient and referral as `like`. */
  private bookLike(uow: UnitOfWork, like: Appointment, to: Candidate): Promise<Appointment> {
    const referral = like.basedOn?.map((b) => b.reference).find((r) => r?.startsWith('ServiceRequest/'));
    return this.directory.book(
      uow.actor,
      { slotId: to.id, patientId: participantOf(like, 'Patient')!, ...(referral ? { basedOn: referral } : {}) },
      { uow },
    );
  }
}

function laterOf(now: Date, earliest: string | undefined): Date {
  const given = earliest ? Date.parse(earliest) : Number.NaN;
  if (earliest && Number.isNaN(given)) {
    fail('invalid', `'${earliest}' is not a date`, ["Parameters.parameter.where(name = 'earliest')"]);
  }
  return new Date(Math.max(now.getTime(), Number.isNaN(given) ? 0 : given));
}

function movedReason(actor: Actor): string {
  return actor.kind === 'patient' || actor.kind === 'related-person'
    ? 'Changed online by the patient'
    : 'Moved to another time';
}

const londonDate = (iso: string) => DateTime.fromISO(iso).setZone('Europe/London').toFormat('cccc d LLLL yyyy');

function refusal(unplaced: Unplaced, moving: boolean): string {
  const between = unplaced.to
    ? `between ${londonDate(unplaced.from)} and ${londonDate(new Date(Date.parse(unplaced.to) - 1).toISOString())}`
    : `from ${londonDate(unplaced.from)}`;
  const nothing = moving ? 'Nothing has been changed' : 'Nothing has been booked';
  return `There is no free appointment for '${unplaced.step.title}' ${between}, as the pathway needs. ${nothing}. Choose another time, or contact the service.`;
}
