import type { Communication } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { StaffActor } from './actor.ts';
import { COMMUNICATION_CATEGORY_SYSTEM as COMMUNICATION_CATEGORY } from '@careweave/vocabulary';

/** National RBAC code of the privacy officer, who receives break-glass and declared-relationship alerts. */
export const PRIVACY_OFFICER_ROLE = 'R0001';

/**
 * Raises an urgent alert (a `Communication` about the patient) to the privacy officer of the
 * actor's organisation (the first active PractitionerRole with R0001; the organisation itself when
 * there is none), as the organisation's own record. `service` must be unrestricted.
 */
export async function alertPrivacyOfficer(
  service: ResourceService,
  actor: StaffActor,
  patientId: string,
  sent: string,
  text: string,
): Promise<Communication> {
  const officers = await service.search('PractitionerRole', [
    ['organization', `Organization/${actor.organizationId}`],
    ['role', PRIVACY_OFFICER_ROLE],
    ['active', 'true'],
    ['_count', '1'],
  ]);
  const officer = officers.entry?.find((e) => e.search?.mode === 'match')?.resource;
  const alert: Communication = {
    resourceType: 'Communication',
    meta: { source: `${service.options.fhirBase}/Organization/${actor.organizationId}` },
    status: 'completed',
    category: [{ coding: [{ system: COMMUNICATION_CATEGORY, code: 'alert', display: 'Alert' }] }],
    priority: 'urgent',
    subject: { reference: `Patient/${patientId}` },
    recipient: [
      officer ? { reference: `PractitionerRole/${officer.id}` } : { reference: `Organization/${actor.organizationId}` },
    ],
    sender: actor.practitionerRoleId
      ? { reference: `PractitionerRole/${actor.practitionerRoleId}` }
      : { reference: `Practitioner/${actor.practitionerId}` },
    sent,
    payload: [{ contentString: text }],
  };
  return (await service.create('Communication', alert)).resource as Communication;
}
