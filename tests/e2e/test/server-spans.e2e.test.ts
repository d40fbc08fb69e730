import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isDescendant, type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { beforeAll, describe, expect, it } from 'vitest';
import { compatRows, markdownTableRows, PROXY_SPAN, SDK_LINES, SERVER_VERSION } from '../src/compat.ts';
import { OPERATIONS, type Operation } from '../src/operations.ts';

const run = promisify(execFile);
const settings = loadSettings();
const env = clientEnv(settings);
const scenario = fileURLToPath(new URL('../src/scenario.ts', import.meta.url));

interface ScenarioResult {
  traceId: string;
  rootSpanId: string;
  sdkVersion: string;
  results: Record<Operation, string>;
}

async function runScenario(alias: string, serviceName: string): Promise<ScenarioResult> {
  const collection = `e2e_${alias.replace(/\W/g, '_')}_${Date.now()}`;
  const { stdout } = await run(process.execPath, [scenario, alias, collection], {
    env: { ...process.env, ...env, OTEL_SERVICE_NAME: serviceName },
    timeout: 180_000,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ScenarioResult;
}

describe.each(SDK_LINES)(`@zilliz/milvus2-sdk-node $version against Milvus ${SERVER_VERSION}`, (line) => {
  const serviceName = `milvus-otel-e2e-sdk-${line.version}`;
  let result: ScenarioResult;
  let trace: Trace;

  beforeAll(async () => {
    result = await runScenario(line.alias, serviceName);
    const expected = line.works.map((op) => PROXY_SPAN[op]);
    // Spans arrive in batches from both processes: wait until every expected server span hangs under the root.
    const found = await waitForTrace(env.JAEGER_QUERY_URL as string, result.traceId, {
      complete: (t) =>
        expected.every((name) => {
          const spans = t.spans.filter((s) => s.service === 'standalone' && s.name === name);
          return spans.length > 0 && spans.every((s) => isDescendant(t, s, result.rootSpanId));
        }),
      settleMs: 0,
    });
    if (!found) throw new Error(`trace ${result.traceId} never reached Jaeger at ${env.JAEGER_QUERY_URL}`);
    trace = found;
  });

  it('ran the installed SDK version', () => {
    expect(result.sdkVersion).toBe(line.version);
  });

  it('runs exactly the operations the compatibility table lists', () => {
    const worked = OPERATIONS.filter((op) => result.results[op] === 'ok');
    expect(worked, JSON.stringify(result.results, null, 2)).toEqual([...line.works]);
  });

  it('puts the client and the Milvus server spans in one trace', () => {
    expect(new Set(trace.spans.map((s) => s.traceId))).toEqual(new Set([result.traceId]));
    const services = new Set(trace.spans.map((s) => s.service));
    expect(services).toContain(serviceName);
    expect(services).toContain('standalone');
    const root = trace.spans.find((s) => s.spanId === result.rootSpanId);
    expect(root?.name).toBe('e2e milvus session');
    expect(root?.parentId).toBeUndefined();
  });

  it.each(line.works.map((op) => [op, PROXY_SPAN[op]] as const))(
    '%s: the server span %s descends from the client span',
    (_op, proxySpan) => {
      const server = trace.spans.filter((s) => s.service === 'standalone' && s.name === proxySpan);
      expect(server.length, `${proxySpan} in trace ${result.traceId}`).toBeGreaterThan(0);
      for (const span of server) {
        expect(
          isDescendant(trace, span, result.rootSpanId),
          `${proxySpan} ${span.spanId} under the root`,
        ).toBe(true);
        // The hop between the processes: server RPC span → client gRPC span of the same method.
        const rpc = trace.spans.find((s) => s.spanId === span.parentId);
        const client = trace.spans.find((s) => s.spanId === rpc?.parentId);
        expect(client?.service).toBe(serviceName);
        expect(client?.name).toBe(`grpc.${rpc?.name}`);
      }
    },
  );
});

describe('the README', () => {
  it('shows the compatibility table this suite checks', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(markdownTableRows(readme, 'SDK version')).toEqual(compatRows());
  });
});
