import type { MilvusTraceConfig } from '@milvus-otel/config/server';
import { isMap, parseDocument, stringify } from 'yaml';
import { type RenderedFile, yamlFile } from '../files.js';
import { type DeployConfig, DeployConfigError, traceSection } from '../settings.js';

/** Where Milvus and the apps in Kubernetes reach Jaeger's collector (another namespace, so the FQDN). */
export const collectorHost = (c: DeployConfig) =>
  c.jaeger.via === 'operator'
    ? `${c.jaeger.name}-collector.${c.jaeger.namespace}.svc`
    : `${c.jaeger.name}.${c.jaeger.namespace}.svc`;

/** The `trace:` section for milvus.yaml, or as a user.yaml overlay (Milvus images read /milvus/configs/user.yaml). */
export function renderMilvusConfig(config: DeployConfig): RenderedFile[] {
  const trace = { trace: traceSection(config, 'jaeger') };
  const header = (
    where: string,
  ) => `Milvus ${config.milvus.version} server tracing: spans over OTLP to the Jaeger collector at ${trace.trace.otlp?.endpoint ?? trace.trace.jaeger?.url}.
${where}
Rendered by @milvus-otel/deploy; validated for Milvus ${config.milvus.version}.`;
  return [
    yamlFile(
      'user.yaml',
      header('Mount it as /milvus/configs/user.yaml: Milvus merges it over its built-in milvus.yaml.'),
      trace,
    ),
    yamlFile(
      'milvus.trace.yaml',
      header('Replace the trace: section of your milvus.yaml with this one.'),
      trace,
    ),
  ];
}

/**
 * The Milvus Helm chart (https://zilliztech.github.io/milvus-helm/, source github.com/zilliztech/milvus-helm) pinned
 * per Milvus line: the line's last chart (for 2.6, still released, the newest one checked), the release it ships (Chart.yaml appVersion) and the standalone
 * message queue to ask for. Unpinned, `helm install`/`upgrade` takes the newest chart, whose defaults belong to the
 * newest Milvus: since 5.0.0 `standalone.messageQueue: woodpecker`, which Milvus 2.4/2.5 do not run.
 */
export const HELM_CHARTS = [
  { line: '2.3', chart: '4.1.28', appVersion: '2.3.13', messageQueue: 'rocksmq' },
  { line: '2.4', chart: '4.2.25', appVersion: '2.4.17', messageQueue: 'rocksmq' },
  { line: '2.5', chart: '4.2.58', appVersion: '2.5.16', messageQueue: 'rocksmq' },
  { line: '2.6', chart: '5.0.19', appVersion: '2.6.15', messageQueue: 'woodpecker' },
] as const;
export type HelmChart = (typeof HELM_CHARTS)[number];

/** The chart for a Milvus version: its line's, else the nearest known line (older or newer). */
export function helmChartFor(milvusVersion: string): HelmChart {
  const [major = 0, minor = 0] = milvusVersion.split('.').map(Number);
  const key = (line: string) => {
    const [a = 0, b = 0] = line.split('.').map(Number);
    return a * 1000 + b;
  };
  const wanted = major * 1000 + minor;
  const oldest = HELM_CHARTS[0];
  const newest = HELM_CHARTS[HELM_CHARTS.length - 1] ?? oldest;
  return HELM_CHARTS.find((c) => key(c.line) === wanted) ?? (wanted < key(oldest.line) ? oldest : newest);
}

export interface HelmOptions {
  /**
   * The release's current values (`helm get values <release> -o yaml`): values-upgrade.yaml then carries its
   * extraConfigFiles.user.yaml with only the `trace:` section replaced, since `--reuse-values -f` replaces that
   * string whole.
   */
  readonly helmReleaseValues?: unknown;
}

/**
 * Values for the Milvus Helm chart: the trace config goes in `extraConfigFiles.user.yaml`, as the Milvus docs show.
 * values.yaml installs a new standalone release; values-upgrade.yaml carries only the trace config, for
 * `helm upgrade --reuse-values` on an existing release. Both commands pin the chart of the Milvus line.
 */
