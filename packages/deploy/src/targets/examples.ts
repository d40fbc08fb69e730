import { type RenderedFile, yamlFile } from '../files.js';
import type { DeployConfig } from '../settings.js';
import { collectorHost } from './milvus.js';

/** Deployment + Service per example app, its OpenTelemetry and Milvus settings wired to the in-cluster services. */
export function renderKubernetesExamples(config: DeployConfig): RenderedFile[] {
  const { milvus, jaeger } = config;
  return config.examples.map((example) => {
    const labels = { 'app.kubernetes.io/name': example.name, 'app.kubernetes.io/part-of': 'milvus-otel' };
    const env = {
      OTEL_SERVICE_NAME: example.name,
      PORT: String(example.port),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collectorHost(config)}:${jaeger.settings.otlp.grpcPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_RESOURCE_ATTRIBUTES: `k8s.namespace.name=${milvus.namespace},deployment.environment.name=kubernetes`,
      MILVUS_ADDRESS: `${milvus.release}-milvus.${milvus.namespace}.svc:19530`,
      ...example.env,
    };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: example.name, namespace: milvus.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            // Long enough for the preset's SIGTERM flush.
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: example.name,
                image: example.image ?? `milvus-otel/${example.name}:latest`,
                ports: [{ name: 'http', containerPort: example.port }],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                readinessProbe:
                  example.health === 'http'
                    ? { httpGet: { path: '/healthz', port: example.port } }
                    : { tcpSocket: { port: example.port } },
              },
            ],
          },
        },
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: example.name, namespace: milvus.namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: example.port, targetPort: example.port }] },
    };
    return yamlFile(
      `${example.name}.yaml`,
      `${example.name}: Deployment + Service, traces to the Jaeger collector, Milvus of release ${milvus.release}.
  kubectl apply -f ${example.name}.yaml
Rendered by @milvus-otel/deploy.`,
      deployment,
      service,
    );
  });
}
