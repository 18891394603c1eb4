import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_URL_LENGTH } from '../fhir/limits.ts';
import { issue, outcome, type IssueCode } from '../fhir/outcome.ts';
import { FHIR_JSON } from '../fhir/rest/http.ts';

export interface HardeningOptions {
  /** Strict-Transport-Security max-age in seconds; 0: the header is not sent. */
  hstsMaxAge: number;
}

/** Headers every response carries, whichever part of the server (or Node itself) answers. */
export function securityHeaders(options: HardeningOptions): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    ...(options.hstsMaxAge > 0 ? { 'strict-transport-security': `max-age=${options.hstsMaxAge}` } : {}),
  };
}

function outcomeBody(code: IssueCode, message: string): string {
  return JSON.stringify(outcome(issue('error', code, message)));
}

const URL_TOO_LONG = `The request URL is longer than ${MAX_URL_LENGTH} characters; send a long search as POST Type/_search`;

/**
 * Nothing the server answers is kept by a browser or proxy unless its route says so (the web app's
 * files, the capability statement): a FHIR read or an API list is someone's health record, often
 * on a shared computer, and a cached copy would also show a record as it was before a change
 * (FHIR's `Last-Modified` alone lets browsers reuse a response for a tenth of its age).
 */
const DEFAULT_CACHE_CONTROL = 'no-store';

/**
 * The first hook of every request: sets the security headers (and the default cache rule, which a
 * route's own `cache-control` replaces) on the raw response, so that they are kept by error replies
 * and by routes that write the response themselves (the sign-in provider), and answers a too-long
 * URL with 414.
 */
export function registerHardening(app: FastifyInstance, options: HardeningOptions): void {
  const headers = Object.entries(securityHeaders(options));
  app.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of headers) {
      reply.raw.setHeader(name, value);
    }
    reply.raw.setHeader('cache-control', DEFAULT_CACHE_CONTROL);
    if (request.url.length > MAX_URL_LENGTH) {
      void reply.code(414).header('content-type', FHIR_JSON).send(outcomeBody('too-costly', URL_TOO_LONG));
      return;
    }
    done();
  });
}

/**
 * Fastify's answers to URLs its router cannot take (bad %-encoding, a path segment over
 * `maxParamLength`), as OperationOutcomes rather than its own JSON.
 */
export function frameworkErrorHandler(
  options: HardeningOptions,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  const headers = securityHeaders(options);
  return (error, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    void reply
      .code(status)
      .headers(headers)
      .header('content-type', FHIR_JSON)
      .send(outcomeBody(status === 414 ? 'too-costly' : 'invalid', error.message));
  };
}

/**
 * Node's HTTP parser refuses a request head over its limit (16 KB) before Fastify sees it. The
 * answer is an OperationOutcome: 414 when the request line alone is too long (a huge query string),
 * 431 when the headers are; other malformed requests get 400 as before.
 */
export function clientErrorHandler(options: HardeningOptions): (error: NodeJS.ErrnoException, socket: Socket) => void {
  const headers = securityHeaders(options);
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
      return;
    }
    let status = 400;
    let message = 'The request is not valid HTTP';
    let code: IssueCode = 'invalid';
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      message = 'The request was not received in time';
      code = 'timeout';
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      const urlTooLong = requestLineTooLong((error as { rawPacket?: Buffer }).rawPacket);
      status = urlTooLong ? 414 : 431;
      message = urlTooLong ? URL_TOO_LONG : 'The request headers are larger than the server accepts';
      code = 'too-costly';
    }
    const body = outcomeBody(code, message);
    const head = [
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`,
      `content-type: ${FHIR_JSON}`,
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  };
}

/** Whether the packet starts a request whose first line (method, target, version) is over the limit. */
function requestLineTooLong(packet: Buffer | undefined): boolean {
  if (!packet || !/^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))) {
    return false;
  }
  const end = packet.indexOf('\r\n');
  return (end < 0 ? packet.length : end) > MAX_URL_LENGTH;
}
