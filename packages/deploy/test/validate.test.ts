import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateText } from '../src/index.js';
import { issueLine } from '../src/validate.js';
import { runCli } from './run-cli.js';

/** Values file from the Milvus docs (seeds 000/001): the deprecated jaeger exporter. */
const SEED_VALUES = `extraConfigFiles:
  user.yaml: |+
    trace:
      exporter: jaeger
      sampleFraction: 1
      jaeger:
        url: "http://jaeger-collector:14268/api/traces"
`;

describe('validateText', () => {
  it("accepts the Milvus docs' Helm values, warning about the deprecated exporter", () => {
    const report = validateText('values.yaml', SEED_VALUES);
    expect(report).toMatchObject({ kind: 'helm values', ok: true, issues: [], milvusVersion: '2.6.16' });
    expect(report.warnings.map((w) => w.key)).toEqual(['trace.exporter']);
  });

  it('reads the version from the image tag of Helm values', () => {
    const values = `image:\n  all:\n    tag: v2.4.0\n${SEED_VALUES}`;
    expect(validateText('values.yaml', values).milvusVersion).toBe('2.4.0');
    expect(validateText('values.yaml', values, '2.5.1').milvusVersion).toBe('2.5.1');
  });

  it('reports every problem of a milvus.yaml with its fix', () => {
    const report = validateText(
      'milvus.yaml',
      `etcd:\n  endpoints: localhost:2379\ntrace:\n  exporter: otlp\n  sampleFraction: 1\n  otlp:\n    endpoint: http://jaeger:4318\n    method: grpc\n`,
      '2.4.0',
    );
    expect(report.kind).toBe('milvus.yaml');
    expect(report.ok).toBe(false);
    expect(report.issues.map((i) => [i.key, i.fix])).toEqual([
      ['trace.otlp.method', 'remove trace.otlp.method for Milvus 2.4.0, or upgrade the server to 2.4.7+'],
      ['trace.otlp.endpoint', 'set trace.otlp.endpoint: jaeger:4318'],
    ]);
  });

  it('finds spec.config.trace in a Milvus CR and the version in its image', () => {
    const cr = `apiVersion: milvus.io/v1beta1
kind: Milvus
metadata: { name: my-release }
spec:
  components: { image: "milvusdb/milvus:v2.3.5" }
  config:
    trace: { exporter: noop }
`;
    const report = validateText('milvus-cr.yaml', cr);
    expect(report).toMatchObject({ kind: 'Milvus CR', milvusVersion: '2.3.5', ok: false });
    expect(report.issues[0]?.key).toBe('trace.exporter');
  });

  it('finds the Milvus CR among other documents', () => {
    const multi = `apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n---\napiVersion: milvus.io/v1beta1\nkind: Milvus\nspec:\n  config:\n    trace: { exporter: stdout }\n`;
    expect(validateText('all.yaml', multi)).toMatchObject({ kind: 'Milvus CR', ok: true });
  });

  it('says when tracing is not configured at all', () => {
    const report = validateText(
      'values.yaml',
      'extraConfigFiles:\n  user.yaml: |\n    log:\n      level: info\n',
      '2.5.11',
    );
    expect(report.issues).toEqual([
      {
        key: 'extraConfigFiles.user.yaml › trace',
        expected: 'a trace section (tracing is off without one)',
        fix: 'add one: milvus-otel render helm --milvus-version 2.5.11',
      },
    ]);
  });

  it('rejects a file that configures no Milvus, and YAML that does not parse', () => {
    expect(validateText('package.yaml', 'name: x\n').issues[0]?.expected).toBe(
      'a milvus.yaml/user.yaml with trace:, Helm values with extraConfigFiles.user.yaml, or a Milvus CR',
    );
    expect(validateText('bad.yaml', 'trace: [\n').issues[0]?.expected).toBe('valid YAML');
  });
});

