import { samplingStrategiesFile } from '@milvus-otel/config/server';
import { jsonFile, type RenderedFile, textFile, yamlFile } from '../files.js';
import { type DeployConfig, traceSection } from '../settings.js';
import { JAEGER_CONFIG_HEADER, jaegerV2Config } from './jaeger-config.js';

/** Published ports and the variable that moves each one (the native stack reads the same variables). */
const PORTS = {
  milvus: [
    ['MILVUS_PORT', 19530],
    ['MILVUS_HEALTH_PORT', 9091],
  ],
  jaeger: [
    ['OTLP_GRPC_PORT', 4317],
    ['OTLP_HTTP_PORT', 4318],
    ['JAEGER_QUERY_PORT', 16686],
    ['JAEGER_QUERY_GRPC_PORT', 16685],
    ['JAEGER_THRIFT_HTTP_PORT', 14268],
    ['JAEGER_HEALTH_PORT', 13133],
    ['JAEGER_SAMPLING_PORT', 5778],
  ],
  redis: [['REDIS_PORT', 6379]],
  prometheus: [['PROMETHEUS_PORT', 9090]],
} as const;

/**
 * Prometheus's command line in compose: the image's own defaults (config, data dir) plus the OTLP receiver
 * (`--web.enable-otlp-receiver`, Prometheus 3), as the native stack runs it.
 */
export const PROMETHEUS_COMMAND = [
  '--config.file=/etc/prometheus/prometheus.yml',
  '--storage.tsdb.path=/prometheus',
  '--web.enable-otlp-receiver',
] as const;

/** prometheus.yml of the stack: metrics arrive over OTLP, nothing is scraped. The native stack writes the same. */
export const PROMETHEUS_YML = {
  global: { evaluation_interval: '15s' },
  storage: { tsdb: { out_of_order_time_window: '30m' } },
  otlp: { promote_resource_attributes: ['deployment.environment.name', 'service.version'] },
};

const published = (ports: readonly (readonly [string, number])[]) =>
  ports.map(([env, port]) => `\${${env}:-${port}}:${port}`);

/**
 * The local stack for docker compose: Milvus standalone (embedded etcd, local storage, trace config mounted as
 * user.yaml), Jaeger v2 all-in-one with OTLP, Redis, and the apps. Health-checked, same ports as the
 * native stack.
 */
