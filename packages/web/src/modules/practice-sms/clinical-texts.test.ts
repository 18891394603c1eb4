import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  agreementOf,
  CLINICAL_TEXTS_EXTENSION,
  CLINICAL_TEXTS_RECORDED_EXTENSION,
  describeAgreement,
  mayRecordAgreement,
  mayTextResults,
  withAgreement,
} from './clinical-texts.ts';

const OTHER = { url: 'https://example.org/other', valueString: 'kept' };
const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '3' },
  name: [{ given: ['Pat'], family: 'One' }],
  telecom: [{ system: 'phone', use: 'mobile', value: '07700 900501' }],
  extension: [OTHER, { url: CLINICAL_TEXTS_EXTENSION, valueBoolean: false }],
};

describe('the agreement to clinical texts', () => {
  it('reads never asked, agreed and withdrawn', () => {
    expect(agreementOf({ resourceType: 'Patient' })).toEqual({ agreed: undefined, recordedAt: undefined });
    expect(agreementOf(patient).agreed).toBe(false);
    expect(describeAgreement(agreementOf({ resourceType: 'Patient' }))).toMatch(/^Not recorded/);
    expect(describeAgreement({ agreed: true, recordedAt: undefined })).toMatch(/^Agreed/);
  });

  it('records it with the time, keeping every other field and extension', () => {
    const now = new Date('2026-03-03T09:15:00Z');
    const agreed = withAgreement(patient, true, now);
    expect(agreed).toEqual({
      ...patient,
      extension: [
        OTHER,
        { url: CLINICAL_TEXTS_EXTENSION, valueBoolean: true },
        { url: CLINICAL_TEXTS_RECORDED_EXTENSION, valueDateTime: '2026-03-03T09:15:00.000Z' },
      ],
    });
    expect(agreementOf(agreed)).toEqual({ agreed: true, recordedAt: '2026-03-03T09:15:00.000Z' });
    const withdrawn = withAgreement(agreed, false, now);
    expect(withdrawn.extension).toHaveLength(3);
    expect(agreementOf(withdrawn).agreed).toBe(false);
    expect(patient.extension).toHaveLength(2);
  });

  it('GPs, nurses and clerical staff record it; only GPs text results', () => {
    expect(['R8000', 'R8001', 'R8010', 'R8008', undefined].map(mayRecordAgreement)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(['R8000', 'R8001', 'R8010'].map(mayTextResults)).toEqual([true, false, false]);
  });
});
