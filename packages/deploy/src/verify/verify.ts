import { randomUUID } from 'node:crypto';
import { JaegerError, pingJaeger, waitForTrace } from '../trace/jaeger.js';
import type { Trace } from '../trace/model.js';
import { type CheckName, checkTrace, type TraceExpectation } from './check.js';

export const EXAMPLE_NAMES = ['express', 'worker', 'serverless'] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/** The trace each example's request must produce. */
export const EXPECTATIONS: Readonly<Record<ExampleName, TraceExpectation>> = {
  express: { entry: { kind: 'server', name: /^GET\b/ } },
  worker: {
    entry: { kind: 'server', name: /^POST\b/ },
    producer: { kind: 'producer' },
    consumer: { kind: 'consumer' },
  },
  serverless: { entry: { kind: 'server', tagPrefix: 'faas.' } },
};

export interface VerifyOptions {
  /** @default all three */
  readonly examples?: readonly ExampleName[];
  /** Requests per example. @default 5 */
  readonly count?: number;
  /** Requests (and trace look-ups) in flight at once, per example. @default 4 */
  readonly concurrency?: number;
  /** Express service (and its worker). @default EXPRESS_URL or http://127.0.0.1:3000 */
  readonly expressUrl?: string;
  /** Lambda runtime interface emulator. @default LAMBDA_URL or http://127.0.0.1:8080 */
  readonly lambdaUrl?: string;
  /** Jaeger query API. @default JAEGER_QUERY_URL or http://127.0.0.1:16686 */
  readonly jaegerUrl?: string;
  /** How long to wait for each trace to be complete in Jaeger, ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Search text. @default 'vector database tracing' */
  readonly query?: string;
  /** Per-example expectations, to override the defaults. */
  readonly expectations?: Partial<Record<ExampleName, TraceExpectation>>;
  /** Called as each trace is checked (progress). */
  readonly onTrace?: (example: ExampleName, result: TraceResult) => void;
}

export interface VerifyFailure {
  /** Undefined when the request failed before a trace id came back. */
  readonly traceId: string | undefined;
  readonly check: CheckName | 'request';
  readonly message: string;
}

export interface TraceResult {
  readonly traceId: string | undefined;
  readonly ok: boolean;
  readonly spans: number;
  readonly failures: readonly VerifyFailure[];
}

export interface ExampleResult {
  readonly example: ExampleName;
  readonly url: string;
  /** Requests sent. */
  readonly requests: number;
  /** Traces that passed every check. */
  readonly complete: number;
  readonly ok: boolean;
  /** The example could not be reached at all (then nothing else was tried). */
  readonly error?: string;
  readonly traces: readonly TraceResult[];
  /** Every failed check of every trace. */
  readonly failures: readonly VerifyFailure[];
  /** The trace to show: the first failing one, else the first. Not part of the JSON report. */
  readonly sample?: Trace;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly jaegerUrl: string;
  /** Jaeger could not be reached (then no example was tried). */
  readonly error?: string;
  readonly examples: readonly ExampleResult[];
}

export function verifyDefaults(env: Readonly<Record<string, string | undefined>> = process.env) {
  return {
    expressUrl: env.EXPRESS_URL || 'http://127.0.0.1:3000',
    lambdaUrl: env.LAMBDA_URL || 'http://127.0.0.1:8080',
    jaegerUrl: env.JAEGER_QUERY_URL || 'http://127.0.0.1:16686',
  };
}

const trim = (url: string) => url.replace(/\/+$/, '');

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

class RequestError extends Error {}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new RequestError(`${init.method ?? 'GET'} ${url} failed (${reason(error)})`);
  }
}

async function expectStatus(res: Response, want: number, what: string): Promise<void> {
  if (res.status !== want) {
    throw new RequestError(
      `${what} answered ${res.status} (expected ${want}): ${(await res.text()).slice(0, 300)}`,
    );
  }
}

