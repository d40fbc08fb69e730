import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor, doctorDefaults, prometheusFromEnv } from '../src/doctor.ts';

describe('doctorDefaults: the apps’ defaults, from @milvus-otel/config', () => {
  it('probes the OTLP endpoint and Milvus address the apps use when nothing is set', () => {
    expect(doctorDefaults({})).toMatchObject({
      milvusAddress: 'localhost:19530',
      milvusHealthUrl: 'http://localhost:9091/healthz',
      otlpEndpoint: 'http://localhost:4318/v1/traces',
      otlpProtocol: 'http/protobuf',
    });
  });

  it('follows the protocol in force to its port', () => {
    expect(doctorDefaults({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({
      otlpEndpoint: 'http://localhost:4317',
      otlpProtocol: 'grpc',
    });
    expect(
      doctorDefaults({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ otlpEndpoint: 'http://localhost:4318/v1/traces', otlpProtocol: 'http/json' });
  });

  it('takes the health URL host from an IPv6 Milvus address', () => {
    expect(doctorDefaults({ MILVUS_ADDRESS: '[::1]:19530' }).milvusHealthUrl).toBe(
      'http://[::1]:9091/healthz',
    );
  });
});

describe('doctor: host:port of every form', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.end()).listen(0, '::1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  it('connects to an IPv6 Milvus address and an OTLP URL with its port', async () => {
    const checks = await doctor({
      milvusAddress: `[::1]:${port}`,
      milvusHealthUrl: 'http://127.0.0.1:1/healthz',
      jaegerUrl: 'http://127.0.0.1:1',
      otlpEndpoint: `http://user:SECRET@[::1]:${port}/v1/traces`,
      milvusService: 'standalone',
    });
    expect(checks.find((c) => c.name === 'Milvus gRPC port')).toMatchObject({
      ok: true,
      detail: `[::1]:${port} accepts connections`,
    });
    expect(checks.find((c) => c.name === 'OTLP receiver')).toMatchObject({
      ok: true,
      detail: `[::1]:${port} accepts connections`,
    });
  });

  it('an endpoint without a port: the port of its protocol', async () => {
    const checks = await doctor({
      milvusAddress: '127.0.0.1:1',
      milvusHealthUrl: 'http://127.0.0.1:1/healthz',
      jaegerUrl: 'http://127.0.0.1:1',
      otlpEndpoint: 'http://127.0.0.2',
      otlpProtocol: 'grpc',
      milvusService: 'standalone',
    });
    expect(checks.find((c) => c.name === 'OTLP receiver')?.detail).toMatch(/^127\.0\.0\.2:4317 /);
    const http = await doctor({
      milvusAddress: '127.0.0.1:1',
      milvusHealthUrl: 'http://127.0.0.1:1/healthz',
      jaegerUrl: 'http://127.0.0.1:1',
      otlpEndpoint: 'http://127.0.0.2',
      otlpProtocol: 'http/protobuf',
      milvusService: 'standalone',
    });
    expect(http.find((c) => c.name === 'OTLP receiver')?.detail).toMatch(/^127\.0\.0\.2:4318 /);
  });
});

describe('prometheusFromEnv: the Prometheus doctor checks, when metrics go to one', () => {
  it('takes PROMETHEUS_URL first, without a trailing slash', () => {
    expect(prometheusFromEnv({ PROMETHEUS_URL: 'http://prom:9090/' })).toBe('http://prom:9090');
  });

  it('derives it from a Prometheus OTLP metrics endpoint only when metrics are exported', () => {
    const endpoint = 'http://127.0.0.1:9090/api/v1/otlp/v1/metrics';
    expect(prometheusFromEnv({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint })).toBeUndefined();
    expect(
      prometheusFromEnv({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint }),
    ).toBe('http://127.0.0.1:9090');
    expect(
      prometheusFromEnv({
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://prom.example/base/api/v1/otlp/v1/metrics',
      }),
    ).toBe('http://prom.example/base');
  });

  it('leaves a collector endpoint that is not Prometheus alone', () => {
    expect(
      prometheusFromEnv({
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4318/v1/metrics',
      }),
    ).toBeUndefined();
    expect(doctorDefaults({}).prometheusUrl).toBeUndefined();
  });
});
