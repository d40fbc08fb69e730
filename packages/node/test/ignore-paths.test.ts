import { searchTraces } from '@milvus-otel/jaeger-query';
import { describe, expect, it } from 'vitest';
import { appEnv, fixture, jaegerUrl, startApp, unique } from './helpers.ts';

/** The URL paths of the server spans in each of the service's traces in Jaeger (a trace per inbound request). */
async function tracedPaths(service: string): Promise<string[]> {
  const traces = await searchTraces(jaegerUrl, { service, start: Date.now() - 3_600_000, limit: 100 });
  return traces
    .flatMap((t) => t.spans)
    .filter((s) => s.kind === 'server')
    .map((s) => String(s.tags['url.path'] ?? s.tags['http.target'] ?? s.name))
    .sort();
}

/**
 * Starts an app that serves /healthz and /work, requests /healthz, /healthz?probe=1 and /work from this (untraced)
 * process, ends the app with SIGTERM (the preset flushes), then returns the paths Jaeger has server spans for, once
 * `expected` are all there (and a second read later, so a span that should not be there has had time to arrive).
 */
async function serveAndRead(
  args: string[],
  env: NodeJS.ProcessEnv,
  service: string,
  expected: string[],
): Promise<string[]> {
  const { child, firstLine, exited, stderr } = await startApp(args, env);
  const { port } = JSON.parse(firstLine) as { port: number };
  for (const path of ['/healthz', '/healthz?probe=1', '/work']) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    expect(res.status, path).toBe(200);
    await res.text();
  }
  child.kill('SIGTERM');
  expect(await exited, stderr()).toBe('SIGTERM');

  const deadline = Date.now() + 20_000;
  let paths = await tracedPaths(service);
  while (!expected.every((p) => paths.includes(p)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    paths = await tracedPaths(service);
  }
  await new Promise((r) => setTimeout(r, 1000));
  return tracedPaths(service);
}

describe('health checks make no traces', () => {
  it('an ESM app with --import @milvus-otel/node/register: /work has a trace, /healthz (with or without query) none', async () => {
    const service = unique('ignore_paths');
    const paths = await serveAndRead(
      ['--import', '@milvus-otel/node/register', fixture('health-app.mjs')],
      appEnv(service),
      service,
      ['/work'],
    );
    expect(paths).toEqual(['/work']);
  });

  it('MILVUS_OTEL_IGNORE_PATHS=none traces the health checks too', async () => {
    const service = unique('ignore_none');
    const paths = await serveAndRead(
      ['--import', '@milvus-otel/node/register', fixture('health-app.mjs')],
      appEnv(service, { MILVUS_OTEL_IGNORE_PATHS: 'none' }),
      service,
      ['/healthz', '/healthz', '/work'],
    );
    expect(paths).toEqual(['/healthz', '/healthz', '/work']);
  });

  it('register({ ignoreIncomingPaths }) wins over MILVUS_OTEL_IGNORE_PATHS (a CJS app)', async () => {
    const service = unique('ignore_option');
    const paths = await serveAndRead(
      [fixture('health-app.cjs')],
      appEnv(service, { MILVUS_OTEL_IGNORE_PATHS: '/healthz', FIXTURE_IGNORE_PATHS: '["/work"]' }),
      service,
      ['/healthz'],
    );
    expect(paths).toEqual(['/healthz', '/healthz']);
  });

  it('a CJS app with register() ignores the default health-check paths', async () => {
    const service = unique('ignore_cjs');
    const paths = await serveAndRead([fixture('health-app.cjs')], appEnv(service), service, ['/work']);
    expect(paths).toEqual(['/work']);
  });
});
