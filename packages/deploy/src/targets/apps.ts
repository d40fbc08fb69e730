import { type RenderedFile, yamlFile } from '../files.js';
import type { DeployConfig } from '../settings.js';
import { collectorHost } from './milvus.js';

/** Deployment + Service per app, its OpenTelemetry and Milvus settings wired to the in-cluster services. */
export function renderKubernetesApps(config: DeployConfig): RenderedFile[] {
  const { milvus, jaeger } = config;
  return config.apps.map((app) => {
    const labels = { 'app.kubernetes.io/name': app.name, 'app.kubernetes.io/part-of': 'milvus-otel' };
    const env = {
      OTEL_SERVICE_NAME: app.name,
      PORT: String(app.port),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collectorHost(config)}:${jaeger.settings.otlp.grpcPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_RESOURCE_ATTRIBUTES: `k8s.namespace.name=${milvus.namespace},deployment.environment.name=kubernetes`,
      MILVUS_ADDRESS: `${milvus.release}-milvus.${milvus.namespace}.svc:19530`,
      ...app.env,
    };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app.name, namespace: milvus.namespace, labels },
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
                name: app.name,
                image: app.image ?? `milvus-otel/${app.name}:latest`,
                ports: [{ name: 'http', containerPort: app.port }],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                readinessProbe:
                  app.health === 'http'
                    ? { httpGet: { path: '/healthz', port: app.port } }
                    : { tcpSocket: { port: app.port } },
              },
            ],
          },
        },
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app.name, namespace: milvus.namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: app.port, targetPort: app.port }] },
    };
    return yamlFile(
      `${app.name}.yaml`,
      `${app.name}: Deployment + Service, traces to the Jaeger collector, Milvus of release ${milvus.release}.
  kubectl apply -f ${app.name}.yaml
Rendered by @milvus-otel/deploy.`,
      deployment,
      service,
    );
  });
}
