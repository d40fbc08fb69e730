/**
 * A TCP proxy the test controls, put between the app and one of the stack's services (Milvus, the OTLP collector)
 * to simulate its outage without touching the shared stack:
 *
 * - `up`: every connection is piped to the upstream;
 * - `down`: new connections are reset as soon as they are accepted and the open ones are destroyed, so the client
 *   sees ECONNRESET / a closed connection at once (a collector or database that went away);
 * - `hang`: new connections are accepted and never answered, the open ones stop forwarding in both directions
 *   (a peer that is stuck: only the client's own deadline ends the call);
 * - `slow`: like `up`, but the upstream's answers reach the client `slowMs` late (a collector that is back but
 *   overloaded: each answer takes that long). The proxy reads the HTTP/2 frames the upstream sends (gRPC and OTLP
 *   speak HTTP/2): the frames of answers (HEADERS, DATA, CONTINUATION) are held back, while the connection's own
 *   frames (SETTINGS, PING, WINDOW_UPDATE…) pass at once — a busy server, not a slow network.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'up' | 'down' | 'hang' | 'slow';

export interface TcpProxy {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly port: number;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  /** Connections accepted so far (all modes). */
  readonly accepted: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

export async function startProxy(
  upstreamPort: number,
  upstreamHost = '127.0.0.1',
  { slowMs = 2000 }: { slowMs?: number } = {},
): Promise<TcpProxy> {
  let mode: ProxyMode = 'up';
  let accepted = 0;
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    if (mode === 'down') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    client.once('close', () => destroy(pair));
    if (mode === 'hang') {
      // Read nothing, answer nothing: the client waits until its own deadline.
      client.pause();
      return;
    }
    const upstream = createConnection({ port: upstreamPort, host: upstreamHost });
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.once('close', () => destroy(pair));
    client.pipe(upstream);
    if (mode === 'slow') delayAnswers(upstream, client, slowMs);
    else upstream.pipe(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    address: `127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    setMode(next) {
      mode = next;
      if (next === 'down') {
        for (const pair of [...pairs]) destroy(pair);
      } else if (next === 'hang') {
        for (const pair of pairs) {
          pair.client.unpipe();
          pair.upstream?.unpipe();
          pair.client.pause();
          pair.upstream?.pause();
        }
      } else {
        // Connections that hung stay stuck (their half-forwarded frames are lost): end them so the client
        // reconnects to a working upstream.
        for (const pair of [...pairs]) if (pair.client.isPaused()) destroy(pair);
      }
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** HTTP/2 frame types that carry a stream's answer: DATA, HEADERS, CONTINUATION. */
const ANSWER_FRAMES = new Set([0x0, 0x1, 0x9]);

/** Copies `from` to `to` frame by frame, holding each answer frame back `delayMs` (in order), the others not at all. */
function delayAnswers(from: Socket, to: Socket, delayMs: number): void {
  let pending = Buffer.alloc(0);
  const write = (frame: Buffer) => {
    if (!to.destroyed) to.write(frame);
  };
  from.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    // A frame: 9-byte header (24-bit length, type, flags, stream id), then its payload.
    while (pending.length >= 9) {
      const size = 9 + pending.readUIntBE(0, 3);
      if (pending.length < size) break;
      const frame = pending.subarray(0, size);
      pending = pending.subarray(size);
      if (ANSWER_FRAMES.has(frame[3] as number)) setTimeout(write, delayMs, frame);
      else write(frame);
    }
  });
  from.once('end', () => setTimeout(() => to.end(), delayMs));
}
