import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleApps } from '../src/examples.ts';
import { milvusTraceConfig, prometheusArgs } from '../src/native.ts';
import { loadSettings, REPO_ROOT } from '../src/settings.ts';

const docker = join(REPO_ROOT, 'docker');
const compose = parse(readFileSync(join(docker, 'compose.yaml'), 'utf8')) as {
  services: Record<
    string,
    {
      ports: string[];
      healthcheck?: { test: string[] };
      volumes?: string[];
      environment?: Record<string, string>;
      profiles?: string[];
      build?: { context: string; dockerfile: string };
    }
  >;
};
const stackServices = Object.entries(compose.services).filter(([, s]) => !s.profiles);
const exampleServices = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('apps'));

describe('docker/compose.yaml', () => {
  it('runs Milvus, Jaeger, Prometheus and Redis, each with a health check', () => {
    expect(stackServices.map(([name]) => name).sort()).toEqual(['jaeger', 'milvus', 'prometheus', 'redis']);
    for (const [name, service] of stackServices) {
      expect(service.healthcheck?.test, name).toBeDefined();
    }
  });

  it('runs Prometheus as the native stack does: OTLP receiver on, the same prometheus.yml, gated on /-/ready', () => {
    const settings = loadSettings({});
    const prometheus = compose.services.prometheus as (typeof compose.services)[string] & {
      command: string[];
    };
    expect(prometheus.command).toContain('--web.enable-otlp-receiver');
    expect(prometheusArgs(settings)).toContain('--web.enable-otlp-receiver');
    expect(prometheus.volumes).toEqual(['./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro']);
    expect(existsSync(join(docker, 'prometheus', 'prometheus.yml'))).toBe(true);
    expect(prometheus.healthcheck?.test.join(' ')).toContain('http://localhost:9090/-/ready');
    // The examples send their metrics to it, as `pnpm dev` runs them.
    for (const app of exampleApps(settings, {})) {
      expect(compose.services[app.service]?.environment).toMatchObject({
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://prometheus:9090/api/v1/otlp/v1/metrics',
      });
    }
  });

  it('builds the example apps from their Dockerfiles under the "apps" profile, on the ports pnpm dev uses', () => {
    const apps = exampleApps(loadSettings({}), {});
    expect(exampleServices.map(([name]) => name).sort()).toEqual(apps.map((a) => a.service).sort());
    for (const app of apps) {
      const service = compose.services[app.service];
      const dockerfile = join(
        REPO_ROOT,
        'docker',
        service?.build?.context ?? '',
        service?.build?.dockerfile ?? '',
      );
      expect(existsSync(dockerfile), dockerfile).toBe(true);
      expect(service?.ports).toEqual([`${app.port.port}:${app.port.port}`]);
      expect(service?.environment).toMatchObject({
        OTEL_SERVICE_NAME: app.service,
        PORT: String(app.port.port),
      });
    }
  });

  it('publishes the same ports as the native stack, overridable by the same variables', () => {
    const { ports } = loadSettings({});
    const published = stackServices.flatMap(([, s]) => s.ports);
    for (const spec of Object.values(ports).filter((p) => !p.nativeOnly)) {
      expect(published).toContain(`\${${spec.env}:-${spec.port}}:${spec.port}`);
    }
  });

  it('mounts the trace config into Milvus and the shared Jaeger config into Jaeger', () => {
    expect(compose.services.milvus?.volumes).toContain('./milvus/user.yaml:/milvus/configs/user.yaml:ro');
    expect(compose.services.jaeger?.volumes).toContain('./jaeger/config.yaml:/etc/jaeger/config.yaml:ro');
    expect(compose.services.jaeger?.volumes).toContain(
      './jaeger/sampling-strategies.json:/etc/jaeger/sampling-strategies.json:ro',
    );
    expect(compose.services.milvus?.environment).toMatchObject({
      ETCD_USE_EMBED: 'true',
      COMMON_STORAGETYPE: 'local',
    });
  });

  it('gives the native Milvus the same trace settings, pointed at the local Jaeger', () => {
    const user = parse(readFileSync(join(docker, 'milvus', 'user.yaml'), 'utf8')) as {
      trace: { exporter: string; sampleFraction: number; otlp: { endpoint: string; secure: boolean } };
    };
    expect(user.trace.otlp.endpoint).toBe('jaeger:4317');
    expect(milvusTraceConfig(loadSettings({ OTLP_GRPC_PORT: '14317' }))).toEqual({
      'trace.exporter': user.trace.exporter,
      'trace.sampleFraction': String(user.trace.sampleFraction),
      'trace.otlp.endpoint': '127.0.0.1:14317',
      'trace.otlp.secure': String(user.trace.otlp.secure),
    });
  });
});
