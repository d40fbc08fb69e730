import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  envSetting,
  envUrl,
  maskValue,
  parseClientEnv,
  parseEnv,
  safeParseClientEnv,
} from '../src/index.js';
import { parseMilvusTrace } from '../src/server/index.js';

function errorOf(env: Record<string, string>): ConfigError {
  const result = safeParseClientEnv(env);
  if (result.success) throw new Error('expected a ConfigError');
  return result.error;
}

function serverErrorOf(trace: unknown, milvusVersion = '2.6.16'): ConfigError {
  try {
    parseMilvusTrace(trace, { milvusVersion });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** Everything a ConfigError lets a caller print: the message and each issue's fields. */
const everyText = (error: ConfigError) => [error.message, JSON.stringify(error.issues)].join('\n');

describe('URL credentials never reach a message', () => {
  it('masks the password of a rejected OTEL_EXPORTER_OTLP_ENDPOINT, keeping the rest readable', () => {
    const error = errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:SECRETPW@x' });
    expect(error.issues[0]).toMatchObject({ key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'ftp://user:****@x' });
    expect(everyText(error)).not.toContain('SECRETPW');
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://user:SECRETPW@collector:4318/v1/traces'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://user:SECRET/PW@collector:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'http://user:SEC#RETPW@collector:4318'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'https://:SECRETPW@localhost:4317'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://user:SECRETPW@collector/v1/traces'],
    ['MILVUS_ADDRESS', 'https://root:SECRETPW@milvus:99999'],
    ['MILVUS_ADDRESS', 'root:SECRETPW@milvus:19530'],
  ])('%s=%s: the password is masked in the value and the message', (key, value) => {
    const env: Record<string, string> = { [key]: value };
    if (value.includes(':4317')) env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
    const error = errorOf(env);
    expect(error.issues.map((i) => i.key)).toContain(key);
    expect(everyText(error)).not.toContain('SECRET');
    expect(error.message).toContain('****');
  });

  it('masks credentials in the cross-checks of a valid URL (protocol vs port)', () => {
    const error = errorOf({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:SECRETPW@localhost:4318',
    });
    expect(error.issues[0]).toMatchObject({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: 'http://user:****@localhost:4318',
    });
    expect(everyText(error)).not.toContain('SECRETPW');
  });

  it('masks a lone user name (often a token) the same way', () => {
    const error = errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://ghp_SECRETTOKEN@x' });
    expect(error.issues[0]?.value).toBe('ftp://****@x');
  });

  it('masks query values (keys kept), as an endpoint may carry its API key there', () => {
    const error = errorOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317?api_key=SECRETKEY&tenant=SECRETTENANT#SECRETFRAG',
    });
    expect(error.issues[0]).toMatchObject({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: 'http://collector:4317/v1/traces?api_key=****&tenant=****#****',
    });
    expect(everyText(error)).not.toContain('SECRET');
  });

  it('masks the base endpoint that carries /v1/traces', () => {
    const error = errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://u:SECRETPW@collector:4318/v1/traces' });
    expect(error.issues[0]?.expected).toBe('the base URL of the collector: /v1/traces is appended to it');
    expect(everyText(error)).not.toContain('SECRETPW');
  });

  it('masks the sampling endpoint inside OTEL_TRACES_SAMPLER_ARG', () => {
    const error = errorOf({
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://u:SECRETPW@jaeger:5778,pollingIntervalMs=soon',
    });
    expect(error.issues[0]).toMatchObject({
      key: 'OTEL_TRACES_SAMPLER_ARG',
      value: 'endpoint=http://u:****@jaeger:5778,pollingIntervalMs=soon',
    });
    expect(everyText(error)).not.toContain('SECRETPW');
  });

  it('masks credentials in warnings too', () => {
    const { warnings } = parseClientEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://u:SECRETPW@localhost:4317',
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('https://u:****@localhost:4317 uses https');
    expect(JSON.stringify(warnings)).not.toContain('SECRETPW');
  });

  it('masks credentials of the Milvus trace section: value, expectation and fix', () => {
    const endpoint = serverErrorOf({
      exporter: 'otlp',
      otlp: { endpoint: 'http://u:SECRETPW@jaeger:4318', secure: false },
    });
    expect(endpoint.issues[0]).toMatchObject({
      key: 'trace.otlp.endpoint',
      value: 'http://u:****@jaeger:4318',
      fix: 'set trace.otlp.endpoint: jaeger:4318',
    });
    expect(everyText(endpoint)).not.toContain('SECRETPW');

    const bare = serverErrorOf({ exporter: 'otlp', otlp: { endpoint: 'u:SECRETPW@localhost:4318' } });
    expect(everyText(bare)).not.toContain('SECRETPW');

    const jaeger = serverErrorOf({ exporter: 'jaeger', jaeger: { url: 'http://u:SECRETPW@jaeger:14268/x' } });
    expect(jaeger.issues[0]).toMatchObject({
      key: 'trace.jaeger.url',
      value: 'http://u:****@jaeger:14268/x',
    });
    expect(everyText(jaeger)).not.toContain('SECRETPW');

    const typed = serverErrorOf({ exporter: 'otlp', otlp: { endpoint: 42, method: 'https://u:SECRETPW@x' } });
    expect(everyText(typed)).not.toContain('SECRETPW');
  });

  it("masks credentials in an app's own settings (parseEnv)", () => {
    let error: unknown;
    try {
      parseEnv(
        'app settings',
        {
          REDIS_URL: envSetting(
            envUrl(['redis:'], undefined),
            'a redis:// URL',
            'set REDIS_URL=redis://r:6379',
          ),
        },
        { REDIS_URL: 'http://default:SECRETPW@redis:6379' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(everyText(error as ConfigError)).not.toContain('SECRETPW');
  });

  it('maskValue: URLs masked wherever they appear, other text untouched, idempotent', () => {
    expect(maskValue('X', 'see http://a:b@h:1/p?q=1 and https://h/x')).toBe(
      'see http://a:****@h:1/p?q=**** and https://h/x',
    );
    expect(maskValue('X', 'http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces');
    // A password may hold an unencoded `/`: everything up to the last `@` counts as user info.
    expect(maskValue('X', 'http://user:pa/ss@host:4318')).toBe('http://user:****@host:4318');
    expect(maskValue('X', 'http://user:09/pass@host')).toBe('http://user:****@host');
    expect(maskValue('X', 'localhost:19530')).toBe('localhost:19530');
    expect(maskValue('X', 'plain text, no URL')).toBe('plain text, no URL');
    expect(maskValue('X', 'ask admin@example.com')).toBe('ask admin@example.com');
    expect(maskValue('X', '"http://u:pa"ss@h"')).toBe('"http://u:****@h"');
    const once = maskValue('X', 'http://u:p@h?x=1#f');
    expect(once).toBe('http://u:****@h?x=****#****');
    expect(maskValue('X', once)).toBe(once);
    expect(maskValue('MILVUS_TOKEN', 'root:Milvus')).toBe('****');
  });
});

describe('MILVUS_ADDRESS ports', () => {
  it.each(['localhost:99999', 'localhost:0', 'localhost:65536', 'localhost:00000', 'http://milvus:0'])(
    '%s is rejected, naming MILVUS_ADDRESS and the fix',
    (value) => {
      const error = errorOf({ MILVUS_ADDRESS: value });
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]).toMatchObject({ key: 'MILVUS_ADDRESS', value });
      expect(error.message).toContain(`MILVUS_ADDRESS is ${JSON.stringify(value)}: expected host:port`);
      expect(error.message).toContain('port 1-65535');
      expect(error.message).toContain('Fix: set MILVUS_ADDRESS=localhost:19530');
    },
  );

  it.each(['localhost:1', 'milvus:19530', 'milvus:65535', 'https://in01.cloud.example:443'])(
    '%s is accepted',
    (value) => {
      expect(parseClientEnv({ MILVUS_ADDRESS: value }).data.milvus.address).toBe(value);
    },
  );

  it('rejects port 0 on the OTLP endpoint (no collector listens there)', () => {
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:0' }).issues[0]?.key).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  });
});

describe('the signal path goes on the path of the base endpoint', () => {
  const url = (endpoint: string) => parseClientEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).data.otlp.url;

  it('keeps the query string after /v1/traces', () => {
    expect(url('http://h:4318?token=X')).toBe('http://h:4318/v1/traces?token=X');
    expect(url('http://h:4318/?token=X')).toBe('http://h:4318/v1/traces?token=X');
    expect(url('http://h:4318/otlp/?a=1&b=2')).toBe('http://h:4318/otlp/v1/traces?a=1&b=2');
  });

  it('keeps everything else as written', () => {
    expect(url('http://h:4318')).toBe('http://h:4318/v1/traces');
    expect(url('https://h/otlp')).toBe('https://h/otlp/v1/traces');
  });

  it('leaves the gRPC endpoint and the per-signal endpoint as given', () => {
    expect(
      parseClientEnv({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4317?x=1',
      }).data.otlp.url,
    ).toBe('http://h:4317?x=1');
    expect(
      parseClientEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://h:4318/in?token=X' }).data.otlp.url,
    ).toBe('http://h:4318/in?token=X');
  });

  it('rejects /v1/traces on the base endpoint also before a query string', () => {
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318/v1/traces?token=X' }).issues[0],
    ).toMatchObject({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      expected: 'the base URL of the collector: /v1/traces is appended to it',
    });
  });
});

describe('values that cannot be shown as JSON', () => {
  it('a trace value that contains itself (a YAML alias inside its anchor) is still an error naming the key', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    let error: unknown;
    try {
      parseMilvusTrace({ exporter: loop });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]).toMatchObject({
      key: 'trace.exporter',
      value: '[object Object]',
    });
  });
});

describe('messages stay readable for large inputs', () => {
  it('names 20 of thousands of unknown trace keys', () => {
    const trace = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i]));
    let error: unknown;
    try {
      parseMilvusTrace(trace);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('key0, key1,');
    expect(message).toContain('key19, 4980 more is not a trace setting');
    expect(message.length).toBeLessThan(1000);
  });
});
