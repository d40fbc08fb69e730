import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'milvus-otel-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('milvus-otel (the built CLI)', () => {
  it('lists the targets in render --help', async () => {
    const { code, stdout } = await run(['render', '--help']);
    expect(code).toBe(0);
    for (const t of [
      'compose',
      'milvus-config',
      'helm',
      'jaeger-operator',
      'jaeger-v2',
      'milvus-operator',
      'k8s-apps',
    ]) {
      expect(stdout).toContain(t);
    }
  });

  it('writes a target into --out, validated for --milvus-version', async () => {
    const out = join(tmp, 'helm');
    // 2.4.6: the first 2.4 release that reads trace.initTimeoutSeconds (milvus-io/milvus PR #34191).
    const { code, stderr } = await run(['render', 'helm', '--out', out, '--milvus-version', '2.4.6']);
    expect(code, stderr).toBe(0);
    const values = parse(readFileSync(join(out, 'values.yaml'), 'utf8')) as {
      extraConfigFiles: Record<string, string>;
    };
    expect(parse(values.extraConfigFiles['user.yaml'] ?? '')).toEqual({
      trace: {
        exporter: 'otlp',
        sampleFraction: 1,
        otlp: { endpoint: 'jaeger-collector.observability.svc:4317', secure: false },
        initTimeoutSeconds: 10,
      },
    });
  });

  it('renders from a config file, and prints JSON for scripts', async () => {
    const config = join(tmp, 'deploy.yaml');
    writeFileSync(
      config,
      'milvus:\n  version: 2.5.11\n  release: search\napps:\n  - name: api\n    port: 8080\n',
    );
    const { code, stdout } = await run(['render', 'k8s-apps', '--config', config, '--json']);
    expect(code).toBe(0);
    const files = JSON.parse(stdout) as { path: string; content: string }[];
    expect(files.map((f) => f.path)).toEqual(['api.yaml']);
    expect(files[0]?.content).toContain('value: search-milvus.default.svc:19530');
  });

  it('fails with the config error and a non-zero exit code', async () => {
    const config = join(tmp, 'bad.yaml');
    writeFileSync(
      config,
      'milvus:\n  version: 2.4.0\n  trace:\n    exporter: otlp\n    otlp: { endpoint: "jaeger:4317", method: grpc }\n',
    );
    const { code, stderr } = await run(['render', 'milvus-config', '--config', config]);
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid Milvus 2.4.0 trace settings (2 problems):');
    expect(stderr).toContain('trace.otlp.method is "grpc": expected a setting Milvus 2.4.0 reads');
    expect(stderr).toContain('Fix: set trace.otlp.secure: false, or give the collector TLS');
  });

  it('rejects an unknown target', async () => {
    const { code, stderr } = await run(['render', 'terraform']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      "value 'terraform' is invalid for argument 'target'. Allowed choices are all, compose",
    );
  });

  it('validate: exit 0 with warnings for a valid file, 1 with the fixes for a broken one', async () => {
    const good = join(tmp, 'user.yaml');
    writeFileSync(
      good,
      'trace:\n  exporter: jaeger\n  sampleFraction: 1\n  jaeger:\n    url: http://jaeger-collector:14268/api/traces\n',
    );
    const ok = await run(['validate', good, '--milvus-version', '2.5.11']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('(milvus.yaml) for Milvus 2.5.11: trace settings are valid');
    expect(ok.stdout).toContain('! trace.exporter: the jaeger exporter is deprecated');

    const bad = join(tmp, 'broken.yaml');
    writeFileSync(bad, 'trace:\n  exporter: otlp\n  otlp:\n    endpoint: localhost:4317\n');
    const failed = await run(['validate', bad, '--json']);
    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout) as { ok: boolean; issues: { key: string; fix: string }[] };
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual([
      expect.objectContaining({
        key: 'trace.otlp.secure',
        fix: 'set trace.otlp.secure: false, or give the collector TLS',
      }),
    ]);
  });
});

describe('milvus-otel doctor', () => {
  const env = clientEnv(loadSettings());

  it('passes every check against the running stack once Milvus has sent spans', async () => {
    // Milvus samples with sampleFraction 1 even without a parent: one call is enough for its service to appear.
    const client = new MilvusClient({ address: env.MILVUS_ADDRESS as string });
    await client.showCollections();
    await client.closeConnection();
    let result = await run(['doctor', '--json'], env);
    for (let i = 0; i < 20 && result.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      result = await run(['doctor', '--json'], env);
    }
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['Milvus health', true],
      ['Milvus gRPC port', true],
      ['Jaeger query API', true],
      ['OTLP receiver', true],
      ['Milvus spans in Jaeger', true],
      ['Prometheus ready', true],
      ['Prometheus OTLP receiver', true],
    ]);
    expect(result.code).toBe(0);
  });

  it('fails every check, each with a fix, when nothing listens', async () => {
    const result = await run(['doctor'], {
      MILVUS_ADDRESS: '127.0.0.1:1',
      MILVUS_HEALTH_URL: 'http://127.0.0.1:1/healthz',
      JAEGER_QUERY_URL: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      PROMETHEUS_URL: 'http://127.0.0.1:1',
    });
    expect(result.code).toBe(1);
    expect(result.stdout.match(/^✗ /gm)).toHaveLength(7);
    expect(result.stdout.match(/^ {4}fix: /gm)).toHaveLength(7);
  });
});
