/**
 * Readings as the record keeps them: patient-reported `Observation`s, coded with LOINC and UCUM.
 * A blood pressure is one panel with systolic and diastolic components (as the UK Core profile
 * has it); yes/no answers and scores are coded by the protocol question that asked for them.
 */
import type { CodeableConcept, Observation, Patient, Reference } from '@medplum/fhirtypes';
import type { Reading } from './parse.ts';
import { BLOOD_PRESSURE_PANEL, MEASURES, UCUM, type Coding, type MeasureKey } from './vocabulary.ts';

const VITAL_SIGNS: CodeableConcept = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }],
};
const SURVEY: CodeableConcept = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }],
};
/** How the reading was obtained: reported by the patient by text message. */
export const PATIENT_REPORTED: CodeableConcept = {
  coding: [
    {
      system: 'https://careweave.example/fhir/CodeSystem/observation-method',
      code: 'patient-reported-sms',
      display: 'Patient reported by text message',
    },
  ],
  text: 'Patient reported by text message',
};

export interface ObservationContext {
  subject?: Reference<Patient>;
  basedOn?: Observation['basedOn'];
  effective: string;
  /** The code of the question, for yes/no answers and scores. */
  questionCode?: CodeableConcept;
}

function quantity(key: MeasureKey, value: number) {
  const measure = MEASURES[key];
  return { value, unit: measure.unit, system: UCUM, code: measure.ucum };
}

function concept(coding: Coding): CodeableConcept {
  return { coding: [coding], text: coding.display };
}

/** The Observation a reading becomes (not yet stored). */
export function readingObservation(reading: Reading, context: ObservationContext): Observation {
  const base: Observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { text: reading.expectation },
    ...(context.subject ? { subject: context.subject, performer: [context.subject] } : {}),
    ...(context.basedOn ? { basedOn: context.basedOn } : {}),
    effectiveDateTime: context.effective,
    method: PATIENT_REPORTED,
    note: [{ text: `Texted: ${reading.text}` }],
  };
  const v = reading.values;
  switch (reading.expectation) {
    case 'bp':
      return {
        ...base,
        category: [VITAL_SIGNS],
        code: concept(BLOOD_PRESSURE_PANEL),
        component: [
          { code: concept(MEASURES.systolic.coding), valueQuantity: quantity('systolic', v.systolic!) },
          { code: concept(MEASURES.diastolic.coding), valueQuantity: quantity('diastolic', v.diastolic!) },
        ],
      };
    case 'yesno':
      return {
        ...base,
        category: [SURVEY],
        code: context.questionCode ?? { text: 'Answer' },
        valueBoolean: v.answer === 1,
      };
    case 'score':
      return {
        ...base,
        category: [SURVEY],
        code: context.questionCode ?? { text: 'Score' },
        valueInteger: v.score!,
      };
    default: {
      const key = reading.expectation as MeasureKey;
      return {
        ...base,
        category: [VITAL_SIGNS],
        code: concept(MEASURES[key].coding),
        valueQuantity: quantity(key, v[key]!),
      };
    }
  }
}
