/**
 * Advice and guidance test fixtures: the lifecycle's test app (the practice org-gp, the acute trust
 * org-acute, an agreement between them, the patient) with a service of the trust to ask, and small
 * files of the allowed and refused kinds.
 */
import type { HealthcareService } from '@medplum/fhirtypes';
import { lifecycleTestApp, type LifecycleTestApp } from '../../lifecycle/testing/fixtures.ts';

export const SERVICE = 'hs-ag-msk';
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString('base64');
export const EXE = Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]).toString('base64');

export async function adviceTestApp(): Promise<LifecycleTestApp> {
  const h = await lifecycleTestApp();
  await h.t.platform.resources.update('HealthcareService', SERVICE, {
    resourceType: 'HealthcareService',
    id: SERVICE,
    active: true,
    name: 'Orthopaedic advice and guidance',
    providedBy: { reference: 'Organization/org-acute', display: 'Acute Trust' },
    specialty: [
      {
        coding: [{ system: 'https://careweave.example/fhir/CodeSystem/referral-specialty', code: 'msk' }],
      },
    ],
  } satisfies HealthcareService);
  return h;
}
