/**
 * GET /search?q=…&category=…&limit=… — semantic document search on Milvus, as an AWS Lambda function behind an API
 * Gateway HTTP API (payload format 2.0).
 *
 * `withLambdaTracing` makes each invocation one SERVER span (faas semantic conventions, cold start, parent from an
 * incoming `traceparent` header) and flushes every span before the response is returned: after that, Lambda may freeze or
 * kill the runtime, and nothing may be left in a queue.
 */
import { type LambdaContext, withLambdaTracing } from '@milvus-otel/node';
import { trace } from '@opentelemetry/api';
import { LoadState, MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MilvusError, searchDocuments, statusFailed } from './documents.ts';
import {
  classifyError,
  connectWhenReady,
  describeError,
  NotReadyError,
  ownConnection,
} from './milvus-startup.ts';
import { parseSearchParams, readRequest } from './request.ts';
import { loadSettings } from './settings.ts';

/** Once per container (cold start), reused by every invocation the container serves. */
const settings = loadSettings();

const newClient = () =>
  new MilvusClient({ ...settings.milvus, timeout: 10_000, channelOptions: ownConnection() });
// Created when the function loads, so it connects during the container's init, before the first invocation. The
// first attempt below awaits its connection; until then a refused one must not count as an unhandled rejection.
let initialClient: MilvusClient | undefined = newClient();
initialClient.connectPromise.catch(() => undefined);

/** A search can be answered: not while the collection is still loading (after a Milvus restart, for instance). */
async function collectionReady(client: MilvusClient): Promise<void> {
  const { state, status } = await client.getLoadState({ collection_name: settings.collection });
  if (statusFailed(status) && classifyError(status) === 'transient') {
    throw new MilvusError('getLoadState', status);
  }
  if (state === LoadState.LoadStateLoading) {
    throw new NotReadyError(`collection ${settings.collection} is still loading`);
  }
  // Missing or not loaded: waiting does not change that, and the search reports it (503, with its span).
}

let ready: Promise<MilvusClient> | undefined;

/**
 * The container's client, once Milvus answers: the first invocation waits for it, at most
 * MILVUS_STARTUP_TIMEOUT_MS (the function never creates or loads the collection). When that fails the invocation
 * answers 503 and the next one waits again.
 */
function milvusClient(): Promise<MilvusClient> {
  ready ??= connectWhenReady(
    () => {
      const client = initialClient ?? newClient();
      initialClient = undefined;
      return client;
    },
    collectionReady,
    {
      address: settings.milvus.address,
      timeoutMs: settings.milvusStartupTimeoutMs,
      log: (line) => console.log(line),
    },
  ).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      ...(traceId ? { 'x-trace-id': traceId } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  } satisfies APIGatewayProxyStructuredResultV2;
}

export const handler = withLambdaTracing(
  async (event: unknown, _context: LambdaContext): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      return await search(event);
    } catch (error) {
      // Nothing of the failure reaches the caller: the runtime would answer with the error and its stack. The
      // invocation span records it and gets ERROR from the 500.
      trace.getActiveSpan()?.recordException(error instanceof Error ? error : describeError(error));
      console.error(`search failed unexpectedly: ${describeError(error)}`);
      return json(500, { error: 'internal error' });
    }
  },
);

async function search(event: unknown): Promise<APIGatewayProxyStructuredResultV2> {
  const read = readRequest(event);
  if (!read.ok) return json(400, { error: 'bad request', issues: read.issues });
  const { method, path, query } = read.request;
  if (path !== '/search') return json(404, { error: 'not found' });
  if (method !== 'GET') return json(405, { error: 'method not allowed' }, { allow: 'GET' });

  const parsed = parseSearchParams(query);
  if (!parsed.ok) return json(400, { error: 'bad request', issues: parsed.issues });

  const { q, category, limit } = parsed.params;
  const unavailable = () =>
    json(503, { error: 'search unavailable, try again later' }, { 'retry-after': '1' });
  let milvus: MilvusClient;
  try {
    milvus = await milvusClient();
  } catch (error) {
    console.error(
      `Milvus at ${settings.milvus.address} is not available for collection ${settings.collection}: ${describeError(error)}`,
    );
    return unavailable();
  }
  try {
    const hits = await searchDocuments(milvus, settings.collection, q, { category, limit });
    return json(200, { hits });
  } catch (error) {
    // The Milvus client span already records the failure; the invocation span gets ERROR from the 503.
    console.error(`search failed: ${describeError(error)}`);
    return unavailable();
  }
}
