import { randomBytes } from 'node:crypto';
import {
  buildTrace,
  isDescendant,
  listServices,
  type OtlpTracesJson,
  searchTraces,
  type Trace,
} from '@milvus-otel/jaeger-query';
import { clientEnv, exampleApps, freePort, loadSettings, startExamples } from '@milvus-otel/stack';
import type {} from '@milvus-otel/stack/vitest-setup'; // declares inject('runStartedAt')
import { MilvusClient } from 'milvus-sdk-3.0';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// A 500-document ingest through the Express example (producer) and the worker (consumer) — the job's data, ~2 MB,
// travels through Redis as an EVALSHA argument — must leave none of the documents in the trace, and no attribute
// longer than the preset's limit.
const DOCUMENTS = 500;
/** The worker's default BATCH_SIZE: one Milvus upsert per 100 documents. */
const BATCHES = 5;
/** The preset's default span attribute value length limit (DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT). */
const VALUE_LIMIT = 4096;
/**
 * Bounds on the sum of every attribute key + value length (span tags and event fields, as Jaeger returns them: the
 * span and event attributes of its OTLP query API, with the tags Jaeger adds such as `span.kind`) of the
 * ingest's trace. Measured on 2026-12-02 (native stack, Milvus 2.3.5): 2,524 characters over the app's 9 spans
 * (Express and worker: request, producer, `evalsha`, consumer, 5 upserts), 10,330 over the whole trace of 55 spans
 * (the Milvus server's own spans make up the rest). With the ioredis instrumentation's default serializer, the
 * producer side alone came to 1,940,613, its `evalsha` span's `db.query.text` 1,939,876 characters long.
 */
const APP_TAGS_BOUND = 8 * 1024;
const TRACE_TAGS_BOUND = 32 * 1024;

const settings = loadSettings();
const jaegerUrl = clientEnv(settings).JAEGER_QUERY_URL as string;

/** A trace as Jaeger's OTLP query API returns it: the JSON text, and the span tree built from it. */
async function rawTrace(traceId: string): Promise<{ text: string; trace: Trace } | undefined> {
  const res = await fetch(`${jaegerUrl}/api/v3/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Jaeger answered ${res.status} for trace ${traceId}`);
  const text = await res.text();
  const result = (JSON.parse(text) as { result?: OtlpTracesJson }).result;
  const trace = result && buildTrace(result);
  return trace?.spans.length ? { text, trace } : undefined;
}

/**
 * Waits until the ingest's trace is complete: the request's span, the job's CONSUMER span, one Milvus upsert per
 * batch under it with the Milvus server's spans under each — and then until no span arrives for three polls in a
 * row (each process exports on its own schedule).
 */
