import type { Extension, Patient } from '@medplum/fhirtypes';

/**
 * The patient's agreement that texts may carry clinical content (docs/PRACTICE-SMS.md): a Patient
 * extension the server reads (`valueBoolean` true: "your results are normal"; otherwise a neutral
 * text), and beside it when the agreement was last recorded or withdrawn.
 */
export const CLINICAL_TEXTS_EXTENSION =
  'https://careweave.example/fhir/StructureDefinition/sms-clinical-content-agreed';
export const CLINICAL_TEXTS_RECORDED_EXTENSION =
  'https://careweave.example/fhir/StructureDefinition/sms-clinical-content-recorded';

/** Who records the agreement: a GP, a nurse or clerical staff (a communication preference, like `Patient.communication`). */
export const RECORDING_ROLES: readonly string[] = ['R8000', 'R8001', 'R8010'];
export const mayRecordAgreement = (roleCode: string | undefined): boolean =>
  roleCode !== undefined && RECORDING_ROLES.includes(roleCode);

/** GPs (R8000) mark results normal-to-send (the server's rule too). */
export const mayTextResults = (roleCode: string | undefined): boolean => roleCode === 'R8000';

export interface Agreement {
  /** true: agreed; false: withdrawn (or declined); undefined: never asked. */
  agreed: boolean | undefined;
  /** When it was recorded here, if the page recorded it. */
  recordedAt: string | undefined;
}

export function agreementOf(patient: Patient): Agreement {
  const flag = patient.extension?.find((e) => e.url === CLINICAL_TEXTS_EXTENSION);
  const recorded = patient.extension?.find((e) => e.url === CLINICAL_TEXTS_RECORDED_EXTENSION);
  return {
    agreed: typeof flag?.valueBoolean === 'boolean' ? flag.valueBoolean : undefined,
    recordedAt: recorded?.valueDateTime,
  };
}

/**
 * The same Patient with the agreement recorded (or withdrawn) now: every other field and extension
 * kept as it was, the two extensions of the agreement replaced.
 */
export function withAgreement(patient: Patient, agreed: boolean, now: Date = new Date()): Patient {
  const others = (patient.extension ?? []).filter(
    (e) => e.url !== CLINICAL_TEXTS_EXTENSION && e.url !== CLINICAL_TEXTS_RECORDED_EXTENSION,
  );
  const ours: Extension[] = [
    { url: CLINICAL_TEXTS_EXTENSION, valueBoolean: agreed },
    { url: CLINICAL_TEXTS_RECORDED_EXTENSION, valueDateTime: now.toISOString() },
  ];
  return { ...patient, extension: [...others, ...ours] };
}

/** The agreement in words, for the page. */
export function describeAgreement({ agreed }: Agreement): string {
  if (agreed === true) {
    return 'Agreed: texts may say that results are normal';
  }
  if (agreed === false) {
    return 'Withdrawn: texts about results say only that there is an update';
  }
  return 'Not recorded: texts about results say only that there is an update';
}
