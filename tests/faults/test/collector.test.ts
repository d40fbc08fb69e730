/**
 * The OTLP collector goes away, hangs, or comes back slow while the Express example serves steady traffic. The app
 * sits behind a TCP proxy of ours in front of Jaeger's OTLP gRPC receiver; the shared stack itself is never touched.
 *
 * Each scenario ends with SIGTERM to the app (it drains and flushes), then reads every trace of the run back from
 * Jaeger and accounts for every span: each answered request has exactly two spans of the app (`GET /search` and
 * `search <collection>`), and every one of them is either in Jaeger or counted as dropped by the preset (its
 * "resumed after … ; N span(s) dropped meanwhile" line) — the two numbers must be equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropCollection,
  otlpGrpcPort,
  percentile,
  round,
  type Sample,
  sleep,
  startExpress,
  steadyTraffic,
  timedFetch,
  tracesOfService,
  unique,
} from '../src/app.ts';
import { type ProxyMode, startProxy } from '../src/proxy.ts';

const RATE_PER_SECOND = 20;
const BEFORE_MS = 3_000;
const WARM_UP_REQUESTS = 20;
/** Spans of the app per answered search: the HTTP server span and the Milvus client span. */
const SPANS_PER_REQUEST = 2;
/** OTEL_EXPORTER_OTLP_TIMEOUT of the app: the most one export may take. */
const EXPORT_TIMEOUT_MS = 1_000;
/** A failing collector may cost a request at most this much at p95, well under the export timeout. */
const LATENCY_MARGIN_MS = 150;
/**
 * Once the collector is back, the first export succeeds within this bound: the preset's retry back-off is at most
 * 5 s and every retry dials afresh, plus one connection and one export, plus slack for a loaded 2-core machine.
 * (Before the fix the gRPC channel's own reconnect back-off — ×1.6 per failure, up to 120 s — decided, and after a
 * 120 s outage nothing was exported for minutes.)
 */
const RESUME_WITHIN_MS = 9_000;
const DROP_WARNING = '@milvus-otel/node: dropped';
const RESUMED =
  /@milvus-otel\/node: exporting spans to \S+ resumed after [\d.]+ s; (\d+) span\(s\) dropped meanwhile/g;
const STALLED = '@milvus-otel/node: no span exported to';

interface Scenario {
  fault: Extract<ProxyMode, 'down' | 'hang'>;
  faultMs: number;
  /** What the collector does when the fault ends. */
  recovery: Extract<ProxyMode, 'up' | 'slow'>;
  afterMs: number;
  exportTimeoutMs: number;
  /** Extra time the first export may take after the collector's return (a slow collector's answers). */
  slowerByMs?: number;
}

const resumeWithin = (s: Scenario) => RESUME_WITHIN_MS + (s.slowerByMs ?? 0);

