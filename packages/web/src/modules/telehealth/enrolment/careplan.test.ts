import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  AGREEMENT_EXTENSION,
  BEST_PEAK_FLOW_EXTENSION,
  enrolmentPlan,
  FIRST_PROMPT_NOW_EXTENSION,
  mobileOf,
  planProtocol,
  planThresholds,
  THRESHOLDS_EXTENSION,
  withThresholds,
} from './careplan.ts';

const own = [{ measure: 'spo2' as const, level: 'red' as const, below: 85, reason: 'Own' }];

describe('the enrolment CarePlan', () => {
  const enrolling = {
    patientId: 'p1',
    practitionerId: 'nurse1',
    protocol: { id: 'asthma', version: 1, title: 'Asthma peak flow' },
    agreedAt: '2026-12-06T17:00:00.000Z',
    start: '2026-12-07',
    overrides: own,
    bestPeakFlow: 420,
  };
  const plan = enrolmentPlan(enrolling);

  it('is what the server reads as an enrolment', () => {
    expect(plan).toMatchObject({
      resourceType: 'CarePlan',
      status: 'active',
      intent: 'plan',
      instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-asthma|1'],
      subject: { reference: 'Patient/p1' },
      author: { reference: 'Practitioner/nurse1' },
      period: { start: '2026-12-07' },
    });
    const url = (u: string) => plan.extension?.find((e) => e.url === u);
    expect(url(AGREEMENT_EXTENSION)?.valueDateTime).toBe('2026-12-06T17:00:00.000Z');
    expect(url(BEST_PEAK_FLOW_EXTENSION)?.valueQuantity).toMatchObject({ value: 420, code: 'L/min' });
    expect(JSON.parse(url(THRESHOLDS_EXTENSION)!.valueString!)).toEqual(own);
    // The first question waits for its time unless the nurse asks for it now.
    expect(url(FIRST_PROMPT_NOW_EXTENSION)).toBeUndefined();
    const now = enrolmentPlan({ ...enrolling, firstPromptNow: true });
    expect(now.extension?.find((e) => e.url === FIRST_PROMPT_NOW_EXTENSION)?.valueBoolean).toBe(true);
  });

  it('reads back its protocol and thresholds, and changes them', () => {
    expect(planProtocol(plan)).toEqual({ id: 'asthma', version: 1 });
    expect(planThresholds(plan)).toEqual(own);
    const cleared = withThresholds(plan, []);
    expect(planThresholds(cleared)).toEqual([]);
    expect(cleared.extension?.some((e) => e.url === AGREEMENT_EXTENSION)).toBe(true);
  });
});

describe('mobileOf', () => {
  it.each<[string, Patient['telecom'], string | undefined]>([
    ['a mobile', [{ system: 'phone', value: '07700 900123', use: 'mobile' }], '07700 900123'],
    [
      'the mobile before a landline',
      [
        { system: 'phone', value: '01632 960001', use: 'home' },
        { system: 'phone', value: '+44 7700 900124' },
      ],
      '+44 7700 900124',
    ],
    ['only a landline', [{ system: 'phone', value: '01632 960001', use: 'home' }], undefined],
    ['nothing', undefined, undefined],
  ])('%s', (_what, telecom, expected) => {
    expect(mobileOf({ resourceType: 'Patient', ...(telecom ? { telecom } : {}) })).toBe(expected);
  });
});
