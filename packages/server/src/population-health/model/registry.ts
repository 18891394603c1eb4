/**
 * The published model versions, side by side (docs/RISK-MODEL.md, "Versions"). Each is a JSON file
 * written once by `careweave risk fit` and never edited; the module scores with the version its
 * settings name (`CAREWEAVE_POPULATION_HEALTH_MODEL`), checked at start-up, so changing the model is a
 * deliberate, visible act and scores of every version stay distinguishable.
 */
import { readFileSync } from 'node:fs';
import { FEATURE_NAMES } from '../features/features.ts';
import type { RiskModel } from './model.ts';

export const PUBLISHED_VERSIONS = ['ea12-v1'] as const;
export type PublishedVersion = (typeof PUBLISHED_VERSIONS)[number];
export const DEFAULT_MODEL: PublishedVersion = 'ea12-v1';

const cache = new Map<string, RiskModel>();

export function publishedModel(version: string): RiskModel {
  const known = cache.get(version);
  if (known) {
    return known;
  }
  if (!(PUBLISHED_VERSIONS as readonly string[]).includes(version)) {
    throw new Error(`unknown risk model version '${version}' (published: ${PUBLISHED_VERSIONS.join(', ')})`);
  }
  const model = JSON.parse(readFileSync(new URL(`./versions/${version}.json`, import.meta.url), 'utf8')) as RiskModel;
  if (model.version !== version || model.features.join() !== FEATURE_NAMES.join()) {
    throw new Error(`risk model file ${version}.json does not match its version or the model's inputs`);
  }
  cache.set(version, model);
  return model;
}
