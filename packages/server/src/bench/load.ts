import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { Database } from '../db/database.ts';
import { BundleService } from '../fhir/bundle/bundle.service.ts';
import { rewriteReferences } from '../fhir/bundle/references.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { generateInfrastructure, generatePatients, type FhirResource } from '../seed/index.ts';

export interface ThroughputResult {
  resources: number;
  seconds: number;
  resourcesPerSecond: number;
  /** writeMany batches or Bundles. */
  units: number;
}

type Progress = (done: number) => void;

/** Groups patients' resources into batches of at least `size` resources (whole patients per batch). */
export function* batches(source: Iterable<FhirResource[]>, size: number): Generator<FhirResource[]> {
  let batch: FhirResource[] = [];
  for (const resources of source) {
    batch.push(...resources);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) {
    yield batch;
  }
}

/** Runs `work` on every item with at most `concurrency` in flight. */
async function pipeline<T>(items: Iterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

/**
 * The bulk path (seeding, import): `writeMany` of brand-new ids in batches, one transaction per
 * batch, no validation and no lookups (`knownCurrent` is an empty Map).
 */
export async function loadWithWriteMany(
  service: ResourceService,
  source: Iterable<FhirResource[]>,
  options: { batchSize: number; concurrency: number; onProgress?: Progress },
): Promise<ThroughputResult> {
  let resources = 0;
  let units = 0;
  const started = performance.now();
  await pipeline(batches(source, options.batchSize), options.concurrency, async (batch) => {
    await service.transaction((tx) =>
      tx.writeMany(
        batch.map((resource) => ({ resource: resource as Resource, method: 'create' as const })),
        new Map(),
      ),
    );
    resources += batch.length;
    units++;
    options.onProgress?.(resources);
  });
  return throughput(resources, units, started);
}

/** The seeded population: infrastructure first, then `patients` patients. */
export function seededPopulation(patients: number, seed: number): Iterable<FhirResource[]> {
  return (function* () {
    yield generateInfrastructure({ patients, seed });
    yield* generatePatients({ patients, seed });
  })();
}

/**
 * One patient's resources as a transaction Bundle of POSTs with `urn:uuid:` full URLs, the way a
 * client uploads a new patient record: the server assigns ids and rewrites references between
 * entries. References to infrastructure (practices, practitioners) stay as they are.
 */
export function toTransactionBundle(resources: readonly FhirResource[]): Bundle {
  const urns = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, `urn:uuid:${randomUUID()}`]));
  const entry: BundleEntry[] = resources.map((r) => {
    const { id: _id, ...rest } = rewriteReferences(r, (reference) => urns.get(reference));
    void _id;
    return {
      fullUrl: urns.get(`${r.resourceType}/${r.id}`)!,
      resource: rest as Resource,
      request: { method: 'POST', url: r.resourceType },
    };
  });
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

/** Transaction Bundles (one per patient) through BundleService: validation, id assignment, reference rewriting. */
export async function loadWithBundles(
  service: ResourceService,
  patients: number,
  seed: number,
  options: { concurrency: number; onProgress?: Progress },
): Promise<ThroughputResult> {
  const bundles = new BundleService(service, { returnRepresentation: false });
  let resources = 0;
  let units = 0;
  // Build the Bundles before timing: their generation is the client's work, not the server's.
  const prepared = [...generatePatients({ patients, seed })].map(toTransactionBundle);
  const started = performance.now();
  await pipeline(prepared, options.concurrency, async (bundle) => {
    await bundles.process(bundle);
    resources += bundle.entry!.length;
    units++;
    options.onProgress?.(resources);
  });
  return throughput(resources, units, started);
}

export const EVERYTHING_PATIENT_ID = 'bench-everything';

/**
 * A patient with `size` resources in their compartment (encounters, observations, conditions,
 * medication requests, allergies taken from generated patients and re-homed onto this one).
 */
export function everythingPatient(size: number, seed: number): FhirResource[] {
  const out: FhirResource[] = [];
  const compartment: FhirResource[] = [];
  for (const resources of generatePatients({ patients: Math.ceil(size / 10) + 10, seed })) {
    const [patient, ...rest] = resources;
    if (out.length === 0 && patient) {
      out.push({ ...patient, id: EVERYTHING_PATIENT_ID });
    }
    compartment.push(...rest);
    if (compartment.length >= size) {
      break;
    }
  }
  const chosen = compartment.slice(0, size);
  const ids = new Map<string, string>(chosen.map((r) => [`${r.resourceType}/${r.id}`, `${r.resourceType}/ev-${r.id}`]));
  for (const r of chosen) {
    const rewritten = rewriteReferences(r, (reference) =>
      reference.startsWith('Patient/') ? `Patient/${EVERYTHING_PATIENT_ID}` : ids.get(reference),
    );
    out.push({ ...rewritten, id: `ev-${r.id}` });
  }
  return out;
}

function throughput(resources: number, units: number, started: number): ThroughputResult {
  const seconds = (performance.now() - started) / 1000;
  return {
    resources,
    units,
    seconds: Math.round(seconds * 100) / 100,
    resourcesPerSecond: Math.round(resources / seconds),
  };
}

export interface DataSize {
  resources: number;
  byType: Record<string, number>;
  databaseMiB: number | null;
}

/**
 * What was loaded: `written` is counted by the loader; the per-type counts and on-disk size come
 * from the database when its tables allow (best effort, so a schema change does not break the run).
 */
export async function dataSize(db: Database, written: number): Promise<DataSize> {
  let byType: Record<string, number> = {};
  try {
    const rows = await db.query<{ resource_type: string; n: string }>(
      'select resource_type, count(*) as n from resource where not deleted group by resource_type order by 2 desc',
    );
    byType = Object.fromEntries(rows.map((r) => [r.resource_type, Number(r.n)]));
  } catch {
    // Counted by the loader instead.
  }
  let databaseMiB: number | null = null;
  try {
    const [size] = await db.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes');
    databaseMiB = Math.round(Number(size?.bytes) / 2 ** 20);
  } catch {
    // Not available everywhere.
  }
  const counted = Object.values(byType).reduce((a, b) => a + b, 0);
  return { resources: counted || written, byType, databaseMiB };
}
