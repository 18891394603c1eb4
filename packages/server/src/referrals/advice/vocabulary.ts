/**
 * Advice and guidance's FHIR vocabulary (docs/REFERRALS.md, "Advice and guidance"): the request's
 * ServiceRequest category, the provider's Task code, its business statuses, the message kinds of the
 * thread (`Communication`s) and the coded outcome kept in the Task's output.
 */
import { concept, REFERRAL_SYSTEM } from '../lifecycle/vocabulary.ts';

const BASE = 'https://careweave.example/fhir';
export const ADVICE_STATUS_SYSTEM = `${BASE}/CodeSystem/advice-business-status`;
export const ADVICE_MESSAGE_SYSTEM = `${BASE}/CodeSystem/advice-message-kind`;
export const ADVICE_OUTCOME_SYSTEM = `${BASE}/CodeSystem/advice-outcome`;

/** `ServiceRequest.category` and `Communication.category` code (system electronic-referral). */
export const ADVICE_AND_GUIDANCE = 'advice-and-guidance';
/** `Task.code` of the provider's advice request (system electronic-referral). */
export const ADVICE_TASK = 'advice-request';
export const ADVICE_CATEGORY = concept(REFERRAL_SYSTEM, ADVICE_AND_GUIDANCE, 'Advice and guidance');
export const ADVICE_TASK_CODE = concept(REFERRAL_SYSTEM, ADVICE_TASK, 'Advice and guidance request');

/** `Task.output.type` codes (system electronic-referral). */
export const OUTPUT = {
  outcome: 'advice-outcome',
  referral: 'referral',
  firstResponse: 'first-response',
} as const;
