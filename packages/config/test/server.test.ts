import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/index.js';
import { parseMilvusTrace } from '../src/server/index.js';

function errorOf(input: unknown, milvusVersion?: string): ConfigError {
  try {
    parseMilvusTrace(input, milvusVersion ? { milvusVersion } : {});
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The seeds' server configs: Helm user.yaml for the Jaeger Operator, and the docker-compose milvus.yaml. */
const SEED_JAEGER = {
  exporter: 'jaeger',
  sampleFraction: 1,
  jaeger: { url: 'http://jaeger-collector:14268/api/traces' },
};
const SEED_OTLP = {
  exporter: 'otlp',
  sampleFraction: 1,
  otlp: { endpoint: 'jaeger:4317', method: 'grpc', secure: false },
  initTimeoutSeconds: 10,
};

describe('the seeds’ trace sections', () => {
  it('accepts the Jaeger-exporter config, warning that the exporter is deprecated', () => {
    const { data, warnings } = parseMilvusTrace(SEED_JAEGER, { milvusVersion: '2.4.0' });
    expect(data).toEqual(SEED_JAEGER);
    expect(warnings).toEqual([
      {
        key: 'trace.exporter',
        message:
          'the jaeger exporter is deprecated (Jaeger itself takes OTLP since 1.35; its Thrift endpoint is legacy)',
        fix: 'set trace.exporter: otlp with trace.otlp.endpoint: <jaeger-collector>:4317 and trace.otlp.secure: false',
      },
    ]);
  });

  it('accepts the OTLP config for Milvus 2.5.11 with no warning', () => {
    expect(parseMilvusTrace(SEED_OTLP, { milvusVersion: 'v2.5.11' })).toEqual({
      data: SEED_OTLP,
      warnings: [],
    });
  });

  it('rejects, for Milvus 2.4.0, the keys it does not read, naming the release that introduced them', () => {
    expect(errorOf(SEED_OTLP, '2.4.0').message).toBe(
      [
        'Invalid Milvus 2.4.0 trace settings (2 problems):',
        '  - trace.otlp.method is "grpc": expected a setting Milvus 2.4.0 reads (trace.otlp.method came in Milvus 2.4.7).',
        '    Fix: remove trace.otlp.method for Milvus 2.4.0, or upgrade the server to 2.4.7+',
        '  - trace.initTimeoutSeconds is "10": expected a setting Milvus 2.4.0 reads (trace.initTimeoutSeconds came in Milvus 2.4.6).',
        '    Fix: remove trace.initTimeoutSeconds for Milvus 2.4.0, or upgrade the server to 2.4.6+',
      ].join('\n'),
    );
  });

  it('accepts the native stack’s config for its Milvus 2.3.5', () => {
    const native = {
      exporter: 'otlp',
      sampleFraction: 1,
      otlp: { endpoint: '127.0.0.1:4317', secure: false },
    };
    expect(parseMilvusTrace(native, { milvusVersion: '2.3.5' }).data).toEqual(native);
  });
});

describe('schema errors', () => {
  it.each([
    [{ exporter: 'zipkin' }, 'trace.exporter', 'one of otlp, jaeger, stdout, noop'],
    [{ sampleFraction: 1.5 }, 'trace.sampleFraction', 'a number from 0 to 1'],
    [{ sampleFraction: '1' }, 'trace.sampleFraction', 'a number from 0 to 1'],
    [{ otlp: { method: 'udp' } }, 'trace.otlp.method', 'grpc or http'],
    [{ otlp: { secure: 'no' } }, 'trace.otlp.secure', 'true or false'],
    [{ initTimeoutSeconds: 0 }, 'trace.initTimeoutSeconds', 'a whole number of seconds > 0'],
  ])('%j → %s', (input, key, expected) => {
    const error = errorOf(input);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ key, expected });
  });

  it('rejects keys Milvus does not read', () => {
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger:4317', secure: false, insecure: true } }).issues,
    ).toEqual([
      {
        key: 'trace.otlp.insecure',
        value: undefined,
        expected: 'only known keys (insecure is not a trace setting)',
        fix: 'remove it; Milvus reads trace.exporter, sampleFraction, jaeger.url, otlp.endpoint/method/secure/headers, initTimeoutSeconds',
      },
    ]);
  });

  it('rejects the noop exporter before Milvus 2.4.3', () => {
    expect(errorOf({ exporter: 'noop' }, '2.3.5').issues[0]).toEqual({
      key: 'trace.exporter',
      value: 'noop',
      expected: 'a setting Milvus 2.3.5 reads (trace.exporter: noop came in Milvus 2.4.3)',
      fix: 'upgrade to Milvus 2.4.3+, or use stdout with sampleFraction: 0 on Milvus 2.3.5 (it does not know noop)',
      needsMilvus: '2.4.3',
    });
  });

  it('names a version it cannot read', () => {
    expect(errorOf({}, 'latest').issues[0]).toMatchObject({ key: 'milvusVersion', value: 'latest' });
  });
});

