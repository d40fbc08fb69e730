import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clientEnv, type JaegerTrace, loadSettings, waitForTrace } from '@milvus-otel/stack';

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

/** Waits for a trace whose spans include every name in `names` (service:name). */
export function traceWith(
  traceId: string,
  names: string[],
  timeoutMs = 20_000,
): Promise<JaegerTrace | undefined> {
  return waitForTrace(
    jaegerUrl,
    traceId,
    (t) => names.every((n) => t.spans.some((s) => `${s.service}:${s.name}` === n)),
    timeoutMs,
  );
}
