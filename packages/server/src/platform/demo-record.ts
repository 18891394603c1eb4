import type {
  Appointment,
  CareTeam,
  CodeableConcept,
  Consent,
  DocumentReference,
  Encounter,
  EpisodeOfCare,
  Flag,
  Observation,
  Resource,
} from '@medplum/fhirtypes';
import { DATA_CATEGORY_SYSTEM } from '../access/actor.ts';
import { SENSITIVITY_SYSTEM } from '../access/categories.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { CONSENT_SCOPE_SYSTEM as CONSENT_SCOPE } from '@careweave/vocabulary';

/** Who the demo patient's care involves: the organisations and practitioners of the demo sign-ins. */
export interface DemoCare {
  patientId: string;
  practiceOrgId: string;
  gpId: string;
  communityOrgId: string;
  nurseId: string;
  councilOrgId: string;
  socialWorkerId: string;
  careHomeOrgId: string;
}

const DAY = 86_400_000;

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** 10:30 UTC `days` days from now (negative: ago). */
const morning = (now: number, days: number): string => `${isoDay(now + days * DAY)}T10:30:00Z`;
const categories = (codes: string[]): CodeableConcept[] =>
  codes.map((code) => ({ coding: [{ system: DATA_CATEGORY_SYSTEM, code }] }));

/**
 * What the demo patient's record holds so that each access rule shows on first start with the
 * printed sign-ins (docs/ACCESS.md): the patient's permit for the demo care home (a named permit
 * opens exactly its categories, with no care relationship), a safeguarding flag the practice
 * keeps out of the patient's online view, a past appointment for the receptionist to see, and the
 * relationships a real district nurse and social worker would have under need to know (the
 * district nursing caseload, the neighbourhood care team). Each resource has a fixed id and is
 * written once, so this is safe on every start.
 */
export function demoRecord(care: DemoCare, now = Date.now(), problemId?: string): Resource[] {
  const patient = { reference: `Patient/${care.patientId}` };
  const practice = `Organization/${care.practiceOrgId}`;
  const permit: Consent = {
    resourceType: 'Consent',
    id: 'demo-carehome-permit',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient,
    dateTime: new Date(now).toISOString(),
    performer: [patient],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: {
      type: 'permit',
      period: { start: isoDay(now), end: isoDay(now + 30 * DAY) },
      actor: [
        {
          role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
          reference: { reference: `Organization/${care.careHomeOrgId}` },
        },
      ],
      // Who the person is, and what the home needs for a respite stay: their medicines and allergies.
      code: categories(['demographics', 'medications', 'allergies']),
    },
  };
  const flag: Flag = {
    resourceType: 'Flag',
    id: 'demo-safeguarding-flag',
    meta: { source: practice, security: [{ system: SENSITIVITY_SYSTEM, code: 'safeguarding' }] },
    status: 'active',
    category: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'safety', display: 'Safety' }],
      },
    ],
    code: { text: 'Adult safeguarding concern: speak to the practice safeguarding lead before sharing information' },
    subject: patient,
    period: { start: morning(now, -60) },
    author: { reference: `Practitioner/${care.gpId}` },
  };
  const nursing: EpisodeOfCare = {
    resourceType: 'EpisodeOfCare',
    id: 'demo-district-nursing',
    meta: { source: `Organization/${care.communityOrgId}` },
    status: 'active',
    type: [{ text: 'District nursing' }],
    patient,
    managingOrganization: { reference: `Organization/${care.communityOrgId}` },
    period: { start: morning(now, -90) },
    careManager: { reference: `Practitioner/${care.nurseId}` },
  };
  const team: CareTeam = {
    resourceType: 'CareTeam',
    id: 'demo-care-team',
    meta: { source: practice },
    status: 'active',
    name: 'Neighbourhood care team',
    subject: patient,
    period: { start: morning(now, -90) },
    managingOrganization: [{ reference: practice }],
    participant: [
      {
        role: [{ text: 'GP' }],
        member: { reference: `Practitioner/${care.gpId}` },
        onBehalfOf: { reference: practice },
      },
      {
        role: [{ text: 'District nurse' }],
        member: { reference: `Practitioner/${care.nurseId}` },
        onBehalfOf: { reference: `Organization/${care.communityOrgId}` },
      },
      {
        role: [{ text: 'Social worker' }],
        member: { reference: `Practitioner/${care.socialWorkerId}` },
        onBehalfOf: { reference: `Organization/${care.councilOrgId}` },
      },
    ],
  };
  const review: Appointment = {
    resourceType: 'Appointment',
    id: 'demo-medication-review',
    meta: { source: practice },
    status: 'fulfilled',
    serviceType: [{ text: 'General practice' }],
    description: 'Medication review',
    start: morning(now, -21),
    end: morning(now, -21).replace('10:30', '10:45'),
    minutesDuration: 15,
    created: morning(now, -35),
    participant: [
      { actor: patient, required: 'required', status: 'accepted' },
      { actor: { reference: `Practitioner/${care.gpId}` }, required: 'required', status: 'accepted' },
    ],
  };
  const [visit, note, bloodPressure] = medicationReviewNote(care, review, problemId);
  return [permit, flag, nursing, team, review, visit, note, bloodPressure];
}

