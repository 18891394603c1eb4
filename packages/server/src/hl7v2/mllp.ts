/**
 * MLLP framing (HL7 v2 Minimal Lower Layer Protocol, release 1): each message travels as
 * `VT message FS CR` (0x0B … 0x1C 0x0D). TCP delivers bytes, not frames, so a frame may arrive in
 * many chunks and one chunk may hold several frames; the decoder keeps its state across chunks.
 */

export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** What the decoder found in the bytes given to it, in order. */
export type MllpEvent =
  | { kind: 'message'; text: string; bytes: number }
  /**
   * A frame longer than the limit: its content was discarded as it arrived; `head` is its first
   * bytes (enough to read the MSH segment and answer AR with its control id).
   */
  | { kind: 'oversized'; head: string; bytes: number }
  /** Bytes outside a frame (other than line breaks between frames), or a frame cut off by a new VT. */
  | { kind: 'noise'; bytes: number };

export interface MllpDecoderOptions {
  /** Largest message content accepted, in bytes (the framing bytes excluded). */
  maxMessageBytes: number;
  /** Bytes kept of an oversized message (default 4096). */
  headBytes?: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Turns a byte stream into MLLP frames. Feed it every chunk with `push`; it returns what completed.
 *
 * @example
 * const decoder = new MllpDecoder({ maxMessageBytes: 1 << 20 });
 * socket.on('data', (chunk) => decoder.push(chunk).forEach(handle));
 */
export class MllpDecoder {
  private readonly max: number;
  private readonly headBytes: number;
  private state: 'outside' | 'inside' | 'discarding' | 'after-fs' = 'outside';
  private chunks: Buffer[] = [];
  private size = 0;
  private noise = 0;

  constructor(options: MllpDecoderOptions) {
    this.max = options.maxMessageBytes;
    this.headBytes = Math.min(options.headBytes ?? 4096, options.maxMessageBytes);
  }

  /** True while a frame has begun and not yet ended (a connection closing now cuts it off). */
  get inFrame(): boolean {
    return this.state === 'inside' || this.state === 'discarding';
  }

  push(chunk: Buffer): MllpEvent[] {
    const events: MllpEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'after-fs':
          // The block ends FS CR; a lone FS is taken as the end too.
          this.state = 'outside';
          if (chunk[i] === CR) {
            i++;
          }
          break;
        case 'outside': {
          const start = chunk.indexOf(VT, i);
          const end = start === -1 ? chunk.length : start;
          this.countNoise(chunk, i, end);
          if (start === -1) {
            i = chunk.length;
          } else {
            this.flushNoise(events);
            this.state = 'inside';
            this.chunks = [];
            this.size = 0;
            i = start + 1;
          }
          break;
        }
        case 'inside':
        case 'discarding': {
          const fs = indexOfEither(chunk, FS, VT, i);
          const stop = fs === -1 ? chunk.length : fs;
          this.take(chunk.subarray(i, stop));
          if (fs === -1) {
            i = chunk.length;
          } else if (chunk[fs] === VT) {
            // A new frame began before this one ended: what came before is lost.
            events.push({ kind: 'noise', bytes: this.size + 1 });
            this.state = 'inside';
            this.chunks = [];
            this.size = 0;
            i = fs + 1;
          } else {
            events.push(this.complete());
            this.state = 'after-fs';
            i = fs + 1;
          }
          break;
        }
      }
    }
    return events;
  }

  private take(bytes: Buffer): void {
    if (!bytes.length) {
      return;
    }
    const before = this.size;
    this.size += bytes.length;
    if (this.state === 'inside' && this.size > this.max) {
      // Keep only the head; everything else is counted and dropped as it arrives.
      this.state = 'discarding';
      const kept = Buffer.concat(this.chunks);
      this.chunks = [Buffer.concat([kept, bytes]).subarray(0, this.headBytes)];
      return;
    }
    if (this.state === 'inside') {
      this.chunks.push(bytes);
    } else if (before < this.headBytes) {
      this.chunks.push(bytes.subarray(0, this.headBytes - before));
    }
  }

  private complete(): MllpEvent {
    const buffer = Buffer.concat(this.chunks);
    this.chunks = [];
    const text = utf8.decode(buffer);
    return this.state === 'discarding'
      ? { kind: 'oversized', head: text, bytes: this.size }
      : { kind: 'message', text, bytes: this.size };
  }

  private countNoise(chunk: Buffer, from: number, to: number): void {
    for (let j = from; j < to; j++) {
      const byte = chunk[j];
      // Line breaks between frames are common and harmless.
      if (byte !== CR && byte !== 0x0a) {
        this.noise++;
      }
    }
  }

  private flushNoise(events: MllpEvent[]): void {
    if (this.noise) {
      events.push({ kind: 'noise', bytes: this.noise });
      this.noise = 0;
    }
  }
}

function indexOfEither(chunk: Buffer, a: number, b: number, from: number): number {
  const first = chunk.indexOf(a, from);
  const second = chunk.indexOf(b, from);
  return first === -1 ? second : second === -1 ? first : Math.min(first, second);
}

/** One message as an MLLP frame, UTF-8 encoded. */
export function mllpFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  const frame = Buffer.allocUnsafe(body.length + 3);
  frame[0] = VT;
  body.copy(frame, 1);
  frame[body.length + 1] = FS;
  frame[body.length + 2] = CR;
  return frame;
}
