/** Codes the library's protocols share. */
export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
/** Questions CareWeave's protocols ask that have no standard code of their own. */
export const QUESTION = 'https://careweave.example/fhir/CodeSystem/telehealth-question';

export const question = (code: string, display: string) => ({ system: QUESTION, code, display });

/** Said in every reply that could precede an emergency: the service is not watched all the time. */
export const EMERGENCY = 'If you feel very unwell, call 999. For advice, call 111.';
