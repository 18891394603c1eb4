/**
 * What a reply can contain: the kinds of reading a protocol asks for, how each is coded in the
 * record (LOINC, UCUM), and the range a reading must fall in to be believed at all. Plausibility is
 * not a clinical threshold (those are the protocol's green/amber/red ranges): a reading outside it is
 * almost certainly a typing slip ("1490/90") and is never recorded (docs/CLINICAL-SAFETY.md H-100).
 */

export const EXPECTATIONS = [
  'bp',
  'pulse',
  'spo2',
  'temperature',
  'weight',
  'glucose',
  'peakflow',
  'yesno',
  'score',
] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

export function isExpectation(value: string): value is Expectation {
  return (EXPECTATIONS as readonly string[]).includes(value);
}

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

export interface Coding {
  system: string;
  code: string;
  display: string;
}

export interface Measure {
  coding: Coding;
  unit: string;
  ucum: string;
  /** Readings outside [min, max] are implausible. */
  min: number;
  max: number;
  /** Decimal places kept. */
  decimals: number;
  /** What we ask people to send, in the words of the reply. */
  example: string;
  /** How we name it to the patient. */
  name: string;
}

export const MEASURES = {
  systolic: {
    coding: { system: LOINC, code: '8480-6', display: 'Systolic blood pressure' },
    unit: 'mmHg',
    ucum: 'mm[Hg]',
    min: 50,
    max: 300,
    decimals: 0,
    example: '140/90',
    name: 'blood pressure',
  },
  diastolic: {
    coding: { system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' },
    unit: 'mmHg',
    ucum: 'mm[Hg]',
    min: 20,
    max: 200,
    decimals: 0,
    example: '140/90',
    name: 'blood pressure',
  },
  pulse: {
    coding: { system: LOINC, code: '8867-4', display: 'Heart rate' },
    unit: 'beats/minute',
    ucum: '/min',
    min: 20,
    max: 250,
    decimals: 0,
    example: '72',
    name: 'pulse',
  },
  spo2: {
    coding: { system: LOINC, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
    unit: '%',
    ucum: '%',
    min: 50,
    max: 100,
    decimals: 0,
    example: '95',
    name: 'oxygen level',
  },
  temperature: {
    coding: { system: LOINC, code: '8310-5', display: 'Body temperature' },
    unit: '°C',
    ucum: 'Cel',
    min: 30,
    max: 45,
    decimals: 1,
    example: '37.2',
    name: 'temperature',
  },
  weight: {
    coding: { system: LOINC, code: '29463-7', display: 'Body weight' },
    unit: 'kg',
    ucum: 'kg',
    min: 20,
    max: 350,
    decimals: 1,
    example: '82.5',
    name: 'weight',
  },
  glucose: {
    coding: { system: LOINC, code: '15074-8', display: 'Glucose [Moles/volume] in Blood' },
    unit: 'mmol/L',
    ucum: 'mmol/L',
    min: 1,
    max: 35,
    decimals: 1,
    example: '7.4',
    name: 'blood sugar',
  },
  peakflow: {
    coding: {
      system: LOINC,
      code: '19935-6',
      display: 'Maximum expiratory gas flow Respiratory system airway by Peak flow meter',
    },
    unit: 'L/min',
    ucum: 'L/min',
    min: 50,
    max: 900,
    decimals: 0,
    example: '350',
    name: 'peak flow',
  },
} as const satisfies Record<string, Measure>;

export type MeasureKey = keyof typeof MEASURES;

export const BLOOD_PRESSURE_PANEL: Coding = { system: LOINC, code: '85354-9', display: 'Blood pressure panel' };

/** What we ask for, as the example in "please send your … like this: …". */
export const ASK: Record<Expectation, { name: string; example: string }> = {
  bp: { name: 'blood pressure', example: '140/90' },
  pulse: { name: 'pulse', example: '72' },
  spo2: { name: 'oxygen level', example: '95' },
  temperature: { name: 'temperature', example: '37.2' },
  weight: { name: 'weight', example: '82.5' },
  glucose: { name: 'blood sugar', example: '7.4' },
  peakflow: { name: 'peak flow', example: '350' },
  yesno: { name: 'answer', example: 'YES or NO' },
  score: { name: 'score', example: '2' },
};
