/**
 * `GET /healthz` for orchestrators: 200 `{"status":"ok"}` when Redis and Milvus answer and the worker is taking
 * jobs, 503 with what is wrong otherwise. The checks themselves are not traced (a probe every few seconds would
 * bury the traces that matter).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export type Check = () => Promise<boolean> | boolean;

const CHECK_TIMEOUT_MS = 2000;

async function run(check: Check): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0: a free one); each check is named in the response body. */
export function startHealthServer(port: number, checks: Record<string, Check>): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' || path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    void context.with(suppressTracing(context.active()), async () => {
      const entries = Object.entries(checks);
      const results = await Promise.all(entries.map(([, check]) => run(check)));
      const failing = entries.filter((_, i) => !results[i]).map(([name]) => name);
      const body = failing.length === 0 ? { status: 'ok' } : { status: 'unavailable', failing };
      res.writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
