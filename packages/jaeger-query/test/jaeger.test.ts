import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { describe, expect, it } from 'vitest';
import { fetchTrace, JaegerError, pingJaeger, waitForTrace } from '../src/index.ts';

const settings = loadSettings();
const jaegerUrl = clientEnv(settings).JAEGER_QUERY_URL as string;
const otlpUrl = `http://127.0.0.1:${settings.ports.otlpHttp.port}/v1/traces`;
const service = 'jaeger-query-test';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface SpanSpec {
  spanId: string;
  parentId?: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind?: number;
  error?: string;
}

/** Sends spans of one trace to Jaeger's OTLP/HTTP receiver, as an app's exporter would. */
async function send(traceId: string, spans: SpanSpec[]): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'jaeger-query-test' },
            spans: spans.map((s, i) => ({
              traceId,
              spanId: s.spanId,
              parentSpanId: s.parentId ?? '',
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
              endTimeUnixNano: String(now + BigInt(i + 1) * 10_000_000n),
              attributes: [{ key: 'test.index', value: { intValue: String(i) } }],
              status: s.error ? { code: 2, message: s.error } : { code: 0 },
            })),
          },
        ],
      },
    ],
  };
  const res = await fetch(otlpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

describe('against the real Jaeger', () => {
  it('pingJaeger: resolves when the query API answers, JaegerError naming the URL when nothing listens', async () => {
    await expect(pingJaeger(jaegerUrl)).resolves.toBeUndefined();
    await expect(pingJaeger('http://127.0.0.1:1/')).rejects.toThrow(
      expect.objectContaining({
        name: 'JaegerError',
        message: expect.stringMatching(/^Jaeger query API at http:\/\/127\.0\.0\.1:1 is not reachable/),
      }),
    );
    await expect(fetchTrace('http://127.0.0.1:1', hex(16))).rejects.toBeInstanceOf(JaegerError);
  });

  it('fetchTrace: undefined for a trace Jaeger does not have', async () => {
    expect(await fetchTrace(jaegerUrl, hex(16))).toBeUndefined();
  });

  it('waitForTrace and fetchTrace: the span tree with services, kinds, tags and errors', async () => {
    const traceId = hex(16);
    const [root, child] = [hex(8), hex(8)];
    await send(traceId, [
      { spanId: root, name: 'GET /search', kind: 2 },
      { spanId: child, parentId: root, name: 'search docs', kind: 3, error: 'collection not found' },
    ]);
    const trace = await waitForTrace(jaegerUrl, traceId, { complete: (t) => t.spans.length === 2 });
    expect(trace?.traceId).toBe(traceId);
    expect(trace?.services).toEqual([service]);
    expect(trace?.orphans).toEqual([]);
    expect(trace?.spans.map((s) => [s.name, s.depth, s.kind, s.parentId, s.error])).toEqual([
      ['GET /search', 0, 'server', undefined, undefined],
      ['search docs', 1, 'client', root, 'collection not found'],
    ]);
    expect(trace?.spans[1]?.tags['test.index']).toBe(1);
    expect(trace?.duration).toBe(20_000);

    // Upper-case ids (as some logs print them) and a trailing slash on the URL read the same trace.
    const again = await fetchTrace(`${jaegerUrl}/`, traceId.toUpperCase());
    expect(again?.spans.map((s) => s.spanId)).toEqual([root, child]);
  });

  it('waitForTrace: by default waits until no span misses its parent', async () => {
    const traceId = hex(16);
    const [root, child] = [hex(8), hex(8)];
    await send(traceId, [{ spanId: child, parentId: root, name: 'search docs' }]);
    const waiting = waitForTrace(jaegerUrl, traceId, { settleMs: 0 });
    await sleep(1500);
    await send(traceId, [{ spanId: root, name: 'GET /search' }]);
    const trace = await waiting;
    expect(trace?.orphans).toEqual([]);
    expect(trace?.spans.map((s) => s.name)).toEqual(['GET /search', 'search docs']);
  });

  it('waitForTrace: once complete, keeps polling for settleMs so late spans of a batch make it in', async () => {
    const traceId = hex(16);
    const root = hex(8);
    await send(traceId, [{ spanId: root, name: 'GET /search' }]);
    const waiting = waitForTrace(jaegerUrl, traceId, { settleMs: 4000, intervalMs: 200 });
    await sleep(1500);
    await send(traceId, [{ spanId: hex(8), parentId: root, name: 'late span' }]);
    const trace = await waiting;
    expect(trace?.spans.map((s) => s.name)).toEqual(['GET /search', 'late span']);
  });

  it('waitForTrace: when the time is up, the last trace seen (or undefined when Jaeger never had it)', async () => {
    const traceId = hex(16);
    await send(traceId, [{ spanId: hex(8), name: 'only span' }]);
    const started = Date.now();
    const trace = await waitForTrace(jaegerUrl, traceId, { complete: () => false, timeoutMs: 2000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(trace?.spans.map((s) => s.name)).toEqual(['only span']);
    expect(await waitForTrace(jaegerUrl, hex(16), { timeoutMs: 1000 })).toBeUndefined();
  });
});
