import { connect, type Socket } from 'node:net';

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

/** Polls `check` until it is true or `timeoutMs` passes; `abort` ends the wait early with its reason. */
export async function waitFor(
  check: () => Promise<boolean>,
  {
    timeoutMs,
    intervalMs = 250,
    abort,
  }: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = abort?.();
    if (reason) throw new Error(reason);
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
