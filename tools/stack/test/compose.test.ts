import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { milvusTraceConfig } from '../src/native.ts';
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
    }
  >;
};

describe('docker/compose.yaml', () => {
  it('runs Milvus, Jaeger and Redis, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['jaeger', 'milvus', 'redis']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, name).toBeDefined();
    }
  });

  it('publishes the same ports as the native stack, overridable by the same variables', () => {
    const { ports } = loadSettings({});
    const published = Object.values(compose.services).flatMap((s) => s.ports);
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
