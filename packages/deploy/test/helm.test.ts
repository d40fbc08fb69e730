import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { render, resolveDeployConfig, validateText } from '../src/index.js';
import { runCli, STACK_LINE } from './run-cli.js';

/**
 * The defaults of the Milvus chart (github.com/zilliztech/milvus-helm, charts/milvus/values.yaml at tag
 * milvus-<chart>) that decide the message queue, and the Milvus release each chart ships (Chart.yaml appVersion).
 * 5.0.0 made woodpecker the standalone default; 4.2.x defaults to rocksmq but enables Pulsar (v2 up to 4.2.25's
 * pulsar.enabled: true, v3 in 4.2.58's pulsarv3.enabled: true) unless told otherwise.
 */
const CHARTS = {
  '4.2.25': {
    appVersion: '2.4.17',
    defaults: { pulsar: true, pulsarv3: false, woodpecker: undefined, messageQueue: 'rocksmq' },
  },
  '4.2.58': {
    appVersion: '2.5.16',
    defaults: { pulsar: false, pulsarv3: true, woodpecker: false, messageQueue: 'rocksmq' },
  },
  '5.0.19': {
    appVersion: '2.6.15',
    defaults: { pulsar: false, pulsarv3: true, woodpecker: false, messageQueue: 'woodpecker' },
  },
} as const;
type Chart = keyof typeof CHARTS;

/**
 * The `mq.type` entries charts/milvus/templates/config.tpl writes for a standalone release (the external and kafka
 * branches left out: the values never enable them). 4.2.25 has no woodpecker branch and writes
 * standalone.messageQueue only for rocksmq/natsmq; 4.2.58 adds woodpecker.enabled; 5.0.x also writes it for woodpecker.
 */
function mqTypes(chart: Chart, values: Record<string, unknown>): string[] {
  const d = CHARTS[chart].defaults;
  const get = (path: string) =>
    path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
  const enabled = (key: 'pulsar' | 'pulsarv3' | 'woodpecker') => (get(`${key}.enabled`) ?? d[key]) === true;
  const mq = (get('standalone.messageQueue') as string | undefined) ?? d.messageQueue;
  const types: string[] = [];
  if (enabled('pulsar')) types.push('pulsar');
  else if (d.woodpecker !== undefined && enabled('woodpecker')) types.push('woodpecker');
  else if (enabled('pulsarv3')) types.push('pulsar');
  const standaloneMqs = chart.startsWith('5.') ? ['rocksmq', 'natsmq', 'woodpecker'] : ['rocksmq', 'natsmq'];
  if (get('cluster.enabled') === false && standaloneMqs.includes(mq)) types.push(mq);
  return types;
}

/** The message queues each Milvus line runs standalone (woodpecker came with 2.6). */
const MILVUS_MQ: Record<string, readonly string[]> = {
  '2.4': ['rocksmq', 'natsmq', 'pulsar', 'kafka'],
  '2.5': ['rocksmq', 'natsmq', 'pulsar', 'kafka'],
  '2.6': ['woodpecker', 'rocksmq', 'pulsar', 'kafka'],
};

const helmFiles = (input: object, options?: Parameters<typeof render>[2]) => {
  const files = render('helm', resolveDeployConfig(input), options);
  const file = (path: string) => {
    const f = files.find((x) => x.path === path);
    if (!f) throw new Error(`no ${path}`);
    return { content: f.content, values: parse(f.content) as Record<string, unknown> };
  };
  return { install: file('values.yaml'), upgrade: file('values-upgrade.yaml') };
};

describe('helm: the chart each Milvus line installs with', () => {
  it.each([
    ['2.4.0', '4.2.25', 'rocksmq'],
    ['2.4.17', '4.2.25', 'rocksmq'],
    ['2.5.11', '4.2.58', 'rocksmq'],
    ['2.5.16', '4.2.58', 'rocksmq'],
    ['2.6.16', '5.0.19', 'woodpecker'],
  ] as const)('Milvus %s: chart %s, one message queue (%s) the server runs', (version, chart, queue) => {
    const { install, upgrade } = helmFiles({ milvus: { version } });
    expect(install.values.standalone).toEqual({ messageQueue: queue });
    const types = mqTypes(chart, install.values);
    expect(types).toEqual([queue]);
    expect(MILVUS_MQ[version.slice(0, 3)]).toContain(queue);
    // Both commands pin the chart: an unpinned install or upgrade takes the newest chart and its defaults.
    expect(install.content).toContain(`helm install my-release milvus/milvus --version ${chart} `);
    expect(install.content).toContain(`chart ${chart} (Milvus ${CHARTS[chart].appVersion})`);
    expect(upgrade.content).toContain(`--version ${chart} `);
  });

  it('the seed docs’ Milvus 2.5.11 on the newest chart (5.x) would get woodpecker, which 2.5 does not run', () => {
    const { install } = helmFiles({ milvus: { version: '2.5.11' } });
    // What chart 5.0.19 would make of these values if someone dropped the --version.
    const onNewest = mqTypes('5.0.19', { ...install.values, standalone: undefined });
    expect(onNewest).toEqual(['woodpecker']);
    expect(MILVUS_MQ['2.5']).not.toContain('woodpecker');
    expect(mqTypes('4.2.58', install.values)).toEqual(['rocksmq']);
  });
});

