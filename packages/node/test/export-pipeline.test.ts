/**
 * BoundedExportPipeline against a real in-process exporter (the SDK's InMemorySpanExporter) that fails the way the
 * OTLP exporters do — gRPC UNAVAILABLE, HTTP 400 — a set number of times, then takes the spans.
 */

import { createRequire } from 'node:module';
import { parseClientEnv } from '@milvus-otel/config';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BoundedExportPipeline,
  createExporter,
  isRetryableExportError,
  retryDelayMs,
} from '../src/exporter.ts';

/** A grpc-js ServiceError as the OTLP gRPC exporter reports a collector that is down. */
const unavailable = () =>
  Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'x' });
/** An OTLPExporterError of the http exporters for data the collector refuses. */
const badRequest = () => Object.assign(new Error('Bad Request'), { name: 'OTLPExporterError', code: 400 });

class FlakyExporter extends InMemorySpanExporter {
  calls = 0;
  constructor(
    private failures: number,
    private readonly error: () => Error = unavailable,
  ) {
    super();
  }
  fail(times: number): void {
    this.failures = times;
  }
  override export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      setTimeout(() => done({ code: ExportResultCode.FAILED, error: this.error() }), 1);
      return;
    }
    super.export(spans, done);
  }
  names(): string[] {
    return this.getFinishedSpans().map((s) => s.name);
  }
}

const settings = (env: Record<string, string> = {}) =>
  parseClientEnv({
    OTEL_BSP_SCHEDULE_DELAY: '10',
    OTEL_BSP_MAX_QUEUE_SIZE: '100',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
    ...env,
  }).data;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

const providers: TracerProvider[] = [];
function setUp(exporter: FlakyExporter, env?: Record<string, string>, retryMs = 20) {
  const warnings: string[] = [];
  const pipeline = new BoundedExportPipeline(exporter, settings(env), {
    warn: (m) => warnings.push(m),
    retryDelay: () => retryMs,
  });
  const provider = new TracerProvider({ spanProcessors: [pipeline.processor] });
  providers.push(provider);
  const tracer = provider.getTracer('test');
  const spans = (from: number, to: number) => {
    for (let i = from; i < to; i++) tracer.startSpan(`s${i}`).end();
  };
  return { pipeline, provider, spans, warnings };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `s${from + i}`);

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown().catch(() => {})));
});

describe('BoundedExportPipeline: retries after a collector outage', () => {
  it('keeps the spans of failed exports and exports them, oldest first, when the collector answers again', async () => {
    const exporter = new FlakyExporter(3);
    const { pipeline, spans, warnings } = setUp(exporter);
    spans(0, 25);
    await until(() => exporter.calls >= 4); // three failures, then the retry goes through
    spans(25, 30); // made after the collector is back: exported after the older ones
    await until(() => exporter.getFinishedSpans().length === 30);
    expect(exporter.names()).toEqual(range(0, 30));
    expect(pipeline.droppedSpans()).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/exporting spans to .* failed: 14 UNAVAILABLE.*retrying with back-off/);
  });

  it('bounds the queue: the oldest spans are dropped first, counted and logged once', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    const { pipeline, spans, warnings } = setUp(exporter);
    for (let i = 0; i < 25; i++) {
      spans(i * 10, i * 10 + 10); // 250 spans while the collector is down; the bound is 100
      await sleep(2);
    }
    expect(pipeline.queuedSpans()).toBe(100);
    exporter.fail(0);
    await until(() => exporter.getFinishedSpans().length === 100);
    await sleep(50);
    expect(exporter.names()).toEqual(range(150, 250)); // the newest 100
    expect(pipeline.droppedSpans()).toBe(150);
    expect(warnings.filter((w) => w.includes('@milvus-otel/node: dropped'))).toHaveLength(1);
  });

  it('drops (and counts) a batch the collector rejects, and does not retry it', async () => {
    const exporter = new FlakyExporter(1, badRequest);
    const { pipeline, spans, warnings } = setUp(exporter);
    spans(0, 10);
    await until(() => pipeline.droppedSpans() === 10);
    spans(10, 15);
    await until(() => exporter.getFinishedSpans().length === 5);
    expect(exporter.names()).toEqual(range(10, 15));
    expect(exporter.calls).toBe(2);
    expect(warnings).toEqual([expect.stringMatching(/dropped 10 span\(s\) for .*: Bad Request/)]);
  });

  it('forceFlush exports the retry buffer at once, without waiting for the back-off', async () => {
    const exporter = new FlakyExporter(1);
    const { pipeline, provider, spans } = setUp(exporter, {}, 60_000);
    spans(0, 10);
    await until(() => exporter.calls === 1 && pipeline.queuedSpans() === 10);
    await sleep(20);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // backing off for a minute
    await provider.forceFlush();
    expect(exporter.names()).toEqual(range(0, 10));
  });

  it('shutdown tries once more and counts what the collector did not take as dropped', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    const { pipeline, provider, spans } = setUp(exporter, {}, 60_000);
    spans(0, 35);
    await until(() => exporter.calls >= 1);
    const began = Date.now();
    await provider.shutdown();
    expect(Date.now() - began).toBeLessThan(1000);
    expect(pipeline.droppedSpans()).toBe(35);
    expect(pipeline.queuedSpans()).toBe(0);
  });

  it('never exports from inside span.end(): the app call that fills a batch returns first', () => {
    const exporter = new FlakyExporter(0);
    const { spans } = setUp(exporter);
    spans(0, 30); // three full batches
    expect(exporter.calls).toBe(0);
  });
});