interface Outcome {
  samples: Sample[];
  warmUp: Sample[];
  log: string;
  proxyConnections: number;
  /** When the fault ended and when the app logged that exporting resumed, in the samples' clock. */
  restoredAt: number;
  resumedAt: number | undefined;
  /** Trace ids in Jaeger (with the app's server span) before SIGTERM: what the running app exported on its own. */
  exportedWhileRunning: Set<string>;
  /** After the app's exit: spans of the app in Jaeger per trace id. */
  appSpans: Map<string, number>;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

const collection = unique('faults_collector');
afterAll(async () => {
  await dropCollection(collection);
});

/** Starts the app behind a fresh proxy, drives before → fault → after, stops the app, reads Jaeger back. */
async function observe(s: Scenario): Promise<Outcome> {
  const service = unique(`faults_collector_${s.fault}_${s.recovery}`);
  const proxy = await startProxy(otlpGrpcPort);
  const app = await startExpress({
    OTEL_SERVICE_NAME: service,
    DOCS_COLLECTION: collection,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${proxy.address}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: String(s.exportTimeoutMs),
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  try {
    const start = performance.now();
    // Warm up (JIT, the Milvus channel, the first export that builds the OTLP exporter).
    const warmUp: Sample[] = [];
    for (let i = 0; i < WARM_UP_REQUESTS; i++)
      warmUp.push(await timedFetch(`${app.url}/search?q=warm+up+${i}`, 'warm-up', start));
    await sleep(500);

    let phase = 'before';
    const trafficStart = performance.now(); // the samples' clock
    const traffic = steadyTraffic(
      (i) => `${app.url}/search?q=steady+${s.fault}+${i}&limit=3`,
      RATE_PER_SECOND,
      () => phase,
    );
    await sleep(BEFORE_MS);
    phase = 'fault';
    proxy.setMode(s.fault);
    await sleep(s.faultMs);
    phase = 'after';
    proxy.setMode(s.recovery);
    const restoredAt = performance.now() - trafficStart;
    let resumedAt: number | undefined;
    const logBefore = app.stderr().length;
    const watch = setInterval(() => {
      if (resumedAt === undefined && app.stderr().slice(logBefore).includes('resumed after'))
        resumedAt = performance.now() - trafficStart;
    }, 50);
    await sleep(s.afterMs);
    clearInterval(watch);
    const samples = await traffic.stop();

    // What the running app exported by itself (no flush): the requests of the after phase, once it resumed.
    const resumedBy = restoredAt + resumeWithin(s);
    const wanted = samples.filter((x) => x.at >= resumedBy).map((x) => x.traceId as string);
    const exportedWhileRunning = await waitForTraces(service, wanted, 20_000);

    app.child.kill('SIGTERM');
    const exit = await app.exited;
    const answered = [...warmUp, ...samples].filter((x) => x.status === 200);
    const appSpans = await appSpansPerTrace(
      service,
      answered.map((x) => x.traceId as string),
      20_000,
    );
    return {
      samples,
      warmUp,
      log: app.stdout() + app.stderr(),
      proxyConnections: proxy.accepted,
      restoredAt,
      resumedAt,
      exportedWhileRunning,
      appSpans,
      exit,
    };
  } finally {
    app.kill();
    await proxy.close();
  }
}

/** Polls Jaeger until every id in `ids` has the app's server span, or `timeoutMs`; returns those it has. */
async function waitForTraces(service: string, ids: string[], timeoutMs: number): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = await appSpansPerTrace(service, ids, 0);
    const found = new Set(ids.filter((id) => (spans.get(id) ?? 0) > 0));
    if (found.size === ids.length || Date.now() >= deadline) return found;
    await sleep(1000);
  }
}

/**
 * Spans of `service` per trace id (distinct span ids: a batch whose answer was lost is sent again), polled until every
 * trace has its two spans or the count stops changing for 3 s after the app exited (nothing more can arrive).
 */
async function appSpansPerTrace(
  service: string,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const wanted = new Set(ids);
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stable = 0;
  for (;;) {
    const counts = new Map<string, number>();
    for (const t of await tracesOfService(service, 10_000)) {
      if (!wanted.has(t.traceId)) continue;
      counts.set(t.traceId, new Set(t.spans.filter((x) => x.service === service).map((x) => x.spanId)).size);
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    stable = total === last ? stable + 1 : 0;
    last = total;
    if (total === ids.length * SPANS_PER_REQUEST || stable >= 3 || Date.now() >= deadline) return counts;
    await sleep(1000);
  }
}

function latency(samples: readonly Sample[], phase: string) {
  const ms = samples.filter((s) => s.phase === phase).map((s) => s.ms);
  return {
    n: ms.length,
    p50: round(percentile(ms, 50)),
    p95: round(percentile(ms, 95)),
    max: round(Math.max(...ms)),
  };
}

const complete = (o: Outcome, s: Sample) => o.appSpans.get(s.traceId as string) === SPANS_PER_REQUEST;

function exportedIn(o: Outcome, keep: (s: Sample) => boolean) {
  const picked = o.samples.filter(keep);
  return { sent: picked.length, inJaeger: picked.filter((s) => complete(o, s)).length };
}

/** Spans of answered requests that are not in Jaeger. */
function missingSpans(o: Outcome): number {
  return [...o.warmUp, ...o.samples]
    .filter((s) => s.status === 200)
    .reduce((sum, s) => sum + SPANS_PER_REQUEST - (o.appSpans.get(s.traceId as string) ?? 0), 0);
}

/** What the preset says it dropped: the sum of its "resumed … N span(s) dropped meanwhile" lines. */
const droppedPerLog = (o: Outcome) => [...o.log.matchAll(RESUMED)].reduce((sum, m) => sum + Number(m[1]), 0);
const count = (log: string, marker: string) => log.split(marker).length - 1;

/** Per second of the run: `<second> <phase>: in Jaeger/sent`. */
function timeline(o: Outcome): string {
  const end = Math.max(...o.samples.map((s) => s.at));
  const parts: string[] = [];
  for (let t = 0; t <= end; t += 1000) {
    const second = o.samples.filter((s) => s.at >= t && s.at < t + 1000);
    if (second.length === 0) continue;
    const e = exportedIn(o, (s) => s.at >= t && s.at < t + 1000);
    parts.push(`${t / 1000}s ${second[0]?.phase} ${e.inJaeger}/${e.sent}`);
  }
  return parts.join(', ');
}

function report(name: string, o: Outcome): void {
  const figures = {
    latencyMs: {
      before: latency(o.samples, 'before'),
      fault: latency(o.samples, 'fault'),
      after: latency(o.samples, 'after'),
    },
    inJaeger: {
      before: exportedIn(o, (s) => s.phase === 'before'),
      fault: exportedIn(o, (s) => s.phase === 'fault'),
      after: exportedIn(o, (s) => s.phase === 'after'),
    },
    resumedAfterMs: o.resumedAt === undefined ? null : round(o.resumedAt - o.restoredAt),
    missingSpans: missingSpans(o),
    droppedPerLog: droppedPerLog(o),
    proxyConnections: o.proxyConnections,
    exit: o.exit,
  };
  console.log(`${name}: ${JSON.stringify(figures)}\ntimeline (in Jaeger/sent): ${timeline(o)}`);
  console.log(
    o.log
      .split('\n')
      .filter((l) => l.startsWith('@milvus-otel/node'))
      .join('\n'),
  );
}

/** The checks every scenario shares. */
function commonChecks(get: () => Outcome, s: Scenario) {
  it('every request answers 200, and the app exits 0 on SIGTERM', () => {
    const o = get();
    expect(o.samples.filter((x) => x.status !== 200)).toEqual([]);
    expect(o.samples.filter((x) => x.phase === 'fault').length).toBeGreaterThanOrEqual(
      (s.faultMs / 1000) * RATE_PER_SECOND * 0.8,
    );
    expect(o.exit).toEqual({ code: 0, signal: null });
  });

  it(`p95 latency during and after the fault stays within the baseline's + ${LATENCY_MARGIN_MS} ms`, () => {
    const o = get();
    const before = latency(o.samples, 'before');
    expect(latency(o.samples, 'fault').p95).toBeLessThanOrEqual(before.p95 + LATENCY_MARGIN_MS);
    expect(latency(o.samples, 'after').p95).toBeLessThanOrEqual(before.p95 + LATENCY_MARGIN_MS);
  });

  it(`resumes within ${resumeWithin(s) / 1000} s of the collector's return, logged once, and exports on its own from then on`, () => {
    const o = get();
    expect(o.resumedAt, 'the "resumed after" line').toBeDefined();
    expect((o.resumedAt as number) - o.restoredAt).toBeLessThanOrEqual(resumeWithin(s));
    expect(count(o.log, 'resumed after')).toBe(1);
    const resumed = o.samples.filter((x) => x.at >= o.restoredAt + resumeWithin(s));
    expect(resumed.length).toBeGreaterThan(0);
    const late = resumed.filter((x) => !o.exportedWhileRunning.has(x.traceId as string));
    expect(
      late.map((x) => round(x.at - o.restoredAt)),
      'requests (ms after the return) not exported',
    ).toEqual([]);
  });

  it('accounts for every span: what is not in Jaeger is exactly what the preset counted as dropped', () => {
    const o = get();
    // The last second before the fault may still be queued when it starts; a long outage then drops those first.
    const before = exportedIn(o, (x) => x.phase === 'before' && x.at < BEFORE_MS - 1000);
    expect(before.inJaeger).toBe(before.sent);
    const after = exportedIn(o, (x) => x.phase === 'after');
    expect(after.inJaeger).toBe(after.sent);
    expect(missingSpans(o)).toBe(droppedPerLog(o));
    expect(count(o.log, DROP_WARNING)).toBeLessThanOrEqual(1);
  });
}

/** The spans of the fault that reached Jaeger are its newest ones: what was dropped is a prefix (oldest first). */
function droppedOldestFirst(o: Outcome): void {
  const fault = o.samples.filter((x) => x.phase === 'fault');
  const firstComplete = fault.findIndex((x) => complete(o, x));
  expect(firstComplete, 'no request of the fault in Jaeger').toBeGreaterThanOrEqual(0);
  const gaps = fault.slice(firstComplete).filter((x) => !complete(o, x));
  expect(
    gaps.map((x) => round(x.at)),
    'requests missing after the first one kept',
  ).toEqual([]);
}

const DOWN_30: Scenario = {
  fault: 'down',
  faultMs: 30_000,
  recovery: 'up',
  afterMs: 20_000,
  exportTimeoutMs: EXPORT_TIMEOUT_MS,
};
describe(`OTLP collector down for 30 s during ${RATE_PER_SECOND} req/s of GET /search`, () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await observe(DOWN_30);
    report('collector down 30 s', o);
  }, 180_000);
  commonChecks(() => o, DOWN_30);