async function completeTrace(traceId: string, collection: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  const complete = (t: Trace) => {
    const consumer = t.spans.find((s) => s.tags['span.kind'] === 'consumer');
    const upserts = t.spans.filter((s) => s.name === `upsert ${collection}`);
    return (
      t.spans.some((s) => s.tags['span.kind'] === 'server' && s.name === 'POST /ingest') &&
      consumer !== undefined &&
      upserts.length === BATCHES &&
      upserts.every(
        (u) =>
          isDescendant(t, u, consumer.spanId) &&
          t.spans.some((s) => s.service === 'standalone' && isDescendant(t, s, u.spanId)),
      )
    );
  };
  let last: Awaited<ReturnType<typeof rawTrace>>;
  let stable = 0;
  while (Date.now() < deadline) {
    const before = last?.trace.spans.length;
    last = (await rawTrace(traceId)) ?? last;
    if (last && complete(last.trace)) {
      stable = last.trace.spans.length === before ? stable + 1 : 0;
      if (stable >= 3) return last;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    `trace ${traceId} not complete within ${timeoutMs / 1000} s: ${last?.trace.spans.map((s) => s.name).join(', ') ?? 'not in Jaeger'}`,
  );
}

interface Attribute {
  service: string;
  span: string;
  key: string;
  length: number;
}

/** A value's length as text; arrays and maps as the JSON text Jaeger's v1 JSON wrote for them. */
const lengthOf = (value: unknown) =>
  (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).length;

/** The tags and events' fields (its name as `event`, its attributes) of a span, with their values. */
function fieldsOf(span: Trace['spans'][number]): [string, unknown][] {
  return [
    ...Object.entries(span.tags),
    ...span.events.flatMap((e) => [['event', e.name] as [string, unknown], ...Object.entries(e.attributes)]),
  ];
}

/** Every span tag and event field of the trace, with the length of its value. */
function attributesOf(trace: Trace): Attribute[] {
  return trace.spans.flatMap((s) =>
    fieldsOf(s).map(([key, value]) => ({ service: s.service, span: s.name, key, length: lengthOf(value) })),
  );
}

describe(`a ${DOCUMENTS}-document ingest through the Express example and the worker`, () => {
  let stop: (() => Promise<void>) | undefined;
  let expressUrl = '';
  const suffix = randomBytes(4).toString('hex');
  const collection = `e2e_span_size_${suffix}`;

  beforeAll(async () => {
    const [express, worker] = await Promise.all([freePort(), freePort()]);
    const apps = exampleApps(settings, { EXPRESS_PORT: String(express), WORKER_PORT: String(worker) }).filter(
      (a) => a.name === 'express' || a.name === 'worker',
    );
    const running = await startExamples(settings, apps, {
      timeoutMs: 180_000,
      // NODE_ENV: vitest sets it to "test", which turns on the Milvus SDK's debug log of every request.
      env: { DOCS_COLLECTION: collection, INGEST_QUEUE: `e2e-span-size-${suffix}`, NODE_ENV: 'production' },
    });
    stop = running.stop;
    expressUrl = `http://127.0.0.1:${express}`;
  }, 300_000);

  afterAll(async () => {
    await stop?.();
    const client = new MilvusClient({ address: `127.0.0.1:${settings.ports.milvus.port}` });
    await client.dropCollection({ collection_name: collection });
    await client.closeConnection();
  }, 60_000);

  it('leaves no document text in the trace and keeps every attribute small', {
    timeout: 300_000,
  }, async () => {
    const marker = `marker${randomBytes(8).toString('hex')}`;
    const filler = 'Waterproof trail shoes with a grippy sole for muddy descents. '.repeat(60);
    const documents = Array.from({ length: DOCUMENTS }, (_, i) => ({
      id: `span-size-${suffix}-${i}`,
      title: `Document ${i} ${marker}`,
      body: `${marker} ${filler} ${marker}`.slice(0, 4000),
      category: marker,
    }));
    const res = await fetch(`${expressUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const traceId = res.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const { text, trace } = await completeTrace(traceId, collection);
    const attributes = attributesOf(trace);
    const app = attributes.filter((a) => a.service === 'express-service' || a.service === 'worker');
    const total = (list: Attribute[]) => list.reduce((sum, a) => sum + a.key.length + a.length, 0);
    const largest = [...attributes].sort((a, b) => b.length - a.length).slice(0, 5);
    const spansOf = (services: string[]) => trace.spans.filter((s) => services.includes(s.service)).length;
    console.log(
      `span size: attribute key+value characters: app ${total(app)} (${spansOf(['express-service', 'worker'])} ` +
        `spans), whole trace ${total(attributes)} (${trace.spans.length} spans); largest values: ` +
        largest.map((a) => `${a.service}/${a.span} ${a.key}=${a.length}`).join(', '),
    );

    // The documents reach Milvus, not the trace: not in any tag, event, process tag or span name.
    expect(text).not.toContain(marker);
    expect(largest[0]?.length).toBeLessThanOrEqual(VALUE_LIMIT);
    // The producer's Redis statement is there, without the job.
    expect(text).toMatch(/evalsha \[\d+ keys, \d+ args\]/);
    expect(total(app)).toBeLessThan(APP_TAGS_BOUND);
    expect(total(attributes)).toBeLessThan(TRACE_TAGS_BOUND);
  });
});

describe('every span Jaeger holds from this run', () => {
  // Every e2e file's spans, not only the ingest above; spans from before this run (another run, older code) are not
  // this run's to judge.
  it(`carries no attribute or event value longer than ${VALUE_LIMIT} characters`, async () => {
    const services = (await listServices(jaegerUrl, 30_000)).filter((s) => s !== 'jaeger');
    expect(services.length).toBeGreaterThan(0);
    const since = inject('runStartedAt'); // milliseconds since the epoch
    let spans = 0;
    const tooLong: string[] = [];
    for (const service of services) {
      const traces = await searchTraces(jaegerUrl, { service, start: since, limit: 200, timeoutMs: 30_000 });
      for (const trace of traces)
        for (const span of trace.spans.filter((s) => s.startTime >= since * 1000)) {
          spans++;
          for (const [key, value] of fieldsOf(span))
            if (lengthOf(value) > VALUE_LIMIT)
              tooLong.push(`${service} ${span.name} ${key}: ${lengthOf(value)} characters`);
        }
    }
    console.log(`attribute lengths: ${spans} spans of this run checked`);
    expect(spans).toBeGreaterThan(0);
    expect(tooLong).toEqual([]);
  }, 300_000);
});
