import { describe, expect, it } from 'vitest';
import { implicitRange } from './prefixes.ts';

describe('implicitRange: the search number’s precision, in exact decimals', () => {
  it.each([
    ['100', '995e-1', '1005e-1', 3],
    ['100.00', '99995e-3', '100005e-3', 5],
    ['-3.5', '-355e-2', '-345e-2', 2],
    ['1e2', '5e1', '15e1', 1],
    ['.5', '45e-2', '55e-2', 1],
    ['3.2540948513714594', '325409485137145935e-17', '325409485137145945e-17', 17],
  ])('%s → [%s, %s), %i digits', (value, low, high, digits) => {
    expect(implicitRange(value)).toEqual({ low, high, digits });
  });
});
