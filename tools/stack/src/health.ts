import { connect, type Socket } from 'node:net';
import { log } from './log.ts';

/** True when `url` answers 2xx (and, if given, its body contains `expect`). */
export async function httpOk(url: string, expect?: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return false;
    if (expect === undefined) {
      await res.body?.cancel();
      return true;
    }
    return (await res.text()).includes(expect);
  } catch {
    return false;
  }
}

/**
 * Connects to host:port and settles with `done(ok)` exactly once: false on error or timeout, else whatever
 * `onConnect` decides (it may write and wait for data first).
 */
function probe(
  port: number,
  host: string,
  timeoutMs: number,
  onConnect: (socket: Socket, done: (ok: boolean) => void) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => onConnect(socket, done));
  });
}

/** True when a Redis server on `port` answers PING with PONG. */
export function redisPing(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  return probe(port, host, timeoutMs, (socket, done) => {
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.write('PING\r\n');
  });
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return probe(port, host, timeoutMs, (_socket, done) => done(true));
}

/**
 * Whether Milvus serves clients: a real round trip with the Milvus SDK on its gRPC port — CheckHealth says healthy
 * and ListCollections succeeds. (`/healthz` answers OK before the proxy serves, and while it restarts.) Returns
 * undefined when ready, else why not. A fresh client per probe: a client's gRPC channel backs off between failed
 * connects (up to minutes), which would notice a ready server late.
 */
export async function milvusNotReady(address: string, timeoutMs = 5000): Promise<string | undefined> {
  const { MilvusClient } = await import('@zilliz/milvus2-sdk-node');
  let client: InstanceType<typeof MilvusClient> | undefined;
  try {
    client = new MilvusClient({ address, timeout: timeoutMs, logLevel: 'error' });
    const health = await client.checkHealth();
    if (!health.isHealthy) return `not healthy yet (${health.reasons?.join('; ') || 'no reason given'})`;
    const list = await client.listCollections();
    const status = list.status as { error_code?: string | number; reason?: string } | undefined;
    if (status?.error_code && status.error_code !== 'Success' && status.error_code !== 0)
      return `ListCollections: ${status.reason || status.error_code}`;
    return undefined;
  } catch (error) {
    return (error as Error).message?.split('\n')[0] || String(error);
  } finally {
    await client?.closeConnection().catch(() => undefined);
  }
}

/**
 * Polls `probe` (undefined when ready, else why not) until ready or `timeoutMs` passes, saying every `progressMs`
 * what it waits for. Resolves with undefined when ready, else the last reason; `abort` ends the wait early.
 */
export async function waitReady(
  what: string,
  probe: () => Promise<string | undefined>,
  {
    timeoutMs,
    intervalMs = 500,
    progressMs = 10_000,
    abort,
  }: { timeoutMs: number; intervalMs?: number; progressMs?: number; abort?: () => string | undefined },
): Promise<string | undefined> {
  const began = Date.now();
  let nextProgress = began + progressMs;
  for (;;) {
    const reason = abort?.();
    if (reason) throw new Error(reason);
    const notReady = await probe();
    if (notReady === undefined) return undefined;
    const now = Date.now();
    if (now - began >= timeoutMs) return notReady;
    if (now >= nextProgress) {
      log.step(`waiting for ${what} … ${Math.round((now - began) / 1000)} s (${notReady})`);
      nextProgress += progressMs;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