function header(res: Response, what: string): string {
  const id = res.headers.get('x-trace-id');
  if (!id) throw new RequestError(`${what} answered without an x-trace-id header`);
  return id;
}

/** Sends one request through the example and returns the trace id it answered with. */
async function request(example: ExampleName, url: string, i: number, runId: string, query: string) {
  if (example === 'express') {
    const target = `${url}/search?q=${encodeURIComponent(query)}`;
    const res = await send(target, {});
    await expectStatus(res, 200, `GET ${target}`);
    await res.body?.cancel();
    return header(res, `GET ${target}`);
  }
  if (example === 'worker') {
    const target = `${url}/ingest`;
    const res = await send(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        documents: [
          {
            id: `verify-${runId}-${i}`,
            title: 'milvus-otel verify',
            body: 'A document sent by milvus-otel verify to check the trace of an ingest job end to end.',
            category: 'verify',
          },
        ],
      }),
    });
    await expectStatus(res, 202, `POST ${target}`);
    await res.body?.cancel();
    return header(res, `POST ${target}`);
  }
  const target = `${url}/2015-03-31/functions/function/invocations`;
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: 'GET /search',
    rawPath: '/search',
    rawQueryString: `q=${encodeURIComponent(query)}`,
    queryStringParameters: { q: query },
    headers: { accept: 'application/json', 'user-agent': 'milvus-otel-verify' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'verify',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'GET',
        path: '/search',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'milvus-otel-verify',
      },
      requestId: `verify-${runId}-${i}`,
      routeKey: 'GET /search',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  const res = await send(target, { method: 'POST', body: JSON.stringify(event) });
  await expectStatus(res, 200, `POST ${target}`);
  const text = await res.text();
  let answer: { statusCode?: number; headers?: Record<string, string>; body?: string; errorMessage?: string };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new RequestError(`the function answered something other than JSON: ${text.slice(0, 300)}`);
  }
  if (answer.errorMessage) throw new RequestError(`the function failed: ${answer.errorMessage}`);
  if (answer.statusCode !== 200) {
    throw new RequestError(
      `the function answered statusCode ${answer.statusCode}: ${String(answer.body).slice(0, 300)}`,
    );
  }
  const id = Object.entries(answer.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-trace-id')?.[1];
  if (!id) throw new RequestError('the function answered without an x-trace-id header');
  return id;
}

const HOW_TO_START: Record<ExampleName, string> = {
  express: 'start the examples with `pnpm dev`, or point --express-url / EXPRESS_URL at the Express service',
  worker:
    'start the examples with `pnpm dev` (the Express service and its worker), or point --express-url / EXPRESS_URL at it',
  serverless:
    'start the examples with `pnpm dev` (the function in the Lambda runtime interface emulator), or point --lambda-url / LAMBDA_URL at it',
};

async function reachable(example: ExampleName, url: string): Promise<string | undefined> {
  try {
    const res = await fetch(example === 'serverless' ? url : `${url}/healthz`, {
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel();
    return undefined;
  } catch (error) {
    return `the ${example} example is not reachable at ${url} (${reason(error)}): ${HOW_TO_START[example]}`;
  }
}

async function pool<T>(items: number, concurrency: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(items);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items)) }, async () => {
    while (next < items) {
      const i = next++;
      results[i] = await run(i);
    }
  });
  await Promise.all(lanes);
  return results;
}

