import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressProblem } from './network.ts';

/** Resolves a host name to all its addresses (dns.lookup, as the operating system would). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The endpoint may not be called: it is, or resolves to, an address this server never sends to. Not retried. */
export class EndpointRefused extends Error {}

/** The endpoint could not be reached or answered badly: retried by the queue. */
export class DeliveryFailed extends Error {}

/** An endpoint whose address has been checked: requests go to exactly that address. */
export interface CheckedEndpoint {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the endpoint's host and checks every address it resolves to (a name with one private
 * address among public ones is refused). Done at each delivery, not only when the Subscription
 * was accepted, so a name whose DNS later points inside the network (DNS rebinding) is caught;
 * the request then connects to the address checked, never resolving the name again.
 */
export async function checkEndpoint(
  endpoint: string,
  allowPrivateNetworks: boolean,
  resolve: Resolver = systemResolver,
): Promise<CheckedEndpoint> {
  const url = new URL(endpoint);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch (error) {
      throw new DeliveryFailed(`the endpoint's host ${hostname} could not be resolved (${errorCode(error)})`);
    }
  }
  if (!addresses.length) {
    throw new DeliveryFailed(`the endpoint's host ${hostname} has no address`);
  }
  for (const { address } of addresses) {
    const problem = addressProblem(address, allowPrivateNetworks);
    if (problem) {
      throw new EndpointRefused(
        isIP(hostname) ? `channel.endpoint: ${problem}` : `channel.endpoint ${hostname} resolves to ${problem}`,
      );
    }
  }
  const [first] = addresses as [{ address: string; family: number }];
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export interface NotificationPost {
  headers: [string, string][];
  body: string;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * POSTs to a checked endpoint and returns the HTTP status. Redirects are not followed (one could
 * lead past the endpoint rules); the connection goes to the checked address (TLS still verifies
 * the certificate for the host name).
 */
export function postToEndpoint(endpoint: CheckedEndpoint, post: NotificationPost): Promise<number> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) {
      callback(null, [{ address: endpoint.address, family: endpoint.family }]);
    } else {
      callback(null, endpoint.address, endpoint.family);
    }
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of post.headers) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  headers['content-length'] = String(Buffer.byteLength(post.body));
  const timeout = AbortSignal.timeout(post.timeoutMs);
  const transport = endpoint.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      endpoint.url,
      { method: 'POST', headers, lookup: pinned, signal: AbortSignal.any([post.signal, timeout]) },
      (response) => {
        response.on('error', () => undefined);
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', (error) =>
      reject(
        new DeliveryFailed(
          timeout.aborted
            ? `the endpoint did not answer within ${post.timeoutMs} ms`
            : `the endpoint could not be reached (${errorCode(error)})`,
        ),
      ),
    );
    request.end(post.body);
  });
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    return 'code' in error && typeof error.code === 'string' ? error.code : error.message;
  }
  return String(error);
}
