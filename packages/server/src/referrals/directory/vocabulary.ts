/**
 * The directory's vocabulary (docs/REFERRALS.md, "Directory"): the specialties a service is found by,
 * its clinic types, and the extension that carries its booking and eligibility rules.
 */
import type { HealthcareService } from '@medplum/fhirtypes';

export const SPECIALTY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/referral-specialty';
export const CLINIC_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/referral-clinic-type';
export const SERVICE_RULES_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/referral-service-rules';

/** The specialty value set: the codes `ServiceQuery.specialty` takes. */
export const SPECIALTIES = {
  'trauma-orthopaedics': 'Trauma and orthopaedics',
  msk: 'Musculoskeletal (MSK) services and physiotherapy',
  dermatology: 'Dermatology',
  cardiology: 'Cardiology',
  gynaecology: 'Gynaecology',
  breast: 'Breast surgery',
} as const;
export type Specialty = keyof typeof SPECIALTIES;

/** Clinic types: what kind of clinic a service runs. */
export const CLINIC_TYPES = {
  outpatient: 'Consultant-led outpatient clinic',
  'referral-assessment': 'Referral assessment service (triage)',
  'two-week-wait': 'Urgent suspected cancer (two-week wait) clinic',
  'community-physiotherapy': 'Community physiotherapy',
  'one-stop': 'One-stop clinic (tests and results in one visit)',
} as const;
export type ClinicType = keyof typeof CLINIC_TYPES;

export type Priority = 'routine' | 'urgent' | 'two-week-wait';
export const PRIORITIES: readonly Priority[] = ['routine', 'urgent', 'two-week-wait'];

export function isSpecialty(code: string): code is Specialty {
  return Object.hasOwn(SPECIALTIES, code);
}

/** A service's booking and eligibility rules, from its `referral-service-rules` extension. */
export interface ServiceRules {
  /** True: the referrer books a slot; false: the provider books once they have the referral. */
  directlyBookable: boolean;
  /** A referral assessment service: clinicians triage the referral onward. */
  triage: boolean;
  /** Referral priorities it accepts (default routine and urgent; a 2WW clinic: two-week-wait only). */
  priorities: readonly Priority[];
  minAge?: number;
  maxAge?: number;
  /** Commissioned for patients living in these postcode districts or sectors (`L39`, `WN8 8`); none: any. */
  postcodeAreas: readonly string[];
  /** Commissioned for patients registered at these practices (`Organization` ids); none: any. */
  gpPractices: readonly string[];
}

export function rulesOf(service: HealthcareService): ServiceRules {
  const parts = service.extension?.find((e) => e.url === SERVICE_RULES_EXTENSION)?.extension ?? [];
  const all = (url: string) => parts.filter((p) => p.url === url);
  const one = (url: string) => all(url)[0];
  const priorities = all('priority').flatMap((p) =>
    PRIORITIES.includes(p.valueCode as Priority) ? [p.valueCode as Priority] : [],
  );
  return {
    directlyBookable: one('directlyBookable')?.valueBoolean ?? false,
    triage: one('triage')?.valueBoolean ?? false,
    priorities: priorities.length ? priorities : ['routine', 'urgent'],
    minAge: one('minAge')?.valueInteger,
    maxAge: one('maxAge')?.valueInteger,
    postcodeAreas: all('postcodeArea').flatMap((p) => (p.valueString ? [p.valueString.toUpperCase()] : [])),
    gpPractices: all('gpPractice').flatMap((p) =>
      p.valueReference?.reference ? [idOf(p.valueReference.reference)] : [],
    ),
  };
}

/** The extension that states `rules` on a HealthcareService (the demo seed and tests write it). */
export function rulesExtension(rules: Partial<ServiceRules>): NonNullable<HealthcareService['extension']>[number] {
  const extension: NonNullable<HealthcareService['extension']> = [
    { url: 'directlyBookable', valueBoolean: rules.directlyBookable ?? false },
    { url: 'triage', valueBoolean: rules.triage ?? false },
    ...(rules.priorities ?? []).map((valueCode) => ({ url: 'priority', valueCode })),
    ...(rules.minAge !== undefined ? [{ url: 'minAge', valueInteger: rules.minAge }] : []),
    ...(rules.maxAge !== undefined ? [{ url: 'maxAge', valueInteger: rules.maxAge }] : []),
    ...(rules.postcodeAreas ?? []).map((valueString) => ({ url: 'postcodeArea', valueString })),
    ...(rules.gpPractices ?? []).map((id) => ({
      url: 'gpPractice',
      valueReference: { reference: `Organization/${id}` },
    })),
  ];
  return { url: SERVICE_RULES_EXTENSION, extension };
}

export function idOf(reference: string | undefined): string {
  return reference?.split('/').pop() ?? '';
}
