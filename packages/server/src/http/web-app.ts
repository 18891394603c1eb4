import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The built web app (`npm run build -w @careweave/web`). */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Paths that belong to the API: never answered with the web app's index.html. */
const API_PREFIXES = ['/fhir', '/api', '/auth', '/.well-known', '/healthz', '/webhooks'];

const HTML_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    // Charts set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the single-page web app at `/`: files from `dist` (hashed assets cached for a year),
 * and `index.html` for every other GET that is not an API path, so deep links like
 * `/patients/pat-000001` load the app. API paths keep the API's 404 OperationOutcome.
 */
export async function registerWebApp(app: FastifyInstance, dist = WEB_DIST): Promise<void> {
  // The build writes Brotli and gzip copies of its text files (packages/web/scripts/precompress.ts):
  // sent to browsers that accept them, compressed once at the highest settings, not per request.
  await app.register(fastifyStatic, { root: dist, serve: false, suppressWarning: true, preCompressed: true });
  const index = path.join(dist, 'index.html');

  const sendIndex = (reply: FastifyReply): FastifyReply => {
    if (!fs.existsSync(index)) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The CareWeave web app has not been built. Run `npm run build -w @careweave/web` (npm start does it).');
    }
    return reply.headers(HTML_HEADERS).sendFile('index.html', dist, { cacheControl: false });
  };

  app.get('/', (_request, reply) => sendIndex(reply));
  app.get('/*', (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0]!);
    if (API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) {
      return reply.callNotFound();
    }
    const hashed = pathname.startsWith('/assets/');
    const file = path.resolve(dist, `.${pathname}`);
    if (file.startsWith(dist + path.sep) && fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      return reply.sendFile(path.relative(dist, file), dist, { maxAge: hashed ? '365d' : 0, immutable: hashed });
    }
    // A missing script or stylesheet must not come back as HTML.
    return hashed ? reply.callNotFound() : sendIndex(reply);
  });
}
