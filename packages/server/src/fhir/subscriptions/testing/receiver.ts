import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { resourceFromXml } from '../../xml/from-xml.ts';

export interface Notification {
  headers: IncomingHttpHeaders;
  bundle: Bundle;
  /** `Subscription/{id}` the notification is for. */
  subscription: string;
  /** `Type/id` of the resource it is about. */
  focus: string;
  eventNumber: number;
}

export interface Receiver {
  url: string;
  notifications: Notification[];
  /** Every request received, answered or not (failed attempts included). */
  attempts: number;
  /** The status the receiver answers with from now on (default 200). */
  respondWith(status: number): void;
  /** The first notification (already received or still to come) that satisfies `predicate`. */
  waitFor(predicate: (n: Notification) => boolean, timeoutMs?: number): Promise<Notification>;
  close(): Promise<void>;
}

function parse(headers: IncomingHttpHeaders, body: string): Notification {
  // An `application/fhir+xml` payload is read with the server's own reader (tested on its own against
  // every official example), so the assertions below see the same Bundle either way.
  const bundle = (/xml/.test(headers['content-type'] ?? '') ? resourceFromXml(body) : JSON.parse(body)) as Bundle;
  const status = bundle.entry?.[0]?.resource as Parameters;
  const param = (name: string) => status.parameter?.find((p) => p.name === name);
  const local = (url: string | undefined) => (url ?? '').split('/').slice(-2).join('/');
  const event = param('notification-event')?.part;
  return {
    headers,
    bundle,
    subscription: local(param('subscription')?.valueReference?.reference),
    focus: local(event?.find((p) => p.name === 'focus')?.valueReference?.reference),
    eventNumber: Number(event?.find((p) => p.name === 'event-number')?.valueString),
  };
}

/** A rest-hook endpoint on 127.0.0.1 (random port) that records what it is sent. */
export async function startReceiver(): Promise<Receiver> {
  let status = 200;
  const waiters: { predicate: (n: Notification) => boolean; resolve: (n: Notification) => void }[] = [];
  const receiver: Omit<Receiver, 'url'> & { url: string } = {
    url: '',
    notifications: [],
    attempts: 0,
    respondWith: (next) => void (status = next),
    waitFor(predicate, timeoutMs = 120_000) {
      const found = receiver.notifications.find(predicate);
      if (found) {
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such notification arrived')), timeoutMs);
        waiters.push({ predicate, resolve: (n) => (clearTimeout(timer), resolve(n)) });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.attempts++;
      response.writeHead(status).end();
      if (status < 200 || status > 299) {
        return;
      }
      const notification = parse(request.headers, Buffer.concat(chunks).toString('utf8'));
      receiver.notifications.push(notification);
      for (const waiter of waiters.filter((w) => w.predicate(notification))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(notification);
      }
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
