/**
 * The MLLP listener: a TCP server on CAREWEAVE_MLLP_HOST:CAREWEAVE_MLLP_PORT. Each connection's
 * messages are handled one at a time, in the order they came, and each is acknowledged only once
 * its outcome is committed, so a sender that gets no ACK (a crash, a shutdown) sends it again and
 * loses nothing. MLLP has no authentication of its own: keep the port on a network only the
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

    const work = async (): Promise<void> => {
      try {
        while (queue.length && !connection.closing) {
          const ack = await answer(queue.shift()!);
          if (ack !== undefined && !socket.destroyed) {
            socket.write(mllpFrame(ack));
          }
          if (queue.length < MAX_QUEUED / 2 && socket.isPaused()) {
            socket.resume();
          }
        }
      } catch (error) {
        // Not stored, so not acknowledged: the sender will send it again.
        log.error({ err: error, remote }, 'an MLLP message could not be stored; closing the connection unanswered');
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
