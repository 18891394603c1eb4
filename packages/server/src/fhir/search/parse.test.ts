import { describe, expect, test } from 'vitest';
import { MAX_SEARCH_PARAMETERS, MAX_SEARCH_VALUES } from '../limits.ts';
import { OperationOutcomeError } from '../outcome.ts';
import { parseSearch } from './parse.ts';

const OPTIONS = { defaultCount: 20, maxCount: 1000, strict: false };

function refusal(pairs: [string, string][]): { status: number; code?: string; expression?: string[]; text?: string } {
  try {
    parseSearch('Patient', pairs, OPTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(OperationOutcomeError);
    const { status, outcome } = error as OperationOutcomeError;
    const [first] = outcome.issue ?? [];
    return { status, code: first?.code, expression: first?.expression, text: first?.diagnostics };
  }
  throw new Error('the search was accepted');
}

const repeat = (name: string, count: number): [string, string][] =>
  Array.from({ length: count }, (_, i) => [name, `v${i}`] as [string, string]);

describe('search limits', () => {
  test.each([
    ['2,000 repeats of a parameter', repeat('name', 2000), 'name'],
    [`${MAX_SEARCH_VALUES + 1} repeats`, repeat('family', MAX_SEARCH_VALUES + 1), 'family'],
    [
      '2,000 comma-separated values',
      [
        [
          'name',
          repeat('x', 2000)
            .map(([, v]) => v)
            .join(','),
        ],
      ],
      'name',
    ],
    [
      'values split between commas and repeats',
      [
        [
          'name',
          repeat('x', 60)
            .map(([, v]) => v)
            .join(','),
        ],
        [
          'name',
          repeat('x', 60)
            .map(([, v]) => v)
            .join(','),
        ],
      ],
      'name',
    ],
    ['values split between modifiers', [...repeat('name', 60), ...repeat('name:exact', 60)], 'name'],
    ['a chain with many values', repeat('general-practitioner:Practitioner.name', 200), 'general-practitioner'],
  ] as [string, [string, string][], string][])('%s: 400 too-costly naming the parameter', (_name, pairs, parameter) => {
    const refused = refusal(pairs);
    expect(refused).toMatchObject({ status: 400, code: 'too-costly', expression: [parameter] });
    expect(refused.text).toContain(`'${parameter}'`);
  });

  test(`more than ${MAX_SEARCH_PARAMETERS} parameters: 400 too-costly naming the most repeated`, () => {
    const pairs: [string, string][] = [...repeat('name', 30), ...repeat('gender', 10), ...repeat('birthdate', 11)];
    expect(refusal(pairs)).toMatchObject({ status: 400, code: 'too-costly', expression: ['name'] });
  });

  test('up to the limits is a search', () => {
    const pairs: [string, string][] = [
      [
        'name',
        repeat('x', MAX_SEARCH_VALUES)
          .map(([, v]) => v)
          .join(','),
      ],
      ...repeat('gender', MAX_SEARCH_PARAMETERS - 1).map(([name]) => [name, 'female'] as [string, string]),
    ];
    expect(parseSearch('Patient', pairs, OPTIONS).filters).toHaveLength(MAX_SEARCH_PARAMETERS);
  });

  test.each([
    ['NUL in a value', [['name', '\u0000']]],
    ['NUL in a name', [['na\u0000me', 'x']]],
    ['a lone surrogate in a value', [['family', 'a\ud800']]],
    ['NUL in _cursor', [['_cursor', 'a\u0000']]],
  ] as [string, [string, string][]][])('%s: 400 invalid', (_name, pairs) => {
    expect(refusal(pairs)).toMatchObject({ status: 400, code: 'invalid' });
  });
});

describe('full-text search', () => {
  test.each(['_text', '_content'])(
    '%s is said to be unsupported, plainly (a warning, or a 400 when strict)',
    (name) => {
      const lenient = parseSearch('Observation', [[name, 'asthma']], OPTIONS);
      expect(lenient.filters).toEqual([]);
      expect(lenient.ignored).toEqual([
        { name, reason: expect.stringMatching(/^full-text search .* is not supported/) },
      ]);
      expect(() => parseSearch('Observation', [[name, 'asthma']], { ...OPTIONS, strict: true })).toThrow(
        /full-text search/,
      );
    },
  );
});
