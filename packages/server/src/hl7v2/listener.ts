/**
 * The MLLP listener: a TCP server on CAREWEAVE_MLLP_HOST:CAREWEAVE_MLLP_PORT. Each connection's
 * messages are acknowledged in the order they came, each only once its outcome is committed, so a
 * sender that gets no ACK (a crash, a shutdown) sends it again and loses nothing. A sender that sends
 * several without waiting has them applied together (up to MAX_IN_FLIGHT); intake keeps one patient's
 * messages in order. MLLP has no authentication of its own: keep the port on a network only the
 * integration engine reaches (docs/HL7V2.md).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { MllpSettings } from './config.ts';
import { MllpDecoder, mllpFrame, type MllpEvent } from './mllp.ts';

/** What the listener does with each frame: returns the ACK to send back. */
export interface MllpHandler {
  message(text: string): Promise<string>;
  oversized(head: string, bytes: number): Promise<string>;
}

export interface MllpListener {
  /** Binds; resolves with the address (port 0 picks a free one). */
  start(): Promise<AddressInfo>;
  /** Where it listens, once started. */
  address(): AddressInfo | undefined;
  /** Stops accepting, lets each connection finish the message it is on, then closes them. */
  close(): Promise<void>;
}

/** Frames read ahead of the one being handled before the connection stops reading. */
const MAX_QUEUED = 32;
/**
 * Messages of one connection being applied at once. Intake keeps each patient's messages in the
 * order they came (its lanes), and the ACKs go back in the order of the messages, so a windowed
 * sender sees what a waiting one sees, sooner.
 */
const MAX_IN_FLIGHT = 16;
/** How long shutdown waits for messages being handled before cutting connections. */
const CLOSE_GRACE_MS = 10_000;

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error' | 'debug'>;

const ignore = (): void => undefined;
const SILENT: Log = { info: ignore, warn: ignore, error: ignore, debug: ignore };

interface Connection {
  socket: net.Socket;
  closing: boolean;
  /** Settles when the connection has nothing in hand. */
  idle: Promise<void>;
}

/**
 * @example
 * const listener = createMllpListener({ host: '127.0.0.1', port: 2575, maxMessageBytes: 1 << 20,
 *   maxConnections: 64 }, { message: (text) => intake.receive(text).then((r) => r.ack), oversized }, log);
 * await listener.start();
 */
export function createMllpListener(settings: MllpSettings, handler: MllpHandler, log: Log = SILENT): MllpListener {
  const connections = new Set<Connection>();
  const server = net.createServer((socket) => serve(socket));
  server.maxConnections = settings.maxConnections;

  function serve(socket: net.Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const decoder = new MllpDecoder({ maxMessageBytes: settings.maxMessageBytes });
    const queue: MllpEvent[] = [];
    let working = false;
    let settle: () => void = () => undefined;
    const connection: Connection = { socket, closing: false, idle: Promise.resolve() };
    connections.add(connection);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);

    const answer = async (event: MllpEvent): Promise<string | undefined> => {
      switch (event.kind) {
        case 'message':
          return handler.message(event.text);
        case 'oversized':
          log.warn({ remote, bytes: event.bytes }, 'MLLP message over the size limit refused');
          return handler.oversized(event.head, event.bytes);
        case 'noise':
          log.warn({ remote, bytes: event.bytes }, 'MLLP bytes outside a frame ignored');
          return undefined;
      }
    };

    /** Answers in the order the messages came; each settles once its message is committed. */
    const inFlight: Promise<string | undefined>[] = [];

    const work = async (): Promise<void> => {
      try {
        // A sender that does not wait for each ACK (a window) has its messages applied together, so
        // they can share a commit; a closing connection starts no more but answers those begun.
        while (inFlight.length || (queue.length && !connection.closing)) {
          while (queue.length && inFlight.length < MAX_IN_FLIGHT && !connection.closing) {
            const answered = answer(queue.shift()!);
            // Awaited below in order; a later one may fail while an earlier one is awaited.
            answered.catch(() => undefined);
            inFlight.push(answered);
          }
          const ack = await inFlight.shift()!;
          if (ack !== undefined && !socket.destroyed) {
            socket.write(mllpFrame(ack));
          }
          if (queue.length < MAX_QUEUED / 2 && socket.isPaused() && !connection.closing) {
            socket.resume();
          }
        }
      } catch (error) {
        // Not stored, so not acknowledged: the sender will send it again (and the ones after it,
        // which a repeat answers with their first ACK if they were stored meanwhile).
        log.error({ err: error, remote }, 'an MLLP message could not be stored; closing the connection unanswered');
        inFlight.length = 0;
        socket.destroy();
      } finally {
        working = false;
        settle();
      }
    };

    socket.on('data', (chunk: Buffer) => {
      queue.push(...decoder.push(chunk));
      if (queue.length >= MAX_QUEUED) {
        socket.pause();
      }
      if (!working && queue.length && !connection.closing) {
        working = true;
        connection.idle = new Promise((resolve) => (settle = resolve));
        void work();
      }
    });
    socket.on('error', (error) => log.debug({ err: error, remote }, 'MLLP connection error'));
    socket.on('close', () => {
      if (decoder.inFrame) {
        log.warn({ remote }, 'MLLP connection closed in the middle of a message');
      }
      connections.delete(connection);
    });
  }

  return {
    address: () => (server.listening ? (server.address() as AddressInfo) : undefined),
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: settings.host, port: settings.port }, () => {
          server.off('error', reject);
          server.on('error', (error) => log.error({ err: error }, 'MLLP listener error'));
          resolve(server.address() as AddressInfo);
        });
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const open = [...connections];
      for (const connection of open) {
        connection.closing = true;
        connection.socket.pause();
      }
      const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
      await Promise.race([Promise.all(open.map((c) => c.idle)), grace]);
      // Messages read but not begun are dropped unanswered: their senders send them again.
      for (const { socket } of open) {
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      }
      await closed;
    },
  };
}
