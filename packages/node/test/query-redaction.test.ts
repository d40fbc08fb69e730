import type { IncomingMessage } from 'node:http';
import { ConfigError, parseClientEnv } from '@milvus-otel/config';
import { searchTraces } from '@milvus-otel/jaeger-query';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { selectInstrumentations } from '../src/instrumentations.ts';
import {
  REDACTED,
  redactIncomingQuery,
  redactOutgoingUrl,
  redactQuery,
  redactUrl,
} from '../src/query-redaction.ts';
import { withRegisterOptions } from '../src/register-options.ts';
import { appEnv, fixture, jaegerUrl, startApp, unique } from './helpers.ts';

const keep = (...names: string[]) => new Set(names);

describe('redactQuery', () => {
  it('replaces every value with REDACTED, keeping keys and order', () => {
    expect(redactQuery('q=my+secret+search&category=tax%20fraud', keep())).toBe(
      `q=${REDACTED}&category=${REDACTED}`,
    );
  });

  it('keeps the values of the kept parameters byte for byte (names matched after decoding)', () => {
    expect(redactQuery('q=secret&limit=5&page=2', keep('limit'))).toBe('q=REDACTED&limit=5&page=REDACTED');
    expect(redactQuery('filter%5Bid%5D=7&q=x', keep('filter[id]'))).toBe('filter%5Bid%5D=7&q=REDACTED');
    expect(redactQuery('Limit=5', keep('limit'))).toBe('Limit=REDACTED'); // case sensitive
  });

  it('handles repeated keys, empty values, flags without a value and odd input', () => {
    expect(redactQuery('q=a&q=b&limit=1&limit=2', keep('limit'))).toBe(
      'q=REDACTED&q=REDACTED&limit=1&limit=2',
    );
    expect(redactQuery('q=&debug&&x==y', keep())).toBe('q=REDACTED&debug&&x=REDACTED');
    expect(redactQuery('%E0%A4%A=1', keep())).toBe('%E0%A4%A=REDACTED'); // bad escape: compared raw
    expect(redactQuery('', keep())).toBe('');
  });

  it('redactUrl redacts only the query of a URL, keeping scheme, host, path and fragment', () => {
    expect(redactUrl('http://h:8080/a/b?q=secret&limit=5#frag', keep('limit'))).toBe(
      'http://h:8080/a/b?q=REDACTED&limit=5#frag',
    );
    expect(redactUrl('http://h/a#x?q=1', keep())).toBe('http://h/a#x?q=REDACTED'); // '?' after '#': still not leaked
    expect(redactUrl('http://h/a', keep())).toBe('http://h/a');
  });
});

describe('the hooks', () => {
  it('startIncomingSpanHook: url.query of the request target, redacted; nothing without a query', () => {
    const hook = redactIncomingQuery(['limit']);
    const req = (url: string) => ({ url }) as IncomingMessage;
    expect(hook(req('/search?q=secret-marker&limit=5'))).toEqual({ 'url.query': 'q=REDACTED&limit=5' });
    expect(hook(req('/search'))).toEqual({});
    expect(hook(req('/search?'))).toEqual({});
  });

  it('requestHook of client spans rewrites url.full and url.query (undici) of a recording span', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const span = provider.getTracer('t').startSpan('GET', {
      attributes: { 'url.full': 'http://h/e?token=abc&limit=7', 'url.query': '?token=abc&limit=7' },
    });
    redactOutgoingUrl(['limit'])(span);
    span.end();
    expect(exporter.getFinishedSpans()[0]?.attributes).toMatchObject({
      'url.full': 'http://h/e?token=REDACTED&limit=7',
      'url.query': '?token=REDACTED&limit=7',
    });
  });
});

