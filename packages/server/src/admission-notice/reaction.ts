import type { Encounter, Organization, Patient, PractitionerRole } from '@medplum/fhirtypes';
import type { FastifyBaseLogger } from 'fastify';
import type { Reaction } from '../events/bus.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import type { NotificationService } from '../notifications/index.ts';

export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PRACTITIONER_ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/practitioner-role';
/** A practice with more GPs than this is told through the first ones (by id): a bound on fan-out. */
const MAX_GPS = 20;
export const ADMISSION_SMS = 'CareWeave: a patient of yours was admitted to hospital. Sign in to see who.';

/** An inpatient encounter: class IMP (v3 ActCode; a class without a system is read as v3). */
export function isInpatient(encounter: Encounter): boolean {
  const c = encounter.class;
  return c?.code === 'IMP' && (c.system === undefined || c.system === ACT_CODE_SYSTEM);
}

async function readAs<T>(resources: ResourceService, reference: string | undefined): Promise<T | undefined> {
  const [type, id] = (reference ?? '').split('/');
  if (!type || !id) {
    return undefined;
  }
  try {
    return JSON.parse((await resources.read(type, id)).json ?? '{}') as T;
  } catch {
    return undefined;
  }
}

/**
 * The patient's registered GP: Patient.generalPractitioner naming a Practitioner, or, when it names
 * the practice (an Organization), the practice's active doctors (PractitionerRole with the HL7 role
 * `doctor`), at most MAX_GPS.
 */
export async function registeredGps(resources: ResourceService, patient: Patient): Promise<string[]> {
  const found = new Set<string>();
  for (const gp of patient.generalPractitioner ?? []) {
    const reference = gp.reference ?? '';
    if (/^Practitioner\/[A-Za-z0-9.-]+$/.test(reference)) {
      found.add(reference);
    } else if (/^Organization\/[A-Za-z0-9.-]+$/.test(reference)) {
      const roles = await resources.search('PractitionerRole', [
        ['organization', reference],
        ['role', `${PRACTITIONER_ROLE_SYSTEM}|doctor`],
        ['active', 'true'],
        ['_sort', '_id'],
        ['_count', String(MAX_GPS)],
      ]);
      for (const entry of roles.entry ?? []) {
        const practitioner = (entry.resource as PractitionerRole).practitioner?.reference;
        if (practitioner?.startsWith('Practitioner/')) {
          found.add(practitioner);
        }
      }
    }
  }
  return [...found].slice(0, MAX_GPS);
}

function name(patient: Patient): string {
  const n = patient.name?.[0];
  return n?.text ?? ([...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || 'Your patient');
}

/**
 * When an inpatient Encounter is created (an HL7 v2 A01, a hospital's FHIR write), tell the patient's
 * GP: urgent, in the inbox with who and where, and by a text that says only that a patient was
 * admitted. Once per GP and Encounter, however often the reaction runs.
 */
export function admissionReaction(notifications: NotificationService, log: Pick<FastifyBaseLogger, 'info'>): Reaction {
  return {
    name: 'admission-notice',
    types: ['Encounter'],
    interactions: ['create'],
    filter: (resource) => isInpatient(resource as Encounter),
    handle: async (event, { resources }) => {
      const encounter = event.resource as Encounter | undefined;
      const patient = await readAs<Patient>(resources, encounter?.subject?.reference);
      if (!encounter || !patient?.id) {
        return;
      }
      const hospital = await readAs<Organization>(resources, encounter.serviceProvider?.reference);
      const where = [hospital?.name, encounter.location?.[0]?.location.display].filter(Boolean).join(', ');
      const when = encounter.period?.start ? ` on ${encounter.period.start.slice(0, 10)}` : '';
      const about = `Encounter/${event.resourceId}`;
      for (const gp of await registeredGps(resources, patient)) {
        const outcome = await notifications.notify({
          kind: 'admission-notice',
          category: 'admission',
          priority: 'urgent',
          recipient: gp,
          subject: `Patient/${patient.id}`,
          about,
          title: `${name(patient)} was admitted to hospital`,
          text: `${name(patient)} was admitted${where ? ` to ${where}` : ''}${when}.`,
          smsText: ADMISSION_SMS,
          idempotencyKey: `admission-notice:${about}:${gp}`,
        });
        log.info({ about, recipient: gp, outcome: outcome.status }, 'admission notice');
      }
    },
  };
}
