/**
 * Reading and writing a booked pathway in the record: the template by canonical, the referral's
 * service for steps that name none, the pathway CarePlan of a referral and its appointments by step,
 * and the checks on an appointment and a slot before either is changed.
 */
import type { Appointment, CarePlan, PlanDefinition, Schedule, ServiceRequest, Slot } from '@medplum/fhirtypes';
import { conflict, fail } from '../../fhir/outcome.ts';
import type { ResourceService } from '../../fhir/store/resource.service.ts';
import type { UnitOfWork } from '../../modules/unit-of-work.ts';
import { SLOT_TAKEN } from '../booking/slot-holding.ts';
import { idIn, readAs, searchAs } from '../lifecycle/vocabulary.ts';
import type { Candidate } from './planner.ts';
import { ACTIVITY_STEP_EXTENSION, readTemplate, type PathwayStep, type PathwayTemplate } from './template.ts';

export const HOLDING = new Set<Appointment['status']>(['booked', 'pending']);

export function participantOf(appointment: Appointment, type: string): string | undefined {
  return appointment.participant?.map((p) => idIn(p.actor?.reference, type)).find(Boolean);
}

/** The service and patient of an appointment that may still be moved. */
export function changeable(appointment: Appointment, now: Date): { serviceId: string; patientId: string } {
  if (!HOLDING.has(appointment.status)) {
    fail('business-rule', `An appointment that is '${appointment.status}' cannot be changed.`);
  }
  if (appointment.start && Date.parse(appointment.start) < now.getTime()) {
    fail('business-rule', 'This appointment has already started, so it cannot be changed.');
  }
  const serviceId = participantOf(appointment, 'HealthcareService');
  const patientId = participantOf(appointment, 'Patient');
  if (!serviceId || !patientId) {
    return fail('business-rule', 'Only an appointment with a referral service can be changed this way.');
  }
  return { serviceId, patientId };
}

/** The new slot: it exists, belongs to the same service's diary, and is free. */
export async function readSlotOf(system: ResourceService, slotId: string, serviceId: string): Promise<Slot> {
  const { resource: slot } = await readAs<Slot>(system, 'Slot', slotId);
  const scheduleId = idIn(slot.schedule?.reference, 'Schedule') ?? '';
  const { resource: schedule } = await readAs<Schedule>(system, 'Schedule', scheduleId);
  if (!schedule.actor?.some((a) => a.reference === `HealthcareService/${serviceId}`)) {
    fail('business-rule', 'Choose a time of the same service. To see another service, ask for a new referral.');
  }
  if (slot.status !== 'free') {
    conflict(SLOT_TAKEN);
  }
  return slot;
}

/** The active pathway CarePlan of a referral (naming `appointmentId` among its activities, when given). */
export async function pathwayOf(
  system: ResourceService,
  referralId: string,
  appointmentId?: string,
): Promise<CarePlan | undefined> {
  const plans = await searchAs<CarePlan>(system, 'CarePlan', [
    ['based-on', `ServiceRequest/${referralId}`],
    ['status', 'active'],
    ['_count', '20'],
  ]);
  return plans
    .filter((p) => p.activity?.some((a) => a.extension?.some((e) => e.url === ACTIVITY_STEP_EXTENSION)))
    .find((p) => !appointmentId || p.activity?.some((a) => a.reference?.reference === `Appointment/${appointmentId}`));
}

/** The template by canonical (`url` or `url|version`; without a version, the active one approved last). */
export async function templateFor(system: ResourceService, canonical: string): Promise<PathwayTemplate> {
  const [url, version] = canonical.split('|');
  const found = await searchAs<PlanDefinition>(system, 'PlanDefinition', [
    ['url', url ?? ''],
    ...(version ? ([['version', version]] as [string, string][]) : [['status', 'active'] as [string, string]]),
    ['_count', '50'],
  ]);
  const plan = found.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''))[0];
  if (!plan) {
    return fail('not-found', `No pathway template '${canonical}'`);
  }
  const read = readTemplate(plan);
  if ('problems' in read) {
    return fail('business-rule', `The pathway template cannot be booked: ${read.problems.join('; ')}`);
  }
  return { ...read.template, version: plan.version ?? '' };
}

