import type { RiskAssessment } from '@medplum/fhirtypes';
import type { Band } from './api.ts';
import { BANDS } from './filters.ts';

const RISK_MODEL = 'https://careweave.example/fhir/CodeSystem/risk-model';
const RISK_BAND = 'https://careweave.example/fhir/CodeSystem/risk-band';
const RISK_FACTOR = 'https://careweave.example/fhir/StructureDefinition/risk-factor';
const RISK_COST = 'https://careweave.example/fhir/StructureDefinition/risk-annual-cost';

/** What a person needs from a stored score (the shared RiskAssessment convention of issue 12). */
export interface ScoreSummary {
  band?: Band;
  probability?: number;
  modelVersion?: string;
  scoredAt?: string;
  factors: string[];
  cost12m?: number;
}

/** Reads a RiskAssessment; parts it lacks are left out rather than guessed. */
export function summariseAssessment(assessment: RiskAssessment): ScoreSummary {
  const prediction = assessment.prediction?.[0];
  const band = prediction?.qualitativeRisk?.coding?.find((c) => c.system === RISK_BAND)?.code;
  const factors = (assessment.extension ?? [])
    .filter((e) => e.url === RISK_FACTOR)
    .map((e) => e.extension?.find((part) => part.url === 'words')?.valueString)
    .filter((words): words is string => Boolean(words));
  const cost = assessment.extension?.find((e) => e.url === RISK_COST)?.valueMoney?.value;
  const summary: ScoreSummary = { factors };
  if (BANDS.includes(band as Band)) {
    summary.band = band as Band;
  }
  if (typeof prediction?.probabilityDecimal === 'number') {
    summary.probability = prediction.probabilityDecimal;
  }
  const version = assessment.method?.coding?.find((c) => c.system === RISK_MODEL)?.code;
  if (version) {
    summary.modelVersion = version;
  }
  if (assessment.occurrenceDateTime) {
    summary.scoredAt = assessment.occurrenceDateTime;
  }
  if (typeof cost === 'number') {
    summary.cost12m = cost;
  }
  return summary;
}
