import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { milvusTraceConfig } from '../src/native.ts';
import { loadSettings, REPO_ROOT } from '../src/settings.ts';

/**
 * The Compose Specification's JSON schema, as shipped in the compose-spec/compose-go Go module (the library
 * `docker compose` itself validates with), fetched through the Go module proxy at a pinned version.
 */
function composeSpecSchema(): object {
  const out = execFileSync(
    'go',
    ['mod', 'download', '-json', 'github.com/compose-spec/compose-go/v2@v2.16.2'],
    {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off' },
    },
  );
  const dir = (JSON.parse(out) as { Dir: string }).Dir;
  return JSON.parse(readFileSync(join(dir, 'schema', 'compose-spec.json'), 'utf8')) as object;
}

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
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(composeSpecSchema());
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

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
    expect(compose.services.milvus?.environment).toMatchObject({
      ETCD_USE_EMBED: 'true',
      COMMON_STORAGETYPE: 'local',
    });
  });

  it("gives Milvus the native stack's trace settings, pointed at the jaeger service", () => {
    const user = parse(readFileSync(join(docker, 'milvus', 'user.yaml'), 'utf8')) as {
      trace: { exporter: string; sampleFraction: number; otlp: { endpoint: string; secure: boolean } };
    };
    const native = milvusTraceConfig(loadSettings({}));
    expect(user.trace.exporter).toBe(native['trace.exporter']);
    expect(String(user.trace.sampleFraction)).toBe(native['trace.sampleFraction']);
    expect(String(user.trace.otlp.secure)).toBe(native['trace.otlp.secure']);
    expect(user.trace.otlp.endpoint).toBe('jaeger:4317');
  });
});
