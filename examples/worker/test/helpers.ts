import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildTrace, type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import type { Job, Queue } from 'bullmq';

export const stackEnv = clientEnv(loadSettings());
export const jaegerUrl = stackEnv.JAEGER_QUERY_URL as string;
export const exampleDir = fileURLToPath(new URL('..', import.meta.url));
export const unique = (prefix: string) => `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;

/** The environment of the worker / the CLI, pointed at the local stack; `extra` wins. */
export function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...stackEnv,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    PORT: '0',
    ...extra,
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process running an entry point with the tracing preset, its output collected. */
export class App {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(entry: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', '@milvus-otel/node/register', entry, ...args], {
      cwd: exampleDir,
      env,
    });
    this.child.stdout?.on('data', (d) => (this.stdout += d));
    this.child.stderr?.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Resolves with the first match of `pattern` in stdout; rejects with the output when the time is up or it exits. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void this.exited.then(() => (done = true));
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (done || Date.now() > deadline) {
        throw new Error(`no ${pattern} in the output:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export async function startWorker(env: NodeJS.ProcessEnv): Promise<{ app: App; port: number }> {
  const app = new App('src/worker.ts', [], env);
  const [, port] = await app.waitFor(/health on http:\/\/127\.0\.0\.1:(\d+)/);
  await app.waitFor(/consuming queue/);
  return { app, port: Number(port) };
}

/** Runs the enqueue CLI to the end; returns the job and trace ids it printed. */
export async function enqueue(args: string[], env: NodeJS.ProcessEnv) {
  const app = new App('src/enqueue.ts', args, env);
  const exit = await app.exited;
  const match = app.stdout.match(/queued job (\S+) on .*, trace ([0-9a-f]{32})/);
  if (exit.code !== 0 || !match)
    throw new Error(`enqueue failed (${exit.code}):\n${app.stdout}\n${app.stderr}`);
  return { jobId: match[1] as string, traceId: match[2] as string };
}

/** Polls until the job reaches one of `states`. */
export async function waitForJob(
  queue: Queue,
  id: string,
  states: string[] = ['completed', 'failed'],
  timeoutMs = 30_000,
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(id);
    const state = job ? await job.getState() : 'missing';
    // Read it again once the state is final: the first read may predate the transition (attempts, failedReason).
    if (job && states.includes(state)) return (await queue.getJob(id)) ?? job;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${state}, not ${states.join('/')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polls Jaeger's OTLP query API until `complete(trace)`, and returns the trace: the last one seen when the time is
 * up (no spans when Jaeger never had it), so assertions say what is missing. The OTLP API (v3), unlike the v1 JSON,
 * keeps a job span's parent (the producer span) and its link to the producer apart.
 */
export async function readTrace(
  traceId: string,
  complete: (trace: Trace) => boolean,
  timeoutMs = 30_000,
): Promise<Trace> {
  const trace = await waitForTrace(jaegerUrl, traceId, { api: 'v3', complete, timeoutMs, settleMs: 0 });
  return trace ?? buildTrace({ resourceSpans: [] });
}

export { type LateMilvus, lateMilvus } from '@milvus-otel/stack';
export { storedIds } from '@milvus-otel/stack/stored-ids';
