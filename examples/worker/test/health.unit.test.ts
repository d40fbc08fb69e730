import { type ChildProcess, spawn } from 'node:child_process';
import { RUNS } from '@milvus-otel/stack/hostile-text';
import { LEAKS, NOT_HTTP, type RawResponse, rawRequest, requestOf } from '@milvus-otel/stack/raw-http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDir } from './helpers.ts';

// The health server in a process of its own (as in the worker), so a throw that escapes it shows as an exit.
let child: ChildProcess;
let port: number;
let output = '';
let exitCode: number | null | undefined;

beforeAll(async () => {
  const script = `
    import { startHealthServer } from './src/health.ts';
    const server = await startHealthServer(0, { fine: () => true });
    console.log('port ' + server.port);`;
  child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: exampleDir });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  child.on('exit', (code) => (exitCode = code));
  const deadline = Date.now() + 10_000;
  while (!/port (\d+)/.test(output)) {
    if (exitCode !== undefined || Date.now() > deadline) throw new Error(`no health server:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  port = Number(/port (\d+)/.exec(output)?.[1]);
});

afterAll(() => {
  child?.kill();
});

/** The answer is JSON, whatever the request: the health server's, or its answer to bytes that are no HTTP. */
function expectWellFormed(res: RawResponse, method: string) {
  expect(res.raw).not.toMatch(LEAKS);
  if (method === 'CONNECT' && res.closedSilently) return; // Node drops CONNECT when nobody tunnels
  expect([200, 400, 404, 431], res.raw).toContain(res.status);
  expect(res.headers['content-type']).toBe('application/json');
  if (method !== 'HEAD') expect(JSON.parse(res.body)).toEqual(expect.any(Object));
}

async function expectAlive() {
  expect(exitCode, output).toBeUndefined();
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
}

describe('health server', () => {
  it('answers a request target that is not a URL with 400 JSON and keeps running', async () => {
    const res = await rawRequest(port, requestOf('GET', 'http://['));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad request' });
    await expectAlive();
  });

  it('answers bytes that are no HTTP request with 400 JSON too', async () => {
    for (const target of ['/a b', '/é', '\x7f']) {
      const res = await rawRequest(port, requestOf('GET', target));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ error: 'bad request', message: NOT_HTTP });
    }
    const huge = await rawRequest(port, requestOf('GET', `/${'a'.repeat(20_000)}`));
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body)).toEqual({ error: 'bad request', message: NOT_HTTP });
    await expectAlive();
  });

  it('answers every request target with JSON, never crashes', async () => {
    const target = fc.oneof(
      fc.constantFrom(
        'http://[',
        'http://[::1',
        'https://a:b@[/healthz',
        '*',
        '//',
        '%',
        '/%ZZ',
        '/healthz?%E0%A4%A',
      ),
      fc.constantFrom('/healthz', '/healthz?probe=1', 'http://example.com/healthz', '/healthz/', '/HEALTHZ'),
      fc.webPath(),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      // Any visible ASCII, and code points beyond it (sent as UTF-8 bytes).
      fc.string({
        unit: fc.oneof(
          fc
            .string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 })
            .filter((c) => c > ' ' && c < '\x7f'),
          fc.constantFrom('é', '🚀', '\ud800', '\x7f', '\t'),
        ),
        minLength: 1,
        maxLength: 40,
      }),
    );
    const method = fc.constantFrom(
      'GET',
      'GET',
      'GET',
      'HEAD',
      'POST',
      'OPTIONS',
      'DELETE',
      'CONNECT',
      'BREW',
    );
    await fc.assert(
      fc.asyncProperty(method, target, async (m, t) => {
        expectWellFormed(await rawRequest(port, requestOf(m, t)), m);
      }),
      RUNS,
    );
    await expectAlive();
  });
});
