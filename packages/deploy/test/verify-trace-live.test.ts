// Against the live stack: a real app (traced by @milvus-otel/node) makes real traces through Milvus into Jaeger;
// the built CLI prints them, checkTrace judges them, and verifyTraces runs the examples' targets file against
// stand-ins for the examples that answer with those trace ids.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrace, type TraceExpectation } from '../src/verify/check.ts';
import { verifyTraces } from '../src/verify/verify.ts';
import { EXAMPLE_TARGETS_FILE, EXPECTATIONS, exampleTargets } from './example-targets.ts';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const stack = clientEnv(loadSettings());
const jaegerUrl = stack.JAEGER_QUERY_URL as string;
const service = `deploy-test-${process.pid}`;

async function run(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], {
      env: { ...process.env, JAEGER_QUERY_URL: jaegerUrl, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Ids {
  search: string;
  function: string;
  missing: string;
  ingest: string;
  producer: string;
  linked: string;
}
let ids: Ids;
/** A port nothing listens on. */
let closed: string;
const traces: Partial<Record<keyof Ids, Trace | undefined>> = {};
const LINKED: TraceExpectation = { entry: { kind: 'consumer' } };

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((r) => probe.close(r));
  const { stdout } = await exec(
    process.execPath,
    ['--import', '@milvus-otel/node/register', 'test/fixtures/traced-app.mjs', `deploy_trace_${Date.now()}`],
    {
      cwd: root,
      env: {
        ...process.env,
        MILVUS_ADDRESS: stack.MILVUS_ADDRESS,
        OTEL_EXPORTER_OTLP_ENDPOINT: stack.OTEL_EXPORTER_OTLP_ENDPOINT,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_SERVICE_NAME: service,
      },
    },
  );
  ids = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Ids;
  const wait = (id: string, e: TraceExpectation) =>
    waitForTrace(jaegerUrl, id, { complete: (t) => checkTrace(t, e).length === 0, timeoutMs: 30_000 });
  [traces.search, traces.function, traces.ingest, traces.linked] = await Promise.all([
    wait(ids.search, EXPECTATIONS.express),
    wait(ids.function, EXPECTATIONS.serverless),
    wait(ids.ingest, EXPECTATIONS.worker),
    wait(ids.linked, LINKED),
  ]);
}, 120_000);

