import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseClientEnv, safeParseClientEnv } from '../src/index.js';

function errorOf(env: Record<string, string>): ConfigError {
  const result = safeParseClientEnv(env);
  if (result.success) throw new Error('expected a ConfigError');
  return result.error;
}

describe('parseClientEnv defaults (OpenTelemetry specification)', () => {
  it('fills every default from an empty environment', () => {
    const { data, warnings } = parseClientEnv({});
    expect(warnings).toEqual([]);
    expect(data).toEqual({
      disabled: false,
      serviceName: 'unknown_service:node',
      resourceAttributes: {},
      exporters: ['otlp'],
      otlp: {
        protocol: 'http/protobuf',
        url: 'http://localhost:4318/v1/traces',
        headers: {},
        timeoutMs: 10_000,
        certificateFile: undefined,
      },
      metrics: {
        exporter: 'none',
        otlp: {
          protocol: 'http/protobuf',
          url: 'http://localhost:4318/v1/metrics',
          headers: {},
          timeoutMs: 10_000,
          certificateFile: undefined,
        },
        exportIntervalMs: 60_000,
      },
      sampler: { name: 'parentbased_always_on' },
      propagators: ['tracecontext', 'baggage'],
      logLevel: 'info',
      esmHook: 'auto',
      instrumentations: { enabled: undefined, disabled: [] },
      ignoreIncomingPaths: ['/healthz', '/health', '/livez', '/readyz'],
      expressLayers: 'none',
      requireHook: 'narrow',
      keepQueryParams: [],
      dbStatements: 'command',
      attributeValueLengthLimit: 4096,
      batch: { scheduleDelayMs: 5000, exportTimeoutMs: 30_000, maxQueueSize: 2048, maxExportBatchSize: 512 },
      milvus: {
        address: 'localhost:19530',
        token: undefined,
        username: undefined,
        password: undefined,
        database: 'default',
        tls: false,
        tlsRootCertFile: undefined,
        tlsServerName: undefined,
      },
    });
  });

  it('treats empty strings as unset', () => {
    expect(
      parseClientEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: '', OTEL_SERVICE_NAME: '  ' }).data.otlp.protocol,
    ).toBe('http/protobuf');
  });

  it('defaults the endpoint to port 4317 for grpc', () => {
    expect(parseClientEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).data.otlp.url).toBe(
      'http://localhost:4317',
    );
  });
});

