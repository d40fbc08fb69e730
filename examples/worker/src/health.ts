/**
 * `GET /healthz` for orchestrators: 200 `{"status":"ok"}` when Redis and Milvus answer and the worker is taking
 * jobs, 503 with what is wrong otherwise; any other request gets a 4xx JSON answer. The checks themselves are not
 * traced (a probe every few seconds would bury the traces that matter).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
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

/** The path of a request target, or undefined when it is not a URL at all (`GET http://[ HTTP/1.1` reaches here). */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * Listens on `host`:`port` (port 0: a free one); each check is named in the response body. This runs next to the
 * job loop: whatever a client sends, it answers and the worker keeps going.
 */
export function startHealthServer(
  port: number,
  checks: Record<string, Check>,
  host = '127.0.0.1',
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = pathOf(req.url);
    if (path === undefined) {
      answer(res, 400, { error: 'bad request', message: 'The request target is not a valid URL.' });
      return;
    }
    if (req.method !== 'GET' || path !== '/healthz') {
      answer(res, 404, { error: 'not found' });
      return;
    }
    context
      .with(suppressTracing(context.active()), async () => {
        const entries = Object.entries(checks);
        const results = await Promise.all(entries.map(([, check]) => run(check)));
        const failing = entries.filter((_, i) => !results[i]).map(([name]) => name);
        answer(
          res,
          failing.length === 0 ? 200 : 503,
          failing.length === 0 ? { status: 'ok' } : { status: 'unavailable', failing },
        );
      })
      // A rejection here would end the process (unhandled rejection): drop this one connection instead.
      .catch(() => res.destroy());
  });
  // Bytes Node's HTTP parser refuses (a target with spaces or non-ASCII, headers over 16 KB…): JSON too, then close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight) {
      socket.destroy();
      return;
    }
    const [status, reason] =
      error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ error: 'bad request', message: 'The request is not valid HTTP.' });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
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
