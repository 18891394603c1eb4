import type { Resource } from '@medplum/fhirtypes';
import { sourceOrganisationId, type PatientRecord } from '../../api/record.ts';
import { resourceDate } from '../../lib/fhir-display.ts';

/** Where a patient knows a member of staff from: the organisation of their latest entry, and its date. */
export interface StaffContext {
  organisationId?: string;
  lastSeen?: string;
  /** Named as the patient's registered GP. */
  registeredGp?: boolean;
}

const PRACTITIONER_REFERENCE = /"reference":"Practitioner\/([^"/]+)"/g;

/**
 * For each practitioner named in the record, the organisation and date of the newest entry that names
 * them — so a patient choosing "a member of staff" sees "Dr A Patel, Ormskirk Medical Practice (last
 * seen 3 March 2026)" rather than a bare name they may not recognise.
 */
export function staffContexts(
  record: Pick<PatientRecord, 'patient' | 'referenced' | 'byType' | 'resources'>,
): Map<string, StaffContext> {
  const contexts = new Map<string, StaffContext>();
  const newest = new Map<string, string>();
  const consider = (resource: Resource): void => {
    const date = resourceDate(resource) ?? '';
    for (const [, id] of JSON.stringify(resource).matchAll(PRACTITIONER_REFERENCE)) {
      if (!id || (newest.has(id) && newest.get(id)! >= date)) {
        continue;
      }
      newest.set(id, date);
      contexts.set(id, { organisationId: sourceOrganisationId(resource, record), lastSeen: date || undefined });
    }
  };
  record.resources.forEach(consider);
  // The registered GP is named on the Patient itself.
  for (const gp of record.patient.generalPractitioner ?? []) {
    const id = /^Practitioner\/(.+)$/.exec(gp.reference ?? '')?.[1];
    if (id) {
      contexts.set(id, { ...contexts.get(id), registeredGp: true });
    }
  }
  return contexts;
}
