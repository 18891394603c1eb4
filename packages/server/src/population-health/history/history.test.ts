import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { decodeHistory, encodeHistory } from './codec.ts';
import { eventKindOf, historyFromResources } from './history.ts';

const patient: Resource = {
  resourceType: 'Patient',
  id: 'p1',
  birthDate: '1940-03-02',
  gender: 'female',
  generalPractitioner: [{ reference: 'Organization/org-p81002' }],
  address: [{ extension: [{ url: 'https://careweave.example/fhir/StructureDefinition/imd-decile', valueInteger: 2 }] }],
};

const condition = (id: string, code: string, extra: object = {}): Resource => ({
  resourceType: 'Condition',
  id,
  subject: { reference: 'Patient/p1' },
  code: { coding: [{ system: 'http://snomed.info/sct', code }] },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  onsetDateTime: '2015-06-01',
  ...extra,
});

describe('historyFromResources', () => {
  it('reads who the patient is, their conditions, deficits, contacts, medicines and red alerts', () => {
    const history = historyFromResources([
      patient,
      condition('c1', '84114007'),
      condition('c2', '13645005', {
        verificationStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }],
        },
      }),
      condition('c3', '161898004'),
      {
        resourceType: 'Encounter',
        id: 'e1',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
        subject: { reference: 'Patient/p1' },
        period: { start: '2026-10-01T10:00:00Z' },
      },
      {
        resourceType: 'MedicationRequest',
        id: 'm1',
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/p1' },
        courseOfTherapyType: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: 'continuous' },
          ],
        },
        medicationCodeableConcept: { coding: [{ system: 'https://dmd.nhs.uk', code: '317972000' }] },
        authoredOn: '2024-01-01',
      },
      {
        resourceType: 'Task',
        id: 't1',
        status: 'requested',
        intent: 'order',
        priority: 'stat',
        code: { coding: [{ system: 'https://careweave.example/fhir/CodeSystem/task-code', code: 'telehealth-alert' }] },
        for: { reference: 'Patient/p1' },
        authoredOn: '2026-10-20T09:00:00Z',
      },
    ] as Resource[]);
    expect(history).toMatchObject({
      patientId: 'p1',
      practiceId: 'org-p81002',
      birthDate: '1940-03-02',
      sex: 'female',
      imdDecile: 2,
      deceased: false,
      conditions: [{ key: 'heart-failure', onset: '2015-06-01' }],
      events: [{ kind: 'ae', date: '2026-10-01' }],
      repeatMedicines: [{ code: '317972000', start: '2024-01-01' }],
      redAlerts: ['2026-10-20'],
    });
    // The refuted COPD is not counted; heart failure and falls are eFI deficits.
    expect(history.deficits.map((d) => d.key).sort()).toEqual(['falls', 'heart-failure']);
  });

  it('needs the Patient', () => {
    expect(() => historyFromResources([condition('c1', '84114007')])).toThrow(/Patient/);
  });

  it('survives being stored and read back', () => {
    const history = historyFromResources([patient, condition('c1', '84114007')]);
    expect(decodeHistory('p1', 'org-p81002', JSON.parse(JSON.stringify(encodeHistory(history))))).toEqual(history); // one event: no order to lose
  });
});

describe('eventKindOf', () => {
  const encounter = (extra: object) => ({ resourceType: 'Encounter', status: 'in-progress', ...extra }) as never;

  it('takes the CareWeave encounter type first', () => {
    expect(
      eventKindOf(
        encounter({
          class: { code: 'IMP' },
          type: [
            {
              coding: [
                { system: 'https://careweave.example/fhir/CodeSystem/encounter-type', code: 'elective-admission' },
              ],
            },
          ],
        }),
      ),
    ).toBe('elective-admission');
  });

  it('counts an HL7 v2 admission with no priority as an emergency (the safer error, H-143)', () => {
    expect(
      eventKindOf(encounter({ class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' } })),
    ).toBe('emergency-admission');
    expect(
      eventKindOf(
        encounter({
          class: { code: 'IMP' },
          priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActPriority', code: 'EL' }] },
        }),
      ),
    ).toBe('elective-admission');
    expect(eventKindOf(encounter({ class: { code: 'EMER' } }))).toBe('ae');
    expect(eventKindOf(encounter({ class: { system: 'http://example.org/other', code: 'IMP' } }))).toBe('other');
  });
});
