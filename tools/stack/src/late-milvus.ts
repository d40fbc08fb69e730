import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports.ts';

/** A Milvus that appears late: `address` refuses connections until `open()`, then forwards them to `upstream`. */
export interface LateMilvus {
  /** `127.0.0.1:<port>`: nothing listens there before `open()`. */
  readonly address: string;
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What an app started together with Milvus sees while Milvus boots: refused connections, then a working server. For
 * the examples' tests of their start-up (they wait for Milvus instead of giving up).
 */
export async function lateMilvus(upstream: string): Promise<LateMilvus> {
  const port = await freePort();
  const [host, upstreamPort] = upstream.split(':') as [string, string];
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const track = (socket: Socket, peer: () => Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      peer().destroy();
    });
  };
  return {
    address: `127.0.0.1:${port}`,
    open: () =>
      new Promise((resolve, reject) => {
        server = createServer((client) => {
          const target = createConnection({ host, port: Number(upstreamPort) });
          track(client, () => target);
          track(target, () => client);
          client.pipe(target);
          target.pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
