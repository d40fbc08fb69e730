/**
 * Milvus goes away (or hangs) under the Express example while it serves traffic. The app reaches Milvus through a
 * TCP proxy of ours; the shared Milvus itself is never touched.
 */
import { type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropCollection,
  jaegerUrl,
  milvusPort,
  percentile,
  type RunningApp,
  round,
  type Sample,
  sleep,
  startExpress,
  steadyTraffic,
  timedFetch,
  unique,
} from '../src/app.ts';
import { startProxy, type TcpProxy } from '../src/proxy.ts';

/** The app's deadline on each Milvus call (MILVUS_TIMEOUT_MS in examples/express-service/src/server.ts). */
const MILVUS_DEADLINE_MS = 10_000;
const DOWN_MS = 5_000;
const RATE_PER_SECOND = 10;
/** A refused Milvus must turn into a 503 quickly, not after the deadline. */
const REFUSED_ANSWER_MS = 2_000;
/**
 * Once Milvus is back, requests succeed again within this bound: the SDK's gRPC channel reconnects on its own
 * back-off (grpc-js: 1 s × 1.6 per failed attempt, ±20 %: after 5 s down, its next attempt is at most ~5 s later).
 */
const RECOVERY_MS = 10_000;

const collection = unique('faults_milvus');
const service = unique('faults_milvus');
let app: RunningApp;
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await startProxy(milvusPort);
  app = await startExpress({
    OTEL_SERVICE_NAME: service,
    DOCS_COLLECTION: collection,
    MILVUS_ADDRESS: proxy.address,
  });
});

afterAll(async () => {
  app?.kill();
  await proxy?.close();
  await dropCollection(collection);
});

const searchUrl = (i: number | string) => `${app.url}/search?q=milvus+fault+${i}&limit=3`;

