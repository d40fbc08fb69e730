// The Milvus and Jaeger facts behind the server schemas, each checked against the upstream change that made it:
// milvus-io/milvus pkg/util/paramtable/component_param.go, configs/milvus.yaml and the release notes of each line;
// jaegertracing/jaeger v2.13.0 internal/sampling/samplingstrategy/file/provider.go.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parseClientEnv } from '../src/index.js';
import {
  checkEndToEnd,
  jaegerSettingsWarnings,
  parseJaegerSettings,
  parseMilvusTrace,
} from '../src/server/index.js';

function errorOf(input: unknown, milvusVersion: string): ConfigError {
  try {
    parseMilvusTrace(input, { milvusVersion });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TOKEN = 'Bearer s3cr3t-t0ken';
const HEADERS = base64(JSON.stringify({ authorization: TOKEN, 'x-sls-otel-project': 'milvus' }));
const OTLP = {
  exporter: 'otlp',
  sampleFraction: 1,
  otlp: { endpoint: 'otel.example.com:4317', secure: true },
};
const withHeaders = (headers: unknown) => ({ ...OTLP, otlp: { ...OTLP.otlp, headers } });

describe('trace.otlp.headers: base64 of a JSON object, read since Milvus 2.6.0 (#43211)', () => {
  it('accepts a valid 2.6 config that uses it', () => {
    expect(parseMilvusTrace(withHeaders(HEADERS), { milvusVersion: '2.6.0' })).toEqual({
      data: withHeaders(HEADERS),
      warnings: [],
    });
  });

  it('is a setting 2.5 does not read, named with the version it needs, its value masked', () => {
    expect(errorOf(withHeaders(HEADERS), '2.5.27').issues).toEqual([
      {
        key: 'trace.otlp.headers',
        value: '****',
        expected: 'a setting Milvus 2.5.27 reads (trace.otlp.headers came in Milvus 2.6.0)',
        fix: 'remove trace.otlp.headers for Milvus 2.5.27, or upgrade the server to 2.6.0+',
        needsMilvus: '2.6.0',
      },
    ]);
  });

  it.each([
    ['no base64', `${TOKEN}!`, 'standard base64'],
    ['base64url', base64('{"k":"??>"}').replace(/\+/g, '-').replace(/\//g, '_'), 'standard base64'],
    ['base64 of no JSON', base64(TOKEN), 'it decodes to no JSON'],
    ['base64 of a JSON list', base64(JSON.stringify([TOKEN])), 'it decodes to JSON, but no object'],
    [
      'a non-string value',
      base64(JSON.stringify({ authorization: TOKEN, retries: 3 })),
      '1 value(s) that are no strings',
    ],
  ])('rejects %s without showing the value', (_, headers, expected) => {
    const error = errorOf(withHeaders(headers), '2.6.0');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ key: 'trace.otlp.headers', value: '****' });
    expect(error.issues[0]?.expected).toContain(expected);
    expect(error.message).not.toContain(headers);
    expect(error.message).not.toContain('s3cr3t');
  });

  it('masks a value of the wrong type too', () => {
    const error = errorOf(withHeaders({ authorization: TOKEN }), '2.6.0');
    expect(error.issues[0]).toMatchObject({ key: 'trace.otlp.headers', value: '****' });
    expect(error.message).not.toContain('s3cr3t');
  });

  it('warns about plain JSON (Milvus falls back to it) and about headers sent without TLS', () => {
    const json = JSON.stringify({ authorization: TOKEN });
    expect(
      parseMilvusTrace(withHeaders(json), { milvusVersion: '2.6.0' }).warnings.map((w) => w.message),
    ).toEqual([
      'trace.otlp.headers is plain JSON: Milvus takes it only as a fallback; its documented form is base64',
    ]);
    const plain = { ...OTLP, otlp: { endpoint: 'otel.example.com:4317', secure: false, headers: HEADERS } };
    const { warnings } = parseMilvusTrace(plain, { milvusVersion: '2.6.0' });
    expect(warnings.map((w) => w.message)).toEqual([
      'trace.otlp.secure is false: the headers (often tokens) travel in plain text',
    ]);
    expect(JSON.stringify(warnings)).not.toContain('s3cr3t');
  });
});

describe('the noop exporter and its default first shipped in Milvus 2.4.3 (#32169)', () => {
  it('rejects noop for 2.4.2, where Milvus logs "Empty Trace" and runs with no tracer', () => {
    expect(errorOf({ exporter: 'noop' }, '2.4.2').issues).toEqual([
      {
        key: 'trace.exporter',
        value: 'noop',
        expected: 'a setting Milvus 2.4.2 reads (trace.exporter: noop came in Milvus 2.4.3)',
        fix: 'upgrade to Milvus 2.4.3+, or use stdout with sampleFraction: 0 on Milvus 2.4.2 (it does not know noop)',
        needsMilvus: '2.4.3',
      },
    ]);
    expect(parseMilvusTrace({ exporter: 'noop' }, { milvusVersion: '2.4.3' }).data).toEqual({
      exporter: 'noop',
    });
  });

  it('takes stdout as the default exporter up to 2.4.2 and noop from 2.4.3', () => {
    const client = parseClientEnv({}).data;
    expect(checkEndToEnd(client, { sampleFraction: 1 }, '2.4.2')[0]?.message).toBe(
      'the client traces, but the server exports with stdout: traces will end at the client span',
    );
    expect(checkEndToEnd(client, { sampleFraction: 1 }, '2.4.3')[0]?.message).toBe(
      'the client traces, but the server exports with noop: traces will end at the client span',
    );
  });
});

describe('trace.initTimeoutSeconds first shipped in Milvus 2.4.6 (#34191, upstream says Version 2.4.4)', () => {
  it('is rejected for 2.4.5 and read by 2.4.6', () => {
    expect(errorOf({ initTimeoutSeconds: 10 }, '2.4.5').issues[0]).toMatchObject({
      key: 'trace.initTimeoutSeconds',
      expected: 'a setting Milvus 2.4.5 reads (trace.initTimeoutSeconds came in Milvus 2.4.6)',
      needsMilvus: '2.4.6',
    });
    expect(parseMilvusTrace({ initTimeoutSeconds: 10 }, { milvusVersion: '2.4.6' }).data).toEqual({
      initTimeoutSeconds: 10,
    });
  });
});

describe('trace.otlp.secure first shipped in Milvus 2.3.4 (#29131); before, OTLP always uses TLS', () => {
  const local = { exporter: 'otlp', sampleFraction: 1, otlp: { endpoint: 'jaeger:4317', secure: false } };

  it('rejects secure: false for 2.3.3, which ignores it and exports to nothing over TLS', () => {
    expect(errorOf(local, '2.3.3').issues).toEqual([
      {
        key: 'trace.otlp.secure',
        value: 'false',
        expected: 'a setting Milvus 2.3.3 reads (trace.otlp.secure came in Milvus 2.3.4)',
        fix: 'use Milvus 2.3.4+, or a collector with TLS (Milvus 2.3.3 ignores secure: false and always uses TLS)',
        needsMilvus: '2.3.4',
      },
    ]);
    expect(parseMilvusTrace(local, { milvusVersion: '2.3.4' }).data).toEqual(local);
  });

  it('gives 2.3.0 with a plain-text collector the fix that works there', () => {
    expect(errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger:4317' } }, '2.3.0').issues[0]).toMatchObject(
      {
        key: 'trace.otlp.secure',
        fix: 'use Milvus 2.3.4+ with trace.otlp.secure: false, or give the collector TLS',
      },
    );
  });
});

const FIXTURES = [
  ['milvus-2.3.trace.yaml', '2.3.22'],
  ['milvus-2.4.trace.yaml', '2.4.24'],
  ['milvus-2.5.trace.yaml', '2.5.27'],
  ['milvus-2.6.trace.yaml', '2.6.22'],
] as const;

describe("upstream's own trace: section of each line validates for its latest release", () => {
  it.each(FIXTURES)('%s for Milvus %s', (file, version) => {
    const text = readFileSync(new URL(`fixtures/upstream/${file}`, import.meta.url), 'utf8');
    const { trace } = parse(text) as { trace: Record<string, unknown> };
    const { data } = parseMilvusTrace(trace, { milvusVersion: version });
    // Empty (null) keys are unset: Milvus's default applies, and they are gone from the result.
    expect(JSON.stringify(data)).not.toContain('null');
    expect(data.otlp?.secure).toBe(true);
  });

  it('takes null for jaeger.url, otlp.endpoint and otlp.method as unset', () => {
    const upstream = {
      exporter: 'noop',
      jaeger: { url: null },
      otlp: { endpoint: null, method: null, secure: true },
    };
    expect(parseMilvusTrace(upstream, { milvusVersion: '2.5.27' }).data).toEqual({
      exporter: 'noop',
      jaeger: {},
      otlp: { secure: true },
    });
  });
});

describe('Jaeger sampling strategies as Jaeger v2.13 applies them', () => {
  it('needs a whole tracesPerSecond ≥ 1: Jaeger sends int32(param), so 0.5 would be 0', () => {
    for (const tracesPerSecond of [0.5, 2.5, 0]) {
      expect(() =>
        parseJaegerSettings({ sampling: { default: { type: 'rateLimiting', tracesPerSecond } } }),
      ).toThrow(ConfigError);
    }
    expect(
      parseJaegerSettings({ sampling: { default: { type: 'rateLimiting', tracesPerSecond: 1 } } }).sampling
        .default,
    ).toEqual({ type: 'rateLimiting', tracesPerSecond: 1 });
  });

  it('warns that a rate-limited service with per-operation rules is sampled by probability instead', () => {
    const settings = parseJaegerSettings({
      sampling: {
        services: [
          {
            service: 'search-api',
            strategy: { type: 'rateLimiting', tracesPerSecond: 10 },
            operations: [{ operation: 'GET /healthz', strategy: { type: 'const', decision: false } }],
          },
          { service: 'worker', strategy: { type: 'rateLimiting', tracesPerSecond: 5 } },
        ],
      },
    });
    expect(jaegerSettingsWarnings(settings)).toEqual([
      {
        key: 'jaeger.sampling.services.0.strategy',
        message:
          'service "search-api" is rate-limited and has per-operation rules: Jaeger then samples its operations by probability (unlisted ones at default_sampling_probability, 0.001 unless set), so clients that follow per-operation rules never apply the limit of 10/s',
        fix: 'give service "search-api" a probabilistic strategy, or drop its operations to keep the rate limit',
      },
    ]);
  });
});
