import type { Appointment, MedicationRequest, Resource } from '@medplum/fhirtypes';

/**
 * Which entries a patient's own record lists, and the status word each needs, so that nothing
 * stale reads as current (issue 10 #3): a repeat is listed once (not once per issue or request),
 * a cancelled appointment says so, and entries made in error are not listed.
 */
export function shownInRecord(resource: Resource): boolean {
  const status = (resource as { status?: string }).status;
  if (status === 'entered-in-error') {
    return false;
  }
  if (resource.resourceType === 'MedicationRequest') {
    // Each issue of a repeat (based on it) and each request to re-order it belong to the repeat's own
    // entry, listed once; the Prescriptions page shows requests and their answers.
    return resource.intent === 'order' && !resource.basedOn?.length;
  }
  return true;
}

const MEDICINE: Partial<Record<MedicationRequest['status'], string>> = {
  stopped: 'Stopped',
  completed: 'Finished',
  cancelled: 'Cancelled',
  'on-hold': 'Paused',
  draft: 'Not yet prescribed',
};

const APPOINTMENT: Partial<Record<Appointment['status'], string>> = {
  cancelled: 'Cancelled',
  noshow: 'Did not attend',
  fulfilled: 'Attended',
  pending: 'Waiting to be confirmed',
  proposed: 'Proposed',
  waitlist: 'On the waiting list',
};

const CONDITION: Record<string, string> = {
  resolved: 'Resolved',
  inactive: 'No longer active',
  remission: 'In remission',
};

/** The word that tells a reader an entry is not simply current ("Cancelled", "Stopped"), if any. */
export function statusWord(resource: Resource): string | undefined {
  switch (resource.resourceType) {
    case 'MedicationRequest':
      return MEDICINE[resource.status];
    case 'Appointment':
      return APPOINTMENT[resource.status];
    case 'Condition': {
      const code = resource.clinicalStatus?.coding?.[0]?.code;
      return code ? CONDITION[code] : undefined;
    }
    default:
      return undefined;
  }
}
