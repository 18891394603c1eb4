import net from 'node:net';
import { MllpDecoder, mllpFrame } from '../mllp.ts';

/**
 * A sending system as tests and the benchmark see it: one TCP connection, frames out, ACK frames
 * back in order. `send` writes one message and waits for its ACK; `write` sends raw bytes.
 */
export class MllpClient {
  private readonly socket: net.Socket;
  private readonly decoder = new MllpDecoder({ maxMessageBytes: 16 * 1024 * 1024 });
  private readonly acks: string[] = [];
  private readonly waiting: ((ack: string) => void)[] = [];
  private closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        if (event.kind === 'message') {
          const next = this.waiting.shift();
          if (next) {
            next(event.text);
          } else {
            this.acks.push(event.text);
          }
        }
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new MllpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** The next ACK, or an error after `timeoutMs` or when the server closes the connection. */
  nextAck(timeoutMs = 30_000): Promise<string> {
    const ready = this.acks.shift();
    if (ready !== undefined) {
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ACK in time')), timeoutMs);
      const onClose = (): void => reject(new Error('connection closed without an ACK'));
      this.socket.once('close', onClose);
      this.waiting.push((ack) => {
        clearTimeout(timer);
        this.socket.off('close', onClose);
        resolve(ack);
      });
    });
  }

  async send(message: string): Promise<string> {
    const ack = this.nextAck();
    this.socket.write(mllpFrame(message));
    return ack;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) {
        resolve();
        return;
      }
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

/** MSA-1 and MSA-2 of an ACK, and ERR's text (ERR-8, or MSA-3 before v2.5). */
export function readAck(ack: string): { code: string; controlId: string; text: string } {
  const segments = ack.split('\r').map((s) => s.split('|'));
  const msa = segments.find((s) => s[0] === 'MSA') ?? [];
  const err = segments.find((s) => s[0] === 'ERR') ?? [];
  return { code: msa[1] ?? '', controlId: msa[2] ?? '', text: err[8] || msa[3] || '' };
}
