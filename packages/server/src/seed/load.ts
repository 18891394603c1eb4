import type { Resource } from '@medplum/fhirtypes';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { generateInfrastructure, generatePatients } from './index.ts';

export interface SeedLoadOptions {
  patients: number;
  seed: number;
  /** Resources per write transaction. */
  batchSize?: number;
  onProgress?: (patientsDone: number, resourcesWritten: number) => void;
}

export interface SeedLoadSummary {
  patients: number;
  resources: number;
  seconds: number;
}

/**
 * Writes the synthetic population into the record. Ids are deterministic, so loading the same
 * seed again updates in place rather than duplicating.
 */
export async function loadSeedPopulation(service: ResourceService, options: SeedLoadOptions): Promise<SeedLoadSummary> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 1000;
  let written = 0;
  let batch: Resource[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length) {
      const items = batch.map((resource) => ({ resource, method: 'update' as const }));
      await service.transaction((tx) => tx.writeMany(items));
      written += batch.length;
      batch = [];
    }
  };
  batch.push(...(generateInfrastructure(options) as unknown as Resource[]));
  await flush();
  let patientsDone = 0;
  for (const resources of generatePatients(options)) {
    batch.push(...(resources as unknown as Resource[]));
    patientsDone++;
    if (batch.length >= batchSize) {
      await flush();
      options.onProgress?.(patientsDone, written);
    }
  }
  await flush();
  options.onProgress?.(patientsDone, written);
  return { patients: patientsDone, resources: written, seconds: (performance.now() - started) / 1000 };
}
