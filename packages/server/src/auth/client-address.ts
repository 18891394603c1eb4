import type { FastifyRequest } from 'fastify';

/**
 * The caller's address for rate limiting and sign-in throttling: the socket's, or behind a trusted
 * proxy the last X-Forwarded-For entry (the address the proxy itself saw; earlier entries are
 * client-supplied).
 */
export function clientAddress(request: FastifyRequest, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
    if (last) {
      return last;
    }
  }
  return request.socket.remoteAddress ?? request.ip;
}
