import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Trace, TraceSpan } from '@milvus-otel/jaeger-query';
import { clientEnv, freePort, loadSettings } from '@milvus-otel/stack';

export { freePort };

import { storedIds as storedIdsIn } from '@milvus-otel/stack/stored-ids';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';

export const stackEnv = clientEnv(loadSettings());
export const jaegerUrl = stackEnv.JAEGER_QUERY_URL as string;
export const redisUrl = stackEnv.REDIS_URL as string;
export const milvusAddress = stackEnv.MILVUS_ADDRESS as string;
const appDir = fileURLToPath(new URL('..', import.meta.url));

/** A name Milvus and BullMQ accept, unique per run. */
export const unique = (prefix: string) => `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;

/** The environment of the app pointed at the local stack, without REDIS_URL unless given. */
export function appEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MILVUS_ADDRESS: milvusAddress,
    OTEL_EXPORTER_OTLP_ENDPOINT: stackEnv.OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface RunningApp {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the app as users do (`node --import @milvus-otel/node/register src/server.ts`) and waits until it listens. */
export async function startApp(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', '@milvus-otel/node/register', 'src/server.ts'], {
    cwd: appDir,
    env: { ...env, PORT: String(port) },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`app did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout.on('data', () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code}) before listening:\n${output}`));
    });
  });
  await listening;
  return { url: `http://127.0.0.1:${port}`, child, output: () => output, exited };
}

/** Runs the app to its end (for start-up failures). */
export function runApp(env: NodeJS.ProcessEnv, timeoutMs = 30_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', '@milvus-otel/node/register', 'src/server.ts'], {
      cwd: appDir,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export const serverSpan = (t: Trace, service: string, name: string): TraceSpan | undefined =>
  t.spans.find((s) => s.service === service && s.tags['span.kind'] === 'server' && s.name === name);

/** Drops a test collection (the app created it). */
export async function dropCollection(name: string): Promise<void> {
  const milvus = new MilvusClient({ address: milvusAddress, logLevel: 'error' });
  try {
    await milvus.dropCollection({ collection_name: name });
  } finally {
    await milvus.closeConnection();
  }
}

/** Which of `ids` the collection holds (Strong consistency), in natural order. */
export async function storedIds(collection: string, ids: readonly string[]): Promise<string[]> {
  const milvus = new MilvusClient({ address: milvusAddress, logLevel: 'error' });
  try {
    return await storedIdsIn(milvus, collection, ids);
  } finally {
    await milvus.closeConnection();
  }
}

export { type LateMilvus, lateMilvus } from '@milvus-otel/stack';
