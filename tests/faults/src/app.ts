/**
 * Runs the Express example as users do (`node --import @milvus-otel/node/register src/server.ts` in its folder) on a
 * free port, with a collection and a service name of its own, and reads its traces back from Jaeger.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OtlpTracesJson, searchTraces, type Trace } from '@milvus-otel/jaeger-query';
import { clientEnv, freePort, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';

export const settings = loadSettings();
export const stackEnv = clientEnv(settings);
export const jaegerUrl = stackEnv.JAEGER_QUERY_URL as string;
export const milvusAddress = stackEnv.MILVUS_ADDRESS as string;
export const milvusPort = settings.ports.milvus.port;
export const otlpGrpcPort = settings.ports.otlpGrpc.port;

const expressDir = dirname(
  fileURLToPath(import.meta.resolve('@milvus-otel/example-express-service/package.json')),
);

/** A name Milvus and Jaeger accept, unique per run. */
export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

export { freePort };

export interface RunningApp {
  readonly url: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (test clean-up). */
  kill(): void;
}

/**
 * Starts the Express example with the stack's client environment plus `env` (MILVUS_ADDRESS, OTEL_* overrides…) and
 * resolves once it listens. No REDIS_URL: the fault tests do not use the queue.
 */
export async function startExpress(env: Record<string, string>, timeoutMs = 60_000): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', '@milvus-otel/node/register', 'src/server.ts'], {
    cwd: expressDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // vitest sets NODE_ENV=test, which turns on the Milvus SDK's debug log of every request.
      NODE_ENV: 'production',
      MILVUS_ADDRESS: milvusAddress,
      OTEL_EXPORTER_OTLP_ENDPOINT: stackEnv.OTEL_EXPORTER_OTLP_ENDPOINT,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`app did not start in ${timeoutMs} ms:\n${stdout}${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on('data', () => {
      if (stdout.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${signal ?? code}) before listening:\n${stdout}${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Drops a test collection (the app created it); a missing one is fine. */
export async function dropCollection(name: string): Promise<void> {
  const milvus = new MilvusClient({ address: milvusAddress, logLevel: 'error' });
  try {
    await milvus.dropCollection({ collection_name: name });
  } finally {
    await milvus.closeConnection();
  }
}

/* ---------- traffic ---------- */

export interface Sample {
  /** ms since the run started, when the request was sent. */
  readonly at: number;
  readonly phase: string;
  /** 0 when the request itself failed (connection refused/reset, client timeout). */
  readonly status: number;
  readonly ms: number;
  readonly traceId: string | undefined;
  readonly body: string;
  readonly error?: string;
}

export async function timedFetch(
  url: string,
  phase: string,
  start: number,
  init: RequestInit = {},
  timeoutMs = 15_000,
): Promise<Sample> {
  const at = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return {
      at: at - start,
      phase,
      status: res.status,
      ms: performance.now() - at,
      traceId: res.headers.get('x-trace-id') ?? undefined,
      body,
    };
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return {
      at: at - start,
      phase,
      status: 0,
      ms: performance.now() - at,
      traceId: undefined,
      body: '',
      error: `${e.name}: ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`,
    };
  }
}

/**
 * Open-loop traffic: one request every `1000 / ratePerSecond` ms whatever the answers take (a slow app does not
 * slow the load down), tagged with the phase current when it was sent. `stop()` resolves with every sample.
 */
export function steadyTraffic(
  makeUrl: (i: number) => string,
  ratePerSecond: number,
  phase: () => string,
): { stop(): Promise<Sample[]> } {
  const start = performance.now();
  const pending: Promise<Sample>[] = [];
  let i = 0;
  const timer = setInterval(() => {
    pending.push(timedFetch(makeUrl(i++), phase(), start));
  }, 1000 / ratePerSecond);
  return {
    async stop() {
      clearInterval(timer);
      return Promise.all(pending);
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export const round = (n: number) => Math.round(n * 10) / 10;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/* ---------- Jaeger ---------- */

/** The search window of the Jaeger reads below: the last hour, and a minute ahead for clock skew. */
const searchWindow = () => ({ start: Date.now() - 60 * 60 * 1000, end: Date.now() + 60_000 });

/**
 * Every trace with a span of `service` that Jaeger has, as span trees. Jaeger's search returns whole traces, so the
 * Milvus server's spans of those traces come along.
 */
export function tracesOfService(service: string, limit = 5000): Promise<Trace[]> {
  return searchTraces(jaegerUrl, { service, limit, ...searchWindow(), timeoutMs: 20_000 });
}

/**
 * The same search as Jaeger answers it: the OTLP JSON of every span of those traces, with everything Jaeger keeps
 * (resource and scope, attributes, events, links, status).
 */
export async function rawTracesOfService(service: string, limit = 5000): Promise<OtlpTracesJson> {
  const { start, end } = searchWindow();
  const query = new URLSearchParams({
    'query.service_name': service,
    'query.start_time_min': new Date(start).toISOString(),
    'query.start_time_max': new Date(end).toISOString(),
    'query.num_traces': String(limit),
  });
  const url = `${jaegerUrl}/api/v3/traces?${query}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  // 404: no trace found.
  if (res.status === 404) return { resourceSpans: [] };
  if (!res.ok) throw new Error(`Jaeger ${url} answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { result?: OtlpTracesJson | null };
  return body.result ?? { resourceSpans: [] };
}
