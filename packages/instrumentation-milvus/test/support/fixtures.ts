import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { searchTraces, type Trace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';

const run = promisify(execFile);

export const stackEnv = clientEnv(loadSettings());
export const JAEGER = stackEnv.JAEGER_QUERY_URL as string;

export interface FixtureSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  scope: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: string[];
}

export interface FixtureCall {
  method: string;
  traceparent: string[];
  tracestate: string[];
  baggage: string[];
}

export interface FixtureResult {
  traceId: string;
  rootSpanId: string;
  sdkVersion: string;
  patched: boolean;
  results: Record<string, string>;
  spans: FixtureSpan[];
  metadata: FixtureCall[];
}

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/**
 * Runs a fixture app in its own Node.js process with the OpenTelemetry set-up preloaded (`--import register.ts`),
 * and returns the JSON line it prints.
 */
export async function runFixture(
  app: 'app.cjs' | 'app.mjs',
  env: Record<string, string>,
): Promise<FixtureResult> {
  const { stdout, stderr } = await run(process.execPath, ['--import', fixture('register.ts'), fixture(app)], {
    env: { ...process.env, ...stackEnv, ...env },
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`${app} failed: ${error.message}\n${error.stderr ?? ''}`);
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as FixtureResult;
  } catch {
    throw new Error(`${app} printed no result:\n${stdout}\n${stderr}`);
  }
}

/** Ids of the traces Jaeger holds for a service from the last hour (each test run uses a service name of its own). */
export async function traceIdsOfService(service: string): Promise<string[]> {
  const traces = await searchTraces(JAEGER, { service, start: Date.now() - 3_600_000, limit: 100 });
  return traces.map((t) => t.traceId);
}

/**
 * True once the trace holds, for each proxy span name, the proxy span, its RPC server span and the client-side
 * span above that (the server exports its spans in batches of its own, so they can arrive one by one).
 */
export function hopsComplete(trace: Trace, proxySpans: readonly string[]): boolean {
  return proxySpans.every((name) => {
    const hops = serverHop(trace, name);
    return hops.length > 0 && hops.every((hop) => hop.rpc !== undefined && hop.client !== undefined);
  });
}

/** The Milvus proxy span of an operation (service `standalone`), its RPC server span, and the span above that. */
export function serverHop(trace: Trace, proxySpan: string) {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  return trace.spans
    .filter((s) => s.service === 'standalone' && s.name === proxySpan)
    .map((proxy) => {
      const rpc = proxy.parentId ? byId.get(proxy.parentId) : undefined;
      const client = rpc?.parentId ? byId.get(rpc.parentId) : undefined;
      return { proxy, rpc, client };
    });
}

/**
 * Runs tasks at most `concurrency` at a time. The fixture runs of a suite are started together up front (most of
 * their time is spent waiting for spans to reach Jaeger) and each test awaits its own.
 */
export function limiter(concurrency: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= concurrency) return;
    const start = queue.shift();
    if (start) {
      active += 1;
      start();
    }
  };
  return <T>(task: () => Promise<T>): Promise<T> => {
    const promise = new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active -= 1;
            next();
          });
      });
    });
    next();
    // Awaited later by the test that owns it; a failure is reported there, not as an unhandled rejection.
    promise.catch(() => undefined);
    return promise;
  };
}
