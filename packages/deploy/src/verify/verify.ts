import { randomUUID } from 'node:crypto';
import { JaegerError, pingJaeger, type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { type CheckName, checkTrace, type TraceExpectation } from './check.js';
import { type ResolvedTarget, resolveTargets, type VerifyTarget } from './targets.js';

export interface VerifyOptions {
  /** The requests to send and the trace each must give (e.g. from parseVerifyTargets). */
  readonly targets: readonly VerifyTarget[];
  /** Requests per target. @default 5 */
  readonly count?: number;
  /** Requests (and trace look-ups) in flight at once, per target. @default 4 */
  readonly concurrency?: number;
  /** Jaeger query API. @default JAEGER_QUERY_URL or http://127.0.0.1:16686 */
  readonly jaegerUrl?: string;
  /** How long to wait for each trace to be complete in Jaeger, ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Called as each trace is checked (progress). */
  readonly onTrace?: (target: string, result: TraceResult) => void;
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

export interface TargetResult {
  readonly name: string;
  /** The request's URL (placeholders such as {{i}} left as written). */
  readonly url: string;
  /** Requests sent. */
  readonly requests: number;
  /** Traces that passed every check. */
  readonly complete: number;
  readonly ok: boolean;
  /** The target could not be reached at all (then nothing else was tried). */
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
  /** Jaeger could not be reached (then no target was tried). */
  readonly error?: string;
  readonly targets: readonly TargetResult[];
}

export const defaultJaegerUrl = (env: Readonly<Record<string, string | undefined>> = process.env) =>
  env.JAEGER_QUERY_URL || 'http://127.0.0.1:16686';

const trim = (url: string) => url.replace(/\/+$/, '');

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

class RequestError extends Error {}

/** What each request fills in: `{{i}}` its index, `{{run}}` an id of this run (unique ids), `{{now}}`, `{{nowMs}}`. */
function placeholders(i: number, run: string): Record<string, string | number> {
  const now = new Date();
  return { i, run, now: now.toISOString(), nowMs: now.getTime() };
}

function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (all, name: string) => (name in values ? String(values[name]) : all));
}

/** In a JSON body, a string that is only `{{i}}` or `{{nowMs}}` becomes the number. */
function fillJson(value: unknown, values: Record<string, string | number>): unknown {
  if (typeof value === 'string') {
    const only = /^\{\{(\w+)\}\}$/.exec(value)?.[1];
    if (only !== undefined && typeof values[only] === 'number') return values[only];
    return fill(value, values);
  }
  if (Array.isArray(value)) return value.map((v) => fillJson(v, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, values)]));
  }
  return value;
}

/** `headers.x-trace-id` in `{ headers: { 'X-Trace-Id': … } }`: keys match exactly, else ignoring case. */
function atPath(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    const record = at as Record<string, unknown>;
    at =
      key in record
        ? record[key]
        : Object.entries(record).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  }
  return at;
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new RequestError(`${init.method ?? 'GET'} ${url} failed (${reason(error)})`);
  }
}

/** Sends one request of the target and returns the trace id it answered with. */
async function request(target: ResolvedTarget, i: number, run: string): Promise<string> {
  const values = placeholders(i, run);
  const { method, body } = target.request;
  const url = fill(target.request.url, values);
  const headers = Object.fromEntries(
    Object.entries(target.request.headers).map(([k, v]) => [k.toLowerCase(), fill(v, values)]),
  );
  let payload: string | undefined;
  if (typeof body === 'string') payload = fill(body, values);
  else if (body !== undefined) {
    payload = JSON.stringify(fillJson(body, values));
    headers['content-type'] ??= 'application/json';
  }
  const what = `${method} ${url}`;
  const res = await send(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const statusOk = target.status === undefined ? res.ok : res.status === target.status;
  if (!statusOk) {
    throw new RequestError(
      `${what} answered ${res.status} (expected ${target.status ?? '2xx'}): ${(await res.text()).slice(0, 300)}`,
    );
  }
  const idPath = target.traceId.json;
  if (idPath === undefined && target.expectJson === undefined) {
    await res.body?.cancel();
  } else {
    const text = await res.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new RequestError(`${what} answered something other than JSON: ${text.slice(0, 300)}`);
    }
    for (const [path, want] of Object.entries(target.expectJson ?? {})) {
      const got = atPath(answer, path);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new RequestError(
          `${what} answered ${path} = ${JSON.stringify(got)} (expected ${JSON.stringify(want)}): ${text.slice(0, 300)}`,
        );
      }
    }
    if (idPath !== undefined) {
      const id = atPath(answer, idPath);
      if (typeof id !== 'string' || !id) {
        throw new RequestError(`${what} answered without a trace id at ${idPath}: ${text.slice(0, 300)}`);
      }
      return id;
    }
  }
  const header = target.traceId.header as string;
  const id = res.headers.get(header);
  if (!id) throw new RequestError(`${what} answered without an ${header} header`);
  return id;
}