describe('real traces through Milvus', () => {
  it('checkTrace passes on each shape: request, Lambda-style invocation, enqueue → consume', () => {
    expect(checkTrace(traces.search, EXPECTATIONS.express)).toEqual([]);
    expect(checkTrace(traces.function, EXPECTATIONS.serverless)).toEqual([]);
    expect(checkTrace(traces.ingest, EXPECTATIONS.worker)).toEqual([]);
    expect(checkTrace(traces.linked, LINKED)).toEqual([]);
  });

  it("Jaeger's OTLP query API keeps the consumer's parent and its link to the producer apart; a link to another trace is no parent", () => {
    const producer = traces.ingest?.spans.find((s) => s.kind === 'producer');
    const consumer = traces.ingest?.spans.find((s) => s.kind === 'consumer');
    expect(consumer?.references).toEqual([
      { type: 'CHILD_OF', traceId: ids.ingest, spanId: producer?.spanId },
      { type: 'FOLLOWS_FROM', traceId: ids.ingest, spanId: producer?.spanId },
    ]);
    expect(consumer?.links).toEqual([{ traceId: ids.ingest, spanId: producer?.spanId }]);
    expect(consumer?.parentId).toBe(producer?.spanId);
    const linked = traces.linked?.spans.find((s) => s.kind === 'consumer');
    expect(linked?.references).toEqual([
      { type: 'FOLLOWS_FROM', traceId: ids.producer, spanId: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
    expect(linked).toMatchObject({ parentId: undefined, depth: 0, orphan: false });
  });

  it('a broken expectation fails with the reason', () => {
    expect(checkTrace(traces.search, EXPECTATIONS.worker)).toEqual([
      {
        check: 'entry',
        message: `no entry span (kind server, name ~ /^POST\\b/); root spans: "GET /search" (${service})`,
      },
    ]);
    const failures = checkTrace(traces.search, {
      entry: { kind: 'server' },
      milvusClient: { kind: 'client', name: /^delete / },
    });
    expect(failures.map((f) => f.check)).toEqual(['milvus-client']);
    expect(failures[0]?.message).toContain(
      'no Milvus client span (kind client, name ~ /^delete /) below "GET /search"',
    );
    expect(checkTrace(traces.function, EXPECTATIONS.serverless)).toEqual([]);
    expect(checkTrace(traces.linked, EXPECTATIONS.worker).map((f) => f.check)).toEqual(['entry']);
  });

  it('trace <id>: the waterfall of the real trace, services and spans in tree order', async () => {
    const { code, stdout, stderr } = await run(['trace', ids.ingest], { COLUMNS: '120' });
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^Trace ${ids.ingest}  \\S+  \\d+ spans  services: ${service}, standalone`),
    );
    expect(stdout).not.toContain('\u001b[');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const order = [
      at(/^POST \/ingest /),
      at(/^ {2}send ingest /),
      at(/^ {4}process ingest /),
      at(/^ {6}upsert deploy_trace_\d+ /),
      at(/^ {8}milvus\.proto\.milvus\.MilvusService\/Upsert /),
    ];
    for (const i of order) expect(i).toBeGreaterThan(0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(lines[order[4] ?? 0]).toContain('standalone');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('trace <id>: a failed span is flagged with its error; --json gives the tree', async () => {
    const failed = await run(['trace', ids.missing], { COLUMNS: '160' });
    expect(failed.code).toBe(0);
    expect(failed.stdout).toContain('1 error');
    expect(failed.stdout).toMatch(/\n {2}search deploy_trace_\d+_missing .*\n {4}✗ /);

    const json = await run(['trace', ids.search, '--json']);
    const trace = JSON.parse(json.stdout) as Trace;
    expect(trace.traceId).toBe(ids.search);
    expect(trace.spans.slice(0, 2).map((s) => [s.name.split(' ')[0], s.depth, s.kind])).toEqual([
      ['GET', 0, 'server'],
      ['search', 1, 'client'],
    ]);
    expect(trace.services).toContain('standalone');
  });

  it('trace <id>: exit 1 and a clear message for a trace Jaeger does not have, or a Jaeger that is down', async () => {
    const missing = await run(['trace', '0123456789abcdef0123456789abcdef', '--timeout', '1000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `milvus-otel trace: trace 0123456789abcdef0123456789abcdef is not in Jaeger at ${jaegerUrl} (waited 1000 ms)\n` +
        '  fix: check the id (`milvus-otel traces --service <name>` lists recent ones) and that this is the Jaeger the app exports to; Jaeger in memory forgets traces when it restarts\n',
    );
    const down = await run(['trace', ids.search, '--jaeger-url', closed]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`Jaeger query API at ${closed} is not reachable (ECONNREFUSED)`);
    const bad = await run(['trace', 'not-a-trace-id']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"not-a-trace-id" is not a trace id');
  });
});

describe('verify', () => {
  let server: Server;
  let url: string;
  const served = { ingest: '' };
  /** What the stand-ins received: method, path, headers and body of each request. */
  const received: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

  // Stand-ins for the examples: they answer as the examples do, with the ids of the real traces made above.
  beforeAll(async () => {
    served.ingest = ids.ingest;
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url?.startsWith('/search')) {
        res
          .writeHead(200, { 'content-type': 'application/json', 'x-trace-id': ids.search })
          .end('{"hits":[]}');
      } else if (req.url === '/ingest' && req.method === 'POST') {
        res.writeHead(202, { 'x-trace-id': served.ingest }).end('{"jobId":"1"}');
      } else if (req.url === '/2015-03-31/functions/function/invocations') {
        res.end(
          JSON.stringify({ statusCode: 200, headers: { 'X-Trace-Id': ids.function }, body: '{"hits":[]}' }),
        );
      } else if (req.url === '/custom') {
        res.writeHead(200, { 'request-id': ids.search }).end();
      } else {
        res.writeHead(req.url === '/healthz' ? 200 : 404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** The CLI with the examples' targets file, its URLs pointed at the stand-ins. */
  const verify = (args: string[], env: Record<string, string> = {}) =>
    run(['verify', '--targets', EXAMPLE_TARGETS_FILE, ...args], {
      EXPRESS_URL: url,
      LAMBDA_URL: url,
      ...env,
    });

  it('verifyTraces: every example target, N/N complete; each request as the examples need it', async () => {
    received.length = 0;
    const { targets } = exampleTargets({ EXPRESS_URL: url, LAMBDA_URL: url });
    const result = await verifyTraces({ targets, jaegerUrl, count: 3, timeoutMs: 20_000 });
    expect(result.error).toBeUndefined();
    expect(
      result.targets.map((e) => ({
        name: e.name,
        requests: e.requests,
        complete: e.complete,
        ok: e.ok,
      })),
    ).toEqual([
      { name: 'express', requests: 3, complete: 3, ok: true },
      { name: 'worker', requests: 3, complete: 3, ok: true },
      { name: 'serverless', requests: 3, complete: 3, ok: true },
    ]);
    expect(result.ok).toBe(true);
    expect(result.targets[1]?.traces[0]).toEqual({
      traceId: ids.ingest,
      ok: true,
      spans: expect.any(Number),
      failures: [],
    });
    expect(received.filter((r) => r.url?.startsWith('/search')).map((r) => r.url)).toEqual(
      Array(3).fill('/search?q=vector%20database%20tracing'),
    );
    // Every ingested document gets its own id; the invocation is an API Gateway event with a numeric timeEpoch.
    const docIds = received
      .filter((r) => r.url === '/ingest')
      .map((r) => JSON.parse(r.body).documents[0].id as string);
    expect(new Set(docIds).size).toBe(3);
    for (const id of docIds) expect(id).toMatch(/^verify-[0-9a-f]{8}-[0-2]$/);
    const events = received
      .filter((r) => r.url?.startsWith('/2015-03-31/'))
      .map((r) => JSON.parse(r.body) as { requestContext: { timeEpoch: unknown; time: string } });
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e.requestContext.timeEpoch).toBeTypeOf('number');
      expect(Date.parse(e.requestContext.time)).toBe(e.requestContext.timeEpoch);
    }
  });

  it('verifyTraces: any target: a custom trace id header, a pattern given as a RegExp', async () => {
    const result = await verifyTraces({
      targets: [
        {
          name: 'custom',
          request: { url: `${url}/custom` },
          traceId: { header: 'request-id' },
          expect: { entry: { kind: 'server', name: /^GET \/search$/ } },
        },
        {
          name: 'no-id',
          request: { url: `${url}/custom` },
          expect: { entry: { kind: 'server' } },
        },
      ],
      jaegerUrl,
      count: 1,
    });
    expect(result.targets.map((t) => [t.name, t.complete, t.failures.map((f) => f.message)])).toEqual([
      ['custom', 1, []],
      ['no-id', 0, [`GET ${url}/custom answered without an x-trace-id header`]],
    ]);
  });

  it('the CLI: summary and a waterfall per target, exit 0', async () => {
    const { code, stdout, stderr } = await verify(['--count', '2', '--jaeger-url', jaegerUrl]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(
      `✓ express (${url}/search?q=vector%20database%20tracing): 2/2 complete, linked traces (100%)`,
    );
    expect(stdout).toContain(`✓ worker (${url}/ingest): 2/2 complete, linked traces (100%)`);
    expect(stdout).toContain(
      `✓ serverless (${url}/2015-03-31/functions/function/invocations): 2/2 complete, linked traces (100%)`,
    );
    expect(stdout).toContain(`  Trace ${ids.ingest}`);
  });

  it('a broken trace: exit 1, the failure with its trace id, the waterfall of the failing trace; --json', async () => {
    served.ingest = ids.producer; // enqueued, but the consumer continued in another trace
    try {
      const { code, stdout } = await verify(['--target', 'worker', '--count', '2', '--timeout', '2000']);
      expect(code).toBe(1);
      expect(stdout).toContain(`✗ worker (${url}/ingest): 0/2 complete, linked traces (0%)`);
      expect(stdout).toContain(`  - ${ids.producer} consumer: no consumer span (kind consumer) in the trace`);
      expect(stdout).toContain(`  Trace ${ids.producer}`);

      const json = await verify(['--target', 'worker', '-n', '1', '--timeout', '1000', '--json']);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({
        ok: false,
        targets: [
          {
            name: 'worker',
            requests: 1,
            complete: 0,
            ok: false,
            failures: [{ traceId: ids.producer, check: 'consumer' }],
          },
        ],
      });
      expect(report.targets[0].sample).toBeUndefined();
    } finally {
      served.ingest = ids.ingest;
    }
  });

  it('a target that is not running: exit 1, naming the URL and how to start it', async () => {
    const { code, stdout } = await verify(['--target', 'express'], { EXPRESS_URL: closed });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `✗ express (${closed}/search?q=vector%20database%20tracing): express is not reachable at ${closed}/healthz (ECONNREFUSED): start the examples with \`./pnpm dev\``,
    );
    const all = await verifyTraces({
      targets: exampleTargets({ EXPRESS_URL: closed, LAMBDA_URL: closed }).targets,
      jaegerUrl,
    });
    expect(all.ok).toBe(false);
    expect(all.targets.map((e) => [e.name, e.requests, e.error?.includes('./pnpm dev')])).toEqual([
      ['express', 0, true],
      ['worker', 0, true],
      ['serverless', 0, true],
    ]);
  });

  it('Jaeger down: exit 1 with its URL', async () => {
    const { code, stderr } = await verify(['--jaeger-url', closed]);
    expect(code).toBe(1);
    expect(stderr).toContain(`✗ Jaeger query API at ${closed} is not reachable (ECONNREFUSED)`);
  });
});
