import { describe, expect, it } from 'vitest';
import type { Protocol } from '../protocols/api.ts';
import { checkEnrolForm, type EnrolForm } from './enrol-form.ts';
import { checkStartDate } from './start-date.ts';

const asthma = {
  id: 'asthma',
  version: 1,
  title: 'Asthma peak flow',
  needs: ['personal-best-peak-flow'],
  levels: [{ measure: 'peakflow-percent-best', level: 'red', below: 50, reason: 'Below 50% of best' }],
} as unknown as Protocol;

const form = (changes: Partial<EnrolForm> = {}): EnrolForm => ({
  protocolId: 'asthma',
  agreed: true,
  firstNow: false,
  thresholds: {},
  bestPeakFlow: '420',
  start: { day: '7', month: '12', year: '2026' },
  ...changes,
});

describe('the enrolment form', () => {
  it('gives the enrolment to write', () => {
    expect(checkEnrolForm(form(), [asthma], { today: '2026-12-06' })).toEqual({
      enrolment: { protocol: asthma, overrides: [], bestPeakFlow: 420, start: '2026-12-07', firstPromptNow: false },
    });
    const now = checkEnrolForm(form({ firstNow: true }), [asthma], { today: '2026-12-06' });
    expect('enrolment' in now && now.enrolment.firstPromptNow).toBe(true);
  });

  it('lists every problem, in the order of the page', () => {
    const checked = checkEnrolForm(
      form({ protocolId: '', agreed: false, start: { day: '', month: '', year: '' } }),
      [asthma],
      { today: '2026-12-06' },
    );
    expect('errors' in checked && Object.keys(checked.errors)).toEqual(['protocol', 'start-day', 'agreement']);
  });

  it('refuses a protocol the patient is already enrolled on', () => {
    const checked = checkEnrolForm(form(), [asthma], { today: '2026-12-06', enrolledOn: ['asthma'] });
    expect('errors' in checked && checked.errors.protocol).toBe(
      'The patient is already enrolled on Asthma peak flow: manage that enrolment instead',
    );
  });

  it.each([
    ['', 'Enter the patient’s best peak flow, in litres a minute'],
    ['5000', 'The best peak flow must be a whole number from 60 to 900 litres a minute'],
  ])('asthma needs a best peak flow: %j', (bestPeakFlow, message) => {
    const checked = checkEnrolForm(form({ bestPeakFlow }), [asthma], { today: '2026-12-06' });
    expect('errors' in checked && checked.errors['best-peak-flow']).toBe(message);
  });
});

describe('checkStartDate', () => {
  it.each([
    [{ day: '6', month: '12', year: '2026' }, { value: '2026-12-06' }],
    [{ day: '31', month: '2', year: '2027' }, { error: 'The start date must be a real date, like 7 12 2026' }],
    [{ day: '5', month: '12', year: '2026' }, { error: 'The start date must be today or in the future' }],
    [{ day: '7', month: '12', year: '2027' }, { error: 'The start date must be within a year from today' }],
    [{ day: '', month: '12', year: '2026' }, { error: 'The start date must include a day' }],
    [{ day: '', month: '', year: '' }, { error: 'Enter the start date, with a day, month and year' }],
  ])('%j', (parts, expected) => {
    expect(checkStartDate(parts, '2026-12-06')).toEqual(expected);
  });
});