export function renderHelm(config: DeployConfig, options: HelmOptions = {}): RenderedFile[] {
  const trace = traceSection(config, collectorHost(config));
  const [repository, tag] = splitImage(config.milvus.image);
  const { release, namespace } = config.milvus;
  const chart = helmChartFor(config.milvus.version);
  const pin = `--version ${chart.chart}`;
  const about = `Milvus Helm chart ${chart.chart} (Milvus ${chart.appVersion}), pinned for the Milvus ${chart.line} line.`;
  const merged = options.helmReleaseValues !== undefined;
  const upgradeUserYaml = merged
    ? mergeUserYaml(releaseUserYaml(options.helmReleaseValues), trace)
    : stringify({ trace }, { lineWidth: 0 });
  return [
    yamlFile(
      'values.yaml',
      `Milvus Helm values for a new standalone release with tracing to Jaeger, for ${about}
  helm repo add milvus https://zilliztech.github.io/milvus-helm/ && helm repo update
  helm install ${release} milvus/milvus ${pin} --namespace ${namespace} -f values.yaml
The message queue is set, not left to the chart's default (woodpecker since chart 5.0.0, which Milvus < 2.6 lacks).
Rendered by @milvus-otel/deploy.`,
      {
        cluster: { enabled: false },
        image: { all: { repository, tag } },
        standalone: { messageQueue: chart.messageQueue },
        etcd: { replicaCount: 1 },
        minio: { mode: 'standalone' },
        // Pulsar v2 (on by default in chart 4.2.25, Milvus 2.4) and v3 (4.2.58, 5.x): standalone runs without.
        pulsar: { enabled: false },
        pulsarv3: { enabled: false },
        extraConfigFiles: { 'user.yaml': stringify({ trace }, { lineWidth: 0 }) },
      },
    ),
    yamlFile(
      'values-upgrade.yaml',
      `Turns tracing on for an existing Milvus Helm release, keeping every other value; ${about}
${
  merged
    ? `extraConfigFiles.user.yaml: the release's own, merged with this trace section.`
    : `--reuse-values -f replaces extraConfigFiles.user.yaml whole: if the release has its own, merge it in first:
  helm get values ${release} --namespace ${namespace} -o yaml > release-values.yaml
  milvus-otel render helm --merge-values release-values.yaml --out .`
}
  helm upgrade ${release} milvus/milvus ${pin} --namespace ${namespace} --reuse-values -f values-upgrade.yaml
Rendered by @milvus-otel/deploy.`,
      { extraConfigFiles: { 'user.yaml': upgradeUserYaml } },
    ),
  ];
}

/** extraConfigFiles.user.yaml of a release's values, if it has one. */
function releaseUserYaml(values: unknown): string | undefined {
  if (values === null || values === undefined) return undefined; // `helm get values` of a release with none
  if (typeof values !== 'object' || Array.isArray(values))
    throw new DeployConfigError(
      'the release values are not a YAML mapping (expected `helm get values -o yaml`)',
    );
  const files = (values as Record<string, unknown>).extraConfigFiles;
  if (files === undefined || files === null) return undefined;
  if (typeof files !== 'object' || Array.isArray(files))
    throw new DeployConfigError('extraConfigFiles of the release values is not a mapping of file names');
  const userYaml = (files as Record<string, unknown>)['user.yaml'];
  if (userYaml === undefined || userYaml === null) return undefined;
  if (typeof userYaml !== 'string')
    throw new DeployConfigError('extraConfigFiles.user.yaml of the release values is not a string');
  return userYaml;
}

/** The release's user.yaml with its `trace:` section replaced; other keys and comments stay. */
function mergeUserYaml(existing: string | undefined, trace: MilvusTraceConfig): string {
  const doc = parseDocument(existing ?? '');
  if (doc.errors.length)
    throw new DeployConfigError(
      `extraConfigFiles.user.yaml of the release values is not valid YAML: ${doc.errors[0]?.message}`,
    );
  if (doc.contents === null) return stringify({ trace }, { lineWidth: 0 });
  if (!isMap(doc.contents))
    throw new DeployConfigError('extraConfigFiles.user.yaml of the release values is not a YAML mapping');
  doc.set('trace', doc.createNode(trace));
  return doc.toString({ lineWidth: 0 });
}

/** A `milvus.io/v1beta1` Milvus custom resource for the Milvus Operator, tracing in `spec.config.trace`. */
export function renderMilvusOperator(config: DeployConfig): RenderedFile[] {
  const { release, namespace, image } = config.milvus;
  return [
    yamlFile(
      'milvus.yaml',
      `Milvus standalone for the Milvus Operator, with server tracing to Jaeger.
Needs the operator installed (it brings cert-manager): see https://milvus.io/docs/install_cluster-milvusoperator.md
  kubectl apply -f milvus.yaml
Rendered by @milvus-otel/deploy.`,
      {
        apiVersion: 'milvus.io/v1beta1',
        kind: 'Milvus',
        metadata: { name: release, namespace, labels: { app: 'milvus' } },
        spec: {
          mode: 'standalone',
          components: { image },
          config: { trace: traceSection(config, collectorHost(config)) },
          dependencies: {
            etcd: { inCluster: { values: { replicaCount: 1 }, deletionPolicy: 'Delete', pvcDeletion: true } },
            storage: {
              inCluster: { values: { mode: 'standalone' }, deletionPolicy: 'Delete', pvcDeletion: true },
            },
          },
        },
      },
    ),
  ];
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
}
