import { isDescendant, waitForTrace } from '@milvus-otel/jaeger-query';
import { describe, expect, it } from 'vitest';
import { appEnv, fixture, jaegerUrl, runNode, unique } from './helpers.ts';

describe('a .ts entry point of a "type": "module" package (Node type stripping)', () => {
  it('gets the ES module hook (said at debug level) and its Milvus search is traced end to end', async () => {
    const service = unique('ts_module');
    const collection = unique('ts_module_col');
    const entry = fixture('ts-module/app.ts');
    const run = await runNode(
      ['--import', '@milvus-otel/node/register', entry, collection],
      appEnv(service, { NODE_ENV: 'production', OTEL_LOG_LEVEL: 'debug' }),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(
      `@milvus-otel/node: entry ${entry} runs as an ES module (MILVUS_OTEL_ESM_HOOK=auto): installed the in-thread ES module loader hook.`,
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith('{"traceId"')) ?? '{}';
    const { traceId, spanId } = JSON.parse(line) as { traceId: string; spanId: string };
    const trace = await waitForTrace(jaegerUrl, traceId, {
      complete: (t) => {
        const search = t.spans.find((s) => s.service === service && s.name === `search ${collection}`);
        const proxies = t.spans.filter((s) => s.service === 'standalone' && s.name === 'Proxy-Search');
        return !!search && proxies.length > 0 && proxies.every((p) => isDescendant(t, p, search.spanId));
      },
      settleMs: 0,
    });
    expect(trace, `trace ${traceId} in Jaeger`).toBeDefined();
    const search = trace?.spans.find((s) => s.name === `search ${collection}`);
    expect(search?.parentId).toBe(spanId);
    expect(search?.tags).toMatchObject({ 'span.kind': 'client', 'db.system.name': 'milvus' });
  });
});
