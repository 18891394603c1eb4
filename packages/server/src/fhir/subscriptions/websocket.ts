import type { Subscription } from '@medplum/fhirtypes';
import type { WebSocket } from 'ws';
import type { Database } from '../../db/database.ts';
import { issue, outcome } from '../outcome.ts';
import { ID_PATTERN } from '../references.ts';
import type { ResourceService } from '../store/resource.service.ts';
import { SubscriptionRepository } from './repository.ts';
import { PING_CHANNEL, PING_WINDOW_SECONDS, PingRepository } from './pings.ts';

/** The longest frame a client may send: `bind` and an id fit many times over. */
export const MAX_FRAME_BYTES = 1024;
/** A safety net under LISTEN/NOTIFY (a lost listener connection, a missed wake-up). */
const SWEEP_MS = 5000;

/** Stops listening. */
export type Unlisten = () => Promise<void>;

/**
 * Calls `onNotify` whenever any instance on the database notifies `channel` (and after each
 * reconnection): the platform's LISTEN/NOTIFY listener, src/events/listen.ts, given by the app.
 */
export type Listen = (channel: string, onNotify: () => void, onError: (error: unknown) => void) => Promise<Unlisten>;

export interface HubLogger {
  error(details: object, message: string): void;
}

/** One client connection: whose view of the record it reads its Subscriptions through. */
export interface Connection {
  socket: WebSocket;
  /** The record as the connection's authenticated caller sees it (`platform.accessFor(actor)`). */
  record: ResourceService;
  /** The caller's owner key (access.ts): only Subscriptions with this owner may be bound. */
  ownerKey: string;
}

/** The error frame: `error ` and an OperationOutcome, so a client gets the same shape as from REST. */
export function errorFrame(code: 'invalid' | 'not-found' | 'not-supported', message: string): string {
  return `error ${JSON.stringify(outcome(issue('error', code, message)))}`;
}

/**
 * The R4 websocket channel (https://hl7.org/fhir/R4/subscription.html#2.46.7.2) on one instance: a
 * client sends `bind {id}` for a websocket Subscription it owns, is answered `bound {id}`, and is
 * sent `ping {id}` for each notification. Pings are produced by the delivery job on any instance
 * (delivery.ts: after the owner's audited access check) and reach this one through the
 * `subscription_ping` table and LISTEN/NOTIFY (pings.ts), so a socket bound here hears of writes
 * made through every instance.
 */
export class WebsocketHub {
  private readonly db: Database;
  private readonly listen: Listen;
  private readonly pings: PingRepository;
  private readonly bindings = new Map<string, Set<WebSocket>>();
  /** Pings already sent from this instance, by seq, with when they were first seen. */
  private readonly seen = new Map<string, number>();
  private logger: HubLogger | undefined;
  private listening: Promise<Unlisten | undefined> | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(db: Database, listen: Listen) {
    this.db = db;
    this.listen = listen;
    this.pings = new PingRepository(db);
  }

  start(logger?: HubLogger): void {
    this.logger = logger;
    this.stopped = false;
    this.sweep = setInterval(() => this.wake(), SWEEP_MS);
    this.sweep.unref();
  }

