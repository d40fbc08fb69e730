import { describe, expect, it } from 'vitest';
import { ConfigError, parseClientEnv, safeParseClientEnv } from '../src/index.js';

const metricsOf = (env: Record<string, string>) => parseClientEnv(env).data.metrics;

function errorOf(env: Record<string, string>): ConfigError {
  const result = safeParseClientEnv(env);
  if (result.success) throw new Error('expected a ConfigError');
  return result.error;
}

describe('OTEL_METRICS_EXPORTER', () => {
  it('is none by default, otlp when asked for (any case)', () => {
    expect(metricsOf({}).exporter).toBe('none');
    expect(metricsOf({ OTEL_METRICS_EXPORTER: '' }).exporter).toBe('none');
    expect(metricsOf({ OTEL_METRICS_EXPORTER: 'otlp' }).exporter).toBe('otlp');
    expect(metricsOf({ OTEL_METRICS_EXPORTER: 'none' }).exporter).toBe('none');
  });

  it('rejects any other exporter with one line naming the variable and the values it takes', () => {
    const error = errorOf({ OTEL_METRICS_EXPORTER: 'prometheus' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual([
      expect.objectContaining({
        key: 'OTEL_METRICS_EXPORTER',
        value: 'prometheus',
        expected: 'one of none, otlp',
      }),
    ]);
    expect(error.message).toContain('OTEL_METRICS_EXPORTER');
    expect(error.message).toContain('OTEL_METRICS_EXPORTER=otlp');
  });
});

describe('metrics OTLP endpoint and protocol', () => {
  it('falls back to the general variables, with /v1/metrics on an http base endpoint', () => {
    expect(metricsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlp).toMatchObject({
      protocol: 'http/protobuf',
      url: 'http://collector:4318/v1/metrics',
      urlVariable: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    });
    expect(
      metricsOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317' }).otlp,
    ).toMatchObject({
      protocol: 'grpc',
      url: 'http://c:4317',
      protocolVariable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    });
    expect(metricsOf({}).otlp).toMatchObject({
      url: 'http://localhost:4318/v1/metrics',
      urlVariable: undefined,
    });
    expect(metricsOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).otlp.url).toBe('http://localhost:4317');
  });

  it('lets the metrics variables win over the general ones, and leaves the traces settings alone', () => {
    const { data } = parseClientEnv({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4317',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://prometheus:9090/api/v1/otlp/v1/metrics',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'b=2',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2500',
    });
    expect(data.metrics.otlp).toEqual({
      protocol: 'http/protobuf',
      protocolVariable: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
      url: 'http://prometheus:9090/api/v1/otlp/v1/metrics',
      urlVariable: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
      headers: { a: '1', b: '2' },
      timeoutMs: 2500,
      certificateFile: undefined,
    });
    expect(data.otlp).toMatchObject({ protocol: 'grpc', url: 'http://jaeger:4317', headers: { a: '1' } });
    expect(data.otlp.timeoutMs).toBe(10_000);
  });

  it('rejects a bad metrics protocol or endpoint naming the metrics variable', () => {
    expect(errorOf({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift' }).issues).toEqual([
      expect.objectContaining({
        key: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
        expected: 'one of grpc, http/protobuf, http/json',
      }),
    ]);
    expect(errorOf({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'prometheus:9090' }).issues[0]?.key).toBe(
      'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    );
  });

  it('checks the metrics port against its protocol only when metrics are exported', () => {
    const env = {
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4318',
    };
    expect(metricsOf(env).exporter).toBe('none');
    expect(errorOf({ ...env, OTEL_METRICS_EXPORTER: 'otlp' }).issues).toEqual([
      expect.objectContaining({
        key: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
        fix: 'point OTEL_EXPORTER_OTLP_METRICS_ENDPOINT at port 4317, or set OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf',
      }),
    ]);
  });

  it('reports a base endpoint that already ends in /v1/metrics when metrics are exported', () => {
    const env = {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/v1/metrics',
    };
    expect(errorOf(env).issues).toEqual([
      expect.objectContaining({
        key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        fix: 'drop /v1/metrics from OTEL_EXPORTER_OTLP_ENDPOINT, or put the full URL in OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
      }),
    ]);
  });

  it('names a shared endpoint once when both signals get the same port wrong', () => {
    const issues = errorOf({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    }).issues;
    expect(issues.map((i) => i.key)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
  });
});

describe('OTEL_METRIC_EXPORT_INTERVAL', () => {
  it('defaults to 60000 ms and takes a whole number of milliseconds', () => {
    expect(metricsOf({}).exportIntervalMs).toBe(60_000);
    expect(metricsOf({ OTEL_METRIC_EXPORT_INTERVAL: '1000' }).exportIntervalMs).toBe(1000);
  });

  it.each(['0', '-5', '1.5', 'soon'])('rejects %j naming the variable', (value) => {
    expect(errorOf({ OTEL_METRIC_EXPORT_INTERVAL: value }).issues).toEqual([
      expect.objectContaining({
        key: 'OTEL_METRIC_EXPORT_INTERVAL',
        expected: 'an interval in milliseconds (a whole number > 0)',
      }),
    ]);
  });
});
