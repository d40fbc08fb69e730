/**
 * BoundedExportPipeline against a real in-process exporter (the SDK's InMemorySpanExporter) that fails the way the
 * OTLP exporters do — gRPC UNAVAILABLE, HTTP 400 — a set number of times, then takes the spans.
 */

import { parseClientEnv } from '@milvus-otel/config';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedExportPipeline } from '../src/export-pipeline.ts';

/** A grpc-js ServiceError as the OTLP gRPC exporter reports a collector that is down. */
const unavailable = () =>
  Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'x' });
/** The gRPC exporter's deadline passed before the collector answered. */
const deadlineExceeded = () =>
  Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded after 1.001s'), { code: 4, details: 'x' });
/** An OTLPExporterError of the http exporters for data the collector refuses. */
const badRequest = () => Object.assign(new Error('Bad Request'), { name: 'OTLPExporterError', code: 400 });

class FlakyExporter extends InMemorySpanExporter {
  calls = 0;
  reconnects = 0;
  /** Spans per export call, in order. */
  sizes: number[] = [];
  /** Exports of more spans than this fail as the gRPC exporter's deadline does. */
  tooSlowAbove = Number.POSITIVE_INFINITY;
  /** How long a failing export takes to fail. */
  failAfterMs = 1;
  reconnect(): void {
    this.reconnects++;
  }
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
    this.sizes.push(spans.length);
    if (spans.length > this.tooSlowAbove) {
      setTimeout(() => done({ code: ExportResultCode.FAILED, error: deadlineExceeded() }), 1);
      return;
    }
    if (this.failures > 0) {
      this.failures--;
      setTimeout(() => done({ code: ExportResultCode.FAILED, error: this.error() }), this.failAfterMs);
      return;
    }
    super.export(spans, done);
  }
  /** Like a real exporter: refuses later exports, but what it took stays taken (the base class forgets it). */
  override shutdown(): Promise<void> {
    this._stopped = true;
    return Promise.resolve();
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
function setUp(exporter: FlakyExporter, env?: Record<string, string>, retryMs = 20, stallWarningMs?: number) {
  const warnings: string[] = [];
  const pipeline = new BoundedExportPipeline(exporter, settings(env), {
    warn: (m) => warnings.push(m),
    retryDelay: () => retryMs,
    ...(stallWarningMs !== undefined ? { stallWarningMs } : {}),
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
  it('never logs the credentials or query values of the endpoint', async () => {
    const exporter = new FlakyExporter(2);
    const { spans, warnings } = setUp(exporter, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector-user:SECRETPW@127.0.0.1:4318/otlp?token=TOKENVALUE',
    });
    spans(0, 5);
    await until(() => exporter.getFinishedSpans().length === 5);
    // The in-memory exporter reports success a tick after it holds the spans: the 'resumed' line comes then.
    await until(() => warnings.length === 2);
    await sleep(50);
    expect(warnings).toHaveLength(2);
    for (const warning of warnings) {
      expect(warning).toContain('127.0.0.1:4318');
      expect(warning).not.toMatch(/SECRETPW|TOKENVALUE/);
    }
  });

  it('keeps the spans of failed exports and exports them, oldest first, when the collector answers again', async () => {
    const exporter = new FlakyExporter(3);
    const { pipeline, spans, warnings } = setUp(exporter);
    spans(0, 25);
    await until(() => exporter.calls >= 4); // three failures, then the retry goes through
    spans(25, 30); // made after the collector is back: exported after the older ones
    await until(() => exporter.getFinishedSpans().length === 30);
    expect(exporter.names()).toEqual(range(0, 30));
    expect(pipeline.droppedSpans()).toBe(0);
    expect(warnings).toEqual([
      expect.stringMatching(
        /exporting spans to .* failed: 14 UNAVAILABLE.*retrying with back-off \(at most 5 s apart\)/,
      ),
      expect.stringMatching(
        /exporting spans to \S+ resumed after [\d.]+ s; 0 span\(s\) dropped meanwhile\.$/,
      ),
    ]);
  });

  it('dials the collector afresh after each failed export (a gRPC channel would wait out its own back-off)', async () => {
    const exporter = new FlakyExporter(3);
    const { spans } = setUp(exporter);
    spans(0, 5);
    await until(() => exporter.getFinishedSpans().length === 5);
    expect(exporter.reconnects).toBe(3);
  });

  it('splits a backlog whose export runs out of time, and grows the batches back once exports succeed', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    const { pipeline, provider, spans } = setUp(exporter, {
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
      OTEL_BSP_MAX_QUEUE_SIZE: '500',
      OTEL_BSP_SCHEDULE_DELAY: '5000',
    });
    spans(0, 192); // a backlog while the collector is down (a multiple of the split sizes: no partial batch)
    await until(() => exporter.calls >= 2);
    exporter.tooSlowAbove = 20; // back, but too slow for more than 20 spans per export
    exporter.fail(0);
    const backAt = Date.now();
    await until(() => exporter.getFinishedSpans().length === 192);
    const sizes = exporter.sizes.slice(exporter.sizes.indexOf(64, 2));
    // Halved after each timeout, down to the floor of 16; doubled only after 4 successes in a row.
    expect(sizes.slice(0, 7)).toEqual([64, 32, 16, 16, 16, 16, 32]);
    const timedOut = sizes.filter((n) => n > 20).length;
    // The split batches of the backlog go back to back, not one per schedule delay.
    expect(Date.now() - backAt).toBeLessThan(2000);
    expect(timedOut / sizes.length, `attempts that timed out: ${sizes.join(',')}`).toBeLessThanOrEqual(0.35);
    expect(exporter.names()).toEqual(range(0, 192)); // nothing lost, still oldest first
    expect(pipeline.droppedSpans()).toBe(0);
    exporter.tooSlowAbove = Number.POSITIVE_INFINITY;
    spans(192, 392);
    await provider.forceFlush(); // the tail (less than a batch) would wait for the 5 s schedule delay
    expect(exporter.getFinishedSpans()).toHaveLength(392);
    expect(Math.max(...exporter.sizes.slice(-3))).toBe(64); // back to full batches
  });

  it('reports the outage in status(): queued, dropped, how long nothing was exported and why; 0 once it resumes', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    const { pipeline, spans } = setUp(exporter);
    expect(pipeline.status()).toEqual({ queuedSpans: 0, droppedSpans: 0, notExportedForMs: 0 });
    spans(0, 120);
    await until(() => exporter.calls >= 2);
    await sleep(30);
    const failing = pipeline.status();
    expect(failing).toMatchObject({
      queuedSpans: 100,
      droppedSpans: 20,
      lastError: expect.stringMatching(/UNAVAILABLE/),
    });
    expect(failing.notExportedForMs).toBeGreaterThanOrEqual(30);
    exporter.fail(0);
    // The exporter holds the spans before it reports success: wait for the report.
    await until(() => pipeline.status().notExportedForMs === 0 && pipeline.queuedSpans() === 0);
    expect(exporter.getFinishedSpans()).toHaveLength(100);
    expect(pipeline.status()).toEqual({ queuedSpans: 0, droppedSpans: 20, notExportedForMs: 0 });
  });

  it('logs an outage when it starts, once if nothing is exported for the stall time, and when it ends with what was dropped', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    const { pipeline, spans, warnings } = setUp(exporter, {}, 20, 100);
    spans(0, 10);
    await until(() => exporter.calls >= 1);
    spans(10, 140); // the queue holds 100: the oldest 40 go
    await sleep(300);
    exporter.fail(0);
    await until(() => pipeline.status().notExportedForMs === 0 && pipeline.queuedSpans() === 0); // the resume is logged on the exporter's report
    expect(warnings).toEqual([
      expect.stringMatching(/failed: 14 UNAVAILABLE/),
      expect.stringMatching(/@milvus-otel\/node: dropped 1 span\(s\)/),
      expect.stringMatching(
        /no span exported to \S+ for [\d.]+ s \(14 UNAVAILABLE.*\); 100 queued, 40 dropped so far\. Still retrying/,
      ),
      expect.stringMatching(
        /resumed after [\d.]+ s; 40 span\(s\) dropped meanwhile \(queue full: the oldest went first\)\./,
      ),
    ]);
    // A collector that fails again right after recovering (flapping) is not announced again within the minute.
    exporter.fail(2);
    const callsBefore = exporter.calls;
    spans(140, 145);
    await until(() => exporter.calls >= 3 + callsBefore && pipeline.status().notExportedForMs === 0);
    expect(exporter.getFinishedSpans()).toHaveLength(105);
    expect(warnings).toHaveLength(4);
  });

  it('bounds the queue: the oldest spans are dropped first, counted and logged once', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    const { pipeline, spans, warnings } = setUp(exporter);
    for (let i = 0; i < 25; i++) {
      spans(i * 10, i * 10 + 10); // 250 spans while the collector is down; the bound is 100
      await sleep(2);
    }
    await until(() => pipeline.queuedSpans() === 100); // at most one batch (10) over it while an export is in flight
    exporter.fail(0);
    await until(() => exporter.getFinishedSpans().length === 100);
    await sleep(50);
    expect(exporter.names()).toEqual(range(150, 250)); // the newest 100
    expect(pipeline.droppedSpans()).toBe(150);
    expect(warnings.filter((w) => w.includes('@milvus-otel/node: dropped'))).toHaveLength(1);
  });

  it('drops the oldest first even when the full queue meets a failing export in flight (its batch is the oldest)', async () => {
    const exporter = new FlakyExporter(Number.POSITIVE_INFINITY);
    exporter.failAfterMs = 15; // spans keep ending while each failing export is in flight
    const { pipeline, spans } = setUp(exporter, {}, 5);
    for (let i = 0; i < 30; i++) {
      spans(i * 10, i * 10 + 10);
      await sleep(4);
    }
    exporter.fail(0);
    await until(() => pipeline.queuedSpans() === 0 && exporter.getFinishedSpans().length > 0);
    const kept = exporter.getFinishedSpans().length;
    expect(exporter.names()).toEqual(range(300 - kept, 300)); // the newest, with no gap
    expect(pipeline.droppedSpans()).toBe(300 - kept);
    expect(kept).toBe(100);
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

  it('a flush and a shutdown at once (SIGTERM, then the app shuts down) lose nothing: shutdown waits for the flush in flight', async () => {
    for (let round = 0; round < 20; round++) {
      const exporter = new FlakyExporter(0);
      const { pipeline, provider, spans } = setUp(exporter);
      spans(0, 25);
      const flushing = provider.forceFlush();
      await sleep(round % 4); // the shutdown starts at different points of the flush's exports
      spans(25, 33); // spans that end while draining (the app's last requests)
      await Promise.all([flushing, provider.shutdown()]);
      expect(exporter.names(), `round ${round}`).toEqual(range(0, 33));
      expect(pipeline.droppedSpans()).toBe(0);
    }
  });

  it('counts a span that ends after shutdown as dropped', async () => {
    const exporter = new FlakyExporter(0);
    const { pipeline, provider, spans, warnings } = setUp(exporter);
    await provider.shutdown();
    spans(0, 1);
    expect(pipeline.droppedSpans()).toBe(1);
    expect(warnings).toEqual([
      expect.stringMatching(/dropped 1 span\(s\) .*: the span ended after shutdown/),
    ]);
  });

  it('never exports from inside span.end(): the app call that fills a batch returns first', () => {
    const exporter = new FlakyExporter(0);
    const { spans } = setUp(exporter);
    spans(0, 30); // three full batches
    expect(exporter.calls).toBe(0);
  });
});
