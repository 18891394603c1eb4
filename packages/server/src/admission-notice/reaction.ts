/**
 * The reaction that starts an alert: every committed Encounter create or update whose change is an
 * admission, an A&E attendance, a transfer or a discharge (occasion.ts) — an HL7 v2 ADT over MLLP or
 * anyone's FHIR write — is handed to the alerts service once.
 */
import type { Encounter } from '@medplum/fhirtypes';
import type { Reaction, ResourceEvent } from '../events/bus.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { AdmissionAlerts, AlertItem } from './alerts.service.ts';
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

/** The occasion an event is (or none), with the version before it: from the batch read, else read now. */
async function occasionFor(resources: ResourceService, event: ResourceEvent): Promise<AlertItem | undefined> {
  const encounter = event.resource as Encounter | undefined;
  if (!encounter) {
    return undefined;
  }
  const previous =
    (event.previous as Encounter | undefined) ?? (await previousVersion(resources, event.resourceId, event.versionId));
  const occasion = occasionOf(encounter, previous, event.versionId);
  return occasion ? { encounter: { ...encounter, id: event.resourceId }, occasion } : undefined;
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
      const item = await occasionFor(resources, event);
      if (item) {
        await alerts.alert(item.encounter, item.occasion);
      }
    },
    // The admissions of one claimed batch in one transaction (docs/PERFORMANCE.md, admission alerts).
    handleBatch: async (events, { resources }) => {
      const items: AlertItem[] = [];
      for (const event of events) {
        const item = await occasionFor(resources, event);
        if (item) {
          items.push(item);
        }
      }
      if (items.length) {
        await alerts.alertMany(items);
      }
    },
  };
}
