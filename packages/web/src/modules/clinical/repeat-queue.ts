import type { MedicationRequest, Patient } from '@medplum/fhirtypes';
import { searchAll } from '../../api/client.ts';
import { resolveOrganisations } from '../../api/record.ts';
import { refId } from '../../lib/fhir-display.ts';

export const QUEUE_KEY = ['repeat-requests'] as const;

/** The practice's waiting requests (all of them when the session names no organisation). */
export async function loadQueue(organisationId: string | undefined) {
  const { resources, included } = await searchAll<MedicationRequest>(
    'MedicationRequest',
    {
      intent: 'proposal',
      status: 'active',
      _include: 'MedicationRequest:subject',
      _sort: 'authoredon',
      _count: '200',
    },
    { maxPages: 5 },
  );
  const patients = new Map(included.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => [p.id!, p]));
  if (organisationId) {
    await resolveOrganisations([organisationId]);
  }
  const mine = resources.filter((r) => {
    if (!organisationId) {
      return true;
    }
    const source = refId(r.meta?.source, 'Organization');
    const practice = refId(patients.get(refId(r.subject, 'Patient') ?? '')?.generalPractitioner?.[0], 'Organization');
    return (source ?? practice) === organisationId;
  });
  return { requests: mine, patients };
}
