import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from './verified-tokens.ts';

const NOW = 1_800_000_000_000;
const payload = (expSeconds: number) => ({ sub: 'u', exp: expSeconds });

describe('verified tokens', () => {
  it('trusts a verified token for a minute at most', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t', payload(NOW / 1000 + 3600), NOW);
    expect(tokens.get('t', NOW + 59_000)).toMatchObject({ sub: 'u' });
    expect(tokens.get('t', NOW + 60_000)).toBeUndefined();
  });

  it('never past the token expiry', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('t', payload(NOW / 1000 + 10), NOW);
    expect(tokens.get('t', NOW + 9_999)).toBeDefined();
    expect(tokens.get('t', NOW + 10_000)).toBeUndefined();
    tokens.remember('expired', payload(NOW / 1000 - 1), NOW);
    tokens.remember('no-exp', { sub: 'u' }, NOW);
    expect(tokens.get('expired', NOW)).toBeUndefined();
    expect(tokens.get('no-exp', NOW)).toBeUndefined();
  });

  it('only knows the exact token it verified, and forgets the oldest when full', () => {
    const tokens = new VerifiedTokens();
    tokens.remember('a.b.c', payload(NOW / 1000 + 3600), NOW);
    expect(tokens.get('a.b.C', NOW)).toBeUndefined();
    for (let n = 0; n < 5_000; n++) {
      tokens.remember(`t${n}`, payload(NOW / 1000 + 3600), NOW);
    }
    expect(tokens.get('a.b.c', NOW)).toBeUndefined();
    expect(tokens.get('t4999', NOW)).toBeDefined();
  });
});