  // 30 s at 20 req/s is ~1,200 spans: within the 2,048-span queue, so nothing may be dropped.
  it('exports every span of the outage once the collector is back (they fit in the queue)', () => {
    expect(exportedIn(o, (x) => x.phase === 'fault')).toEqual(
      expect.objectContaining({ inJaeger: o.samples.filter((x) => x.phase === 'fault').length }),
    );
    expect(droppedPerLog(o)).toBe(0);
  });
});

const DOWN_120: Scenario = {
  fault: 'down',
  faultMs: 120_000,
  recovery: 'up',
  afterMs: 20_000,
  exportTimeoutMs: EXPORT_TIMEOUT_MS,
};
describe('OTLP collector down for 120 s: more spans than the queue holds', () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await observe(DOWN_120);
    report('collector down 120 s', o);
  }, 300_000);
  commonChecks(() => o, DOWN_120);

  it('drops the oldest spans of the outage (counted), keeps the newest, and warns once that nothing was exported for 30 s', () => {
    expect(droppedPerLog(o)).toBeGreaterThan(0);
    droppedOldestFirst(o);
    expect(count(o.log, STALLED)).toBe(1);
  });
});

const HANG: Scenario = {
  fault: 'hang',
  faultMs: 5_000,
  recovery: 'up',
  afterMs: 15_000,
  exportTimeoutMs: EXPORT_TIMEOUT_MS,
};
describe('OTLP collector hangs for 5 s (accepts, never answers)', () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await observe(HANG);
    report('collector hangs 5 s', o);
  }, 120_000);
  commonChecks(() => o, HANG);
});

// A collector that comes back overloaded: each answer takes 2 s, so the app's export timeout is 5 s here; the first
// export after its return takes those 2 s.
const SLOW: Scenario = {
  fault: 'down',
  faultMs: 10_000,
  recovery: 'slow',
  afterMs: 25_000,
  exportTimeoutMs: 5_000,
  slowerByMs: 2_000,
};
describe('OTLP collector down for 10 s, then back but slow (every answer 2 s late)', () => {
  let o: Outcome;
  beforeAll(async () => {
    o = await observe(SLOW);
    report('collector back slow', o);
  }, 150_000);
  commonChecks(() => o, SLOW);

  it('exports the backlog of the outage through the slow collector', () => {
    expect(exportedIn(o, (x) => x.phase === 'fault')).toEqual(
      expect.objectContaining({ inJaeger: o.samples.filter((x) => x.phase === 'fault').length }),
    );
  });
});
