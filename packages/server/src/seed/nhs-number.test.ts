import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateNhsNumber, isValidNhsNumber, NHS_NUMBER_CAPACITY, nhsNumberCheckDigit } from './nhs-number.ts';
import { SHARED_DATA } from '../testing/shared-data.ts';

const VECTORS_PATH = path.join(SHARED_DATA, 'nhs-number/nhs-number-vectors.json');

interface Vector {
  nhsNumber: string;
  mod11Valid: boolean;
  note: string;
}

describe('isValidNhsNumber', () => {
  it('accepts and rejects well-known numbers', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('9000000009')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false);
    // Remainder check 10: never issued.
    expect(isValidNhsNumber('1234567890')).toBe(false);
    expect(isValidNhsNumber('943 476 5919')).toBe(false);
    expect(isValidNhsNumber('')).toBe(false);
    expect(isValidNhsNumber(943476591 as unknown as string)).toBe(false);
  });

  it.skipIf(!existsSync(VECTORS_PATH))('matches every shared test vector', () => {
    const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Vector[];
    expect(vectors.length).toBeGreaterThan(10);
    for (const v of vectors) {
      expect({ n: v.nhsNumber, valid: isValidNhsNumber(v.nhsNumber) }).toEqual({ n: v.nhsNumber, valid: v.mod11Valid });
    }
  });

  it('has exactly one valid check digit for every issuable stem and none otherwise', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (stem) => {
        const valid = [...'0123456789'].filter((d) => isValidNhsNumber(stem + d));
        const check = nhsNumberCheckDigit(stem);
        expect(valid).toEqual(check === null ? [] : [String(check)]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('generateNhsNumber', () => {
  it('generates valid, unique numbers starting with 9', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const n = generateNhsNumber(i, 42);
      if (n.length !== 10 || n[0] !== '9' || !isValidNhsNumber(n)) {
        throw new Error(`invalid ${n} for serial ${i}`);
      }
      seen.add(n);
    }
    expect(seen.size).toBe(50_000);
  });

  it('is deterministic, salt-dependent and range-checked', () => {
    expect(generateNhsNumber(123, 1)).toBe(generateNhsNumber(123, 1));
    expect(generateNhsNumber(123, 1)).not.toBe(generateNhsNumber(123, 2));
    expect(isValidNhsNumber(generateNhsNumber(NHS_NUMBER_CAPACITY - 1))).toBe(true);
    expect(() => generateNhsNumber(-1)).toThrow(RangeError);
    expect(() => generateNhsNumber(NHS_NUMBER_CAPACITY)).toThrow(RangeError);
    expect(() => generateNhsNumber(1.5)).toThrow(RangeError);
  });
});