/** Each step with its service: the one it names, or the referral's own. */
export function withServices(template: PathwayTemplate, referral: ServiceRequest): PathwayStep[] {
  const own = referral.performer?.map((p) => idIn(p.reference, 'HealthcareService')).find(Boolean);
  return template.steps.map((step) => {
    const serviceId = step.serviceId ?? own;
    if (!serviceId) {
      return fail('business-rule', `'${step.title}' books the referral’s service, and the referral names none.`);
    }
    return { ...step, serviceId };
  });
}

/** An appointment the referral already has, in the future, with the first step's service: kept. */
export async function keptFirst(
  uow: UnitOfWork,
  referralId: string,
  first: PathwayStep,
  earliest: Date,
): Promise<{ appointment: Appointment; slot: Candidate } | undefined> {
  const booked = await searchAs<Appointment>(uow.record, 'Appointment', [
    ['based-on', `ServiceRequest/${referralId}`],
    ['status', 'booked'],
    ['_count', '20'],
  ]);
  const appointment = booked.find(
    (a) => participantOf(a, 'HealthcareService') === first.serviceId && Date.parse(a.start ?? '') >= earliest.getTime(),
  );
  return appointment ? { appointment, slot: slotOf(appointment) } : undefined;
}

/** Each step's current appointment, read as the caller; every one must still be booked. */
export async function appointmentsByStep(
  uow: UnitOfWork,
  plan: CarePlan,
  steps: readonly PathwayStep[],
): Promise<Map<string, Appointment>> {
  const byStep = new Map<string, Appointment>();
  for (const activity of plan.activity ?? []) {
    const step = activity.extension?.find((e) => e.url === ACTIVITY_STEP_EXTENSION)?.valueString;
    const id = idIn(activity.reference?.reference, 'Appointment');
    if (step && id) {
      byStep.set(step, (await readAs<Appointment>(uow.record, 'Appointment', id)).resource);
    }
  }
  for (const step of steps) {
    const appointment = byStep.get(step.id);
    if (!appointment || !HOLDING.has(appointment.status)) {
      fail(
        'business-rule',
        `'${step.title}' of this pathway is no longer booked, so the pathway cannot be moved online. Contact the service.`,
      );
    }
  }
  return byStep;
}

export function slotOf(appointment: Appointment): Candidate {
  return {
    id: idIn(appointment.slot?.[0]?.reference, 'Slot') ?? '',
    start: appointment.start ?? '',
    end: appointment.end ?? appointment.start ?? '',
  };
}

export function carePlanFor(
  template: PathwayTemplate,
  referral: ServiceRequest,
  patientId: string,
  booked: readonly { step: string; appointment: Appointment }[],
): CarePlan {
  return {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    title: template.title,
    subject: { reference: `Patient/${patientId}` },
    basedOn: [{ reference: `ServiceRequest/${referral.id}` }],
    instantiatesCanonical: [template.version ? `${template.url}|${template.version}` : template.url],
    created: new Date().toISOString(),
    activity: booked.map((b) => activityOf(b.step, b.appointment)),
  };
}

export function activityOf(step: string, appointment: Appointment): NonNullable<CarePlan['activity']>[number] {
  return {
    extension: [{ url: ACTIVITY_STEP_EXTENSION, valueString: step }],
    reference: { reference: `Appointment/${appointment.id}` },
  };
}

export function withActivities(
  plan: CarePlan,
  steps: readonly PathwayStep[],
  appointmentOf: (step: string) => Appointment,
): CarePlan {
  return { ...plan, activity: steps.map((s) => activityOf(s.id, appointmentOf(s.id))) };
}