const CONSULTATION_NOTE = [
  'Medication review (face to face).',
  'Taking medicines as prescribed; no side effects reported. Home blood pressure readings brought in:',
  'average 134/82 over two weeks.',
  'Plan: continue current medicines; blood tests (kidney function, HbA1c) before the next review in 6 months.',
  'Safety netting: to contact the practice if dizzy or unwell.',
].join('\n');

/**
 * The visit of the demo's medication review and the GP's consultation note from it, so that the
 * clinician's timeline has a note that opens to its text and its visit (docs/ACCESS.md: notes are
 * the `documents` category, which the care home's permit does not open).
 */
function medicationReviewNote(
  care: DemoCare,
  review: Appointment,
  problemId: string | undefined,
): [Encounter, DocumentReference, Observation] {
  const patient = { reference: `Patient/${care.patientId}` };
  const practice = { reference: `Organization/${care.practiceOrgId}` };
  const gp = { reference: `Practitioner/${care.gpId}` };
  const visit: Encounter = {
    resourceType: 'Encounter',
    id: 'demo-medication-review-visit',
    meta: { source: practice.reference },
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [
      {
        coding: [{ system: 'http://snomed.info/sct', code: '11429006', display: 'Consultation' }],
        text: 'GP consultation',
      },
    ],
    subject: patient,
    participant: [{ individual: gp }],
    appointment: [{ reference: `Appointment/${review.id}` }],
    period: { start: review.start, end: review.end },
    reasonCode: [
      {
        coding: [{ system: 'http://snomed.info/sct', code: '182836005', display: 'Review of medication' }],
        text: 'Medication review',
      },
    ],
    serviceProvider: practice,
    // The review was for one of the patient's problems: the problem's page lists the visit.
    ...(problemId ? { reasonReference: [{ reference: `Condition/${problemId}` }] } : {}),
  };
  const note: DocumentReference = {
    resourceType: 'DocumentReference',
    id: 'demo-consultation-note',
    meta: { source: practice.reference },
    status: 'current',
    docStatus: 'final',
    type: {
      coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }],
      text: 'Consultation note',
    },
    category: [
      {
        coding: [
          {
            system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
            code: 'clinical-note',
          },
        ],
      },
    ],
    subject: patient,
    date: review.end ?? review.start!,
    author: [gp],
    custodian: practice,
    description: 'Medication review: consultation note',
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'en-GB',
          title: 'Consultation note',
          data: Buffer.from(CONSULTATION_NOTE, 'utf8').toString('base64'),
        },
      },
    ],
    context: { encounter: [{ reference: `Encounter/${visit.id}` }], period: visit.period },
  };
  const loinc = (code: string, display: string) => ({ coding: [{ system: 'http://loinc.org', code, display }] });
  const mmHg = (value: number) => ({ value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
  const bloodPressure: Observation = {
    resourceType: 'Observation',
    id: 'demo-medication-review-bp',
    meta: { source: practice.reference },
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
    ],
    code: { ...loinc('85354-9', 'Blood pressure panel with all children optional'), text: 'Blood pressure' },
    subject: patient,
    encounter: { reference: `Encounter/${visit.id}` },
    effectiveDateTime: review.start,
    performer: [gp],
    component: [
      { code: loinc('8480-6', 'Systolic blood pressure'), valueQuantity: mmHg(134) },
      { code: loinc('8462-4', 'Diastolic blood pressure'), valueQuantity: mmHg(82) },
    ],
  };
  return [visit, note, bloodPressure];
}

/** Writes {@link demoRecord} through the unrestricted service, leaving any that exist alone. */
export async function ensureDemoRecord(resources: ResourceService, care: DemoCare): Promise<void> {
  const problems = await resources.search('Condition', [
    ['subject', `Patient/${care.patientId}`],
    ['clinical-status', 'active'],
    ['_sort', 'recorded-date'],
    ['_count', '1'],
  ]);
  const problemId = problems.entry?.[0]?.resource?.id;
  for (const resource of demoRecord(care, Date.now(), problemId)) {
    const exists = await resources.read(resource.resourceType, resource.id!).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await resources.update(resource.resourceType, resource.id!, resource);
    }
  }
}
