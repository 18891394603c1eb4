import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'vitest';
import type { TestApp } from '../../../testing/app.ts';

/** Test helpers for bulk export: kick-off, poll, download. */

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

export const ASYNC = { prefer: 'respond-async' };

export async function kickOff(
  t: TestApp,
  path: string,
  token: string = t.token,
  options: { method?: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; location: string; body: any }> {
  const response = await t.fhir(options.method ?? 'GET', path, options.body, {
    authorization: `Bearer ${token}`,
    ...ASYNC,
    ...options.headers,
  });
  return { status: response.status, location: String(response.headers['content-location'] ?? ''), body: response.body };
}

/** Polls a status URL until it is no longer 202 (at most ~30 s). */
export async function poll(
  t: TestApp,
  location: string,
  token: string = t.token,
): Promise<{ status: number; body: any }> {
  const path = location.slice(t.fhirBase.length + 1);
  for (let attempt = 0; attempt < 300; attempt++) {
    const response = await t.fhir('GET', path, undefined, { authorization: `Bearer ${token}` });
    if (response.status !== 202) {
      return response;
    }
    expect(response.headers['x-progress']).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${location} did not finish`);
}

/** Downloads one output file and parses every line (each must be one JSON resource). */
export async function download(t: TestApp, url: string, token: string = t.token): Promise<Resource[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: url.slice(t.fhirBase.length - '/fhir/R4'.length),
    headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+ndjson' },
  });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
  expect(response.body.endsWith('\n')).toBe(true);
  return response.body
    .split('\n')
    .slice(0, -1)
    .map((line) => JSON.parse(line) as Resource);
}

/** Kick-off → poll → manifest → every file: the resources exported, checked against each file's type and count. */
export async function exportAll(
  t: TestApp,
  path: string,
  token: string = t.token,
): Promise<{ manifest: Manifest; resources: Resource[]; location: string }> {
  const started = await kickOff(t, path, token);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await poll(t, started.location, token);
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  const manifest = done.body as Manifest;
  const resources: Resource[] = [];
  for (const file of manifest.output) {
    const lines = await download(t, file.url, token);
    expect(lines.length).toBe(file.count);
    expect(lines.every((resource) => resource.resourceType === file.type)).toBe(true);
    resources.push(...lines);
  }
  return { manifest, resources, location: started.location };
}

export const refs = (resources: readonly Resource[]): string[] =>
  resources.map((resource) => `${resource.resourceType}/${resource.id}`).sort();
