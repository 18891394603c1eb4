import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { validateFhirResource } from './validation/validate.ts';

const require = createRequire(import.meta.url);
const EXAMPLES = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

/**
 * The official R4 examples that are valid R4 (a few published ones are not, and a few definition
 * Bundles are over the 100,000 values one resource may hold; validation tests list both), except
 * AuditEvents, which no client may write, and OperationDefinitions, which the server answers from
 * its own operations (docs/FHIR.md, *Operations*; one of the examples is even `Patient-everything`).
 */
function validExamples(): Resource[] {
  const byKey = new Map<string, Resource>();
  for (const file of fs.readdirSync(EXAMPLES)) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('.')) {
      continue;
    }
    const resource = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as Resource;
    // The audit trail is the server's own and read-only through the API (docs/ACCESS.md, *Writes*).
    const serverOwn = resource.resourceType === 'AuditEvent' || resource.resourceType === 'OperationDefinition';
    if (!resource.resourceType || !resource.id || serverOwn) {
      continue;
    }
    if (validateFhirResource(resource).some((issue) => issue.severity === 'error' || issue.severity === 'fatal')) {
      continue;
    }
    byKey.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  return [...byKey.values()];
}

describe('the official FHIR R4 examples', () => {
  let t: TestApp;
  let examples: Resource[];

  beforeAll(async () => {
    // Bundles of ~4 MB hold far more JSON values than a request body may by default (100,000).
    t = await createTestApp(
      {
        CAREWEAVE_MAX_REQUEST_BYTES: String(80 * 1024 * 1024),
        CAREWEAVE_MAX_JSON_NODES: String(5_000_000),
        // The examples' Subscriptions name public endpoints; none is called (nothing matches them).
        CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '*',
      },
      // The store alone: care modules react to the examples' writes (profiles, alerts, scores) and would
      // add resources of the same types while the counts are taken.
      { modules: [] },
    );
    examples = validExamples();
  }, 120_000);
  afterAll(async () => t?.close());

  it('all load through transaction Bundles', async () => {
    expect(examples.length).toBeGreaterThan(5000);
    // Bundles of up to ~4 MB each, well inside the request size limit.
    let entry: unknown[] = [];
    let size = 0;
    const send = async (): Promise<void> => {
      const res = await t.fhir(
        'POST',
        '',
        { resourceType: 'Bundle', type: 'transaction', entry },
        { prefer: 'return=minimal' },
      );
      expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
      entry = [];
      size = 0;
    };
    for (const resource of examples) {
      if (size > 0 && size + JSON.stringify(resource).length > 4_000_000) {
        await send();
      }
      entry.push({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
      size += JSON.stringify(resource).length;
      if (size > 4_000_000) {
        await send();
      }
    }
    await send();
  }, 300_000);

  it('read back unchanged apart from meta', async () => {
    // Subscriptions are checked below.
    for (const example of examples.filter((e, i) => i % 10 === 0 && e.resourceType !== 'Subscription')) {
      const res = await t.fhir('GET', `${example.resourceType}/${example.id}`);
      expect(res.status).toBe(200);
      const { meta: storedMeta, ...stored } = res.body as Resource;
      const { meta: originalMeta, ...original } = example;
      expect(stored).toEqual(original);
      expect(storedMeta?.versionId).toBe('1');
      expect(storedMeta?.profile).toEqual(originalMeta?.profile);
    }
  }, 120_000);

  it('keep their Subscriptions, but for the activation of a requested one (R4: the server sets it up)', async () => {
    // The only two examples that changed on a round trip: `example-error` came back `active`
    // without its `error` text, because any re-submission reactivated a Subscription.
    const subscriptions = examples.filter((e) => e.resourceType === 'Subscription');
    expect(subscriptions.map((e) => e.id).sort()).toEqual(['example', 'example-error']);
    for (const example of subscriptions) {
      const { meta: _meta, ...stored } = (await t.fhir('GET', `Subscription/${example.id}`)).body as Resource;
      void _meta;
      const { meta: _original, ...original } = example as Resource & { status: string };
      void _original;
      expect(stored).toEqual(
        (original as { status: string }).status === 'requested' ? { ...original, status: 'active' } : original,
      );
    }
  });

  it('are all found by a type search', async () => {
    const perType = new Map<string, number>();
    for (const example of examples) {
      perType.set(example.resourceType, (perType.get(example.resourceType) ?? 0) + 1);
    }
    for (const [type, count] of perType) {
      const res = await t.fhir('GET', `${type}?_summary=count`);
      expect(res.body.total, type).toBe(count);
    }
  }, 120_000);
});
