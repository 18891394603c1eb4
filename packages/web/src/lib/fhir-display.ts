import type { CodeableConcept, HumanName, Patient, Quantity, Reference, Resource } from '@medplum/fhirtypes';
import { parseFhirDate } from './dates.ts';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const ORGANISATION_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/organisation-type';
export const ENCOUNTER_TYPE_SYSTEM = 'https://careweave.example/fhir/CodeSystem/encounter-type';
export const DATA_CATEGORY_SYSTEM = 'https://careweave.example/fhir/CodeSystem/data-category';

export const LOINC = {
  bloodPressure: '85354-9',
  systolic: '8480-6',
  diastolic: '8462-4',
  heartRate: '8867-4',
  spo2: ['59408-5', '2708-6'],
  weight: '29463-7',
  bmi: '39156-5',
} as const;

export function conceptText(concept: CodeableConcept | undefined): string {
  return (
    concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? 'Not recorded'
  );
}

export function conceptsText(concepts: CodeableConcept[] | undefined): string {
  return (concepts ?? []).map(conceptText).join(', ');
}

export function hasCode(concept: CodeableConcept | undefined, codes: string | readonly string[]): boolean {
  const wanted = typeof codes === 'string' ? [codes] : codes;
  return Boolean(concept?.coding?.some((c) => c.code && wanted.includes(c.code)));
}

export function codeIn(concepts: CodeableConcept[] | undefined, system: string): string | undefined {
  for (const concept of concepts ?? []) {
    const found = concept.coding?.find((c) => c.system === system)?.code;
    if (found) {
      return found;
    }
  }
  return undefined;
}

function officialName(names: HumanName[] | undefined): HumanName | undefined {
  return names?.find((n) => n.use === 'official') ?? names?.[0];
}

/** "Margaret Smith" */
export function displayName(names: HumanName[] | undefined): string {
  const name = officialName(names);
  if (!name) {
    return 'Name not recorded';
  }
  return name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
}

/** "SMITH, Margaret (Mrs)": the NHS patient banner style. */
export function bannerName(names: HumanName[] | undefined): string {
  const name = officialName(names);
  if (!name) {
    return 'Name not recorded';
  }
  const title = name.prefix?.length ? ` (${name.prefix.join(' ')})` : '';
  return `${(name.family ?? '').toUpperCase()}, ${(name.given ?? []).join(' ')}${title}`;
}

export function nhsNumberOf(patient: Patient | undefined): string | undefined {
  return patient?.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
}

export function quantityText(quantity: Quantity | undefined): string {
  if (!quantity || quantity.value === undefined) {
    return '';
  }
  const unit = quantity.unit ?? quantity.code ?? '';
  return `${quantity.value}${unit === '%' ? '%' : unit ? ` ${unit}` : ''}`;
}

/** The id in `Type/id` (also in an absolute URL), when the type matches. */
export function refId(reference: Reference | string | undefined, type?: string): string | undefined {
  const value = typeof reference === 'string' ? reference : reference?.reference;
  const found = value ? /([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(value) : null;
  if (!found || (type && found[1] !== type)) {
    return undefined;
  }
  return found[2];
}

/** The clinically meaningful date of a resource, for lists and the timeline. */
export function resourceDate(resource: Resource): string | undefined {
  const r = resource as unknown as Record<string, unknown>;
  const first = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = r[key];
      if (typeof value === 'string') {
        return value;
      }
      if (value && typeof value === 'object' && typeof (value as { start?: unknown }).start === 'string') {
        return (value as { start: string }).start;
      }
    }
    return undefined;
  };
  switch (resource.resourceType) {
    case 'Encounter':
      return first('period');
    case 'Condition':
      return first('onsetDateTime', 'recordedDate', 'onsetPeriod');
    case 'Observation':
      return first('effectiveDateTime', 'effectivePeriod', 'issued');
    case 'MedicationRequest':
      return first('authoredOn');
    case 'AllergyIntolerance':
      return first('recordedDate', 'onsetDateTime');
    case 'Appointment':
      return first('start', 'created');
    case 'Procedure':
      return first('performedDateTime', 'performedPeriod');
    case 'DocumentReference':
      return first('date');
    case 'Composition':
      return first('date');
    case 'CarePlan':
    case 'CareTeam':
      return first('period', 'created');
    case 'Immunization':
      return first('occurrenceDateTime', 'recorded');
    case 'DiagnosticReport':
      return first('effectiveDateTime', 'issued');
    case 'Flag':
      return first('period');
    default:
      return resource.meta?.lastUpdated;
  }
}

export function resourceTime(resource: Resource): number {
  return parseFhirDate(resourceDate(resource))?.getTime() ?? 0;
}

/** Plain names for the kinds of record, as the timeline filter shows them. */
export const KIND_LABEL: Record<string, string> = {
  Encounter: 'Visits and admissions',
  Appointment: 'Appointments',
  Condition: 'Problems',
  MedicationRequest: 'Medicines',
  AllergyIntolerance: 'Allergies',
  Observation: 'Tests and measurements',
  Procedure: 'Procedures',
  DocumentReference: 'Documents',
  Composition: 'Documents',
  CarePlan: 'Care plans',
  CareTeam: 'Care team',
  Immunization: 'Vaccinations',
  DiagnosticReport: 'Test reports',
  Flag: 'Alerts',
};

/** A one-line title for any record item. */
export function resourceTitle(resource: Resource): string {
  const r = resource as unknown as Record<string, unknown> & Resource;
  switch (resource.resourceType) {
    case 'Encounter': {
      const type = (r.type as CodeableConcept[] | undefined)?.[0];
      return conceptText(type);
    }
    case 'Condition':
    case 'AllergyIntolerance':
    case 'Procedure':
    case 'Observation':
    case 'Flag':
    case 'DiagnosticReport':
      return conceptText(r.code as CodeableConcept);
    case 'MedicationRequest':
    case 'MedicationStatement':
      return conceptText(r.medicationCodeableConcept as CodeableConcept) || 'Medicine';
    case 'Immunization':
      return conceptText(r.vaccineCode as CodeableConcept);
    case 'Appointment':
      return (
        (r.description as string | undefined) ?? conceptText((r.serviceType as CodeableConcept[] | undefined)?.[0])
      );
    case 'DocumentReference':
      return (r.description as string | undefined) ?? conceptText(r.type as CodeableConcept);
    case 'Composition':
      return (r.title as string | undefined) ?? 'Document';
    case 'CarePlan':
      return (r.title as string | undefined) ?? conceptsText(r.category as CodeableConcept[]) ?? 'Care plan';
    case 'CareTeam':
      return (r.name as string | undefined) ?? 'Care team';
    default:
      return resource.resourceType;
  }
}