describe('server cross-checks', () => {
  it('needs an endpoint for the otlp exporter', () => {
    expect(errorOf({ exporter: 'otlp' }).issues[0]).toEqual({
      key: 'trace.otlp.endpoint',
      expected: 'host:port of the OTLP collector when trace.exporter is otlp',
      fix: 'set trace.otlp.endpoint: jaeger:4317',
    });
  });

  it('wants host:port without a scheme', () => {
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: 'http://jaeger:4317', secure: false } }).issues[0],
    ).toEqual({
      key: 'trace.otlp.endpoint',
      value: 'http://jaeger:4317',
      expected: 'host:port without a scheme or path (Milvus adds the transport itself)',
      fix: 'set trace.otlp.endpoint: jaeger:4317',
    });
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: 'https://otel.example.com:4317/' } }).issues[0]?.fix,
    ).toBe('set trace.otlp.endpoint: otel.example.com:4317 and trace.otlp.secure: true');
  });

  it('wants a port', () => {
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger', secure: false } }).issues[0],
    ).toMatchObject({
      key: 'trace.otlp.endpoint',
      expected: 'host:port (the port is required)',
      fix: 'set trace.otlp.endpoint: jaeger:4317',
    });
  });

  it('reads an IPv6 endpoint in brackets, and rejects a port out of range', () => {
    expect(
      parseMilvusTrace({
        exporter: 'otlp',
        sampleFraction: 1,
        otlp: { endpoint: '[::1]:4317', secure: false },
      }).warnings,
    ).toEqual([]);
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: '[fd00::7]:4318', secure: true } }).issues[0],
    ).toMatchObject({
      key: 'trace.otlp.endpoint',
      fix: 'set trace.otlp.endpoint: [fd00::7]:4317, or trace.otlp.method: http (Milvus ≥ 2.4.7)',
    });
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger:99999', secure: false } }).issues[0],
    ).toEqual({
      key: 'trace.otlp.endpoint',
      value: 'jaeger:99999',
      expected: 'host:port with a port from 1 to 65535',
      fix: 'set trace.otlp.endpoint: jaeger:4317',
    });
  });

  it('matches the port to otlp.method', () => {
    expect(errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger:4318', secure: false } }).issues[0]).toEqual(
      {
        key: 'trace.otlp.endpoint',
        value: 'jaeger:4318',
        expected: 'the OTLP gRPC port (4317) for trace.otlp.method grpc (the default)',
        fix: 'set trace.otlp.endpoint: jaeger:4317, or trace.otlp.method: http (Milvus ≥ 2.4.7)',
      },
    );
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger:4317', method: 'http', secure: false } })
        .issues[0],
    ).toEqual({
      key: 'trace.otlp.endpoint',
      value: 'jaeger:4317',
      expected: 'the OTLP HTTP port (4318) for trace.otlp.method http',
      fix: 'set trace.otlp.endpoint: jaeger:4318, or trace.otlp.method: grpc',
    });
  });

  it('rejects TLS (explicit or Milvus’s default) towards a plain-text local collector', () => {
    expect(errorOf({ exporter: 'otlp', otlp: { endpoint: 'jaeger:4317' } }).issues[0]).toEqual({
      key: 'trace.otlp.secure',
      value: undefined,
      expected:
        'false for the plain-text collector at jaeger:4317 (Milvus defaults to true, so TLS is attempted and every export fails)',
      fix: 'set trace.otlp.secure: false, or give the collector TLS',
    });
    expect(
      errorOf({ exporter: 'otlp', otlp: { endpoint: '127.0.0.1:4317', secure: true } }).issues[0],
    ).toMatchObject({
      key: 'trace.otlp.secure',
      value: 'true',
      expected: 'false for the plain-text collector at 127.0.0.1:4317',
    });
    expect(
      errorOf({
        exporter: 'otlp',
        otlp: { endpoint: 'jaeger-collector.observability.svc:4317', secure: true },
      }).issues[0]?.key,
    ).toBe('trace.otlp.secure');
  });

  it('accepts TLS to a remote collector', () => {
    expect(() =>
      parseMilvusTrace({ exporter: 'otlp', sampleFraction: 1, otlp: { endpoint: 'otlp.example.com:4317' } }),
    ).not.toThrow();
  });

  it('needs a full Jaeger URL for the jaeger exporter', () => {
    expect(errorOf({ exporter: 'jaeger' }).issues[0]).toEqual({
      key: 'trace.jaeger.url',
      expected: 'the Jaeger collector URL when trace.exporter is jaeger',
      fix: 'set trace.jaeger.url: http://jaeger-collector:14268/api/traces',
    });
    expect(
      errorOf({ exporter: 'jaeger', jaeger: { url: 'jaeger-collector:14268' } }).issues[0],
    ).toMatchObject({
      key: 'trace.jaeger.url',
      value: 'jaeger-collector:14268',
      expected: 'a full http(s) URL ending in /api/traces (the collector’s Thrift HTTP endpoint, port 14268)',
    });
  });

  it('warns that stdout never reaches Jaeger, and explains sampleFraction 0', () => {
    expect(parseMilvusTrace({ exporter: 'stdout' }).warnings.map((w) => w.key)).toEqual(['trace.exporter']);
    expect(
      parseMilvusTrace({ exporter: 'otlp', otlp: { endpoint: 'jaeger:4317', secure: false } }).warnings[0]
        ?.message,
    ).toBe(
      'sampleFraction 0: only requests that arrive with a sampled traceparent are traced (Milvus samples parent-based)',
    );
  });
});

describe('properties', () => {
  it('accepts every sampleFraction in [0, 1] and rejects every number outside', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        (f) => parseMilvusTrace({ sampleFraction: f }).data.sampleFraction === f,
      ),
    );
    fc.assert(
      fc.property(fc.double({ min: 1.000001, max: 1e6, noNaN: true }), (f) => {
        try {
          parseMilvusTrace({ sampleFraction: f });
          return false;
        } catch (error) {
          return error instanceof ConfigError && error.issues[0]?.key === 'trace.sampleFraction';
        }
      }),
    );
  });

  it('gates trace.otlp.method exactly at 2.4.7 for every patch release', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 6 }), fc.integer({ min: 0, max: 30 }), (minor, patch) => {
        const version = `2.${minor}.${patch}`;
        const reads = minor > 4 || (minor === 4 && patch >= 7);
        let accepted = true;
        try {
          parseMilvusTrace(
            { exporter: 'otlp', otlp: { endpoint: 'jaeger:4317', method: 'grpc', secure: false } },
            { milvusVersion: version },
          );
        } catch {
          accepted = false;
        }
        return accepted === reads;
      }),
    );
  });
});