async function verifyExample(
  example: ExampleName,
  url: string,
  options: Required<Pick<VerifyOptions, 'count' | 'concurrency' | 'timeoutMs' | 'query'>> &
    Pick<VerifyOptions, 'onTrace'> & { jaegerUrl: string; expectation: TraceExpectation },
): Promise<ExampleResult> {
  const unreachable = await reachable(example, url);
  if (unreachable) {
    return {
      example,
      url,
      requests: 0,
      complete: 0,
      ok: false,
      error: unreachable,
      traces: [],
      failures: [],
    };
  }
  const runId = randomUUID().slice(0, 8);
  // A Lambda runtime (and the emulator in front of it) runs one invocation at a time, like one function instance:
  // its invocations go one after another, while their traces are still awaited side by side.
  let queue: Promise<unknown> = Promise.resolve();
  const send = (i: number): Promise<string> => {
    if (example !== 'serverless') return request(example, url, i, runId, options.query);
    const sent = queue.then(() => request(example, url, i, runId, options.query));
    queue = sent.catch(() => undefined);
    return sent;
  };
  const outcomes = await pool(options.count, options.concurrency, async (i) => {
    let traceId: string | undefined;
    let trace: Trace | undefined;
    let failures: VerifyFailure[];
    try {
      traceId = await send(i);
      trace = await waitForTrace(options.jaegerUrl, traceId, {
        complete: (t) => checkTrace(t, options.expectation).length === 0,
        timeoutMs: options.timeoutMs,
      });
      failures = checkTrace(trace, options.expectation).map((f) => ({ traceId, ...f }));
    } catch (error) {
      if (!(error instanceof RequestError || error instanceof JaegerError)) throw error;
      failures = [{ traceId, check: 'request', message: error.message }];
    }
    const result: TraceResult = {
      traceId,
      ok: failures.length === 0,
      spans: trace?.spans.length ?? 0,
      failures,
    };
    options.onTrace?.(example, result);
    return { result, trace };
  });
  const traces = outcomes.map((o) => o.result);
  const complete = traces.filter((t) => t.ok).length;
  const sample = (outcomes.find((o) => !o.result.ok && o.trace) ?? outcomes.find((o) => o.trace))?.trace;
  return {
    example,
    url,
    requests: traces.length,
    complete,
    ok: complete === traces.length && traces.length > 0,
    traces,
    failures: traces.flatMap((t) => t.failures),
    ...(sample ? { sample } : {}),
  };
}

/**
 * Sends `count` real requests through each example, takes the trace id each response carries (`x-trace-id`),
 * waits for the trace in Jaeger and checks it is one connected trace from the entry span through the Milvus client
 * span into the Milvus server's spans (for the worker: through the queue's producer and consumer spans).
 */
export async function verifyExamples(options: VerifyOptions = {}): Promise<VerifyResult> {
  const defaults = verifyDefaults();
  const jaegerUrl = trim(options.jaegerUrl ?? defaults.jaegerUrl);
  try {
    await pingJaeger(jaegerUrl);
  } catch (error) {
    if (!(error instanceof JaegerError)) throw error;
    return { ok: false, jaegerUrl, error: error.message, examples: [] };
  }
  const examples = options.examples?.length ? options.examples : EXAMPLE_NAMES;
  const common = {
    count: Math.max(1, options.count ?? 5),
    concurrency: Math.max(1, options.concurrency ?? 4),
    timeoutMs: options.timeoutMs ?? 30_000,
    query: options.query ?? 'vector database tracing',
    jaegerUrl,
    ...(options.onTrace ? { onTrace: options.onTrace } : {}),
  };
  const results: ExampleResult[] = [];
  for (const example of examples) {
    const url = trim(
      example === 'serverless'
        ? (options.lambdaUrl ?? defaults.lambdaUrl)
        : (options.expressUrl ?? defaults.expressUrl),
    );
    const expectation = options.expectations?.[example] ?? EXPECTATIONS[example];
    results.push(await verifyExample(example, url, { ...common, expectation }));
  }
  return { ok: results.every((r) => r.ok), jaegerUrl, examples: results };
}

/** "5/5 complete, linked traces (100%)" */
export function summarize(result: ExampleResult): string {
  if (result.error) return result.error;
  const pct = result.requests ? Math.round((result.complete / result.requests) * 100) : 0;
  return `${result.complete}/${result.requests} complete, linked traces (${pct}%)`;
}
