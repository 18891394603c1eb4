import WebSocket from 'ws';

export interface WsClient {
  socket: WebSocket;
  /** Every text frame received, in order. */
  frames: string[];
  send(frame: string | Buffer): void;
  /** The first frame (already received or still to come) that satisfies `predicate`. */
  waitFor(predicate: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Opens a websocket with the bearer token on the upgrade request, as a real client would. */
export function openWebsocket(url: string, token: string): Promise<WsClient> {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const frames: string[] = [];
  const waiters: { predicate: (frame: string) => boolean; resolve: (frame: string) => void }[] = [];
  socket.on('message', (data) => {
    const frame = (data as Buffer).toString('utf8');
    frames.push(frame);
    for (const waiter of waiters.filter((w) => w.predicate(frame))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(frame);
    }
  });
  const client: WsClient = {
    socket,
    frames,
    send: (frame) => socket.send(frame),
    waitFor(predicate, timeoutMs = 60_000) {
      const found = frames.find(predicate);
      if (found !== undefined) {
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no such frame arrived; got ${JSON.stringify(frames)}`)),
          timeoutMs,
        );
        waiters.push({ predicate, resolve: (frame) => (clearTimeout(timer), resolve(frame)) });
      });
    },
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) {
          return resolve();
        }
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}

/** The HTTP status an upgrade is refused with (the server answers before switching protocols). */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('unexpected-response', (request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      });
      response.on('error', reject);
    });
    socket.once('error', (error) => reject(error));
  });
}
