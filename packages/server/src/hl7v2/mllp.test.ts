import { describe, expect, test } from 'vitest';
import { CR, FS, MllpDecoder, mllpFrame, VT, type MllpEvent } from './mllp.ts';

const A = 'MSH|^~\\&|APP|FAC|||20250101||ADT^A01|1|P|2.5\rPID|1';
const B = 'MSH|^~\\&|APP|FAC|||20250101||ADT^A03|2|P|2.5\rPID|1|£ é';

function feed(decoder: MllpDecoder, chunks: Buffer[]): MllpEvent[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

function messages(events: MllpEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'message' ? [e.text] : []));
}

describe('MLLP framing', () => {
  test('a frame is VT message FS CR, in UTF-8', () => {
    const frame = mllpFrame('é');
    expect([...frame]).toEqual([VT, 0xc3, 0xa9, FS, CR]);
  });

  test('one frame in one chunk', () => {
    expect(messages(new MllpDecoder({ maxMessageBytes: 1024 }).push(mllpFrame(A)))).toEqual([A]);
  });

  test('two frames in one chunk, with a line break between them', () => {
    const chunk = Buffer.concat([mllpFrame(A), Buffer.from('\r\n'), mllpFrame(B)]);
    const events = new MllpDecoder({ maxMessageBytes: 1024 }).push(chunk);
    expect(events.map((e) => e.kind)).toEqual(['message', 'message']);
    expect(messages(events)).toEqual([A, B]);
  });

  test.each([1, 2, 3, 7, 50])(
    'frames split into chunks of %i bytes (across FS and CR and inside characters)',
    (size) => {
      const stream = Buffer.concat([mllpFrame(A), mllpFrame(B), mllpFrame(A)]);
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) {
        chunks.push(stream.subarray(i, i + size));
      }
      expect(messages(feed(new MllpDecoder({ maxMessageBytes: 1024 }), chunks))).toEqual([A, B, A]);
    },
  );

  test('a frame cut between FS and CR completes, and the CR is not taken as noise', () => {
    const frame = mllpFrame(A);
    const decoder = new MllpDecoder({ maxMessageBytes: 1024 });
    expect(messages(decoder.push(frame.subarray(0, frame.length - 1)))).toEqual([A]);
    expect(decoder.push(frame.subarray(frame.length - 1))).toEqual([]);
    expect(decoder.inFrame).toBe(false);
  });

  test('an unfinished frame waits for the rest', () => {
    const decoder = new MllpDecoder({ maxMessageBytes: 1024 });
    const frame = mllpFrame(A);
    expect(decoder.push(frame.subarray(0, 10))).toEqual([]);
    expect(decoder.inFrame).toBe(true);
    expect(messages(decoder.push(frame.subarray(10)))).toEqual([A]);
  });

  test('a frame over the limit is refused with its head, and the next frame is read normally', () => {
    const big = `MSH|^~\\&|APP|FAC|||20250101||ADT^A01|BIG|P|2.5\r${'OBX|1|TX|||'.padEnd(5000, 'x')}`;
    const decoder = new MllpDecoder({ maxMessageBytes: 1024, headBytes: 100 });
    const stream = Buffer.concat([mllpFrame(big), mllpFrame(A)]);
    const events = feed(decoder, [stream.subarray(0, 700), stream.subarray(700, 3000), stream.subarray(3000)]);
    expect(events.map((e) => e.kind)).toEqual(['oversized', 'message']);
    const oversized = events[0] as Extract<MllpEvent, { kind: 'oversized' }>;
    expect(oversized.bytes).toBe(Buffer.byteLength(big));
    expect(oversized.head).toBe(big.slice(0, 100));
    expect(messages(events)).toEqual([A]);
  });

  test('a message exactly at the limit is accepted', () => {
    const exact = A.padEnd(1024, 'x');
    expect(messages(new MllpDecoder({ maxMessageBytes: 1024 }).push(mllpFrame(exact)))).toEqual([exact]);
  });

  test('bytes outside frames are reported as noise; a new VT inside a frame drops the partial one', () => {
    const decoder = new MllpDecoder({ maxMessageBytes: 1024 });
    const partial = mllpFrame(A).subarray(0, 20);
    const events = decoder.push(Buffer.concat([Buffer.from('junk'), partial, mllpFrame(B)]));
    expect(events.map((e) => e.kind)).toEqual(['noise', 'noise', 'message']);
    expect(messages(events)).toEqual([B]);
  });
});
