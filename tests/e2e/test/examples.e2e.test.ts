import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { verifyTraces } from '@milvus-otel/deploy';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargets, type RunningExamples, runExamples } from '../src/examples.ts';

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
    const report = await verifyTraces({
      targets: await exampleTargets(examples),
      count: REQUESTS,
      concurrency: 8,
      jaegerUrl: clientEnv(loadSettings()).JAEGER_QUERY_URL,
      timeoutMs: 60_000,
    });
    for (const r of report.targets) {
      const pct = r.requests === 0 ? 0 : (100 * r.complete) / r.requests;
      console.log(`${r.name}: ${r.complete}/${r.requests} complete, linked traces (${pct.toFixed(1)} %)`);
    }
    const failures = report.targets.flatMap((r) =>
      [r.error, ...r.failures.map((f) => `${f.traceId ?? '-'} ${f.check}: ${f.message}`)]
        .filter(Boolean)
        .map((line) => `${r.name}: ${line}`),
    );
    expect(failures.slice(0, 10)).toEqual([]);
    expect(report.targets.map((r) => [r.name, r.complete])).toEqual([
      ['express', REQUESTS],
      ['worker', REQUESTS],
      ['serverless', REQUESTS],
    ]);
    expect(report.ok).toBe(true);
  });

  it('`./pnpm milvus-otel verify --json`, as the README and CI run it, passes against them', async () => {
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    const { stdout } = await promisify(execFile)(
      './pnpm',
      ['--silent', 'milvus-otel', 'verify', '--json', '-n', '3', '--timeout', '60000'],
      {
        cwd: repo,
        env: {
          ...process.env,
          EXPRESS_URL: examples.expressUrl,
          LAMBDA_URL: examples.lambdaUrl,
          JAEGER_QUERY_URL: clientEnv(loadSettings()).JAEGER_QUERY_URL,
        },
      },
    );
    const report = JSON.parse(stdout) as { ok: boolean; targets: { name: string; complete: number }[] };
    expect(report.targets.map((t) => [t.name, t.complete])).toEqual([
      ['express', 3],
      ['worker', 3],
      ['serverless', 3],
    ]);
    expect(report.ok).toBe(true);
  }, 300_000);
});
