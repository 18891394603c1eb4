import type { Observation } from '@medplum/fhirtypes';
import { conceptText, hasCode, LOINC, quantityText } from './fhir-display.ts';
import { shortTestName } from './test-names.ts';

/** The code that identifies what was measured (first coding), for grouping. */
export function observationKey(observation: Observation): string {
  const coding = observation.code.coding?.[0];
  return coding ? `${coding.system ?? ''}|${coding.code ?? ''}` : conceptText(observation.code);
}

export function componentValue(observation: Observation, code: string): number | undefined {
  return observation.component?.find((c) => hasCode(c.code, code))?.valueQuantity?.value;
}

export function isBloodPressure(observation: Observation): boolean {
  return hasCode(observation.code, LOINC.bloodPressure);
}

/** "142/88 mmHg", "72 beats/minute", "97%", or the text/code value. */
export function observationValue(observation: Observation): string {
  if (isBloodPressure(observation)) {
    const systolic = componentValue(observation, LOINC.systolic);
    const diastolic = componentValue(observation, LOINC.diastolic);
    return systolic !== undefined && diastolic !== undefined ? `${systolic}/${diastolic} mmHg` : 'Incomplete reading';
  }
  if (observation.valueQuantity) {
    return quantityText(observation.valueQuantity);
  }
  if (observation.valueString) {
    return observation.valueString;
  }
  if (observation.valueCodeableConcept) {
    return conceptText(observation.valueCodeableConcept);
  }
  if (observation.valueBoolean !== undefined) {
    return observation.valueBoolean ? 'Yes' : 'No';
  }
  if (observation.component?.length) {
    return observation.component.map((c) => `${conceptText(c.code)} ${quantityText(c.valueQuantity)}`).join(', ');
  }
  return observation.dataAbsentReason ? `Not recorded (${conceptText(observation.dataAbsentReason)})` : 'No value';
}

/** The short name clinicians scan for ("eGFR", "HbA1c"), else the record's own text. */
export function observationName(observation: Observation): string {
  if (isBloodPressure(observation)) {
    return 'Blood pressure';
  }
  if (hasCode(observation.code, LOINC.spo2)) {
    return 'Oxygen saturation (SpO2)';
  }
  const loinc = observation.code.coding?.find((c) => c.system === 'http://loinc.org')?.code;
  return shortTestName(loinc) ?? conceptText(observation.code);
}

/** HbA1c in the units UK laboratories report (IFCC mmol/mol), converted from DCCT % when stored so. */
export function hba1cMmolPerMol(o: Observation): number | undefined {
  const q = o.valueQuantity;
  if (q?.value === undefined) {
    return undefined;
  }
  const unit = (q.code ?? q.unit ?? '').toLowerCase();
  if (unit === '%') {
    return Math.round((q.value - 2.15) * 10.929);
  }
  return unit.startsWith('mmol/mol') ? q.value : undefined;
}

/** LOINC codes of estimated GFR as labs and Synthea report it (creatinine-based, with or without race terms). */
export const EGFR_CODES: readonly string[] = ['33914-3', '62238-1', '69405-9', '48642-3', '48643-3', '98979-8'];
