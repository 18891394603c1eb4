import type { FhirResource } from '../../seed/types.ts';

export const BIG_PATIENT_ID = 'pat-big-1000';
/** NHS number 999 000 0034: valid Modulus 11, in the 999 test range. */
export const BIG_PATIENT_NHS_NUMBER = '9990000034';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const SNOMED = 'http://snomed.info/sct';
const ENCOUNTER_TYPE = 'https://careweave.example/fhir/CodeSystem/encounter-type';
const VITALS = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
];

/**
 * One patient with a long, busy record across the GP practice, the hospital and community
 * services (about 1,000 resources, with alerts, a care team, a care plan and documents), for the
 * end-to-end timing of the record summary. Deterministic for a given `now`.
 */
export function bigPatientResources(now: Date): FhirResource[] {
  const patient = `Patient/${BIG_PATIENT_ID}`;
  const day = (daysAgo: number, hour = 10): string =>
    new Date(now.getTime() - daysAgo * 86_400_000 + hour * 3_600_000).toISOString();
  const out: FhirResource[] = [
    {
      resourceType: 'Patient',
      id: BIG_PATIENT_ID,
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: BIG_PATIENT_NHS_NUMBER }],
      name: [{ use: 'official', family: 'Bigrecord', given: ['Harold'], prefix: ['Mr'] }],
      gender: 'male',
      birthDate: '1941-03-14',
      address: [{ use: 'home', line: ['1 Test Street'], city: 'Ormskirk', postalCode: 'L39 2AA', country: 'GB' }],
      generalPractitioner: [{ reference: 'Organization/org-p81002' }],
      managingOrganization: { reference: 'Organization/org-p81002' },
    },
  ];
  const conditions: [string, string, string][] = [
    ['38341003', 'Hypertension', '2001-05-02'],
    ['44054006', 'Type 2 diabetes mellitus', '2009-11-20'],
    ['13645005', 'Chronic obstructive pulmonary disease', '2014-02-11'],
    ['49436004', 'Atrial fibrillation', '2019-07-30'],
    ['84114007', 'Heart failure', '2021-01-15'],
    ['709044004', 'Chronic kidney disease', '2022-09-03'],
  ];
  conditions.forEach(([code, display, onset], i) =>
    out.push({
      resourceType: 'Condition',
      id: `big-cond-${i + 1}`,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      verificationStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }],
      },
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] },
      ],
      code: { coding: [{ system: SNOMED, code, display }], text: display },
      subject: { reference: patient },
      onsetDateTime: onset,
      recordedDate: onset,
    }),
  );
  out.push({
    resourceType: 'AllergyIntolerance',
    id: 'big-allergy-1',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }],
    },
    code: { coding: [{ system: SNOMED, code: '764146007', display: 'Penicillin' }], text: 'Penicillin' },
    patient: { reference: patient },
    recordedDate: '1998-04-01',
    reaction: [{ manifestation: [{ text: 'Rash' }] }],
  });
  out.push(
    {
      resourceType: 'Flag',
      id: 'big-flag-1',
      status: 'active',
      code: { text: 'Lives alone: key safe at the front door (code held by the district nurses)' },
      subject: { reference: patient },
      period: { start: day(400) },
    },
    {
      resourceType: 'Flag',
      id: 'big-flag-2',
      status: 'active',
      code: { text: 'Hard of hearing: face him when speaking' },
      subject: { reference: patient },
      period: { start: day(900) },
    },
  );
  const providers = [
    ['org-p81002', 'gp-consultation', 'GP consultation', 'AMB'],
    ['org-rvy', 'outpatient', 'Outpatient attendance', 'AMB'],
    ['org-8wl01', 'district-nurse-visit', 'District nurse home visit', 'HH'],
    ['org-p81002', 'ltc-review', 'Long-term condition review', 'AMB'],
    ['org-rvy', 'ae-attendance', 'A&E attendance', 'EMER'],
  ] as const;
  const encounters = 165;
  for (let i = 0; i < encounters; i++) {
    const [org, code, display, klass] = providers[i % providers.length]!;
    const start = day(5 + i * 4, 9 + (i % 7));
    out.push({
      resourceType: 'Encounter',
      id: `big-enc-${i + 1}`,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: klass },
      type: [{ coding: [{ system: ENCOUNTER_TYPE, code, display }], text: display }],
      subject: { reference: patient },
      period: { start, end: new Date(Date.parse(start) + 20 * 60_000).toISOString() },
      serviceProvider: { reference: `Organization/${org}` },
    });
    const encounter = { reference: `Encounter/big-enc-${i + 1}` };
    const vital = (
      n: number,
      loinc: string,
      display: string,
      value: number,
      unit: string,
      ucum: string,
    ): FhirResource => ({
      resourceType: 'Observation',
      id: `big-obs-${i + 1}-${n}`,
      status: 'final',
      category: VITALS,
      code: { coding: [{ system: LOINC, code: loinc, display }], text: display },
      subject: { reference: patient },
      encounter,
      effectiveDateTime: start,
      valueQuantity: { value, unit, system: UCUM, code: ucum },
    });
    const wobble = (n: number): number => Math.round(Math.sin(i * 1.7 + n) * 100) / 100;
    out.push({
      resourceType: 'Observation',
      id: `big-obs-${i + 1}-1`,
      status: 'final',
      category: VITALS,
      code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }], text: 'Blood pressure' },
      subject: { reference: patient },
      encounter,
      effectiveDateTime: start,
      component: [
        {
          code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] },
          valueQuantity: {
            value: Math.round(142 + 12 * wobble(1) - i / 10),
            unit: 'mmHg',
            system: UCUM,
            code: 'mm[Hg]',
          },
        },
        {
          code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] },
          valueQuantity: { value: Math.round(86 + 7 * wobble(2) - i / 20), unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
        },
      ],
    });
    out.push(vital(2, '8867-4', 'Heart rate', Math.round(78 + 9 * wobble(3)), 'beats/minute', '/min'));
    out.push(
      vital(
        3,
        '59408-5',
        'Oxygen saturation in arterial blood by pulse oximetry',
        Math.round(95 + 2 * wobble(4)),
        '%',
        '%',
      ),
    );
    out.push(vital(4, '29463-7', 'Body weight', Math.round((88 - i / 15 + 1.5 * wobble(5)) * 10) / 10, 'kg', 'kg'));
    out.push(vital(5, '9279-1', 'Respiratory rate', Math.round(17 + 2 * wobble(6)), 'breaths/minute', '/min'));
  }
  const medicines = [
    ['Ramipril 10mg capsules', 'One capsule once a day'],
    ['Metformin 500mg tablets', 'One tablet twice a day with food'],
    ['Bisoprolol 2.5mg tablets', 'One tablet in the morning'],
    ['Apixaban 5mg tablets', 'One tablet twice a day'],
    ['Furosemide 40mg tablets', 'One tablet in the morning'],
    ['Tiotropium 2.5 micrograms inhaler', 'Two puffs once a day'],
    ['Atorvastatin 40mg tablets', 'One tablet at night'],
    ['Salbutamol 100 micrograms inhaler', 'Two puffs when needed'],
  ];
  medicines.forEach(([text, dosage], i) =>
    out.push({
      resourceType: 'MedicationRequest',
      id: `big-med-${i + 1}`,
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { text },
      subject: { reference: patient },
      authoredOn: day(60 + i * 30),
      requester: { reference: 'Practitioner/prac-0001' },
      courseOfTherapyType: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' },
        ],
      },
      dosageInstruction: [{ text: dosage }],
      dispenseRequest: { numberOfRepeatsAllowed: 11, quantity: { value: 56, unit: 'tablet' } },
      meta: { source: 'Organization/org-p81002' },
    }),
  );
  out.push({
    resourceType: 'CareTeam',
    id: 'big-careteam-1',
    status: 'active',
    name: 'Frailty care team',
    subject: { reference: patient },
    participant: [
      { role: [{ text: 'GP' }], member: { reference: 'Practitioner/prac-0001', display: 'His GP' } },
      {
        role: [{ text: 'Community nursing' }],
        member: { reference: 'Organization/org-8wl01', display: 'West Lancashire Community Health Services' },
      },
    ],
    managingOrganization: [{ reference: 'Organization/org-p81002' }],
  });
  out.push({
    resourceType: 'CarePlan',
    id: 'big-careplan-1',
    status: 'active',
    intent: 'plan',
    title: 'Heart failure self-management plan',
    description: 'Weigh every morning; call the practice if weight goes up by 2 kg in 3 days.',
    subject: { reference: patient },
    period: { start: day(200) },
    created: day(200),
  });
  ['Discharge summary', 'Cardiology clinic letter', 'District nurse care plan review'].forEach((title, i) =>
    out.push({
      resourceType: 'DocumentReference',
      id: `big-doc-${i + 1}`,
      status: 'current',
      type: { text: title },
      description: title,
      subject: { reference: patient },
      date: day(30 + i * 45),
      content: [{ attachment: { contentType: 'text/plain', title, data: 'U2VlIHRoZSBsZXR0ZXIu' } }],
      meta: { source: `Organization/${i === 2 ? 'org-8wl01' : 'org-rvy'}` },
    }),
  );
  // Kidney function and cholesterol from the hospital laboratory, named as laboratories send them (LOINC's
  // long names): the record shows "eGFR" and charts them with their target lines.
  const lab = (id: string, loinc: string, display: string, daysAgo: number, value: number, unit: string) =>
    out.push({
      resourceType: 'Observation',
      id,
      status: 'final',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
      ],
      code: { coding: [{ system: LOINC, code: loinc, display }] },
      subject: { reference: patient },
      effectiveDateTime: day(daysAgo, 8),
      valueQuantity: { value, unit, system: UCUM, code: unit === 'mmol/L' ? 'mmol/L' : 'mL/min/{1.73_m2}' },
      meta: { source: 'Organization/org-rvy' },
    });
  for (let k = 0; k < 8; k++) {
    const egfr =
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)';
    lab(`big-egfr-${k + 1}`, '33914-3', egfr, 20 + k * 90, 44 + k + (k % 2), 'mL/min/1.73m2');
  }
  for (let k = 0; k < 4; k++) {
    lab(
      `big-chol-${k + 1}`,
      '14647-2',
      'Cholesterol [Moles/volume] in Serum or Plasma',
      40 + k * 180,
      4.2 + k * 0.3,
      'mmol/L',
    );
  }
  // Held by the mental health trust: sensitive, so not shared with the GP practice without the
  // patient's permission. The record page says that something is withheld, never what.
  out.push({
    resourceType: 'Condition',
    id: 'big-mh-cond',
    meta: { source: 'Organization/org-rw5' },
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: {
      coding: [{ system: SNOMED, code: '35489007', display: 'Depressive disorder' }],
      text: 'Depressive disorder',
    },
    subject: { reference: patient },
    onsetDateTime: '2023-02-01',
  });
  return out;
}
