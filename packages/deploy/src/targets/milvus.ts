import { stringify } from 'yaml';
import { type RenderedFile, yamlFile } from '../files.js';
import { type DeployConfig, traceSection } from '../settings.js';

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
 * Values for the Milvus Helm chart: the trace config goes in `extraConfigFiles.user.yaml`, as the Milvus docs show.
 * values.yaml installs a new standalone release; values-upgrade.yaml carries only the trace config, for
 * `helm upgrade --reuse-values` on an existing release.
 */
export function renderHelm(config: DeployConfig): RenderedFile[] {
  const userYaml = stringify({ trace: traceSection(config, collectorHost(config)) }, { lineWidth: 0 });
  const extraConfigFiles = { 'user.yaml': userYaml };
  const [repository, tag] = splitImage(config.milvus.image);
  const { release, namespace } = config.milvus;
  return [
    yamlFile(
      'values.yaml',
      `Milvus Helm values for a new standalone release with tracing to Jaeger.
  helm repo add milvus https://zilliztech.github.io/milvus-helm/ && helm repo update
  helm install ${release} milvus/milvus --namespace ${namespace} -f values.yaml
Rendered by @milvus-otel/deploy.`,
      {
        cluster: { enabled: false },
        image: { all: { repository, tag } },
        etcd: { replicaCount: 1 },
        minio: { mode: 'standalone' },
        pulsarv3: { enabled: false },
        extraConfigFiles,
      },
    ),
    yamlFile(
      'values-upgrade.yaml',
      `Turns tracing on for an existing Milvus Helm release, keeping every other value.
  helm upgrade ${release} milvus/milvus --namespace ${namespace} --reuse-values -f values-upgrade.yaml
Rendered by @milvus-otel/deploy.`,
      { extraConfigFiles },
    ),
  ];
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
