import { Hl7Message } from '@medplum/core';
import type { Encounter } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { nextEncounter, readVisit, type AdtEvent, type Visit } from './adt-encounter.ts';
import { Hl7ApplicationError } from './registry.ts';

const REFS = { patientId: 'p1', organizationId: 'org-rvy', identifierSystem: 'urn:visits' };
const T0 = '2025-03-01T10:00:00+00:00';
const T1 = '2025-03-02T11:00:00+00:00';
const T2 = '2025-03-03T12:00:00+00:00';

function visit(extra: Partial<Visit> = {}): Visit {
  return {
    number: 'V1',
    patientClass: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    location: 'Ward 4',
    eventTime: T0,
    ...extra,
  };
}

/** Runs events in order from no Encounter, as the store would keep them. */
function run(...steps: [AdtEvent, Partial<Visit>?][]): Encounter {
  let encounter: Encounter | undefined;
  for (const [event, extra] of steps) {
    encounter = { ...nextEncounter(event, encounter, visit(extra), REFS), id: 'e1' };
  }
  return encounter!;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof Hl7ApplicationError) {
      return error.message;
    }
    throw error;
  }
  throw new Error('not refused');
}

describe('readVisit', () => {
  const message = (pv1: string, evn = 'EVN|A01|20250301100000'): Hl7Message =>
    Hl7Message.parse(`MSH|^~\\&|A|F|||20250301||ADT^A01|1|P|2.5\r${evn}\r${pv1}`);

  test('class, location, visit number, admission and discharge, event time', () => {
    const pv1 = `PV1|1|I|HUH AE OMU&9.8&ISO^OMU B^Bed 03||||||||||||||||40007716^^^AccMng&1.2&HCD^AM${'|'.repeat(25)}20150208113419+0110|20150209113419+0110`;
    expect(readVisit(message(pv1), 'Europe/London')).toEqual({
      number: '40007716',
      patientClass: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: 'IMP',
        display: 'inpatient encounter',
      },
      location: 'HUH AE OMU, OMU B, Bed 03',
      admitted: '2015-02-08T11:34:19+01:10',
      discharged: '2015-02-09T11:34:19+01:10',
      eventTime: '2025-03-01T10:00:00+00:00',
    });
  });

  test.each([
    ['E', 'EMER'],
    ['O', 'AMB'],
    ['P', 'PRENC'],
  ])('PV1-2 %s is %s', (code, act) => {
    expect(readVisit(message(`PV1|1|${code}`), 'UTC').patientClass?.code).toBe(act);
  });

  test('an unknown patient class or a bad date is an application error naming the field', () => {
    expect(() => readVisit(message('PV1|1|Z'), 'UTC')).toThrow(/PV1-2 patient class 'Z'/);
    expect(() => readVisit(message(`PV1|1|I${'|'.repeat(42)}2015-02-08`), 'UTC')).toThrow(/PV1-44/);
  });

  test('event time: EVN-6, else EVN-2', () => {
    expect(readVisit(message('PV1|1|I', 'EVN|A01|20250301100000||||20250301093000'), 'UTC').eventTime).toBe(
      '2025-03-01T09:30:00+00:00',
    );
  });
});

