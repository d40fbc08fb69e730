import { describe, expect, it } from 'vitest';
import { clientEnv, loadSettings, SettingsError } from '../src/settings.ts';

describe('loadSettings', () => {
  it('uses the standard ports when nothing is set', () => {
    const s = loadSettings({ HOME: '/home/u' }, '/repo');
    expect(Object.fromEntries(Object.entries(s.ports).map(([k, v]) => [k, v.port]))).toEqual({
      milvus: 19530,
      milvusHealth: 9091,
      milvusEtcd: 2379,
      milvusEtcdPeer: 2380,
      otlpGrpc: 4317,
      otlpHttp: 4318,
      jaegerQuery: 16686,
      jaegerHealth: 13133,
      jaegerQueryGrpc: 16685,
      jaegerThriftHttp: 14268,
      jaegerSampling: 5778,
      redis: 6379,
      prometheus: 9090,
    });
    expect(s.mode).toBe('auto');
    expect(s.cacheDir).toBe('/home/u/.cache/milvus-otel');
    expect(s.stateDir).toBe('/repo/.stack');
    expect(s.logDir).toBe('/repo/.stack/logs');
  });

  it('takes every port, the cache and the state folder from the environment', () => {
    const s = loadSettings(
      { MILVUS_PORT: '29530', OTLP_GRPC_PORT: '14317', MILVUS_OTEL_CACHE: '/c', MILVUS_OTEL_STATE: '/s' },
      '/repo',
    );
    expect(s.ports.milvus.port).toBe(29530);
    expect(s.ports.otlpGrpc.port).toBe(14317);
    expect(s.cacheDir).toBe('/c');
    expect(s.logDir).toBe('/s/logs');
  });

  it.each(['abc', '0', '70000', '12.5', '-1'])(
    'rejects MILVUS_PORT=%s naming the variable and the fix',
    (value) => {
      expect(() => loadSettings({ MILVUS_PORT: value })).toThrow(SettingsError);
      expect(() => loadSettings({ MILVUS_PORT: value })).toThrow(
        `MILVUS_PORT=${JSON.stringify(value)} is not a TCP port (Milvus gRPC). Set it to a whole number from 1 to 65535, or unset it for 19530.`,
      );
    },
  );

  it('rejects two services on one port', () => {
    expect(() => loadSettings({ REDIS_PORT: '4317' })).toThrow(
      'REDIS_PORT and OTLP_GRPC_PORT are both 4317: Redis and Jaeger OTLP gRPC receiver need different ports.',
    );
  });

  it("pins the native Milvus server's internal ports: the wheel template's defaults, moved with MILVUS_PORT", () => {
    const ports = (env: Record<string, string>) =>
      Object.fromEntries(loadSettings(env).milvusInternalPorts.map((p) => [p.key, p.port]));
    // The defaults of the 2.3.5 wheel's milvus/data/config.yaml.template.
    expect(ports({})).toEqual({
      root_coord_port: 53100,
      proxy_internal_port: 19529,
      query_coord_port: 19531,
      query_node_port: 21123,
      index_coord_port: 22930,
      index_node_port: 21121,
      data_coord_port: 13333,
      data_node_port: 21124,
    });
    expect(ports({ MILVUS_PORT: '20530' })).toMatchObject({ root_coord_port: 54100, data_coord_port: 14333 });
    expect(() => loadSettings({ MILVUS_PORT: '40000' })).toThrow(
      /^MILVUS_PORT=40000 moves the native Milvus server's internal ports by 20470, which puts Milvus root coord \(internal\) at 73570, outside 1-65535\. Pick a MILVUS_PORT between 6198 and 31965\.$/,
    );
    expect(() => loadSettings({ REDIS_PORT: '53100' })).toThrow(
      'MILVUS_PORT and REDIS_PORT are both 53100: Milvus root coord (internal) and Redis need different ports.',
    );
  });

  it('rejects an unknown backend', () => {
    expect(() => loadSettings({ MILVUS_OTEL_STACK: 'podman' })).toThrow(
      'MILVUS_OTEL_STACK="podman" is not one of auto, docker, native.',
    );
  });
});

describe('clientEnv', () => {
  it('points clients at the configured ports', () => {
    expect(
      clientEnv(loadSettings({ MILVUS_PORT: '29530', OTLP_GRPC_PORT: '14317', PROMETHEUS_PORT: '19090' })),
    ).toEqual({
      MILVUS_ADDRESS: '127.0.0.1:29530',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:14317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:19090/api/v1/otlp/v1/metrics',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      JAEGER_QUERY_URL: 'http://127.0.0.1:16686',
      PROMETHEUS_URL: 'http://127.0.0.1:19090',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });
});