describe('validateText: input that must not throw', () => {
  const bomb = (levels: number) =>
    `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: levels }, (_, i) => {
      const [name, prev] = [`l${i + 1}`, i === 0 ? 'a' : `l${i}`];
      return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`;
    }).join('\n')}\ntrace: *l${levels}\n`;

  it('a "billion laughs" file is reported as a problem, not thrown', () => {
    const report = validateText('bomb.yaml', bomb(8));
    expect(report).toMatchObject({ ok: false, kind: undefined });
    expect(report.issues).toEqual([
      {
        key: 'bomb.yaml',
        expected: 'valid YAML',
        fix: 'its YAML aliases expand too far (more than 100 copies: a "billion laughs" file?); write the repeated values out instead of nesting aliases',
      },
    ]);
  });

  it('a few aliases, as people write them, are fine', () => {
    const anchors =
      'defaults: &otlp { endpoint: "jaeger:4317", secure: false }\ntrace:\n  exporter: otlp\n  otlp: *otlp\n';
    expect(validateText('user.yaml', anchors)).toMatchObject({ ok: true, kind: 'milvus.yaml' });
  });

  it('a bomb or broken YAML inside the user.yaml of Helm values is reported under that key', () => {
    const indent = (text: string) =>
      text
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n');
    for (const inner of [bomb(8), 'trace: [\n']) {
      const report = validateText('values.yaml', `extraConfigFiles:\n  user.yaml: |\n${indent(inner)}\n`);
      expect(report.ok).toBe(false);
      expect(report.issues.map((i) => [i.key, i.expected])).toEqual([
        ['extraConfigFiles.user.yaml', 'valid YAML'],
      ]);
    }
  });

  it('names line and column of a syntax error', () => {
    expect(validateText('bad.yaml', 'trace:\n  exporter: [otlp\n').issues[0]?.fix).toMatch(
      /^line \d+, column \d+: .+; correct the YAML there$/,
    );
  });

  it('a value that contains itself (an alias inside its own anchor) is an issue of its key', () => {
    const report = validateText('loop.yaml', 'trace: &t { exporter: *t }\n');
    expect(report.ok).toBe(false);
    expect(report.issues.map((i) => i.key)).toEqual(['trace.exporter']);
  });

  it('an explicit Milvus version that is no version is a problem, not a silent fallback', () => {
    const report = validateText('user.yaml', 'trace:\n  exporter: stdout\n', 'banana');
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual([
      {
        key: 'milvusVersion',
        value: 'banana',
        expected: 'a Milvus version such as 2.5.11',
        fix: 'pass the release of the Milvus server the file is for',
      },
    ]);
  });

  it('documents that are lists, scalars or null are skipped', () => {
    expect(validateText('x.yaml', '- 1\n---\n42\n---\n~\n').issues[0]?.expected).toBe(
      'a milvus.yaml/user.yaml with trace:, Helm values with extraConfigFiles.user.yaml, or a Milvus CR',
    );
  });

  it("accepts upstream's own 2.6 trace: section, empty keys and all", () => {
    // milvus-io/milvus configs/milvus.yaml, 2.6 line: url, endpoint, method and headers (#43211) left empty.
    const upstream =
      'trace:\n  exporter: noop\n  sampleFraction: 0\n  jaeger:\n    url:\n  otlp:\n    endpoint:\n    method:\n    secure: true\n    headers:\n  initTimeoutSeconds: 10\n';
    expect(validateText('milvus.yaml', upstream, '2.6.0')).toMatchObject({ ok: true, issues: [] });
  });
});

describe('issueLine', () => {
  it('explains a setting the release does not read in one line: key, the release it needs, the fix', () => {
    const headers = Buffer.from('{"authorization":"Bearer s3cr3t"}').toString('base64');
    const report = validateText(
      'user.yaml',
      `trace:\n  exporter: otlp\n  otlp:\n    endpoint: otel.example.com:4317\n    headers: ${headers}\n  initTimeoutSeconds: 10\n`,
      '2.4.5',
    );
    const lines = report.issues.map((i) => issueLine(i, report.milvusVersion));
    expect(lines).toEqual([
      '  - trace.otlp.headers needs Milvus 2.6.0+ (this file is for 2.4.5); fix: remove trace.otlp.headers for Milvus 2.4.5, or upgrade the server to 2.6.0+',
      '  - trace.initTimeoutSeconds needs Milvus 2.4.6+ (this file is for 2.4.5); fix: remove trace.initTimeoutSeconds for Milvus 2.4.5, or upgrade the server to 2.4.6+',
    ]);
    expect(JSON.stringify(report)).not.toContain(headers);
  });

  it('keeps value and expected form for other problems', () => {
    const report = validateText('user.yaml', 'trace:\n  exporter: zipkin\n', '2.5.11');
    expect(issueLine(report.issues[0] ?? { key: '', expected: '', fix: '' }, '2.5.11')).toBe(
      '  - trace.exporter = "zipkin": expected one of otlp, jaeger, stdout, noop\n    fix: correct the value as shown in the expected form',
    );
  });

  it('milvus-otel validate prints it so (the built CLI)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'milvus-otel-validate-'));
    try {
      const file = join(dir, 'user.yaml');
      writeFileSync(file, 'trace:\n  exporter: noop\n');
      const run = await runCli(['validate', file, '--milvus-version', '2.4.2']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '\n  - trace.exporter needs Milvus 2.4.3+ (this file is for 2.4.2); fix: upgrade to Milvus 2.4.3+, or use stdout with sampleFraction: 0 on Milvus 2.4.2 (it does not know noop)\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
