/**
 * Reading what the module needs from the record (as its system actor, inside a unit of work): a
 * patient's first name and mobile, their registered practice, an organisation's name.
 */
import type { CarePlan, Communication, Organization, Patient } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { mobileOf as mobileOfTelecom } from '../gateways/sms/index.ts';
import { NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';

export const COMMUNICATION_CATEGORY = 'https://careweave.example/fhir/CodeSystem/communication-category';

export function parse<T>(json: string | null | undefined): T {
  return JSON.parse(json ?? '{}') as T;
}

/** The patient's UK mobile from `Patient.telecom`, E.164 (the SMS module's rule). */
export function mobileOf(patient: Patient): string | undefined {
  return mobileOfTelecom(patient.telecom);
}

export function firstName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
  return name?.given?.[0] ?? '';
}

export function fullName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
  return [...(name?.given ?? []), name?.family].filter(Boolean).join(' ') || 'Unnamed patient';
}

export function nhsNumberOf(patient: Patient): string | undefined {
  return patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
}

/** The organisation ids a patient is registered with (generalPractitioner, managingOrganization). */
export function practicesOf(patient: Patient): string[] {
  const refs = [...(patient.generalPractitioner ?? []), patient.managingOrganization].map((r) => r?.reference ?? '');
  return [...new Set(refs.filter((r) => r.startsWith('Organization/')).map((r) => r.slice('Organization/'.length)))];
}

export async function organisationName(system: ResourceService, id: string): Promise<string> {
  try {
    return parse<Organization>((await system.read('Organization', id)).json).name ?? 'your GP practice';
  } catch {
    return 'your GP practice';
  }
}

/**
 * Patients whose record has this mobile. `Patient?phone` matches the stored text exactly, so the
 * ways UK numbers are usually written are each asked for (E.164, 07…, 07… with the usual space).
 */
export async function patientsByPhone(system: ResourceService, e164: string): Promise<Patient[]> {
  const national = `0${e164.slice(3)}`;
  const variants = [e164, national, `${national.slice(0, 5)} ${national.slice(5)}`];
  const found = new Map<string, Patient>();
  for (const variant of variants) {
    const bundle = await system.search('Patient', [
      ['phone', variant],
      ['_count', '20'],
    ]);
    for (const entry of bundle.entry ?? []) {
      const patient = entry.resource as Patient;
      if (!patient.deceasedBoolean && !patient.deceasedDateTime && mobileOf(patient) === e164) {
        found.set(patient.id!, patient);
      }
    }
  }
  return [...found.values()];
}

// The telehealth module's CarePlans instantiate its protocols under this canonical (the record's data,
// not the module's internals: docs/TELEHEALTH.md, "Enrolment").
const TELEHEALTH_CANONICAL = 'https://careweave.example/fhir/PlanDefinition/telehealth-';

/**
 * Whether any of these patients is on telehealth by text now (an active or on-hold CarePlan of a
 * telehealth protocol): their texts are readings for telehealth, not messages for the practice.
 */
export async function onTelehealth(system: ResourceService, patientIds: readonly string[]): Promise<boolean> {
  for (const id of patientIds) {
    const bundle = await system.search('CarePlan', [
      ['subject', `Patient/${id}`],
      ['status', 'active,on-hold'],
      ['_count', '50'],
    ]);
    const plans = (bundle.entry ?? []).map((e) => e.resource as CarePlan);
    if (plans.some((p) => (p.instantiatesCanonical ?? []).some((c) => c.startsWith(TELEHEALTH_CANONICAL)))) {
      return true;
    }
  }
  return false;
}

/** A text to or from a patient, as a Communication in their record (the practice's record). */
export function smsCommunication(input: {
  organizationId: string;
  patientId: string;
  direction: 'in' | 'out';
  body: string;
  about?: string;
}): Communication {
  const patient = { reference: `Patient/${input.patientId}` };
  const practice = { reference: `Organization/${input.organizationId}` };
  return {
    resourceType: 'Communication',
    meta: { source: `Organization/${input.organizationId}` },
    status: 'completed',
    category: [{ coding: [{ system: COMMUNICATION_CATEGORY, code: 'practice-sms' }] }],
    subject: patient,
    medium: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
            code: 'SMSWRIT',
            display: 'SMS written',
          },
        ],
      },
    ],
    ...(input.about ? { about: [{ reference: input.about }] } : {}),
    ...(input.direction === 'in'
      ? { sender: patient, recipient: [practice], received: new Date().toISOString() }
      : { sender: practice, recipient: [patient], sent: new Date().toISOString() }),
    payload: [{ contentString: input.body }],
  };
}