export function renderCompose(config: DeployConfig): RenderedFile[] {
  const { jaeger } = config;
  const grpc = jaeger.settings.otlp.grpcPort;
  const services: Record<string, unknown> = {
    milvus: {
      image: `\${MILVUS_IMAGE:-${config.milvus.image}}`,
      command: ['milvus', 'run', 'standalone'],
      security_opt: ['seccomp:unconfined'],
      environment: {
        ETCD_USE_EMBED: 'true',
        ETCD_DATA_DIR: '/var/lib/milvus/etcd',
        ETCD_CONFIG_PATH: '/milvus/configs/embedEtcd.yaml',
        COMMON_STORAGETYPE: 'local',
        DEPLOY_MODE: 'STANDALONE',
      },
      volumes: [
        './milvus/user.yaml:/milvus/configs/user.yaml:ro',
        './milvus/embedEtcd.yaml:/milvus/configs/embedEtcd.yaml:ro',
        'milvus-data:/var/lib/milvus',
      ],
      ports: published(PORTS.milvus),
      healthcheck: {
        test: ['CMD', 'curl', '-f', 'http://localhost:9091/healthz'],
        interval: '10s',
        timeout: '5s',
        start_period: '90s',
        retries: 6,
      },
      depends_on: { jaeger: { condition: 'service_healthy' } },
    },
    jaeger: {
      image: `\${JAEGER_IMAGE:-${jaeger.image}}`,
      command: ['--config', '/etc/jaeger/config.yaml'],
      environment: {
        JAEGER_LISTEN_HOST: '0.0.0.0',
        JAEGER_SAMPLING_STRATEGIES_FILE: '/etc/jaeger/sampling-strategies.json',
      },
      volumes: [
        './jaeger/config.yaml:/etc/jaeger/config.yaml:ro',
        './jaeger/sampling-strategies.json:/etc/jaeger/sampling-strategies.json:ro',
      ],
      ports: published(PORTS.jaeger),
      // Span metrics go to Prometheus (the Monitor tab): it starts first so that the first batch finds it.
      depends_on: { prometheus: { condition: 'service_healthy' } },
      healthcheck: {
        test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://localhost:13133/status'],
        interval: '5s',
        timeout: '3s',
        start_period: '10s',
        retries: 10,
      },
    },
    prometheus: {
      image: `\${PROMETHEUS_IMAGE:-${config.prometheus.image}}`,
      command: [...PROMETHEUS_COMMAND],
      volumes: ['./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro'],
      ports: published(PORTS.prometheus),
      healthcheck: {
        test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://localhost:9090/-/ready'],
        interval: '5s',
        timeout: '3s',
        start_period: '10s',
        retries: 10,
      },
    },
    redis: {
      image: `\${REDIS_IMAGE:-${config.redis.image}}`,
      command: ['redis-server', '--save', '', '--appendonly', 'no'],
      ports: published(PORTS.redis),
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '3s', retries: 10 },
    },
  };
  for (const app of config.apps) {
    services[app.name] = {
      ...(app.build ? { build: app.build } : {}),
      ...(app.image ? { image: app.image } : {}),
      // Started with `docker compose --profile apps up`; the stack alone stays the default.
      profiles: ['apps'],
      environment: {
        OTEL_SERVICE_NAME: app.name,
        PORT: String(app.port),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://jaeger:${grpc}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        // db.client.operation.duration and the other instrumentation metrics, to Prometheus's OTLP receiver.
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://prometheus:9090/api/v1/otlp/v1/metrics',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
        OTEL_METRIC_EXPORT_INTERVAL: '10000',
        MILVUS_ADDRESS: 'milvus:19530',
        REDIS_URL: 'redis://redis:6379',
        ...app.env,
      },
      ports: [`${app.port}:${app.port}`],
      depends_on: {
        milvus: { condition: 'service_healthy' },
        jaeger: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        prometheus: { condition: 'service_healthy' },
      },
    };
  }
  const compose = { name: 'milvus-otel', services, volumes: { 'milvus-data': {} } };

  return [
    yamlFile(
      'compose.yaml',
      `The local tracing stack for machines with Docker: Milvus standalone (embedded etcd, local storage, tracing on),
Jaeger v2 all-in-one (OTLP in, in-memory storage, UI), Prometheus 3 (OTLP metrics in, PromQL out) and Redis for
apps that queue work.
Same ports as the native stack; override any of them from the environment (MILVUS_PORT=29530 docker compose up).
  docker compose -f docker/compose.yaml up -d --wait${
    config.apps.length > 0
      ? `
The apps too (built from their Dockerfiles or pulled as images): add --profile apps.
  docker compose -f docker/compose.yaml --profile apps up -d --build --wait`
      : ''
  }
Rendered by @milvus-otel/deploy (milvus-otel render compose); edit the config, not this file.`,
      compose,
    ),
    textFile(
      '.env',
      `# Image versions of the local stack, pinned in one place.
MILVUS_IMAGE=${config.milvus.image}
JAEGER_IMAGE=${jaeger.image}
REDIS_IMAGE=${config.redis.image}
PROMETHEUS_IMAGE=${config.prometheus.image}`,
    ),
    yamlFile(
      'prometheus/prometheus.yml',
      `Prometheus of the local stack: metrics arrive over OTLP (--web.enable-otlp-receiver); nothing is scraped.
OTLP names are translated the default way: db.client.operation.duration (seconds) is db_client_operation_duration_seconds.`,
      PROMETHEUS_YML,
    ),
    yamlFile(
      'milvus/user.yaml',
      `Milvus server tracing: spans over OTLP to the Jaeger service of this stack.
Milvus reads this file on top of its built-in milvus.yaml (mounted at /milvus/configs/user.yaml).`,
      { trace: traceSection(config, 'jaeger') },
    ),
    yamlFile('milvus/embedEtcd.yaml', 'Embedded etcd of Milvus standalone (no separate etcd container).', {
      'listen-client-urls': 'http://0.0.0.0:2379',
      'advertise-client-urls': 'http://0.0.0.0:2379',
      'quota-backend-bytes': 4294967296,
      'auto-compaction-mode': 'revision',
      'auto-compaction-retention': '1000',
    }),
    yamlFile(
      'jaeger/config.yaml',
      JAEGER_CONFIG_HEADER,
      jaegerV2Config(jaeger.settings, {
        // The compose service by default; the native stack points PROMETHEUS_URL at its own Prometheus.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Jaeger's own ${env:NAME} syntax
        spanMetrics: { prometheusUrl: '${env:PROMETHEUS_URL:-http://prometheus:9090}' },
      }),
    ),
    jsonFile('jaeger/sampling-strategies.json', samplingStrategiesFile(jaeger.settings)),
  ];
}
