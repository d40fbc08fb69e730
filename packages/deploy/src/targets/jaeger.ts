import { samplingStrategiesFile } from '@milvus-otel/config/server';
import { stringify } from 'yaml';
import { type RenderedFile, yamlFile } from '../files.js';
import type { DeployConfig } from '../settings.js';
import { jaegerV2Config } from './jaeger-config.js';

/** The Secret with ES_USERNAME / ES_PASSWORD when storage.secretName names none. */
const ES_SECRET_DEFAULT = 'jaeger-es-credentials';

const PREREQUISITES = `Prerequisites: cert-manager >= 1.6.1 (the operator's webhooks need it) and the Jaeger Operator, in namespace observability:
  kubectl apply -f https://github.com/cert-manager/cert-manager/releases/download/v1.6.1/cert-manager.yaml
  kubectl create namespace observability
  kubectl apply -f https://github.com/jaegertracing/jaeger-operator/releases/download/v1.62.0/jaeger-operator.yaml -n observability`;

/**
 * `jaegertracing.io/v1` Jaeger CRs for the Jaeger Operator: the all-in-one strategy with in-memory storage (the
 * Milvus docs' simplest instance), and the production strategy with Elasticsearch. The collector service
 * `<name>-collector` takes OTLP on 4317/4318; the sampling strategies are served to jaeger_remote clients.
 */
export function renderJaegerOperator(config: DeployConfig): RenderedFile[] {
  const { name, namespace, settings } = config.jaeger;
  const sampling = { options: samplingStrategiesFile(settings) };
  const metadata = { name, namespace };
  const allInOne = {
    apiVersion: 'jaegertracing.io/v1',
    kind: 'Jaeger',
    metadata,
    spec: {
      strategy: 'allInOne',
      allInOne: {
        options: {
          memory: { 'max-traces': settings.storage.type === 'memory' ? settings.storage.maxTraces : 100_000 },
        },
      },
      storage: { type: 'memory' },
      sampling,
    },
  };
  const es = settings.storage.type === 'elasticsearch' ? settings.storage : undefined;
  const production = {
    apiVersion: 'jaegertracing.io/v1',
    kind: 'Jaeger',
    metadata,
    spec: {
      strategy: 'production',
      collector: { replicas: 2 },
      storage: {
        type: 'elasticsearch',
        options: {
          es: {
            'server-urls': (es?.serverUrls ?? ['https://elasticsearch.observability.svc:9200']).join(','),
            ...(es?.indexPrefix ? { 'index-prefix': es.indexPrefix } : {}),
          },
        },
        // ES_USERNAME / ES_PASSWORD come from this Secret, never from the CR.
        secretName: es?.secretName ?? ES_SECRET_DEFAULT,
      },
      sampling,
    },
  };
  return [
    yamlFile(
      'jaeger-allinone.yaml',
      `Jaeger (all-in-one, in-memory storage) for development clusters.
${PREREQUISITES}
  kubectl apply -f jaeger-allinone.yaml
Query UI: kubectl port-forward -n ${namespace} svc/${name}-query 16686:16686
Rendered by @milvus-otel/deploy.`,
      allInOne,
    ),
    yamlFile(
      'jaeger-production.yaml',
      `Jaeger (production strategy: separate collector and query, Elasticsearch storage).
${PREREQUISITES}
  kubectl create secret generic ${production.spec.storage.secretName} -n ${namespace} --from-literal=ES_USERNAME=... --from-literal=ES_PASSWORD=...
  kubectl apply -f jaeger-production.yaml
Rendered by @milvus-otel/deploy.`,
      production,
    ),
  ];
}

/**
 * The alternative without the (v1-only) Jaeger Operator: Jaeger v2, which is an OpenTelemetry Collector
 * distribution, as a plain Deployment + Service + ConfigMap. Milvus then sends to `<name>.<namespace>.svc:4317`.
 */
export function renderJaegerV2(config: DeployConfig): RenderedFile[] {
  const { name, namespace, image, settings } = config.jaeger;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'all-in-one' };
  const ports = [
    { name: 'otlp-grpc', port: settings.otlp.grpcPort },
    { name: 'otlp-http', port: settings.otlp.httpPort },
    { name: 'query', port: settings.queryPort },
    { name: 'sampling', port: 5778 },
    { name: 'health', port: 13133 },
    // The config's Thrift HTTP receiver, for Milvus servers on `trace.exporter: jaeger`.
    { name: 'thrift-http', port: 14268 },
  ];
  const es = settings.storage.type === 'elasticsearch' ? settings.storage : undefined;
  // The config reads ES_USERNAME / ES_PASSWORD (auth.basic); they come from the Secret, as the operator's
  // storage.secretName. Named: it must exist. The default name is optional: an unsecured Elasticsearch needs none.
  const esSecret = es ? (es.secretName ?? ES_SECRET_DEFAULT) : undefined;
  const esEnv = esSecret
    ? ['ES_USERNAME', 'ES_PASSWORD'].map((key) => ({
        name: key,
        valueFrom: {
          secretKeyRef: { name: esSecret, key, ...(es?.secretName ? {} : { optional: true }) },
        },
      }))
    : [];
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-config`, namespace, labels },
    data: {
      'config.yaml': stringify(jaegerV2Config(settings), { lineWidth: 0 }),
      'sampling-strategies.json': `${JSON.stringify(samplingStrategiesFile(settings), null, 2)}\n`,
    },
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'jaeger',
              image,
              args: ['--config', '/etc/jaeger/config.yaml'],
              env: [
                { name: 'JAEGER_LISTEN_HOST', value: '0.0.0.0' },
                { name: 'JAEGER_SAMPLING_STRATEGIES_FILE', value: '/etc/jaeger/sampling-strategies.json' },
                ...esEnv,
              ],
              ports: ports.map((p) => ({ name: p.name, containerPort: p.port })),
              readinessProbe: { httpGet: { path: '/status', port: 13133 } },
              livenessProbe: { httpGet: { path: '/status', port: 13133 } },
              volumeMounts: [{ name: 'config', mountPath: '/etc/jaeger', readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: `${name}-config` } }],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { selector: labels, ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })) },
  };
  return [
    yamlFile(
      'jaeger-v2.yaml',
      `Jaeger v2 (an OpenTelemetry Collector distribution) without an operator: ConfigMap + Deployment + Service.
  kubectl create namespace ${namespace}${
    esSecret
      ? `
  kubectl create secret generic ${esSecret} -n ${namespace} --from-literal=ES_USERNAME=... --from-literal=ES_PASSWORD=...`
      : ''
  }
  kubectl apply -f jaeger-v2.yaml
Milvus sends to ${name}.${namespace}.svc:${settings.otlp.grpcPort} (OTLP) or http://${name}.${namespace}.svc:14268/api/traces (trace.exporter: jaeger); UI: kubectl port-forward -n ${namespace} svc/${name} ${settings.queryPort}
Rendered by @milvus-otel/deploy.`,
      configMap,
      deployment,
      service,
    ),
  ];
}
