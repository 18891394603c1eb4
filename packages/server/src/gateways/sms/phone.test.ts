import { describe, expect, test } from 'vitest';
import { InvalidPhoneNumber, normalisePhone } from './phone.ts';

describe('normalisePhone', () => {
  test.each([
    ['07700 900123', '+447700900123'],
    ['07700900123', '+447700900123'],
    ['+44 7700 900123', '+447700900123'],
    ['(020) 7946 0000', '+442079460000'],
    ['07911 123456', '+447911123456'],
    ['+1 201 555 0123', '+12015550123'],
  ])('%s → %s', (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });

  test("GOV.UK Notify's source_number is international without +", () => {
    expect(normalisePhone('447700900123', { international: true })).toBe('+447700900123');
  });

  test.each(['123', '0800123', 'not a number', '', '+44 7700 9001234567', '+1 555 123 4567'])(
    'refuses %j with a clear error',
    (input) => {
      expect(() => normalisePhone(input)).toThrow(InvalidPhoneNumber);
      expect(() => normalisePhone(input)).toThrow(/is not a valid phone number/);
    },
  );
});
