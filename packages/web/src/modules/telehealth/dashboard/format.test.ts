import { describe, expect, it } from 'vitest';
import type { Engagement } from './api.ts';
import { nhsNumberText, responseRate, when } from './format.ts';

const engagement = (changes: Partial<Engagement>): Engagement => ({
  windowDays: 30,
  promptsSent: 30,
  repliesReceived: 25,
  responseRate: 25 / 30,
  lastReplyAt: null,
  droppedOff: false,
  ...changes,
});

describe('dashboard wording', () => {
  it.each([
    [engagement({}), '83% (25 of 30)'],
    [engagement({ promptsSent: 0, repliesReceived: 0, responseRate: null }), 'No prompts due yet'],
    [engagement({ repliesReceived: 0, responseRate: 0 }), '0% (0 of 30)'],
  ])('response rate %#', (value, text) => {
    expect(responseRate(value)).toBe(text);
  });

  it('says never for no reply, and spaces the NHS number', () => {
    expect(when(null)).toBe('Never');
    expect(nhsNumberText({ reference: 'Patient/1', name: 'A', nhsNumber: '9434765919' })).toBe(
      'NHS number 943 476 5919',
    );
    expect(nhsNumberText({ reference: 'Patient/1', name: 'A' })).toBe('');
  });
});