describe('helm: upgrading a release keeps its own user.yaml', () => {
  const releaseValues = {
    image: { all: { tag: 'v2.5.11' } },
    extraConfigFiles: {
      'user.yaml': `# the team's settings
proxy:
  http:
    enabled: true # REST on
common:
  security:
    authorizationEnabled: true
trace:
  exporter: stdout
`,
    },
  };

  it('values-upgrade.yaml carries the release’s user.yaml with only trace: replaced', () => {
    const { upgrade } = helmFiles({ milvus: { version: '2.5.11' } }, { helmReleaseValues: releaseValues });
    const userYaml = (upgrade.values.extraConfigFiles as Record<string, string>)['user.yaml'] ?? '';
    expect(parse(userYaml)).toEqual({
      proxy: { http: { enabled: true } },
      common: { security: { authorizationEnabled: true } },
      trace: {
        exporter: 'otlp',
        sampleFraction: 1,
        otlp: { endpoint: 'jaeger-collector.observability.svc:4317', method: 'grpc', secure: false },
        initTimeoutSeconds: 10,
      },
    });
    expect(userYaml).toContain("# the team's settings");
    expect(userYaml).toContain('# REST on');
    expect(upgrade.content).toContain('merged with');
    expect(validateText('values-upgrade.yaml', upgrade.content, '2.5.11').issues).toEqual([]);
  });

  it('a release without a user.yaml gets the trace section alone', () => {
    const { upgrade } = helmFiles({}, { helmReleaseValues: { image: { all: { tag: 'v2.6.16' } } } });
    const userYaml = (upgrade.values.extraConfigFiles as Record<string, string>)['user.yaml'] ?? '';
    expect(Object.keys(parse(userYaml))).toEqual(['trace']);
  });

  it('without the release’s values, the upgrade file says how to merge them', () => {
    const { upgrade } = helmFiles({ milvus: { release: 'search', namespace: 'apps' } });
    expect(upgrade.content).toContain(
      'helm get values search --namespace apps -o yaml > release-values.yaml',
    );
    expect(upgrade.content).toContain('milvus-otel render helm --merge-values release-values.yaml');
  });

  it.each([
    [
      'a user.yaml that is a list',
      { extraConfigFiles: { 'user.yaml': '- a\n- b\n' } },
      /user\.yaml .*not a YAML mapping/,
    ],
    [
      'a user.yaml that is no YAML',
      { extraConfigFiles: { 'user.yaml': 'a: [\n' } },
      /user\.yaml .*not valid YAML/,
    ],
    [
      'extraConfigFiles that is a string',
      { extraConfigFiles: 'trace: {}' },
      /extraConfigFiles .*not a mapping/,
    ],
    ['values that are a list', ['a'], /not a YAML mapping/],
  ])('%s is refused, naming the key', (_what, helmReleaseValues, message) => {
    expect(() => helmFiles({}, { helmReleaseValues })).toThrow(message);
  });

  describe('the CLI: render helm --merge-values', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'milvus-otel-helm-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('merges the file `helm get values -o yaml` wrote', async () => {
      const path = join(tmp, 'release-values.yaml');
      writeFileSync(
        path,
        `extraConfigFiles:\n  user.yaml: |\n    proxy:\n      http:\n        enabled: true\n`,
      );
      const run = await runCli([
        'render',
        'helm',
        '--milvus-version',
        '2.5.11',
        '--merge-values',
        path,
        '--json',
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const files = JSON.parse(run.stdout) as { path: string; content: string }[];
      const upgrade = parse(files.find((f) => f.path === 'values-upgrade.yaml')?.content ?? '');
      const merged = parse(upgrade.extraConfigFiles['user.yaml']);
      expect(merged.proxy).toEqual({ http: { enabled: true } });
      expect(merged.trace.exporter).toBe('otlp');
    });

    it('a file whose user.yaml is no mapping ends in one message, no stack trace', async () => {
      const path = join(tmp, 'bad-values.yaml');
      writeFileSync(path, `extraConfigFiles:\n  user.yaml: "just text"\n`);
      const run = await runCli(['render', 'helm', '--merge-values', path]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^milvus-otel render: extraConfigFiles\.user\.yaml .*not a YAML mapping/);
      expect(run.stderr).not.toMatch(STACK_LINE);
    });
  });
});
