import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';

export const stackEnv = clientEnv(loadSettings());
export const jaegerUrl = stackEnv.JAEGER_QUERY_URL as string;
export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const unique = (prefix: string) => `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;

/** Environment of an app pointed at the local stack over OTLP/gRPC. */
export function appEnv(serviceName: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MILVUS_ADDRESS: stackEnv.MILVUS_ADDRESS,
    OTEL_EXPORTER_OTLP_ENDPOINT: stackEnv.OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_SERVICE_NAME: serviceName,
    ...extra,
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs node with the given arguments to the end. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunResult> {
  const began = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - began });
    });
  });
}

export const execNode = promisify(execFile);

export interface StartedApp {
  child: ChildProcess;
  /** The first chunk the app printed on stdout (the fixtures print one JSON line once ready). */
  firstLine: string;
  /** The signal that ended it, once it has. */
  exited: Promise<NodeJS.Signals | null>;
  /** What it wrote on stderr so far. */
  stderr: () => string;
}

/**
 * Starts `node <args>` from the package folder and waits for its first output line; fails, with the app's stderr,
 * if it ends before printing one.
 */
export async function startApp(args: string[], env: NodeJS.ProcessEnv): Promise<StartedApp> {
  const child = spawn(process.execPath, args, { env, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const firstLine = await Promise.race([
    new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d)))),
    exited.then((): never => {
      throw new Error(`the app ended before it was ready: ${stderr}`);
    }),
  ]);
  return { child, firstLine, exited, stderr: () => stderr };
}

/** Waits for a trace whose spans include every name in `names` (service:name). */
export function traceWith(traceId: string, names: string[], timeoutMs = 20_000): Promise<Trace | undefined> {
  return waitForTrace(jaegerUrl, traceId, {
    complete: (t) => names.every((n) => t.spans.some((s) => `${s.service}:${s.name}` === n)),
    timeoutMs: timeoutMs,
    settleMs: 0,
  });
}
