import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import { resourceToXml } from '../fhir/xml/to-xml.ts';

export type FhirFormat = 'json' | 'xml';

export const FHIR_XML = 'application/fhir+xml; charset=utf-8';
/** Request bodies read as FHIR XML (src/http/xml-body.ts). */
export const XML_TYPES = ['application/fhir+xml', 'application/xml', 'text/xml'];

const FORMAT_NAMES: Record<string, FhirFormat> = {
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  // NDJSON: the operations that stream it ($audit-log) read `_format` themselves; it is JSON here.
  ndjson: 'json',
  'application/ndjson': 'json',
  'application/fhir+ndjson': 'json',
  'application/x-ndjson': 'json',
  xml: 'xml',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
};
const ACCEPTED: Record<string, FhirFormat> = {
  ...FORMAT_NAMES,
  '*/*': 'json',
  'application/*': 'json',
};

/**
 * The format a FHIR request asks for: `_format` wins over `Accept` (https://hl7.org/fhir/R4/http.html#mime-type);
 * undefined when `_format` names one this server does not speak (406). An `Accept` naming neither
 * JSON nor XML (a browser's `text/html`) gets JSON.
 */
export function requestedFormat(url: string, accept: string | undefined): FhirFormat | undefined {
  const query = url.indexOf('?');
  const format = query >= 0 ? new URLSearchParams(url.slice(query + 1)).get('_format') : null;
  if (format !== null) {
    // `+` in a query string reads as a space: `_format=application/fhir+xml` arrives as `fhir xml`.
    return FORMAT_NAMES[mediaType(format).replace(' ', '+')];
  }
  let best: { format: FhirFormat; q: number } | undefined;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';');
    const known = ACCEPTED[type.trim().toLowerCase()];
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (known && q > 0 && (!best || q > best.q)) {
      best = { format: known, q };
    }
  }
  return best?.format ?? 'json';
}

function mediaType(value: string): string {
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

const wantsXml = new WeakSet<FastifyRequest>();

export function answerInXml(request: FastifyRequest): void {
  wantsXml.add(request);
}

/**
 * Turns the FHIR JSON a route answered with into FHIR XML for a request that asked for it: every
 * route (the core's, the modules', errors) writes JSON only. Must be registered before the
 * compression hook so it sees the text. Streams (bulk NDJSON) pass through.
 */
export function registerXmlResponses(app: FastifyInstance): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!wantsXml.has(request)) {
      return payload;
    }
    const type = String(reply.getHeader('content-type') ?? '');
    if (!/^application\/(fhir\+)?json/.test(type) || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      return payload;
    }
    const text = String(payload);
    if (!text.startsWith('{')) {
      return payload;
    }
    const body = JSON.parse(text) as Partial<Resource>;
    if (typeof body.resourceType !== 'string') {
      return payload;
    }
    void reply.header('content-type', FHIR_XML);
    return resourceToXml(body as Resource);
  });
}
