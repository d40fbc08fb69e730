import { isDescendant, waitForTrace } from '@milvus-otel/jaeger-query';
import { describe, expect, it } from 'vitest';
import { appEnv, fixture, jaegerUrl, runNode, unique } from './helpers.ts';

describe.each([
  [
    'an ESM app with --import @milvus-otel/node/register',
    ['--import', '@milvus-otel/node/register', fixture('milvus-app.mjs')],
    'esm app work',
  ],
  ['a CJS app with register()', [fixture('milvus-app.cjs')], 'cjs app work'],
  [
    // No ESM loader hook for a CommonJS entry point (MILVUS_OTEL_ESM_HOOK=auto): require() is patched all the same.
    'a CJS app with --import @milvus-otel/node/register',
    ['--import', '@milvus-otel/node/register', fixture('milvus-app.cjs')],
    'cjs app work',
  ],
])('%s', (_name, args, rootName) => {
  it('gives one trace: app span → `search <collection>` client span → Milvus server spans, no orphan', async () => {
    const service = unique('preset');
    const collection = unique('preset_col');
    const run = await runNode([...args, collection], appEnv(service));
    expect(run.code, run.stderr).toBe(0);
    const { traceId, spanId } = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
      traceId: string;
      spanId: string;
    };

    // Spans reach Jaeger in batches from two processes: wait until the chain to every Proxy-Search is complete.
    const trace = await waitForTrace(jaegerUrl, traceId, {
      complete: (t) => {
        const search = t.spans.find((s) => s.service === service && s.name === `search ${collection}`);
        const proxies = t.spans.filter((s) => s.service === 'standalone' && s.name === 'Proxy-Search');
        return !!search && proxies.length > 0 && proxies.every((p) => isDescendant(t, p, search.spanId));
      },
      settleMs: 0,
    });
    expect(trace, `trace ${traceId} in Jaeger`).toBeDefined();
    if (!trace) return;
    const root = trace.spans.find((s) => s.spanId === spanId);
    expect(root?.name).toBe(rootName);
    expect(root?.parentId).toBeUndefined();

    const search = trace.spans.find((s) => s.service === service && s.name === `search ${collection}`);
    expect(search?.parentId).toBe(spanId);
    expect(search?.tags).toMatchObject({
      'span.kind': 'client',
      'db.system.name': 'milvus',
      'db.operation.name': 'search',
      'db.collection.name': collection,
    });
    const proxy = trace.spans.filter((s) => s.service === 'standalone' && s.name === 'Proxy-Search');
    expect(proxy.length).toBeGreaterThan(0);
    for (const p of proxy) expect(isDescendant(trace, p, search?.spanId ?? '')).toBe(true);

    // Every span of this app is under the app's root span: nothing orphaned, no anonymous transport span.
    const mine = trace.spans.filter((s) => s.service === service);
    for (const s of mine.filter((s) => s.spanId !== spanId))
      expect(isDescendant(trace, s, spanId), s.name).toBe(true);
    expect(mine.some((s) => s.name.startsWith('grpc.'))).toBe(false);
  });
});

describe('start-up', () => {
  it('stops with one error that names every bad variable, and starts nothing', async () => {
    const run = await runNode(
      ['--import', '@milvus-otel/node/register', '-e', 'console.log("app ran")'],
      appEnv('bad', {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpcc',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_TRACES_SAMPLER: 'traceidratio',
      }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('app ran');
    expect(run.stderr).toContain('@milvus-otel/node: tracing not started.');
    expect(run.stderr).toContain('Invalid tracing settings (2 problems):');
    expect(run.stderr).toContain(
      'OTEL_EXPORTER_OTLP_PROTOCOL is "grpcc": expected one of grpc, http/protobuf, http/json.',
    );
    expect(run.stderr).toContain('OTEL_TRACES_SAMPLER_ARG is "2"');
    expect(run.stderr).not.toMatch(/\bat \S+ \(/); // no stack trace
  });

  it('rejects a bad MILVUS_OTEL_ESM_HOOK by name', async () => {
    const run = await runNode(
      ['--import', '@milvus-otel/node/register', '-e', 'console.log("app ran")'],
      appEnv('bad-hook', { MILVUS_OTEL_ESM_HOOK: 'sometimes' }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('app ran');
    expect(run.stderr).toContain('MILVUS_OTEL_ESM_HOOK is "sometimes": expected one of auto, on, off');
  });

  it('is a no-op with OTEL_SDK_DISABLED=true', async () => {
    const run = await runNode(
      [
        '-e',
        'const h = require("@milvus-otel/node").register(); const api = require("@opentelemetry/api"); console.log(JSON.stringify({ enabled: h.enabled, recording: api.trace.getTracer("x").startSpan("s").isRecording() }))',
      ],
      appEnv('disabled', { OTEL_SDK_DISABLED: 'true' }),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ enabled: false, recording: false });
  });

  it('refuses loudly to start beside another tracer provider', async () => {
    const run = await runNode(
      [
        '-e',
        'const { TracerProvider } = require("@opentelemetry/sdk-trace"); require("@opentelemetry/api").trace.setGlobalTracerProvider(new TracerProvider()); const h = require("@milvus-otel/node").register(); console.log(h.enabled)',
      ],
      appEnv('twice'),
    );
    expect(run.stdout.trim()).toBe('false');
    expect(run.stderr).toContain(
      'another OpenTelemetry tracer provider is already registered in this process, so this one is NOT started',
    );
  });
});
