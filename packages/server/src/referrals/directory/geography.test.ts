import { describe, expect, it } from 'vitest';
import { distanceKm, PostcodeCentroids } from './geography.ts';

describe('postcode centroids', () => {
  const centroids = PostcodeCentroids.load();

  it('knows every sector the demo population lives in', async () => {
    const { POSTCODE_SECTORS } = await import('../../seed/reference-data.ts');
    const missing = POSTCODE_SECTORS.filter((s) => !centroids.of(`${s.sector}AA`)).map((s) => s.sector);
    expect(missing).toEqual([]);
  });

  it('measures Ormskirk to Southport as about 10 km and a place to itself as 0', () => {
    const ormskirk = centroids.of('L39 2AZ')!;
    const southport = centroids.of('PR8 6PN')!;
    expect(distanceKm(ormskirk, southport)).toBeGreaterThan(8);
    expect(distanceKm(ormskirk, southport)).toBeLessThan(12);
    expect(distanceKm(ormskirk, ormskirk)).toBe(0);
  });

  it('knows nothing of a postcode outside the area or malformed', () => {
    expect(centroids.of('SW1A 1AA')).toBeUndefined();
    expect(centroids.of('not a postcode')).toBeUndefined();
  });
});
