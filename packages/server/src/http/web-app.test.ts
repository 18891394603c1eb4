import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebApp } from './web-app.ts';

const SCRIPT = 'console.log("CareWeave");\n'.repeat(100);
let dist: string;
let app: FastifyInstance;

beforeAll(async () => {
  // A build as `vite build` leaves it: hashed assets with their Brotli and gzip copies beside them.
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-dist-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>CareWeave</title>');
  fs.writeFileSync(path.join(dist, 'assets', 'app-123.js'), SCRIPT);
  fs.writeFileSync(path.join(dist, 'assets', 'app-123.js.br'), brotliCompressSync(SCRIPT));
  fs.writeFileSync(path.join(dist, 'assets', 'app-123.js.gz'), gzipSync(SCRIPT));
  app = Fastify();
  await registerWebApp(app, dist);
});
afterAll(async () => {
  await app.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, acceptEncoding?: string) =>
  app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

describe('the web app’s static files', () => {
  it('sends the Brotli copy to a browser that accepts it, cached for a year, varying on Accept-Encoding', async () => {
    const res = await get('/assets/app-123.js', 'gzip, deflate, br');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(SCRIPT);
  });

  it('sends gzip to a client that accepts only gzip, and the plain file to one that accepts neither', async () => {
    expect((await get('/assets/app-123.js', 'gzip')).headers['content-encoding']).toBe('gzip');
    const plain = await get('/assets/app-123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it('sends index.html uncached for deep links, also when no compressed copy exists', async () => {
    const res = await get('/patients/pat-1', 'br');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>CareWeave</title>');
  });

  it('answers 404 for a missing hashed asset instead of HTML', async () => {
    expect((await get('/assets/missing-1.js', 'br')).statusCode).toBe(404);
  });
});