describe(`Milvus down for ${DOWN_MS / 1000} s during ${RATE_PER_SECOND} req/s of GET /search`, () => {
  let samples: Sample[];
  let recoveredAfterMs: number;
  let afterRecovery: Sample[];

  beforeAll(async () => {
    for (let i = 0; i < 10; i++) await fetch(searchUrl(`warm${i}`)).then((r) => r.text());
    let phase = 'before';
    const traffic = steadyTraffic(searchUrl, RATE_PER_SECOND, () => phase);
    await sleep(2000);
    phase = 'down';
    proxy.setMode('down');
    await sleep(DOWN_MS);
    phase = 'restored';
    proxy.setMode('up');
    const restoredAt = performance.now();
    // Poll (beside the steady traffic) until a search succeeds again.
    recoveredAfterMs = Number.POSITIVE_INFINITY;
    while (performance.now() - restoredAt < RECOVERY_MS + 5000) {
      const res = await timedFetch(searchUrl('probe'), 'probe', restoredAt);
      if (res.status === 200) {
        recoveredAfterMs = performance.now() - restoredAt;
        break;
      }
      await sleep(100);
    }
    samples = await traffic.stop();
    // Ten at a time: the SDK spreads concurrent calls over its pool of up to ten gRPC channels, and every one of them
    // must be back, not only the one a sequential probe happens to use.
    afterRecovery = [];
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 10 }, (_, i) =>
        timedFetch(searchUrl(`after${round}-${i}`), 'after', 0),
      );
      afterRecovery.push(...(await Promise.all(batch)));
    }

    const byPhase = (phase: string) => {
      const of = samples.filter((s) => s.phase === phase);
      const ms = of.map((s) => s.ms);
      const statuses: Record<string, number> = {};
      for (const s of of) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      return {
        n: of.length,
        statuses,
        p50: round(percentile(ms, 50)),
        p95: round(percentile(ms, 95)),
        max: round(Math.max(...ms)),
      };
    };
    console.log(
      `Milvus down: ${JSON.stringify({
        before: byPhase('before'),
        down: byPhase('down'),
        restored: byPhase('restored'),
        recoveredAfterMs: round(recoveredAfterMs),
        proxyConnections: proxy.accepted,
      })}`,
    );
  }, 90_000);

  it('before the cut every search answers 200', () => {
    expect(samples.filter((s) => s.phase === 'before' && s.status !== 200)).toEqual([]);
  });

  it(`while Milvus is down: 503 milvus_unavailable within ${REFUSED_ANSWER_MS} ms, no crash, no dropped connection`, () => {
    const down = samples.filter((s) => s.phase === 'down');
    expect(down.length).toBeGreaterThanOrEqual((DOWN_MS / 1000) * RATE_PER_SECOND * 0.8);
    // A search already in flight when the proxy cut may still have had its answer: 200 or 503, nothing else.
    expect(down.filter((s) => s.status !== 503 && s.status !== 200)).toEqual([]);
    const unavailable = down.filter((s) => s.status === 503);
    expect(unavailable.length).toBeGreaterThanOrEqual(down.length - 2);
    for (const s of unavailable) {
      expect(JSON.parse(s.body)).toMatchObject({ error: 'milvus_unavailable' });
      expect(s.body).not.toMatch(/at .*\.ts|stack|UNAVAILABLE|ECONN/);
    }
    expect(Math.max(...unavailable.map((s) => s.ms))).toBeLessThan(REFUSED_ANSWER_MS);
    expect(app.child.exitCode).toBeNull();
  });

  it('the client span of a failed search records the error (status ERROR, error.type) under the server span', async () => {
    const failed = samples.find((s) => s.phase === 'down' && s.status === 503 && s.traceId);
    expect(failed, 'a 503 with x-trace-id').toBeDefined();
    const traceId = failed?.traceId as string;
    const clientName = `search ${collection}`;
    const trace = (await waitForTrace(jaegerUrl, traceId, {
      complete: (t) =>
        t.spans.some((s) => s.name === clientName) && t.spans.some((s) => s.tags['span.kind'] === 'server'),
      timeoutMs: 20_000,
      settleMs: 0,
    })) as Trace;
    const client = trace?.spans.find((s) => s.name === clientName);
    const server = trace?.spans.find((s) => s.service === service && s.tags['span.kind'] === 'server');
    console.log(
      'failed search: client span tags',
      client?.tags,
      'server span',
      server?.name,
      server?.tags['http.response.status_code'],
    );
    expect(client, `client span ${clientName} in ${traceId}`).toBeDefined();
    expect(client?.tags['span.kind']).toBe('client');
    expect(client?.tags['otel.status_code']).toBe('ERROR');
    // The call failed in the gRPC transport: error.type is its status (refused: UNAVAILABLE; cut mid-call: the
    // deadline or a cancellation).
    expect(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'CANCELLED']).toContain(client?.tags['error.type']);
    expect(server?.tags['http.response.status_code']).toBe(503);
    // No Milvus server span: the call never reached it.
    expect(trace.spans.filter((s) => s.service !== service)).toEqual([]);
  });

  it(`after Milvus is back, searches succeed again within ${RECOVERY_MS / 1000} s, and keep succeeding`, () => {
    expect(recoveredAfterMs).toBeLessThanOrEqual(RECOVERY_MS);
    expect(afterRecovery.filter((s) => s.status !== 200)).toEqual([]);
  });
});

describe('Milvus hangs (accepts, never answers)', () => {
  it(`a search answers 503 milvus_unavailable at the app's ${MILVUS_DEADLINE_MS / 1000} s deadline, not later; the app recovers`, async () => {
    proxy.setMode('hang');
    const started = performance.now();
    const hung = await Promise.all(
      [0, 1, 2].map((i) => timedFetch(searchUrl(`hang${i}`), 'hang', started, {}, 30_000)),
    );
    proxy.setMode('up');
    console.log(
      'Milvus hangs: answers',
      hung.map((s) => ({ status: s.status, ms: round(s.ms), body: s.body })),
    );
    for (const s of hung) {
      expect(s.status).toBe(503);
      expect(JSON.parse(s.body)).toMatchObject({ error: 'milvus_unavailable' });
      expect(s.ms).toBeGreaterThanOrEqual(MILVUS_DEADLINE_MS - 500);
      expect(s.ms).toBeLessThan(MILVUS_DEADLINE_MS + 2000);
    }
    const restoredAt = performance.now();
    let ok = false;
    while (!ok && performance.now() - restoredAt < RECOVERY_MS) {
      ok = (await timedFetch(searchUrl('after-hang'), 'after', restoredAt)).status === 200;
      if (!ok) await sleep(200);
    }
    console.log('Milvus hangs: search 200 again after', round(performance.now() - restoredAt), 'ms');
    expect(ok).toBe(true);
  }, 60_000);
});
