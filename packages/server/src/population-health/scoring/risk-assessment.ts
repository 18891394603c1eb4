/**
 * A score as a FHIR RiskAssessment (docs/RISK-MODEL.md, "In the record"): one per patient and model
 * version, updated in place (each rescoring that changes it is a new version, so its history is the
 * patient's risk over time). Written by the module's system actor; labelled by the record like any
 * other entry about the patient (their registered practice's record).
 */
import type { RiskAssessment } from '@medplum/fhirtypes';
import type { Factor, RiskBand, RiskModel } from '../model/model.ts';
import { BAND_WORDS } from '../model/model.ts';
import {
  EMERGENCY_ADMISSION_OUTCOME,
  RISK_BAND_SYSTEM,
  RISK_COST_EXTENSION,
  RISK_FACTOR_EXTENSION,
  RISK_MODEL_SYSTEM,
} from '../vocabulary.ts';
import type { ScoreRow } from './scores.repository.ts';

/** The RiskAssessment id for a patient and model version (ids are at most 64 characters). */
export function assessmentId(patientId: string, version: string): string {
  const id = `risk-${version}-${patientId}`;
  return id.length <= 64 ? id : `risk-${version}-${patientId.slice(-(58 - version.length))}`;
}

function factorExtension(factor: Factor) {
  return {
    url: RISK_FACTOR_EXTENSION,
    extension: [
      { url: 'feature', valueCode: factor.feature },
      { url: 'words', valueString: factor.words },
      { url: 'logOdds', valueDecimal: Math.round(factor.logOdds * 1000) / 1000 },
    ],
  };
}

export function bandCoding(band: RiskBand) {
  return { system: RISK_BAND_SYSTEM, code: band, display: BAND_WORDS[band] };
}

export function riskAssessmentOf(model: RiskModel, row: ScoreRow, at: Date): RiskAssessment {
  const yearOn = new Date(at.getTime() + 365 * 86_400_000);
  const drivers = row.factors.map((f) => f.words).join('; ');
  return {
    resourceType: 'RiskAssessment',
    id: assessmentId(row.patientId, model.version),
    extension: [
      ...row.factors.map(factorExtension),
      { url: RISK_COST_EXTENSION, valueMoney: { value: row.facts.cost12m, currency: 'GBP' } },
    ],
    status: 'final',
    method: { coding: [{ system: RISK_MODEL_SYSTEM, code: model.version, display: model.title }] },
    code: { coding: [EMERGENCY_ADMISSION_OUTCOME], text: 'Risk of emergency admission in the next 12 months' },
    subject: { reference: `Patient/${row.patientId}` },
    occurrenceDateTime: at.toISOString(),
    prediction: [
      {
        outcome: { coding: [EMERGENCY_ADMISSION_OUTCOME], text: 'Emergency hospital admission within 12 months' },
        probabilityDecimal: Math.round(row.probability * 10_000) / 10_000,
        qualitativeRisk: { coding: [bandCoding(row.band)], text: `${BAND_WORDS[row.band]} risk` },
        whenPeriod: { start: at.toISOString(), end: yearOn.toISOString() },
      },
    ],
    note: [
      {
        text:
          `${Math.round(row.probability * 1000) / 10}% chance of an emergency admission in the next 12 months ` +
          `(${BAND_WORDS[row.band].toLowerCase()} risk, model ${model.version}).` +
          (drivers ? ` What raised it most: ${drivers}.` : ''),
      },
    ],
  };
}
