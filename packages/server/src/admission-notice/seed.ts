/**
 * Demo data: the demo patient (demo.gp's patient, with a carer they allow to see their visits) was
 * admitted to the local hospital five days ago and discharged three days ago, so demo.gp's and the
 * care team's inboxes show the thread, and the practice has the follow-up checklist — the 48-hour
 * contact already overdue, for the escalation job to raise. Written through the alerts' own code
 * path; idempotent (the visit is found by its identifier, each alert by its own).
 */
import type { Encounter, Organization } from '@medplum/fhirtypes';
import { ORGANISATION_TYPE_SYSTEM } from '@careweave/vocabulary';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { DemoSeed } from '../modules/contract.ts';
import type { AdmissionAlerts } from './alerts.service.ts';
import { ACT_CODE_SYSTEM, occasionOf } from './occasion.ts';

const DEMO_CARER = 'RelatedPerson/rp-demo-carer';
const VISIT_SYSTEM = 'https://careweave.example/fhir/Id/demo-admission';
const DAY = 86_400_000;

/** `store`: the whole record (the module's system view). Returns the demo visit's Encounter id, if written. */
export async function seedAdmissionAlerts(
  store: ResourceService,
  alerts: AdmissionAlerts,
  demo: Pick<DemoSeed, 'log'>,
): Promise<string | undefined> {
  const read = async <T>(type: string, id: string): Promise<T | undefined> => {
    try {
      return JSON.parse((await store.read(type, id)).json ?? '{}') as T;
    } catch {
      return undefined;
    }
  };
  const carer = await read<{ patient?: { reference?: string } }>('RelatedPerson', DEMO_CARER.split('/')[1]!);
  const patient = carer?.patient?.reference;
  const hospitals = await store.search('Organization', [
    ['type', `${ORGANISATION_TYPE_SYSTEM}|acute-trust`],
    ['_sort', '_id'],
    ['_count', '1'],
  ]);
  const hospital = hospitals.entry?.[0]?.resource as Organization | undefined;
  if (!patient || !hospital?.id) {
    return undefined;
  }
  const visit = `${VISIT_SYSTEM}|${patient.split('/')[1]}`;
  const found = await store.search('Encounter', [['identifier', visit]]);
  if (found.entry?.length) {
    return undefined;
  }
  const now = Date.now();
  const admitted = new Date(now - 5 * DAY).toISOString();
  const discharged = new Date(now - 3 * DAY).toISOString();
  const ward = 'Ward 4, Bay 2, Bed 1';
  const first = (
    await store.create('Encounter', {
      resourceType: 'Encounter',
      identifier: [{ system: VISIT_SYSTEM, value: patient.split('/')[1]! }],
      status: 'in-progress',
      class: { system: ACT_CODE_SYSTEM, code: 'IMP', display: 'inpatient encounter' },
      subject: { reference: patient },
      serviceProvider: { reference: `Organization/${hospital.id}` },
      period: { start: admitted },
      location: [{ location: { display: ward }, status: 'active', period: { start: admitted } }],
    } satisfies Encounter)
  ).resource as Encounter & { id: string };
  const second = (
    await store.update('Encounter', first.id, {
      ...first,
      status: 'finished',
      period: { start: admitted, end: discharged },
      location: [{ location: { display: ward }, status: 'completed', period: { start: admitted, end: discharged } }],
    })
  ).resource as Encounter & { id: string };
  // The reaction would do the same when it hears of these writes; whichever comes first, once.
  const admission = await alerts.alert(first, occasionOf(first, undefined, 1)!, { inboxOnly: true });
  const discharge = await alerts.alert(second, occasionOf(second, first, 2)!, { inboxOnly: true });
  demo.log(
    `Admission alerts: a demo admission and discharge, ${admission?.told.length ?? 0} people told, ${discharge?.tasks.length ?? 0} follow-up Tasks`,
  );
  return first.id;
}