async function unreachable(target: ResolvedTarget): Promise<string | undefined> {
  if (!target.health) return undefined;
  const { url, hint } = target.health;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return undefined;
  } catch (error) {
    return `${target.name} is not reachable at ${url} (${reason(error)})${hint ? `: ${hint}` : ''}`;
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

async function verifyTarget(
  target: ResolvedTarget,
  options: { count: number; concurrency: number; timeoutMs: number; jaegerUrl: string } & Pick<
    VerifyOptions,
    'onTrace'
  >,
): Promise<TargetResult> {
  const base = { name: target.name, url: target.request.url };
  const error = await unreachable(target);
  if (error) return { ...base, requests: 0, complete: 0, ok: false, error, traces: [], failures: [] };
  const run = randomUUID().slice(0, 8);
  const expectation: TraceExpectation = target.expect;
  // A serial target (e.g. a Lambda runtime, one invocation at a time like one function instance) gets its requests
  // one after another, while their traces are still awaited side by side.
  let queue: Promise<unknown> = Promise.resolve();
  const sendOne = (i: number): Promise<string> => {
    if (!target.serial) return request(target, i, run);
    const sent = queue.then(() => request(target, i, run));
    queue = sent.catch(() => undefined);
    return sent;
  };
  const outcomes = await pool(options.count, options.concurrency, async (i) => {
    let traceId: string | undefined;
    let trace: Trace | undefined;
    let failures: VerifyFailure[];
    try {
      traceId = await sendOne(i);
      trace = await waitForTrace(options.jaegerUrl, traceId, {
        complete: (t) => checkTrace(t, expectation).length === 0,
        timeoutMs: options.timeoutMs,
      });
      failures = checkTrace(trace, expectation).map((f) => ({ traceId, ...f }));
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
    options.onTrace?.(target.name, result);
    return { result, trace };
  });
  const traces = outcomes.map((o) => o.result);
  const complete = traces.filter((t) => t.ok).length;
  const sample = (outcomes.find((o) => !o.result.ok && o.trace) ?? outcomes.find((o) => o.trace))?.trace;
  return {
    ...base,
    requests: traces.length,
    complete,
    ok: complete === traces.length && traces.length > 0,
    traces,
    failures: traces.flatMap((t) => t.failures),
    ...(sample ? { sample } : {}),
  };
}

/**
 * Sends `count` real requests to each target, takes the trace id each answer carries, waits for the trace in Jaeger
 * and checks it has the expected shape: one connected trace from the entry span through the Milvus client span into
 * the Milvus server's spans (and, when expected, through a queue's producer and consumer spans). Targets run one
 * after another.
 */
export async function verifyTraces(options: VerifyOptions): Promise<VerifyResult> {
  const targets = resolveTargets(options.targets);
  const jaegerUrl = trim(options.jaegerUrl ?? defaultJaegerUrl());
  try {
    await pingJaeger(jaegerUrl);
  } catch (error) {
    if (!(error instanceof JaegerError)) throw error;
    return { ok: false, jaegerUrl, error: error.message, targets: [] };
  }
  const common = {
    count: Math.max(1, options.count ?? 5),
    concurrency: Math.max(1, options.concurrency ?? 4),
    timeoutMs: options.timeoutMs ?? 30_000,
    jaegerUrl,
    ...(options.onTrace ? { onTrace: options.onTrace } : {}),
  };
  const results: TargetResult[] = [];
  for (const target of targets) results.push(await verifyTarget(target, common));
  return { ok: results.length > 0 && results.every((r) => r.ok), jaegerUrl, targets: results };
}

/** "5/5 complete, linked traces (100%)" */
export function summarize(result: TargetResult): string {
  if (result.error) return result.error;
  const pct = result.requests ? Math.round((result.complete / result.requests) * 100) : 0;
  return `${result.complete}/${result.requests} complete, linked traces (${pct}%)`;
}
