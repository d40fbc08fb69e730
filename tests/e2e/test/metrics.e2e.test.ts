import { randomBytes } from 'node:crypto';
import { clientEnv, EXAMPLE_METRIC_INTERVAL_MS, loadSettings } from '@milvus-otel/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExamples, runExamples } from '../src/examples.ts';

// The examples run as `./pnpm dev` runs them: OTEL_METRICS_EXPORTER=otlp to the stack's Prometheus (OTLP receiver),
// one export every EXAMPLE_METRIC_INTERVAL_MS. Every Milvus operation their requests make must show up once in
// db.client.operation.duration — in Prometheus, db_client_operation_duration_seconds (the default translation of
// OTLP names: dots to underscores, the unit `s` as the _seconds suffix).
const stackEnv = clientEnv(loadSettings());
const prometheusUrl = stackEnv.PROMETHEUS_URL as string;
const jaegerUrl = stackEnv.JAEGER_QUERY_URL as string;
const METRIC = 'db_client_operation_duration_seconds';
/** The histogram's bucket boundaries (the database semantic conventions'), as Prometheus labels them. */
const BUCKETS = ['0.001', '0.005', '0.01', '0.05', '0.1', '0.5', '1', '5', '10', '+Inf'];

const TRAFFIC = { searches: 6, upserts: 4, gets: 3, ingests: 3, lambdaSearches: 5 };

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promql: string): Promise<Sample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data?.result ?? [];
}

