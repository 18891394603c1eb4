/**
 * The reaction that starts an alert: every committed Encounter create or update whose change is an
 * admission, an A&E attendance, a transfer or a discharge (occasion.ts) — an HL7 v2 ADT over MLLP or
 * anyone's FHIR write — is handed to the alerts service once.
 */
import type { Encounter } from '@medplum/fhirtypes';
import type { Reaction } from '../events/bus.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { AdmissionAlerts } from './alerts.service.ts';
import { occasionOf } from './occasion.ts';

async function previousVersion(resources: ResourceService, id: string, versionId: number) {
  if (versionId <= 1) {
    return undefined;
  }
  try {
    return JSON.parse((await resources.vread('Encounter', id, String(versionId - 1))).json ?? '{}') as Encounter;
  } catch {
    return undefined;
  }
}

export function admissionReaction(alerts: AdmissionAlerts): Reaction {
  return {
    name: 'admission-notice',
    types: ['Encounter'],
    interactions: ['create', 'update'],
    // Cheap and pure: most Encounter writes (outpatients, corrections) are not an occasion.
    filter: (resource, previous) =>
      occasionOf(resource as Encounter, previous as Encounter | undefined, 0) !== undefined,
    handle: async (event, { resources }) => {
      const encounter = event.resource as Encounter | undefined;
      if (!encounter) {
        return;
      }
      const previous = await previousVersion(resources, event.resourceId, event.versionId);
      const occasion = occasionOf(encounter, previous, event.versionId);
      if (occasion) {
        await alerts.alert({ ...encounter, id: event.resourceId }, occasion);
      }
    },
  };
}
