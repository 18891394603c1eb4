import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'fhir-kit-client';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabaseKind } from '../testing/database.ts';
import { freePort } from '../testing/server-process.ts';
import { testSystemToken } from '../auth/testing/tokens.ts';
import { SHARED_DATA } from '../testing/shared-data.ts';

const SYNTHEA = path.join(SHARED_DATA, 'synthea/bundles');
const BUNDLES = fs
  .readdirSync(SYNTHEA)
  .filter((f) => f.endsWith('.json') && !/^(hospital|practitioner)Information/.test(f))
  .sort()
  .slice(0, 6);

interface LoadedServer {
  kind: TestDatabaseKind;
  client: InstanceType<typeof Client>;
  /** server id → the entry's original urn:uuid, so results compare across databases. */
  originalIds: Map<string, string>;
  close(): Promise<void>;
}

/** Starts a real HTTP server on `kind` and loads the Synthea bundles through a standard FHIR client. */
async function loadServer(kind: TestDatabaseKind): Promise<LoadedServer> {
  const database = await createTestDatabase(kind);
  const port = await freePort();
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_PORT: String(port),
    CAREWEAVE_BASE_URL: `http://127.0.0.1:${port}`,
  });
  const platform = createPlatform(config, database.db);
  const app = await buildApp(platform);
  await app.listen({ port, host: '127.0.0.1' });
  const client = new Client({
    baseUrl: `http://127.0.0.1:${port}/fhir/R4`,
    bearerToken: await testSystemToken(platform),
  });
  const originalIds = new Map<string, string>();
  for (const file of BUNDLES) {
    const bundle = JSON.parse(fs.readFileSync(path.join(SYNTHEA, file), 'utf8')) as Bundle;
    const response = (await client.transaction({ body: bundle as never })) as unknown as Bundle;
    response.entry!.forEach((entry, i) => {
      const id = entry.response!.location!.split('/')[1]!;
      originalIds.set(id, bundle.entry![i]!.fullUrl!.replace('urn:uuid:', ''));
    });
  }
  return {
    kind,
    client,
    originalIds,
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}

const firstPatient = (): string => {
  const bundle = JSON.parse(fs.readFileSync(path.join(SYNTHEA, BUNDLES[0]!), 'utf8')) as Bundle;
  return bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.fullUrl!.replace('urn:uuid:', '');
};

/** Queries covering every search parameter type; `{patient}` is replaced by the server's id. */
const QUERIES: [string, Record<string, string>][] = [
  ['Observation', { patient: '{patient}', code: 'http://loinc.org|8302-2', _sort: '-date' }],
  ['Observation', { code: 'http://loinc.org|29463-7', date: 'ge2015-01-01', _sort: 'date,_id', _count: '50' }],
  ['Observation', { 'value-quantity': 'gt100|http://unitsofmeasure.org|mg/dL', _count: '50' }],
  ['Patient', { gender: 'female', _sort: 'birthdate' }],
  ['Patient', { family: 'a', _sort: '-family' }],
  ['Patient', { birthdate: 'lt1970' }],
  ['Encounter', { patient: '{patient}', date: 'ge2010', _include: 'Encounter:patient', _count: '100' }],
  ['Condition', { 'clinical-status': 'active', _revinclude: 'Observation:encounter', _count: '5' }],
  ['Observation', { 'patient.gender': 'male', category: 'laboratory', _summary: 'count' }],
  ['Patient', { '_has:Condition:patient:code': 'http://snomed.info/sct|44054006' }],
  ['MedicationRequest', { intent: 'order', status: 'stopped', authoredon: 'ge2000' }],
  ['Immunization', { date: 'ge2015', 'vaccine-code': '140' }],
  ['Procedure', { date: 'lt2000-01-01', _elements: 'code' }],
  ['Claim', { use: 'claim', _total: 'accurate', _count: '40' }],
];

describe.skipIf(testDatabaseKind() !== 'postgres')('a standard FHIR client against PGlite and PostgreSQL', () => {
  let servers: LoadedServer[] = [];
  beforeAll(async () => {
    servers = [await loadServer('pglite'), await loadServer('postgres')];
  }, 300_000);
  afterAll(async () => {
    for (const server of servers) {
      await server.close();
    }
  });

  const serverIdFor = (server: LoadedServer, originalId: string): string =>
    [...server.originalIds].find(([, original]) => original === originalId)![0];

  /** Runs a query to exhaustion and returns results with ids mapped back to the original ones. */
  async function run(server: LoadedServer, resourceType: string, params: Record<string, string>) {
    const searchParams = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, v.replace('{patient}', serverIdFor(server, firstPatient()))]),
    );
    let bundle = (await server.client.search({ resourceType, searchParams })) as unknown as Bundle;
    const rows: string[] = [];
    const total = bundle.total;
    for (let pages = 0; pages < 200; pages++) {
      for (const entry of bundle.entry ?? []) {
        const resource = entry.resource as Resource;
        rows.push(
          `${entry.search?.mode}:${resource.resourceType}/${server.originalIds.get(resource.id!) ?? resource.id}`,
        );
      }
      const next = server.client.nextPage({ bundle: bundle as never });
      if (!next) {
        break;
      }
      bundle = (await next) as unknown as Bundle;
    }
    return { total, rows };
  }

  it('loaded every resource of the bundles on both databases', async () => {
    for (const server of servers) {
      const count = (await server.client.search({
        resourceType: 'Observation',
        searchParams: { _summary: 'count' },
      })) as unknown as Bundle;
      expect(count.total).toBeGreaterThan(100);
    }
    expect(servers[0]!.originalIds.size).toBe(servers[1]!.originalIds.size);
  });

  it.each(QUERIES)('%s %j gives identical results on both databases', async (resourceType, params) => {
    const [embedded, postgres] = await Promise.all(servers.map((server) => run(server, resourceType, params)));
    expect(embedded!.total).toEqual(postgres!.total);
    // Sorted queries must agree on order except among ties, which are broken by (differing) server ids.
    expect([...embedded!.rows].sort()).toEqual([...postgres!.rows].sort());
    if (!params._sort?.includes('_id')) {
      return;
    }
    expect(embedded!.rows.length).toBeGreaterThan(0);
  });

  it('reads every patient back through the client', async () => {
    for (const server of servers) {
      for (const [id, original] of [...server.originalIds].slice(0, 20)) {
        const resource = (await server.client.read({ resourceType: 'Patient', id }).catch(() => undefined)) as
          Resource | undefined;
        if (resource) {
          expect(server.originalIds.get(resource.id!)).toBe(original);
        }
      }
    }
  });
});