describe('isRetryableExportError', () => {
  it.each([
    ['gRPC UNAVAILABLE (collector down)', unavailable(), true],
    [
      'gRPC DEADLINE_EXCEEDED (collector hangs)',
      Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }),
      true,
    ],
    ['gRPC RESOURCE_EXHAUSTED', Object.assign(new Error('8'), { code: 8 }), true],
    ['gRPC INVALID_ARGUMENT', Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3 }), false],
    ['gRPC UNAUTHENTICATED', Object.assign(new Error('16'), { code: 16 }), false],
    ['HTTP 503', Object.assign(new Error('Service Unavailable'), { code: 503 }), true],
    ['HTTP 429', Object.assign(new Error('Too Many Requests'), { code: 429 }), true],
    ['HTTP 400', badRequest(), false],
    ['HTTP 401', Object.assign(new Error('Unauthorized'), { code: 401 }), false],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }),
      true,
    ],
    ['the http exporter timeout', new Error('Request timed out'), true],
    ['retries used up', new Error('Export failed with retryable status'), true],
    ['our own export timeout', new Error('export timed out after 30000 ms'), true],
    ['concurrency limit', new Error('Concurrent export limit reached'), true],
    ['nothing to send', new Error('Nothing to send'), false],
    ['no reason given', undefined, true],
  ])('%s → %s', (_name, error, retryable) => {
    expect(isRetryableExportError(error)).toBe(retryable);
  });
});

describe('retryDelayMs', () => {
  it('starts at 1 s, grows ×1.5, ±20 % jitter, at most 30 s', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(2, () => 0.5)).toBe(1500);
    expect(retryDelayMs(50, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(1, () => 0)).toBe(800);
    expect(retryDelayMs(50, () => 1)).toBe(30_000);
    expect(retryDelayMs(9, () => 0)).toBe(20_503);
  });
});

describe('createExporter', () => {
  it('loads the OTLP exporter on first use, or ahead of it with prepare() (withTracing, on a cold start)', async () => {
    const require = createRequire(import.meta.url);
    const exporterModule = require.resolve('@opentelemetry/exporter-trace-otlp-proto');
    const loaded = () => require.cache[exporterModule] !== undefined;
    delete require.cache[exporterModule];
    const exporter = createExporter(parseClientEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).data);
    expect(loaded()).toBe(false);
    exporter?.prepare?.();
    expect(loaded()).toBe(true);
    await exporter?.shutdown();
  });
});
