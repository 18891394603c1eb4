import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OperationOutcomeError } from '../fhir/outcome.ts';
import { parseJsonBody, scanJson } from './json-body.ts';

const LIMITS = { maxNodes: 1000 };

/** Values in a parsed JSON document, counted the way the scanner is meant to. */
function countNodes(value: unknown): number {
  if (Array.isArray(value)) {
    return 1 + value.reduce((sum: number, item) => sum + countNodes(item), 0);
  }
  if (typeof value === 'object' && value !== null) {
    return 1 + Object.values(value).reduce((sum: number, item) => sum + countNodes(item), 0);
  }
  return 1;
}

function refusal(text: string, limits = LIMITS): { status: number; code?: string; diagnostics?: string } {
  try {
    parseJsonBody(text, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(OperationOutcomeError);
    const { status, outcome } = error as OperationOutcomeError;
    return { status, code: outcome.issue?.[0]?.code, diagnostics: outcome.issue?.[0]?.diagnostics };
  }
  throw new Error(`${text.slice(0, 50)} was accepted`);
}

describe('parseJsonBody', () => {
  test('parses what JSON.parse parses, within the limits', () => {
    const body = { resourceType: 'Patient', name: [{ family: 'Ünïcødé 😀', given: ['a', 'b\\"'] }], active: true };
    expect(parseJsonBody(JSON.stringify(body), LIMITS)).toEqual(body);
    expect(parseJsonBody('"\\ud83d\\ude00 \\u00e9 \\\\u0000"', LIMITS)).toBe('😀 é \\u0000');
  });

  test('counts exactly one node per value, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, indent) => {
        const text = JSON.stringify(value, null, indent ? 2 : undefined);
        const nodes = countNodes(JSON.parse(text));
        expect(() => scanJson(text, { maxNodes: nodes, maxDepth: 64 })).not.toThrow();
        if (nodes > 1) {
          expect(() => scanJson(text, { maxNodes: nodes - 1, maxDepth: 64 })).toThrow(/more than/);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('refuses more values than the limit with 413 too-costly', () => {
    const names = Array.from({ length: 600 }, () => ({ family: 'x' }));
    expect(refusal(JSON.stringify({ resourceType: 'Patient', name: names }))).toMatchObject({
      status: 413,
      code: 'too-costly',
    });
  });

  test.each([
    ['10,000 deep arrays', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['10,000 deep objects', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
    ['65 deep', '['.repeat(65) + ']'.repeat(65)],
  ])('refuses %s with 400', (_name, text) => {
    expect(refusal(text, { maxNodes: 1_000_000 })).toMatchObject({ status: 400, code: 'structure' });
  });

  test('allows 64 deep', () => {
    expect(() => parseJsonBody('['.repeat(64) + ']'.repeat(64), LIMITS)).not.toThrow();
  });

  test.each([
    ['a lone high surrogate', '{"family":"\\ud800"}'],
    ['a lone high surrogate before text', '{"family":"\\ud800x"}'],
    ['a lone low surrogate', '{"family":"\\udc00"}'],
    ['two high surrogates', '{"family":"\\ud800\\ud800\\udc00"}'],
    ['a high surrogate before another escape', '{"family":"\\ud800\\n"}'],
    ['a lone surrogate in a key', '{"\\uDBFF":1}'],
    ['NUL', '{"family":"a\\u0000b"}'],
    ['NUL in a key', '{"\\u0000":1}'],
  ])('refuses %s with 400', (_name, text) => {
    expect(refusal(text)).toMatchObject({ status: 400, code: 'invalid' });
  });

  test('keeps invalid JSON a 400 naming it', () => {
    expect(refusal('{"resourceType": "Patient",')).toMatchObject({ status: 400, code: 'invalid' });
    expect(refusal('{"resourceType": "Patient",').diagnostics).toContain('not valid JSON');
  });
});
