/**
 * A pathway booking template (docs/REFERRALS.md, "Pathway booking"): a FHIR `PlanDefinition` of type
 * `workflow-definition` whose actions are the appointments of a pathway — a first appointment,
 * diagnostics, a follow-up — in order, each after an earlier one by a range of days
 * (`relatedAction` `after-start` with `offsetRange`). An action books the HealthcareService its
 * extension names, or, without one, the referral's own service.
 */
import type { Duration, PlanDefinition, PlanDefinitionAction, Quantity } from '@medplum/fhirtypes';

const BASE = 'https://careweave.example/fhir';
export const BOOKING_PATHWAY_BASE = `${BASE}/PlanDefinition/booking-pathway-`;
/** On a template's action: the HealthcareService it books (absent: the referral's service). */
export const ACTION_SERVICE_EXTENSION = `${BASE}/StructureDefinition/pathway-action-service`;
/** On a booked pathway CarePlan's activity: the template action the Appointment is. */
export const ACTIVITY_STEP_EXTENSION = `${BASE}/StructureDefinition/pathway-booking-step`;
export const STEP_SYSTEM = `${BASE}/CodeSystem/pathway-booking-step`;
export const WORKFLOW_TYPE = 'workflow-definition';

/** One appointment of the pathway. */
export interface PathwayStep {
  id: string;
  title: string;
  /** The service booked; undefined: the referral's own service. */
  serviceId?: string;
  /** After an earlier step's start, by `minDays` to `maxDays` (whole days, inclusive). */
  after?: { stepId: string; minDays: number; maxDays: number };
}

export interface PathwayTemplate {
  url: string;
  version?: string;
  title: string;
  steps: PathwayStep[];
}

const DAYS_PER_UNIT: Readonly<Record<string, number>> = { d: 1, wk: 7 };

function days(quantity: Quantity | Duration | undefined): number | undefined {
  const unit = quantity?.code ?? quantity?.unit;
  const factor = unit ? DAYS_PER_UNIT[unit] : undefined;
  return quantity?.value === undefined || factor === undefined ? undefined : quantity.value * factor;
}

/**
 * The steps of a template, or what makes it unusable: every action has an id and a title; an action
 * after another names an earlier action, `after-start`, with a range of whole days (low ≤ high).
 */
export function readTemplate(plan: PlanDefinition): { template: PathwayTemplate } | { problems: string[] } {
  const problems: string[] = [];
  const steps: PathwayStep[] = [];
  for (const [index, action] of (plan.action ?? []).entries()) {
    const step = readStep(action, index, steps, problems);
    if (step) {
      steps.push(step);
    }
  }
  if (!steps.length && !problems.length) {
    problems.push('The pathway has no appointments (actions)');
  }
  if (problems.length) {
    return { problems };
  }
  return {
    template: {
      url: plan.url ?? '',
      ...(plan.version ? { version: plan.version } : {}),
      title: plan.title ?? plan.name ?? 'Pathway',
      steps,
    },
  };
}

function readStep(
  action: PlanDefinitionAction,
  index: number,
  earlier: readonly PathwayStep[],
  problems: string[],
): PathwayStep | undefined {
  const label = `action ${index + 1}`;
  if (!action.id || !action.title) {
    problems.push(`The pathway's ${label} needs an id and a title`);
    return undefined;
  }
  const service = action.extension?.find((e) => e.url === ACTION_SERVICE_EXTENSION)?.valueReference?.reference;
  if (service !== undefined && !service.startsWith('HealthcareService/')) {
    problems.push(`'${action.title}' must name a HealthcareService`);
    return undefined;
  }
  const step: PathwayStep = {
    id: action.id,
    title: action.title,
    ...(service ? { serviceId: service.slice('HealthcareService/'.length) } : {}),
  };
  const related = action.relatedAction ?? [];
  if (related.length > 1) {
    problems.push(`'${action.title}' may follow one earlier appointment only`);
    return undefined;
  }
  if (!related[0]) {
    if (index > 0) {
      problems.push(`'${action.title}' must say which appointment it follows`);
      return undefined;
    }
    return step;
  }
  const [{ actionId, relationship, offsetRange }] = related as [NonNullable<PlanDefinitionAction['relatedAction']>[0]];
  const minDays = days(offsetRange?.low);
  const maxDays = days(offsetRange?.high);
  if (!earlier.some((s) => s.id === actionId) || relationship !== 'after-start') {
    problems.push(`'${action.title}' must follow the start of an earlier appointment (after-start)`);
  } else if (minDays === undefined || maxDays === undefined || minDays < 0 || maxDays < minDays) {
    problems.push(`'${action.title}' needs a range of days after '${actionId}' (offsetRange low ≤ high, in d or wk)`);
  } else {
    return { ...step, after: { stepId: actionId, minDays, maxDays } };
  }
  return undefined;
}
