import http from 'node:http';
import autocannon from 'autocannon';
import { Samples, summarize, type LatencySummary } from './stats.ts';

export interface LoadTestResult {
  servers: number;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  latency: LatencySummary;
}

const ACCEPT = 'application/fhir+json';

/** Request headers for every benchmark request: the FHIR media type and, when the server wants one, a Bearer token. */
export function requestHeaders(token: string | undefined): Record<string, string> {
  return { accept: ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

/**
 * An access token for the benchmark's system client (client credentials, client_secret_basic), or
 * undefined when the server has no sign-in (older builds answer 404 on the token endpoint).
 */
export async function fetchAccessToken(
  baseUrl: string,
  client: { id: string; secret: string },
  scope: string,
): Promise<string | undefined> {
  const response = await fetch(`${baseUrl}/auth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  if (response.status === 404) {
    return undefined;
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `could not get an access token from ${baseUrl}/auth/token (${response.status}): ${JSON.stringify(body)}`,
    );
  }
  return body.access_token;
}

/**
 * Closed-loop load test with autocannon: `connections` keep-alive connections, each sending its next
 * request as soon as the previous answer arrives. With several servers the connections are split
 * evenly between them (round-robin by connection, like an L4 load balancer) and the latencies of
 * every response are pooled, so percentiles are exact over all servers.
 */
export async function loadTest(
  baseUrls: readonly string[],
  options: { connections: number; durationSeconds: number; path: () => string; headers: Record<string, string> },
): Promise<LoadTestResult> {
  const samples = new Samples();
  const started = performance.now();
  const results = await Promise.all(
    baseUrls.map(
      (url, i) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const share =
            Math.floor(options.connections / baseUrls.length) + (i < options.connections % baseUrls.length ? 1 : 0);
          const instance = autocannon(
            {
              url,
              connections: share,
              pipelining: 1,
              duration: options.durationSeconds,
              headers: options.headers,
              requests: [
                {
                  method: 'GET',
                  setupRequest: (request) => ({ ...request, path: options.path() }),
                },
              ],
            },
            (error: Error | null, result) => (error ? reject(error) : resolve(result)),
          );
          instance.on('response', (_client, _status, _bytes, responseTime) => samples.push(responseTime));
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const requests = results.reduce((n, r) => n + r.requests.total, 0);
  return {
    servers: baseUrls.length,
    connections: options.connections,
    durationSeconds: Math.round(seconds * 10) / 10,
    requests,
    requestsPerSecond: Math.round(samples.length / seconds),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    latency: summarize(samples.values()),
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
  ms: number;
}

/** One request at a time over one keep-alive connection: latency as a single client sees it. */
export class SequentialClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly base: URL;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, headers: Record<string, string>) {
    this.base = new URL(baseUrl);
    this.headers = headers;
  }

  get(path: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          path,
          method: 'GET',
          agent: this.agent,
          headers: this.headers,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface FixedRateResult {
  servers: number;
  targetRate: number;
  durationSeconds: number;
  requests: number;
  /** Completed requests per second actually achieved. */
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  /** Measured from when each request was due, so a client or server that falls behind is charged for it. */
  latency: LatencySummary;
  maxInFlight: number;
}

/**
 * Open-loop load at a fixed arrival rate (what "p99 at 4,000 req/s" means): requests are due at
 * evenly spaced instants whatever the answers do, sent over a pool of keep-alive connections, and
 * alternate between the servers (round-robin per request). Latency counts from the due time,
 * which avoids coordinated omission.
 */
export async function fixedRateTest(
  baseUrls: readonly string[],
  options: {
    rate: number;
    durationSeconds: number;
    connections: number;
    path: () => string;
    headers: Record<string, string>;
  },
): Promise<FixedRateResult> {
  const agents = baseUrls.map(
    () => new http.Agent({ keepAlive: true, maxSockets: Math.ceil(options.connections / baseUrls.length) }),
  );
  const targets = baseUrls.map((url) => new URL(url));
  const samples = new Samples();
  let errors = 0;
  let non2xx = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let sent = 0;
  const total = Math.round(options.rate * options.durationSeconds);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let finished = 0;
    const done = (): void => {
      inFlight--;
      if (++finished === total) {
        resolve();
      }
    };
    const send = (due: number): void => {
      const which = sent % targets.length;
      const target = targets[which]!;
      sent++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: options.path(),
          agent: agents[which],
          headers: options.headers,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            samples.push(performance.now() - due);
            if ((response.statusCode ?? 0) >= 300) {
              non2xx++;
            }
            done();
          });
        },
      );
      request.on('error', () => {
        errors++;
        done();
      });
      request.end();
    };
    const tick = (): void => {
      const now = performance.now();
      const dueCount = Math.min(total, Math.floor(((now - started) / 1000) * options.rate));
      while (sent < dueCount) {
        send(started + (sent / options.rate) * 1000);
      }
      if (sent < total) {
        setTimeout(tick, 1); // 1 ms ticks: up to ~1 ms of the latency is scheduling, charged to us
      }
    };
    tick();
  });
  const seconds = (performance.now() - started) / 1000;
  for (const agent of agents) {
    agent.destroy();
  }
  return {
    servers: baseUrls.length,
    targetRate: options.rate,
    durationSeconds: Math.round(seconds * 10) / 10,
    requests: samples.length,
    requestsPerSecond: Math.round(samples.length / seconds),
    errors,
    non2xx,
    latency: summarize(samples.values()),
    maxInFlight,
  };
}