describe('events on a visit', () => {
  test('A01 admits: in progress, from the admission time, at the location', () => {
    const encounter = run(['A01', { admitted: T0 }]);
    expect(encounter).toMatchObject({
      status: 'in-progress',
      class: { code: 'IMP' },
      subject: { reference: 'Patient/p1' },
      serviceProvider: { reference: 'Organization/org-rvy' },
      identifier: [{ system: 'urn:visits', value: 'V1', type: { coding: [{ code: 'VN' }] } }],
      period: { start: T0 },
      location: [{ location: { display: 'Ward 4' }, status: 'active', period: { start: T0 } }],
    });
  });

  test.each([
    ['A04', 'arrived'],
    ['A05', 'planned'],
  ] as const)('%s makes a %s visit', (event, status) => {
    expect(run([event]).status).toBe(status);
  });

  test('A02 transfers: the old location ends when the new one begins', () => {
    const encounter = run(['A01', { admitted: T0 }], ['A02', { location: 'Ward 7', eventTime: T1 }]);
    expect(encounter.location).toEqual([
      { location: { display: 'Ward 4' }, status: 'completed', period: { start: T0, end: T1 } },
      { location: { display: 'Ward 7' }, status: 'active', period: { start: T1 } },
    ]);
  });

  test('A03 discharges; A13 cancels the discharge', () => {
    const discharged = run(['A01', { admitted: T0 }], ['A03', { discharged: T2 }]);
    expect(discharged.status).toBe('finished');
    expect(discharged.period).toEqual({ start: T0, end: T2 });
    expect(discharged.location?.[0]).toMatchObject({ status: 'completed', period: { end: T2 } });
    const reopened = nextEncounter('A13', discharged, visit(), REFS);
    expect(reopened.status).toBe('in-progress');
    expect(reopened.period).toEqual({ start: T0 });
    expect(reopened.location?.[0]).toEqual({
      location: { display: 'Ward 4' },
      status: 'active',
      period: { start: T0 },
    });
  });

  test('A12 cancels the last transfer', () => {
    const encounter = run(['A01', { admitted: T0 }], ['A02', { location: 'Ward 7', eventTime: T1 }], ['A12']);
    expect(encounter.location).toEqual([{ location: { display: 'Ward 4' }, status: 'active', period: { start: T0 } }]);
  });

  test('A08 corrects without moving; A11 marks the visit entered in error, and again changes nothing', () => {
    const corrected = run(['A01', { admitted: T0 }], ['A08', { location: 'Ward 4 (side room)' }]);
    expect(corrected.location).toHaveLength(1);
    expect(corrected.location?.[0]?.location.display).toBe('Ward 4 (side room)');
    const cancelled = nextEncounter('A11', corrected, visit(), REFS);
    expect(cancelled.status).toBe('entered-in-error');
    expect(nextEncounter('A11', cancelled, visit(), REFS)).toBe(cancelled);
  });

  test('A08 of a visit not seen before creates it with the state its dates give', () => {
    expect(run(['A08', { admitted: T0, discharged: T1 }])).toMatchObject({
      status: 'finished',
      period: { start: T0, end: T1 },
    });
    expect(run(['A08', { admitted: T0 }]).status).toBe('in-progress');
  });

  test.each([
    ['A11 of an unknown visit', () => nextEncounter('A11', undefined, visit(), REFS), /not known/],
    ['A13 of a visit not discharged', () => nextEncounter('A13', run(['A01']), visit(), REFS), /not discharged/],
    ['A12 with no earlier location', () => nextEncounter('A12', run(['A01']), visit(), REFS), /no earlier location/],
    ['A01 after the discharge', () => nextEncounter('A01', run(['A01'], ['A03']), visit(), REFS), /discharged/],
    ['A02 after the discharge', () => nextEncounter('A02', run(['A01'], ['A03']), visit(), REFS), /discharged/],
    ['A08 of a cancelled visit', () => nextEncounter('A08', run(['A01'], ['A11']), visit(), REFS), /cancelled/],
    ['A02 with no location', () => nextEncounter('A02', run(['A01']), visit({ location: undefined }), REFS), /PV1-3/],
    [
      'a new visit without a class',
      () => nextEncounter('A01', undefined, visit({ patientClass: undefined }), REFS),
      /PV1-2/,
    ],
    [
      'a discharge before the admission',
      () => run(['A01', { admitted: T2 }], ['A03', { discharged: T0 }]),
      /before it began/,
    ],
  ])('%s is refused (AE)', (_name, fn, reason) => {
    expect(refusal(fn)).toMatch(reason);
  });
});
