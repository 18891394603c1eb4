/**
 * The patient's plain-English letter about a rejected or returned referral (H-206), from the request,
 * the provider's Task and the coded reason: one function, so that the letter previewed at triage is
 * the letter sent.
 */
import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { outcomeLetter, type OutcomeReason } from './rules.ts';
import { codeOf, SPECIALTY_SYSTEM, UBRN_SYSTEM } from './vocabulary.ts';

export function patientLetter(input: {
  request: ServiceRequest;
  task: Task;
  patient: Patient | undefined;
  reason: OutcomeReason;
}): string {
  const name = input.patient?.name?.[0];
  const patientName = name ? [name.prefix?.[0], name.given?.[0], name.family].filter(Boolean).join(' ') : 'patient';
  return outcomeLetter({
    patientName,
    specialty: codeOf(input.request.code, SPECIALTY_SYSTEM) ?? 'a specialist',
    provider: input.task.owner?.display ?? 'the hospital',
    reason: input.reason,
    ubrn: input.request.identifier?.find((i) => i.system === UBRN_SYSTEM)?.value ?? '',
  });
}