/** Operation counts of the examples on `collection`, keyed `job operation`. */
async function counts(collection: string): Promise<Record<string, number>> {
  const samples = await query(
    `sum by (job, db_operation_name) (${METRIC}_count{db_collection_name="${collection}"})`,
  );
  return Object.fromEntries(
    samples.map((s) => [`${s.metric.job} ${s.metric.db_operation_name}`, Number(s.value[1])]),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface JaegerMetrics {
  metrics?: {
    labels: { name: string; value: string }[];
    metricPoints: { gaugeValue: { doubleValue: number | string } }[];
  }[];
}

/**
 * Jaeger's metrics API (what its Monitor tab draws), per operation of one service and span kind: operation → the
 * latest value, over the last 10 minutes.
 */
async function monitor(
  what: 'calls' | 'latencies',
  service: string,
  spanKind: 'server' | 'client',
): Promise<Record<string, number>> {
  const params = new URLSearchParams({
    service,
    spanKind,
    groupByOperation: 'true',
    endTs: String(Date.now()),
    lookback: '600000',
    step: '15000',
    ratePer: '600000',
    ...(what === 'latencies' ? { quantile: '0.95' } : {}),
  });
  const res = await fetch(`${jaegerUrl}/api/metrics/${what}?${params}`);
  const body = (await res.json()) as JaegerMetrics;
  if (!res.ok) throw new Error(`${what} of ${service}: ${res.status} ${JSON.stringify(body)}`);
  return Object.fromEntries(
    (body.metrics ?? []).map((m) => [
      m.labels.find((l) => l.name === 'operation')?.value ?? '',
      // Jaeger writes NaN (a rate with no increase in the window) as the string "NaN".
      Number(m.metricPoints.at(-1)?.gaugeValue.doubleValue ?? Number.NaN),
    ]),
  );
}

async function ok(res: Promise<Response>, what: string): Promise<unknown> {
  const response = await res;
  const body = await response.text();
  if (!response.ok) throw new Error(`${what}: ${response.status} ${body}`);
  return body ? JSON.parse(body) : undefined;
}

describe('db.client.operation.duration from the example apps, in Prometheus', () => {
  let examples: RunningExamples;
  beforeAll(async () => {
    examples = await runExamples();
  }, 300_000);
  afterAll(async () => {
    await examples?.stop();
  }, 60_000);

  it('counts every Milvus operation of their requests, per operation, collection and service', {
    timeout: 180_000,
  }, async () => {
    const { collection, expressUrl, lambdaUrl } = examples;
    // What their start-up did (creating and seeding the collection): exported within two intervals.
    await sleep(2 * EXAMPLE_METRIC_INTERVAL_MS + 1000);
    const before = await counts(collection);

    const suffix = randomBytes(3).toString('hex');
    const doc = (i: number, kind: string) => ({
      id: `metrics-${kind}-${suffix}-${i}`,
      title: `Metrics ${kind} ${i}`,
      body: 'A document sent by the metrics end-to-end test',
      category: 'metrics',
    });
    const json = { 'content-type': 'application/json' };
    for (let i = 0; i < TRAFFIC.upserts; i++) {
      await ok(
        fetch(`${expressUrl}/documents`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify(doc(i, 'direct')),
        }),
        'POST /documents',
      );
    }
    for (let i = 0; i < TRAFFIC.gets; i++) {
      await ok(fetch(`${expressUrl}/documents/${doc(i, 'direct').id}`), 'GET /documents/:id');
    }
    for (let i = 0; i < TRAFFIC.searches; i++) {
      await ok(fetch(`${expressUrl}/search?q=metrics+${i}`), 'GET /search');
    }
    for (let i = 0; i < TRAFFIC.ingests; i++) {
      await ok(
        fetch(`${expressUrl}/ingest`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ documents: [doc(i, 'queued')] }),
        }),
        'POST /ingest',
      );
    }
    const event = {
      version: '2.0',
      routeKey: 'GET /search',
      rawPath: '/search',
      rawQueryString: 'q=metrics',
      queryStringParameters: { q: 'metrics' },
      headers: {},
      requestContext: { http: { method: 'GET', path: '/search' } },
      isBase64Encoded: false,
    };
    for (let i = 0; i < TRAFFIC.lambdaSearches; i++) {
      const result = (await ok(
        fetch(`${lambdaUrl}/2015-03-31/functions/function/invocations`, {
          method: 'POST',
          body: JSON.stringify(event),
        }),
        'Lambda invocation',
      )) as { statusCode: number };
      expect(result.statusCode).toBe(200);
    }

    const expected = {
      'express-service search': TRAFFIC.searches,
      'express-service upsert': TRAFFIC.upserts,
      'express-service get': TRAFFIC.gets,
      'worker upsert': TRAFFIC.ingests,
      'serverless search': TRAFFIC.lambdaSearches,
    };
    const delta = (now: Record<string, number>) =>
      Object.fromEntries(Object.keys(expected).map((key) => [key, (now[key] ?? 0) - (before[key] ?? 0)]));
    // Exported within an interval of each request (the worker's jobs once it has run them): wait up to four.
    const deadline = Date.now() + 4 * EXAMPLE_METRIC_INTERVAL_MS + 5000;
    let after = delta(await counts(collection));
    while (JSON.stringify(after) !== JSON.stringify(expected) && Date.now() < deadline) {
      await sleep(500);
      after = delta(await counts(collection));
    }
    expect(after).toEqual(expected);

    // A histogram with the semantic conventions' buckets: +Inf holds every operation, the sum is their time.
    const buckets = await query(
      `sum by (le) (${METRIC}_bucket{job="express-service", db_collection_name="${collection}", db_operation_name="search"})`,
    );
    expect(buckets.map((b) => b.metric.le).sort()).toEqual([...BUCKETS].sort());
    const inf = buckets.find((b) => b.metric.le === '+Inf');
    expect(Number(inf?.value[1]) - (before['express-service search'] ?? 0)).toBe(TRAFFIC.searches);
    const [sum] = await query(
      `sum(${METRIC}_sum{job="express-service", db_collection_name="${collection}", db_operation_name="search"})`,
    );
    expect(Number(sum?.value[1])).toBeGreaterThan(0);
  });
  it("feeds Jaeger's Monitor tab: span metrics of the same traffic, read back through Jaeger's /api/metrics", {
    timeout: 120_000,
  }, async () => {
    const { collection, expressUrl } = examples;
    // Jaeger's spanmetrics connector pushes cumulative counts every 15 s, and the tab shows rates: a series needs
    // calls between two of its points before its rate is above zero. So searches keep coming, as on a live service,
    // until the rates show (at most four pushes).
    const expected = {
      express: ['GET /search'],
      expressMilvus: [`search ${collection}`],
      milvus: ['milvus.proto.milvus.MilvusService/Search'],
    };
    const deadline = Date.now() + 60_000;
    let seen: Record<string, Record<string, number>> = {};
    for (let i = 0; ; i++) {
      await ok(fetch(`${expressUrl}/search?q=monitor+${i}`), 'GET /search');
      seen = {
        express: await monitor('calls', 'express-service', 'server'),
        expressMilvus: await monitor('calls', 'express-service', 'client'),
        milvus: await monitor('calls', 'standalone', 'server'),
        latencies: await monitor('latencies', 'express-service', 'client'),
      };
      const found =
        Object.entries(expected).every(([key, ops]) => ops.every((op) => (seen[key]?.[op] ?? 0) > 0)) &&
        (seen.latencies?.[`search ${collection}`] ?? 0) > 0;
      if (found || Date.now() > deadline) break;
      await sleep(1000);
    }
    for (const [key, ops] of Object.entries(expected))
      for (const op of ops) expect(seen[key]?.[op], `${key}: calls of ${op}`).toBeGreaterThan(0);
    // The p95 latency of the Milvus search, in ms (the Monitor tab's unit).
    expect(seen.latencies?.[`search ${collection}`]).toBeGreaterThan(0);
  });
});
