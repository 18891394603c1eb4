import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkNhsNumber, formatNhsNumber } from './nhs-number.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// The workplace's shared test data sits beside the checkout; CAREWEAVE_SHARED_DATA overrides, and a
// clone made elsewhere on this machine finds it at /work/shared/data.
const sharedData = [
  process.env['CAREWEAVE_SHARED_DATA'],
  path.resolve(here, '../../../../../shared/data'),
  '/work/shared/data',
].find((dir): dir is string => Boolean(dir) && fs.existsSync(dir!));
const vectorsFile = path.join(sharedData ?? '../shared/data', 'nhs-number/nhs-number-vectors.json');
const vectors = JSON.parse(fs.readFileSync(vectorsFile, 'utf8')) as { nhsNumber: string; mod11Valid: boolean }[];

describe('NHS number Modulus 11', () => {
  it('agrees with every shared test vector', () => {
    expect(vectors.length).toBeGreaterThan(40);
    for (const vector of vectors) {
      expect(checkNhsNumber(vector.nhsNumber).valid, vector.nhsNumber).toBe(vector.mod11Valid);
    }
  });

  it.each([
    ['', 'Enter an NHS number'],
    ['943 476 59', 'must be 10 digits'],
    ['94347659AB', 'only contain numbers'],
    ['9000000000', 'last digit does not match'],
  ])('explains what is wrong with %j', (input, message) => {
    const result = checkNhsNumber(input);
    expect(result.valid).toBe(false);
    expect(result.valid ? '' : result.error).toContain(message);
  });

  it('accepts spaces and dashes and formats 3-3-4', () => {
    expect(checkNhsNumber('900 000 0009')).toEqual({ valid: true, value: '9000000009' });
    expect(checkNhsNumber('900-000-0009').valid).toBe(true);
    expect(formatNhsNumber('9000000009')).toBe('900 000 0009');
  });
});
