import { verifyExamples } from '@milvus-otel/deploy';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExamples, runExamples } from '../src/examples.ts';

// Every request through every example must give one complete trace in Jaeger: entry span → Milvus client span →
// Milvus server spans (for the worker: HTTP request → producer → linked job span → client → server), no orphans.
const REQUESTS = 100;

describe(`the example apps, ${REQUESTS} requests each`, () => {
  let examples: RunningExamples;
  beforeAll(async () => {
    examples = await runExamples();
  }, 300_000);
  afterAll(async () => {
    await examples?.stop();
  }, 60_000);

  it('give 100 % complete, linked traces', { timeout: 600_000 }, async () => {
    const report = await verifyExamples({
      count: REQUESTS,
      concurrency: 8,
      expressUrl: examples.expressUrl,
      lambdaUrl: examples.lambdaUrl,
      jaegerUrl: clientEnv(loadSettings()).JAEGER_QUERY_URL,
      timeoutMs: 60_000,
    });
    for (const r of report.examples) {
      const pct = r.requests === 0 ? 0 : (100 * r.complete) / r.requests;
      console.log(`${r.example}: ${r.complete}/${r.requests} complete, linked traces (${pct.toFixed(1)} %)`);
    }
    const failures = report.examples.flatMap((r) =>
      [r.error, ...r.failures.map((f) => `${f.traceId ?? '-'} ${f.check}: ${f.message}`)]
        .filter(Boolean)
        .map((line) => `${r.example}: ${line}`),
    );
    expect(failures.slice(0, 10)).toEqual([]);
    expect(report.examples.map((r) => [r.example, r.complete])).toEqual([
      ['express', REQUESTS],
      ['worker', REQUESTS],
      ['serverless', REQUESTS],
    ]);
    expect(report.ok).toBe(true);
  });
});