describe('keepQueryParams: register() option and MILVUS_OTEL_KEEP_QUERY_PARAMS', () => {
  const fromEnv = parseClientEnv({ MILVUS_OTEL_KEEP_QUERY_PARAMS: 'page' }).data;

  it('the environment by default, the option wins, [] redacts everything', () => {
    expect(withRegisterOptions(fromEnv, {}).keepQueryParams).toEqual(['page']);
    expect(withRegisterOptions(fromEnv, { keepQueryParams: ['limit', 'limit'] }).keepQueryParams).toEqual([
      'limit',
    ]);
    expect(withRegisterOptions(fromEnv, { keepQueryParams: [] }).keepQueryParams).toEqual([]);
  });

  it('a bad name throws a ConfigError naming the option', () => {
    expect(() => withRegisterOptions(fromEnv, { keepQueryParams: ['ok', 'a=b'] })).toThrow(ConfigError);
    expect(() => withRegisterOptions(fromEnv, { keepQueryParams: ['ok', 'a=b'] })).toThrow(
      /keepQueryParams is "a=b": expected query parameter names/,
    );
  });

  let made: Instrumentation[] = [];
  afterEach(() => {
    for (const i of made) i.disable();
    made = [];
  });
  it.each(['lean', 'all'] as const)(
    'the %s set’s HTTP instrumentation redacts server span queries',
    (set) => {
      made = selectInstrumentations({ instrumentations: set }, parseClientEnv({}).data);
      const http = made.find((i) => i.instrumentationName === '@opentelemetry/instrumentation-http');
      const hook = (http?.getConfig() as HttpInstrumentationConfig | undefined)?.startIncomingSpanHook;
      expect(hook?.({ url: '/s?q=x&limit=1' } as IncomingMessage)).toEqual({
        'url.query': 'q=REDACTED&limit=REDACTED',
      });
      const undici = made.find((i) => i.instrumentationName === '@opentelemetry/instrumentation-undici');
      expect((undici?.getConfig() as { requestHook?: unknown } | undefined)?.requestHook).toBeTypeOf(
        'function',
      );
    },
  );
});

/** Each span of the service's traces in Jaeger: its name and its attributes. */
async function spansOf(service: string): Promise<Record<string, unknown>[]> {
  const traces = await searchTraces(jaegerUrl, { service, start: Date.now() - 3_600_000, limit: 20 });
  return traces.flatMap((t) => t.spans).map((s) => ({ name: s.name, ...s.tags }));
}

describe('query values are not exported (an app on node:http + fetch, through Jaeger)', () => {
  it('server url.query and client url.full hold REDACTED, the kept limit stays, no marker in any span', async () => {
    const service = unique('query_redaction');
    const { child, firstLine, exited, stderr } = await startApp(
      ['--import', '@milvus-otel/node/register', fixture('query-app.mjs')],
      appEnv(service, { MILVUS_OTEL_KEEP_QUERY_PARAMS: 'limit', OTEL_BSP_SCHEDULE_DELAY: '100' }),
    );
    const { port } = JSON.parse(firstLine) as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/search?q=secret-marker&limit=5`);
    expect(await res.text()).toBe('done');
    child.kill('SIGTERM');
    expect(await exited, stderr()).toBe('SIGTERM');

    let spans: Record<string, unknown>[] = [];
    const deadline = Date.now() + 20_000;
    while (spans.length < 5 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      spans = await spansOf(service);
    }
    const servers = spans.filter((s) => s['span.kind'] === 'server');
    const clients = spans.filter((s) => s['span.kind'] === 'client');
    expect(servers.map((s) => s['url.query']).sort()).toEqual([
      'q=REDACTED&limit=5',
      'q=REDACTED&limit=9',
      'token=REDACTED&limit=7',
    ]);
    expect(clients.map((s) => String(s['url.full']).replace(/:\d+\//, ':PORT/')).sort()).toEqual([
      'http://127.0.0.1:PORT/echo?q=REDACTED&limit=9',
      'http://127.0.0.1:PORT/echo?token=REDACTED&limit=7',
    ]);
    expect(JSON.stringify(spans)).not.toMatch(/secret-marker|token-marker/);
  });
});
