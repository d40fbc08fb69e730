/**
 * Start-up and shutdown. Run with `node --import @milvus-otel/node/register src/server.ts`: the preset is then set
 * up before Express, http and the Milvus SDK load, so all of them are traced.
 */
import { createServer } from 'node:http';
import { exitOnConfigError } from '@milvus-otel/config';
import { shutdown as shutdownTracing } from '@milvus-otel/node';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { createApp } from './app.ts';
import { ensureCollection } from './documents.ts';
import { connectWhenReady, describeError, ownConnection } from './milvus-startup.ts';
import { createIngestQueue } from './queue.ts';
import { seedIfEmpty } from './seed.ts';
import { loadSettings, type Settings } from './settings.ts';

/** Deadline of each Milvus call, so a stuck server turns into a 503 instead of a hanging request. */
const MILVUS_TIMEOUT_MS = 10_000;
/** The most a graceful shutdown may take: under the 10 s a container runtime waits before SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 8_000;

// A bad setting stops here, before anything started: no connection to close, no span to flush.
const settings: Settings = loadSettings(process.env, exitOnConfigError);

// Milvus may still be starting (the stack reports it healthy before its proxy serves): transient failures are
// retried for MILVUS_STARTUP_TIMEOUT_MS, anything else stops start-up at once with its fix.
let milvus: MilvusClient;
try {
  milvus = await connectWhenReady(
    () =>
      new MilvusClient({ ...settings.milvus, timeout: MILVUS_TIMEOUT_MS, channelOptions: ownConnection() }),
    async (client) => {
      await ensureCollection(client, settings.collection, settings.index ? { index: settings.index } : {});
      const seeded = await seedIfEmpty(client, settings.collection);
      if (seeded > 0) console.log(`seeded ${seeded} sample documents into ${settings.collection}`);
    },
    {
      address: settings.milvus.address,
      timeoutMs: settings.milvusStartupTimeoutMs,
      log: (line) => console.log(line),
    },
  );
} catch (error) {
  console.error(
    `Could not prepare collection ${settings.collection} on Milvus at ${settings.milvus.address}: ${describeError(error)}`,
  );
  await shutdownTracing(); // exports the spans of the failed calls: they show what went wrong
  process.exit(1);
}

const ingest = settings.redisUrl ? createIngestQueue(settings.redisUrl, settings.ingestQueue) : undefined;
let stopping = false;
const app = createApp({
  milvus,
  collection: settings.collection,
  ingest,
  isShuttingDown: () => stopping,
});

const server = createServer(app);
server.on('request', (_req, res) => {
  // Keep-alive connections would hold server.close() open: once stopping, each response closes its connection.
  if (stopping) res.setHeader('connection', 'close');
});
// Bytes Node's HTTP parser refuses (a target with spaces or non-ASCII, headers over 16 KB…) never reach the app:
// answer them in JSON too, as every other error, then close the connection.
server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
  // A response already under way on this connection (keep-alive) cannot be followed by another one.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request line and headers are larger than 16 KB.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request did not arrive in time.']
        : [400, 'Bad Request', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: 'bad_request', message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
});
server.once('error', async (error) => {
  console.error(
    `Could not listen on port ${settings.port}: ${error.message}\n  Fix: set PORT to a free port.`,
  );
  await Promise.allSettled([ingest?.close(), milvus.closeConnection()]);
  await shutdownTracing();
  process.exit(1);
});
server.listen(settings.port, () => {
  console.log(
    `express-service listening on http://localhost:${settings.port} (collection ${settings.collection}, ` +
      `ingest ${ingest ? `queue ${settings.ingestQueue}` : 'off: REDIS_URL not set'})`,
  );
});

/**
 * SIGTERM / SIGINT: stop accepting, let in-flight requests finish, close Milvus and Redis, then let the process end
 * on its own. Because the app handles the signal, the preset only exports what has ended so far and leaves the final
 * flush to shutdownTracing() below, so the spans of the drained requests are kept (process.exit would drop them).
 * The listeners stay registered (`on`, not `once`): the preset ends the process itself only when nobody listens.
 */
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    console.error(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(`${signal}: shutting down`);
  setTimeout(() => {
    console.error(`shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();

  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  await Promise.allSettled([ingest?.close(), milvus.closeConnection()]);
  await shutdownTracing();
  console.log('shut down');
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