  /**
   * Listens from the first bind on: an instance no client connects to holds no listening
   * connection of its own to the database.
   */
  private ensureListening(): void {
    if (this.stopped) {
      return;
    }
    this.listening ??= this.listen(
      PING_CHANNEL,
      () => this.wake(),
      (error) =>
        this.logger?.error({ err: error }, 'subscription websockets: listener lost; the sweep covers meanwhile'),
    )
      .then((unlisten) => {
        this.wake(); // what was pinged while the listener connected
        return unlisten;
      })
      .catch((error: unknown) => {
        this.logger?.error({ err: error }, 'subscription websockets: cannot listen; relying on the sweep');
        return undefined;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    const unlisten = await this.listening;
    this.listening = undefined;
    await unlisten?.();
    await this.running;
    for (const sockets of this.bindings.values()) {
      sockets.forEach((socket) => socket.close(1001, 'server shutting down'));
    }
    this.bindings.clear();
  }

  /** Serves one authenticated connection until it closes. */
  accept(connection: Connection): void {
    const { socket } = connection;
    const bound = new Set<string>();
    socket.on('message', (data, isBinary) => {
      if (byteLength(data) > MAX_FRAME_BYTES) {
        socket.send(errorFrame('invalid', `frames are limited to ${MAX_FRAME_BYTES} bytes`));
        socket.close(1009, 'frame too large');
        return;
      }
      void this.onFrame(connection, bound, isBinary ? undefined : textOf(data)).catch((error: unknown) => {
        this.logger?.error({ err: error }, 'subscription websockets: bind failed');
        socket.send(errorFrame('not-found', 'the bind could not be completed; try again'));
      });
    });
    socket.on('close', () => {
      for (const id of bound) {
        this.bindings.get(id)?.delete(socket);
        if (!this.bindings.get(id)?.size) {
          this.bindings.delete(id);
        }
      }
    });
  }

  private async onFrame(connection: Connection, bound: Set<string>, text?: string): Promise<void> {
    const { socket } = connection;
    const match = text === undefined ? null : /^bind ([^\s]+)$/.exec(text.trim());
    if (!match) {
      socket.send(errorFrame('invalid', "expected a text frame 'bind {subscription id}'"));
      return;
    }
    const id = match[1]!;
    if (!ID_PATTERN.test(id)) {
      socket.send(errorFrame('invalid', `'${id.slice(0, 64)}' is not a valid resource id`));
      return;
    }
    const problem = await this.bindProblem(connection, id);
    if (problem) {
      socket.send(problem);
      return;
    }
    // What was already sent for this Subscription is not news to a socket binding now.
    for (const ping of await this.pings.recent([id])) {
      this.seen.set(ping.seq, Date.now());
    }
    if (socket.readyState !== socket.OPEN) {
      return;
    }
    bound.add(id);
    let sockets = this.bindings.get(id);
    if (!sockets) {
      sockets = new Set();
      this.bindings.set(id, sockets);
    }
    sockets.add(socket);
    this.ensureListening();
    socket.send(`bound ${id}`);
  }

  /**
   * Why the caller may not bind this Subscription, as an error frame. It is read through the
   * caller's own view, where someone else's Subscription is hidden exactly like one that does not
   * exist (access.ts), and both are answered with the same frame. A system client sees every
   * Subscription but binds only its own: the pings of another's are evaluated as that owner.
   */
  private async bindProblem({ record, ownerKey }: Connection, id: string): Promise<string | undefined> {
    const unknown = errorFrame('not-found', `Subscription/${id} is not known`);
    let subscription: Subscription;
    try {
      subscription = JSON.parse((await record.read('Subscription', id)).json!) as Subscription;
    } catch {
      return unknown;
    }
    if ((await new SubscriptionRepository(this.db).find(id))?.ownerKey !== ownerKey) {
      return unknown;
    }
    if (subscription.channel.type !== 'websocket') {
      return errorFrame(
        'not-supported',
        `Subscription/${id} has channel type '${subscription.channel.type}', not websocket`,
      );
    }
    if (subscription.status !== 'active' && subscription.status !== 'error') {
      return errorFrame(
        'not-supported',
        `Subscription/${id} is ${subscription.status ?? 'without a status'}, not active`,
      );
    }
    return undefined;
  }

  /** Sends what has been pinged since (soon after, if a run is under way). */
  wake(): void {
    if (this.stopped || !this.bindings.size) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliver()
      .catch((error: unknown) =>
        this.logger?.error({ err: error }, 'subscription websockets: pings not read; will retry'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async deliver(): Promise<void> {
    const now = Date.now();
    for (const ping of await this.pings.recent([...this.bindings.keys()])) {
      if (this.seen.has(ping.seq)) {
        continue;
      }
      this.seen.set(ping.seq, now);
      for (const socket of this.bindings.get(ping.subscriptionId) ?? []) {
        if (socket.readyState === socket.OPEN) {
          socket.send(`ping ${ping.subscriptionId}`);
        }
      }
    }
    // Kept a little longer than the window pings are read in, so none is sent twice.
    for (const [seq, at] of this.seen) {
      if (now - at > 2 * PING_WINDOW_SECONDS * 1000) {
        this.seen.delete(seq);
      }
    }
  }
}

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
}

function byteLength(data: Buffer | ArrayBuffer | Buffer[]): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}
