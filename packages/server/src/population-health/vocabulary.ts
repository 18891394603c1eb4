/**
 * The codes the risk model reads from the record and writes into it (docs/RISK-MODEL.md). The model
 * owns its code lists: they define what it counts, independently of how any data was generated.
 */
export const SNOMED = 'http://snomed.info/sct';
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const ACT_PRIORITY = 'http://terminology.hl7.org/CodeSystem/v3-ActPriority';
export const ENCOUNTER_TYPE = 'https://careweave.example/fhir/CodeSystem/encounter-type';
export const IMD_DECILE = 'https://careweave.example/fhir/StructureDefinition/imd-decile';
export const COURSE_OF_THERAPY = 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy';
export const TASK_CODE = 'https://careweave.example/fhir/CodeSystem/task-code';
export const ORGANISATION_TYPE = 'https://careweave.example/fhir/CodeSystem/organisation-type';

/** Written on each RiskAssessment: the model version (`method`) and the band (`qualitativeRisk`). */
export const RISK_MODEL_SYSTEM = 'https://careweave.example/fhir/CodeSystem/risk-model';
export const RISK_BAND_SYSTEM = 'https://careweave.example/fhir/CodeSystem/risk-band';
export const RISK_FACTOR_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/risk-factor';
export const RISK_COST_EXTENSION = 'https://careweave.example/fhir/StructureDefinition/risk-annual-cost';
/** SNOMED CT 183452005 |Emergency hospital admission (procedure)|: what is predicted. */
export const EMERGENCY_ADMISSION_OUTCOME = {
  system: SNOMED,
  code: '183452005',
  display: 'Emergency hospital admission',
};

/** The long-term conditions the model counts, by SNOMED CT concept (QOF register conditions). */
export const LONG_TERM_CONDITIONS = [
  { key: 'hypertension', snomed: '38341003', words: 'high blood pressure' },
  { key: 'diabetes', snomed: '44054006', words: 'type 2 diabetes' },
  { key: 'copd', snomed: '13645005', words: 'COPD' },
  { key: 'asthma', snomed: '195967001', words: 'asthma' },
  { key: 'atrial-fibrillation', snomed: '49436004', words: 'atrial fibrillation' },
  { key: 'heart-failure', snomed: '84114007', words: 'heart failure' },
  { key: 'ckd', snomed: '709044004', words: 'chronic kidney disease' },
  { key: 'stroke', snomed: '230690007', words: 'stroke or TIA' },
  { key: 'dementia', snomed: '52448006', words: 'dementia' },
  { key: 'depression', snomed: '35489007', words: 'depression' },
  { key: 'cancer', snomed: '363346000', words: 'cancer' },
] as const;

export type ConditionKey = (typeof LONG_TERM_CONDITIONS)[number]['key'];

export const CONDITION_BY_SNOMED: ReadonlyMap<string, ConditionKey> = new Map(
  LONG_TERM_CONDITIONS.map((c) => [c.snomed, c.key]),
);

/** What kind of contact an Encounter was, for counting and costing. */
export type EventKind =
  | 'emergency-admission'
  | 'elective-admission'
  | 'ae'
  | 'outpatient'
  | 'gp'
  | 'practice-nurse'
  | 'district-nurse'
  | 'social-care'
  | 'mental-health'
  | 'other';

/** The CareWeave encounter-type codes (docs/SEED.md) and what they count as. */
export const EVENT_BY_ENCOUNTER_TYPE: ReadonlyMap<string, EventKind> = new Map<string, EventKind>([
  ['emergency-admission', 'emergency-admission'],
  ['elective-admission', 'elective-admission'],
  ['ae-attendance', 'ae'],
  ['outpatient', 'outpatient'],
  ['gp-consultation', 'gp'],
  ['ltc-review', 'practice-nurse'],
  ['practice-nurse-consultation', 'practice-nurse'],
  ['district-nurse-visit', 'district-nurse'],
  ['social-care-assessment', 'social-care'],
  ['mental-health-contact', 'mental-health'],
]);
