import type { LevelRule, Protocol } from '../protocols/api.ts';
import { checkStartDate, type DateParts } from './start-date.ts';
import { checkThresholds, overridesFrom, type Errors, type ThresholdForm } from './thresholds.ts';

/** What the nurse has entered on the enrolment page. */
export interface EnrolForm {
  protocolId: string;
  agreed: boolean;
  /** Send the first question now rather than at the first scheduled time. */
  firstNow: boolean;
  thresholds: ThresholdForm;
  bestPeakFlow: string;
  start: DateParts;
}

export interface CheckedEnrolment {
  protocol: Protocol;
  overrides: LevelRule[];
  bestPeakFlow?: number;
  start: string;
  firstPromptNow: boolean;
}

/**
 * The form checked, in the page's order (the error summary lists problems as the page shows them):
 * the enrolment to write, or the problems by field id.
 */
export function checkEnrolForm(
  form: EnrolForm,
  protocols: readonly Protocol[],
  options: { today?: string; enrolledOn?: readonly string[] } = {},
): { enrolment: CheckedEnrolment } | { errors: Errors } {
  const errors: Errors = {};
  const protocol = protocols.find((p) => p.id === form.protocolId);
  if (!protocol) {
    errors.protocol = 'Choose the protocol to enrol the patient on';
  } else if (options.enrolledOn?.includes(protocol.id)) {
    // A second plan on the same protocol would text the same questions twice.
    errors.protocol = `The patient is already enrolled on ${protocol.title}: manage that enrolment instead`;
  }
  const needsBest = protocol?.needs.includes('personal-best-peak-flow') ?? false;
  const best = form.bestPeakFlow.trim();
  if (needsBest && !best) {
    errors['best-peak-flow'] = 'Enter the patient’s best peak flow, in litres a minute';
  } else if (needsBest && (!/^\d+$/.test(best) || Number(best) < 60 || Number(best) > 900)) {
    errors['best-peak-flow'] = 'The best peak flow must be a whole number from 60 to 900 litres a minute';
  }
  Object.assign(errors, protocol ? checkThresholds(protocol, form.thresholds) : {});
  const start = checkStartDate(form.start, options.today);
  if ('error' in start) {
    errors['start-day'] = start.error;
  }
  if (!form.agreed) {
    errors.agreement = 'Confirm the patient agrees to receive and send text messages about their health';
  }
  if (Object.keys(errors).length || !protocol || 'error' in start) {
    return { errors };
  }
  return {
    enrolment: {
      protocol,
      overrides: overridesFrom(protocol, form.thresholds),
      ...(needsBest ? { bestPeakFlow: Number(best) } : {}),
      start: start.value,
      firstPromptNow: form.firstNow,
    },
  };
}
