import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/** A span read back from Jaeger's OTLP query API (api/v3), which keeps the parent and the links apart. */
export interface Span {
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  service: string;
  kind: number;
  links: { traceId: string; spanId: string }[];
  status: { code?: number | string; message?: string };
  events: { name: string; attributes: Record<string, unknown> }[];
  attributes: Record<string, unknown>;
}

type OtlpValue = { stringValue?: string; intValue?: string; boolValue?: boolean; doubleValue?: number };
type OtlpAttributes = { key: string; value: OtlpValue }[] | undefined;

const attributes = (list: OtlpAttributes) =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue)),
    ]),
  );

export async function getSpans(traceId: string): Promise<Span[] | undefined> {
  const res = await fetch(`${jaegerUrl}/api/v3/traces/${traceId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Jaeger answered ${res.status} for trace ${traceId}`);
  const body = (await res.json()) as {
    result: {
      resourceSpans: {
        resource: { attributes: OtlpAttributes };
        scopeSpans: {
          spans: {
            spanId: string;
            parentSpanId?: string;
            name: string;
            kind: number;
            links?: { traceId: string; spanId: string }[];
            status?: { code?: number | string; message?: string };
            events?: { name: string; attributes?: OtlpAttributes }[];
            attributes?: OtlpAttributes;
          }[];
        }[];
      }[];
    };
  };
  return body.result.resourceSpans.flatMap((rs) => {
    const service = String(attributes(rs.resource.attributes)['service.name']);
    return rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        spanId: s.spanId,
        parentSpanId: s.parentSpanId || undefined,
        name: s.name,
        service,
        kind: s.kind,
        links: s.links ?? [],
        status: s.status ?? {},
        events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attributes(e.attributes) })),
        attributes: attributes(s.attributes),
      })),
    );
  });
}

/** Polls Jaeger until `complete(spans)`; returns the last spans seen, so assertions say what is missing. */
export async function waitForSpans(
  traceId: string,
  complete: (spans: Span[]) => boolean,
  timeoutMs = 30_000,
): Promise<Span[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Span[] = [];
  for (;;) {
    last = (await getSpans(traceId)) ?? last;
    if (complete(last) || Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function descendsFrom(spans: Span[], span: Span, ancestorId: string): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const seen = new Set<string>();
  for (let parent = span.parentSpanId; parent && !seen.has(parent); parent = byId.get(parent)?.parentSpanId) {
    if (parent === ancestorId) return true;
    seen.add(parent);
  }
  return false;
}

export const isError = (span: Span) => span.status.code === 2 || span.status.code === 'STATUS_CODE_ERROR';
export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export { type LateMilvus, lateMilvus } from '@milvus-otel/stack';
export { storedIds } from '@milvus-otel/stack/stored-ids';
