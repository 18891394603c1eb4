/**
 * Distances from a patient's postcode: postcode sector centroids for the area, shipped as data
 * (postcode-sectors.csv — synthetic, consistent with the demo population's postcodes; docs/REFERRALS.md).
 */
import fs from 'node:fs';
import { normalisePostcode } from './eligibility.ts';

export interface Point {
  latitude: number;
  longitude: number;
}

/** Centroids by postcode sector (`L39 2`). */
export class PostcodeCentroids {
  private readonly sectors: ReadonlyMap<string, Point>;

  constructor(sectors: ReadonlyMap<string, Point>) {
    this.sectors = sectors;
  }

  /** Reads the shipped file (once, at set-up: never at import time). */
  static load(file: URL = new URL('./postcode-sectors.csv', import.meta.url)): PostcodeCentroids {
    return PostcodeCentroids.parse(fs.readFileSync(file, 'utf8'));
  }

  static parse(csv: string): PostcodeCentroids {
    const sectors = new Map<string, Point>();
    for (const line of csv.split('\n')) {
      const [sector, latitude, longitude] = line.split(',');
      if (!sector || sector.startsWith('#') || sector === 'sector' || !latitude || !longitude) {
        continue;
      }
      sectors.set(sector.trim().toUpperCase(), { latitude: Number(latitude), longitude: Number(longitude) });
    }
    return new PostcodeCentroids(sectors);
  }

  /** The centroid of a postcode's sector, when the postcode is well formed and in the area. */
  of(postcode: string | undefined): Point | undefined {
    const normal = normalisePostcode(postcode);
    return normal ? this.sectors.get(normal.slice(0, -2)) : undefined;
  }
}

/** Great-circle distance in km, to one decimal place. */
export function distanceKm(a: Point, b: Point): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = radians(b.latitude - a.latitude);
  const dLon = radians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * 6371 * Math.asin(Math.sqrt(h)) * 10) / 10;
}
