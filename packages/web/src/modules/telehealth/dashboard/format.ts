import { formatDateTime } from '../../../lib/dates.ts';
import { formatNhsNumber } from '../../../lib/nhs-number.ts';
import type { Engagement, PatientSummary } from './api.ts';

/** "5 December 2026 at 10:00". */
export function when(value: string | undefined | null): string {
  return value ? formatDateTime(value) : 'Never';
}

/** "83% (25 of 30 prompts answered)", or why there is no rate. */
export function responseRate(engagement: Engagement): string {
  if (engagement.responseRate === null) {
    return 'No prompts due yet';
  }
  return `${Math.round(engagement.responseRate * 100)}% (${engagement.repliesReceived} of ${engagement.promptsSent})`;
}

/** "NHS number 943 476 5919", or nothing when the record has none. */
export function nhsNumberText(patient: PatientSummary): string {
  return patient.nhsNumber ? `NHS number ${formatNhsNumber(patient.nhsNumber)}` : '';
}

/** An enrolment's status in words. */
export function statusText(status: string): string {
  switch (status) {
    case 'active':
      return 'Active';
    case 'paused':
      return 'Paused';
    case 'stopped':
      return 'Stopped';
    default:
      return status;
  }
}
