import { describe, expect, it } from 'vitest';
import {
  bookingWindowEnd,
  hashLetterPassword,
  insideWindow,
  isUbrn,
  letterPasswordMatches,
  luhnDigit,
  newLetterPassword,
  newUbrn,
  OUTCOME_REASONS,
  outcomeLetter,
  waitingDays,
  type OutcomeReason,
} from './rules.ts';

const WINDOWS = { TWO_WEEK_WAIT_DAYS: 14, URGENT_DAYS: 28, ROUTINE_DAYS: 126 };
const SENT = new Date('2026-12-01T09:00:00Z');

describe('booking windows (H-200)', () => {
  it.each([
    ['two-week-wait', '2026-12-15T09:00:00.000Z'],
    ['urgent', '2026-12-29T09:00:00.000Z'],
    ['routine', '2027-04-06T09:00:00.000Z'],
  ] as const)('%s ends at %s', (priority, end) => {
    expect(bookingWindowEnd(priority, SENT, WINDOWS).toISOString()).toBe(end);
  });

  it('a slot on the last moment of the window is inside it; one a minute later is not', () => {
    const end = bookingWindowEnd('two-week-wait', SENT, WINDOWS);
    expect(insideWindow('2026-12-15T09:00:00Z', end)).toBe(true);
    expect(insideWindow('2026-12-15T09:01:00Z', end)).toBe(false);
  });
});

describe('UBRN', () => {
  it('is 12 digits, no leading zero, with a Luhn check digit', () => {
    for (let i = 0; i < 200; i++) {
      const ubrn = newUbrn();
      expect(ubrn).toMatch(/^[1-9]\d{11}$/);
      expect(isUbrn(ubrn)).toBe(true);
    }
  });

  it.each([
    ['7992739871', 3],
    ['1234567890', 3],
  ])('the check digit of %s is %i', (digits, check) => {
    expect(luhnDigit(digits)).toBe(check);
  });

  it('refuses a mistyped UBRN', () => {
    const ubrn = newUbrn();
    const typo = ubrn.slice(0, 5) + String((Number(ubrn[5]) + 1) % 10) + ubrn.slice(6);
    expect(isUbrn(typo)).toBe(false);
    expect(isUbrn('12345')).toBe(false);
  });
});

describe("the patient's letter password", () => {
  it('is 8 unambiguous characters, stored only as a salted hash that checks it', async () => {
    const password = newLetterPassword();
    expect(password).toMatch(/^[a-km-np-z2-9]{8}$/);
    const stored = await hashLetterPassword(password);
    expect(stored).not.toContain(password);
    expect(await letterPasswordMatches(password, stored)).toBe(true);
    expect(await letterPasswordMatches(password.toUpperCase(), stored)).toBe(true);
    expect(await letterPasswordMatches('wrongpass', stored)).toBe(false);
    expect(await hashLetterPassword(password)).not.toBe(stored);
  });
});

describe('the outcome letter (H-206)', () => {
  it.each(Object.keys(OUTCOME_REASONS) as OutcomeReason[])('for %s is plain English with what to do next', (reason) => {
    const letter = outcomeLetter({
      patientName: 'Mrs Ashcroft',
      specialty: 'msk',
      provider: 'Southport and Ormskirk Hospital',
      reason,
      ubrn: '123456789012',
    });
    expect(letter).toContain('Dear Mrs Ashcroft');
    expect(letter).toContain(OUTCOME_REASONS[reason].letter);
    expect(letter).toContain('NHS 111');
    expect(letter).toContain('123456789012');
    // Plain English: short sentences, no clinical codes.
    const sentences = letter.split(/[.!?]\s/);
    expect(Math.max(...sentences.map((s) => s.split(/\s+/).length))).toBeLessThan(45);
    expect(letter).not.toMatch(/criteria-not-met|manage-in-primary-care|tests-first/);
  });
});

describe('waiting time', () => {
  it('is whole days since the referral was sent, never negative', () => {
    const now = new Date('2026-12-10T08:00:00Z');
    expect(waitingDays('2026-12-01T09:00:00Z', now)).toBe(8);
    expect(waitingDays('2026-12-11T09:00:00Z', now)).toBe(0);
    expect(waitingDays(undefined, now)).toBe(0);
  });
});