describe('parseClientEnv reading values', () => {
  it('appends /v1/traces to a base endpoint for http, and keeps a traces endpoint as given', () => {
    expect(parseClientEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).data.otlp.url).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      parseClientEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom/traces',
      }).data.otlp.url,
    ).toBe('http://other:4318/custom/traces');
  });

  it('remembers which variable the endpoint came from', () => {
    const urlVariable = (env: Record<string, string>) => parseClientEnv(env).data.otlp.urlVariable;
    expect(urlVariable({})).toBeUndefined();
    expect(urlVariable({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
    expect(urlVariable({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
    expect(
      urlVariable({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/custom/traces',
      }),
    ).toBe('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  });

  it('remembers which variable the protocol came from', () => {
    const otlp = (env: Record<string, string>) => parseClientEnv(env).data.otlp;
    expect(otlp({})).toMatchObject({ protocol: 'http/protobuf', protocolVariable: undefined });
    expect(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' })).toMatchObject({
      protocol: 'http/protobuf',
      protocolVariable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    });
    expect(
      otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }),
    ).toMatchObject({ protocol: 'grpc', protocolVariable: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' });
  });

  it('lets the per-signal protocol, headers and timeout win', () => {
    const { otlp } = parseClientEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'GRPC',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3,authorization=Bearer%20xyz',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2500',
    }).data;
    expect(otlp).toMatchObject({
      protocol: 'grpc',
      url: 'http://collector:4317',
      headers: { a: '1', b: '3', authorization: 'Bearer xyz' },
      timeoutMs: 2500,
    });
  });

  it('takes the service name from OTEL_SERVICE_NAME, else from the resource attributes', () => {
    expect(
      parseClientEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,team=search' }).data,
    ).toMatchObject({
      serviceName: 'from-attrs',
      resourceAttributes: { 'service.name': 'from-attrs', team: 'search' },
    });
    expect(
      parseClientEnv({ OTEL_SERVICE_NAME: 'api', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).data
        .serviceName,
    ).toBe('api');
  });

  it('reads samplers with their arguments', () => {
    expect(
      parseClientEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })
        .data.sampler,
    ).toEqual({
      name: 'parentbased_traceidratio',
      ratio: 0.25,
    });
    expect(parseClientEnv({ OTEL_TRACES_SAMPLER: 'traceidratio' }).data.sampler).toEqual({
      name: 'traceidratio',
      ratio: 1,
    });
    expect(
      parseClientEnv({
        OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://jaeger:5778,pollingIntervalMs=5000,initialSamplingRate=0.5',
      }).data.sampler,
    ).toEqual({
      name: 'parentbased_jaeger_remote',
      endpoint: 'http://jaeger:5778',
      pollingIntervalMs: 5000,
      initialSamplingRate: 0.5,
    });
    expect(parseClientEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }).data.sampler).toEqual({
      name: 'jaeger_remote',
      endpoint: 'http://localhost:5778',
      pollingIntervalMs: 60_000,
      initialSamplingRate: 0.001,
    });
  });

  it('reads the Milvus connection', () => {
    expect(
      parseClientEnv({
        MILVUS_ADDRESS: 'milvus:19530',
        MILVUS_USERNAME: 'root',
        MILVUS_PASSWORD: 'Milvus',
        MILVUS_DATABASE: 'search_db',
        MILVUS_TLS_ROOT_CERT: '/etc/ca.pem',
      }).data.milvus,
    ).toMatchObject({
      address: 'milvus:19530',
      username: 'root',
      password: 'Milvus',
      database: 'search_db',
      tls: true,
    });
    expect(parseClientEnv({ MILVUS_ADDRESS: 'https://in01.cloud.example:443' }).data.milvus.address).toBe(
      'https://in01.cloud.example:443',
    );
  });

  it('reads an IPv6 MILVUS_ADDRESS in brackets, and rejects one without a port or with a path', () => {
    expect(parseClientEnv({ MILVUS_ADDRESS: '[::1]:19530' }).data.milvus.address).toBe('[::1]:19530');
    expect(parseClientEnv({ MILVUS_ADDRESS: '[fd00::7]:443' }).data.milvus.address).toBe('[fd00::7]:443');
    for (const address of ['[::1]', '::1', '[::1]:0', 'milvus:19530/db', 'root@milvus:19530']) {
      expect(errorOf({ MILVUS_ADDRESS: address }).issues.map((i) => i.key)).toEqual(['MILVUS_ADDRESS']);
    }
  });

  it('reads OTEL_SDK_DISABLED case-insensitively and dedupes lists', () => {
    expect(parseClientEnv({ OTEL_SDK_DISABLED: 'TRUE' }).data.disabled).toBe(true);
    expect(
      parseClientEnv({ OTEL_PROPAGATORS: 'tracecontext, baggage,tracecontext' }).data.propagators,
    ).toEqual(['tracecontext', 'baggage']);
  });
});

describe('parseClientEnv errors', () => {
  it('lists every bad variable in one error, with value, expectation and fix', () => {
    const error = errorOf({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpcc',
      OTEL_BSP_MAX_QUEUE_SIZE: '-5',
      MILVUS_ADDRESS: 'milvus',
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((i) => i.key)).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'MILVUS_ADDRESS',
    ]);
    expect(error.message).toBe(
      [
        'Invalid tracing settings (3 problems):',
        '  - OTEL_EXPORTER_OTLP_PROTOCOL is "grpcc": expected one of grpc, http/protobuf, http/json.',
        '    Fix: set OTEL_EXPORTER_OTLP_PROTOCOL=grpc (collector port 4317) or http/protobuf (port 4318)',
        '  - OTEL_BSP_MAX_QUEUE_SIZE is "-5": expected a queue size (a whole number > 0).',
        '    Fix: set OTEL_BSP_MAX_QUEUE_SIZE=2048',
        '  - MILVUS_ADDRESS is "milvus": expected host:port of the Milvus server, port 1-65535 (or an http(s):// URL).',
        '    Fix: set MILVUS_ADDRESS=localhost:19530',
      ].join('\n'),
    );
  });

  it.each([
    ['OTEL_SDK_DISABLED', 'yes', 'true or false'],
    ['OTEL_TRACES_SAMPLER', 'sometimes', 'one of always_on, always_off, traceidratio'],
    ['OTEL_PROPAGATORS', 'tracecontext,w3c', 'a comma-separated list of tracecontext, baggage, b3'],
    ['OTEL_LOG_LEVEL', 'loud', 'one of none, error, warn, info'],
    ['OTEL_TRACES_EXPORTER', 'zipkin', 'a comma-separated list of otlp, console, none'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost:4317', 'an http:// or https:// URL of the collector'],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://x/v1/traces', 'an http:// or https:// URL'],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '0', 'a timeout in milliseconds'],
    ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'soon', 'a timeout in milliseconds'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'thrift', 'one of grpc, http/protobuf, http/json'],
    ['OTEL_RESOURCE_ATTRIBUTES', '=nokey', 'a comma-separated list of key=value pairs'],
    ['OTEL_BSP_SCHEDULE_DELAY', '1.5', 'a delay in milliseconds'],
    ['OTEL_BSP_EXPORT_TIMEOUT', '-1', 'a timeout in milliseconds'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'x', 'a batch size'],
    ['MILVUS_DATABASE', '1db', 'a database name'],
    ['MILVUS_TLS', 'on', 'true or false'],
    ['MILVUS_OTEL_ESM_HOOK', 'maybe', 'one of auto, on, off'],
    ['MILVUS_OTEL_IGNORE_PATHS', 'healthz', 'a comma-separated list of URL paths'],
    ['MILVUS_OTEL_KEEP_QUERY_PARAMS', 'a=b', 'a comma-separated list of query parameter names'],
  ])('%s=%s is rejected with its expectation', (key, value, expected) => {
    const error = errorOf({ [key]: value });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ key, value });
    expect(error.issues[0]?.expected).toContain(expected);
    expect(error.issues[0]?.fix).toMatch(/\S/);
  });

  it('MILVUS_OTEL_ESM_HOOK: auto by default, case-insensitive, and a bad value names the variable', () => {
    expect(parseClientEnv({}).data.esmHook).toBe('auto');
    expect(parseClientEnv({ MILVUS_OTEL_ESM_HOOK: 'OFF' }).data.esmHook).toBe('off');
    expect(errorOf({ MILVUS_OTEL_ESM_HOOK: 'yes' }).message).toBe(
      [
        'Invalid tracing settings (1 problem):',
        '  - MILVUS_OTEL_ESM_HOOK is "yes": expected one of auto, on, off (auto: only when the app\'s entry point is an ES module).',
        '    Fix: set MILVUS_OTEL_ESM_HOOK=on if a CommonJS app import()s instrumented packages, or unset it',
      ].join('\n'),
    );
  });

  describe('MILVUS_OTEL_IGNORE_PATHS', () => {
    const paths = (value?: string) =>
      parseClientEnv(value === undefined ? {} : { MILVUS_OTEL_IGNORE_PATHS: value }).data.ignoreIncomingPaths;

    it('defaults to the health-check paths, also when empty (empty counts as unset)', () => {
      expect(paths()).toEqual(['/healthz', '/health', '/livez', '/readyz']);
      expect(paths('')).toEqual(['/healthz', '/health', '/livez', '/readyz']);
      expect(paths('  ')).toEqual(['/healthz', '/health', '/livez', '/readyz']);
    });

    it('reads a custom list: trimmed, empty items and duplicates dropped', () => {
      expect(paths('/ping')).toEqual(['/ping']);
      expect(paths(' /ping , /status/live,,/ping ')).toEqual(['/ping', '/status/live']);
      expect(paths('/')).toEqual(['/']);
    });

    it('none (any case) ignores nothing', () => {
      expect(paths('none')).toEqual([]);
      expect(paths('NONE')).toEqual([]);
    });

    it.each([
      ['healthz'],
      ['/healthz,livez'],
      ['/healthz?probe=1'],
      ['/health*'],
      ['/a b'],
      [','],
      ['none,/healthz'],
      ['http://localhost/healthz'],
    ])('%s is rejected with an error naming the variable and the fix', (value) => {
      const error = errorOf({ MILVUS_OTEL_IGNORE_PATHS: value });
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]).toMatchObject({ key: 'MILVUS_OTEL_IGNORE_PATHS', value });
      expect(error.message).toContain(`MILVUS_OTEL_IGNORE_PATHS is ${JSON.stringify(value)}: expected`);
      expect(error.message).toContain(
        'Fix: write it like MILVUS_OTEL_IGNORE_PATHS=/healthz,/health,/livez,/readyz',
      );
      expect(error.message).toContain('MILVUS_OTEL_IGNORE_PATHS=none');
    });
  });

  describe('MILVUS_OTEL_EXPRESS_LAYERS', () => {
    it.each(['none', 'handlers', 'all', 'ALL'])('accepts %s', (value) => {
      expect(parseClientEnv({ MILVUS_OTEL_EXPRESS_LAYERS: value }).data.expressLayers).toBe(
        value.toLowerCase(),
      );
    });
    it('rejects an unknown value, naming the variable and the choices', () => {
      const error = errorOf({ MILVUS_OTEL_EXPRESS_LAYERS: 'middleware' });
      expect(error.issues[0]).toMatchObject({ key: 'MILVUS_OTEL_EXPRESS_LAYERS', value: 'middleware' });
      expect(error.message).toContain('one of none, handlers, all');
      expect(error.message).toContain('Fix: set MILVUS_OTEL_EXPRESS_LAYERS=handlers');
    });
  });

  describe('MILVUS_OTEL_REQUIRE_HOOK', () => {
    it('is narrow by default, all on request', () => {
      expect(parseClientEnv({}).data.requireHook).toBe('narrow');
      expect(parseClientEnv({ MILVUS_OTEL_REQUIRE_HOOK: 'all' }).data.requireHook).toBe('all');
    });
    it('rejects an unknown value, naming the variable', () => {
      const error = errorOf({ MILVUS_OTEL_REQUIRE_HOOK: 'some' });
      expect(error.issues[0]).toMatchObject({ key: 'MILVUS_OTEL_REQUIRE_HOOK', value: 'some' });
      expect(error.message).toContain('Fix: set MILVUS_OTEL_REQUIRE_HOOK=all');
    });
  });

  describe('MILVUS_OTEL_KEEP_QUERY_PARAMS', () => {
    const keep = (value?: string) =>
      parseClientEnv(value === undefined ? {} : { MILVUS_OTEL_KEEP_QUERY_PARAMS: value }).data
        .keepQueryParams;

    it('keeps no value by default, also when empty or none (every query value is redacted)', () => {
      expect(keep()).toEqual([]);
      expect(keep('')).toEqual([]);
      expect(keep('NONE')).toEqual([]);
    });

    it('reads a list of names: trimmed, case kept, empty items and duplicates dropped', () => {
      expect(keep('limit')).toEqual(['limit']);
      expect(keep(' limit , Page,,limit,filter[id] ')).toEqual(['limit', 'Page', 'filter[id]']);
    });

    it.each([['limit=5'], ['a&b'], ['q#x'], ['?q'], ['my param'], [',']])(
      '%s is rejected with an error naming the variable and the fix',
      (value) => {
        const error = errorOf({ MILVUS_OTEL_KEEP_QUERY_PARAMS: value });
        expect(error.issues).toHaveLength(1);
        expect(error.issues[0]).toMatchObject({ key: 'MILVUS_OTEL_KEEP_QUERY_PARAMS', value });
        expect(error.message).toContain(
          `MILVUS_OTEL_KEEP_QUERY_PARAMS is ${JSON.stringify(value)}: expected`,
        );
        expect(error.message).toContain('Fix: write it like MILVUS_OTEL_KEEP_QUERY_PARAMS=limit,page');
      },
    );
  });

  it('reports a bad variable and a bad sampler argument together', () => {
    const error = errorOf({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpcc',
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '2',
    });
    expect(error.issues.map((i) => i.key)).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
  });

  it('masks secrets in the error', () => {
    const error = errorOf({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20secret,broken' });
    expect(error.issues[0]?.value).toBe('authorization=****,****');
    expect(error.message).not.toContain('secret');
  });

  it('needs a password with a user name', () => {
    expect(errorOf({ MILVUS_USERNAME: 'root' }).issues).toEqual([
      {
        key: 'MILVUS_PASSWORD',
        expected: 'a password, since MILVUS_USERNAME is set',
        fix: 'set MILVUS_PASSWORD, or use MILVUS_TOKEN=<user>:<password> instead',
      },
    ]);
  });

  it('keeps the batch within the queue', () => {
    expect(
      errorOf({ OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' }).issues[0],
    ).toMatchObject({
      key: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      expected: 'at most OTEL_BSP_MAX_QUEUE_SIZE (100)',
    });
  });

  it.each([
    ['1.5', 'a ratio from 0 to 1 for OTEL_TRACES_SAMPLER=traceidratio', 'traceidratio'],
    [
      'half',
      'a ratio from 0 to 1 for OTEL_TRACES_SAMPLER=parentbased_traceidratio',
      'parentbased_traceidratio',
    ],
    [
      'pollingIntervalMs=fast',
      'pollingIntervalMs=<whole number > 0> for OTEL_TRACES_SAMPLER=jaeger_remote',
      'jaeger_remote',
    ],
    [
      'endpoint=jaeger:5778',
      'endpoint=<http(s) URL of the sampling endpoint> for OTEL_TRACES_SAMPLER=jaeger_remote',
      'jaeger_remote',
    ],
    [
      'rate=1',
      'only the keys endpoint, pollingIntervalMs and initialSamplingRate for OTEL_TRACES_SAMPLER=jaeger_remote',
      'jaeger_remote',
    ],
  ])('rejects OTEL_TRACES_SAMPLER_ARG=%s', (arg, expected, sampler) => {
    expect(errorOf({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: arg }).issues[0]).toMatchObject({
      key: 'OTEL_TRACES_SAMPLER_ARG',
      value: arg,
      expected,
    });
  });
});

describe('client cross-checks', () => {
  it('rejects grpc to the OTLP HTTP port', () => {
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })
        .issues[0],
    ).toEqual({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: 'http://localhost:4318',
      expected:
        "the collector's OTLP gRPC port (4317) for OTEL_EXPORTER_OTLP_PROTOCOL=grpc; 4318 is OTLP over HTTP",
      fix: 'point OTEL_EXPORTER_OTLP_ENDPOINT at port 4317, or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    });
  });

  it('rejects http/protobuf to the OTLP gRPC port, naming the per-signal variables in use', () => {
    expect(
      errorOf({
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4317/v1/traces',
      }).issues[0],
    ).toEqual({
      key: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      value: 'http://localhost:4317/v1/traces',
      expected:
        "the collector's OTLP HTTP port (4318) for OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf; 4317 is OTLP over gRPC",
      fix: 'point OTEL_EXPORTER_OTLP_TRACES_ENDPOINT at port 4318, or set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc',
    });
  });

  it('rejects /v1/traces on the base endpoint (it would be appended twice)', () => {
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/v1/traces' }).issues[0],
    ).toMatchObject({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      expected: 'the base URL of the collector: /v1/traces is appended to it',
    });
    // The value is checked as it is used: trimmed.
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: ' http://localhost:4318/v1/traces/ \n' }).issues[0],
    ).toMatchObject({ key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://localhost:4318/v1/traces/' });
  });

  it('warns about https to a local plain-text collector', () => {
    const { warnings } = parseClientEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://localhost:4317',
    });
    expect(warnings).toEqual([
      {
        key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        message:
          'https://localhost:4317 uses https, but a local Jaeger/collector on localhost:4317 usually speaks plain text',
        fix: 'use http://localhost:4317 unless that collector really has TLS',
      },
    ]);
  });

  it('names the variable that set the protocol in the fix, OTEL_EXPORTER_OTLP_PROTOCOL when none did', () => {
    expect(
      errorOf({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })
        .issues[0]?.fix,
    ).toBe(
      'point OTEL_EXPORTER_OTLP_ENDPOINT at port 4317, or set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf',
    );
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' }).issues[0]?.fix).toBe(
      'point OTEL_EXPORTER_OTLP_ENDPOINT at port 4318, or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc',
    );
  });

  it('warns when a sampler argument is ignored', () => {
    expect(
      parseClientEnv({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.5' }).warnings[0]
        ?.message,
    ).toBe('OTEL_TRACES_SAMPLER=always_on takes no argument; OTEL_TRACES_SAMPLER_ARG is ignored');
  });

  it('accepts non-standard ports for either protocol', () => {
    expect(
      parseClientEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:14317' })
        .data.otlp.url,
    ).toBe('http://c:14317');
  });
});

describe('properties', () => {
  it('accepts every ratio in [0, 1] and rejects every finite number outside', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (ratio) => {
        const { sampler } = parseClientEnv({
          OTEL_TRACES_SAMPLER: 'traceidratio',
          OTEL_TRACES_SAMPLER_ARG: String(ratio),
        }).data;
        return 'ratio' in sampler && sampler.ratio === ratio;
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 1.0000001, max: 1e9, noNaN: true }),
          fc.double({ min: -1e9, max: -0.0000001, noNaN: true }),
        ),
        (ratio) =>
          !safeParseClientEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: String(ratio) })
            .success,
      ),
    );
  });

  it('round-trips percent-encoded resource attributes', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_.]{0,15}$/);
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 20 }), { maxKeys: 5 }), (attrs) => {
        const raw = Object.entries(attrs)
          .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
          .join(',');
        const parsed = parseClientEnv({ OTEL_RESOURCE_ATTRIBUTES: raw }).data.resourceAttributes;
        return JSON.stringify(parsed) === JSON.stringify(attrs);
      }),
    );
  });
});
