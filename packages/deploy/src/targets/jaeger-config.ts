import type { JaegerSettings } from '@milvus-otel/config/server';

/**
 * Jaeger v2's own configuration (an OpenTelemetry Collector config with Jaeger extensions): OTLP in, the configured
 * storage, query API/UI, health check, remote sampling from a strategies file, and the legacy Thrift HTTP receiver
 * for Milvus servers still on `trace.exporter: jaeger`. Listeners bind JAEGER_LISTEN_HOST and honour port variables,
 * so one file serves the native stack, containers and Kubernetes.
 */
export interface JaegerConfigOptions {
  /**
   * Span metrics for Jaeger's Monitor tab (and its /api/metrics API): the spanmetrics connector turns every span into
   * call counts and latency histograms per service and operation, pushed over OTLP to this Prometheus (its OTLP
   * receiver), which Jaeger then reads back. The URL may hold a `${env:NAME:-default}` placeholder.
   */
  readonly spanMetrics?: { readonly prometheusUrl: string };
}

/** How often the span metrics are sent: Prometheus's usual scrape interval. */
export const SPAN_METRICS_FLUSH_INTERVAL = '15s';

export function jaegerV2Config(settings: JaegerSettings, options: JaegerConfigOptions = {}): object {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Jaeger's own ${env:NAME} syntax
  const host = '${env:JAEGER_LISTEN_HOST:-127.0.0.1}';
  const listen = (envName: string, port: number) => `${host}:\${env:${envName}:-${port}}`;
  const storage =
    settings.storage.type === 'memory'
      ? { memory: { max_traces: settings.storage.maxTraces } }
      : {
          elasticsearch: {
            server_urls: settings.storage.serverUrls,
            ...(settings.storage.indexPrefix
              ? { indices: { index_prefix: settings.storage.indexPrefix } }
              : {}),
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Jaeger's own ${env:NAME} syntax
            auth: { basic: { username: '${env:ES_USERNAME:-}', password: '${env:ES_PASSWORD:-}' } },
          },
        };
  const prometheusUrl = options.spanMetrics?.prometheusUrl;
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'remote_sampling', 'healthcheckv2'],
      pipelines: {
        traces: {
          receivers: ['otlp', 'jaeger'],
          processors: ['batch'],
          exporters: ['jaeger_storage_exporter', ...(prometheusUrl ? ['spanmetrics'] : [])],
        },
        ...(prometheusUrl
          ? { 'metrics/spanmetrics': { receivers: ['spanmetrics'], exporters: ['otlphttp/prometheus'] } }
          : {}),
      },
      telemetry: {
        resource: { 'service.name': 'jaeger' },
        metrics: { level: 'none' },
        logs: { level: 'info' },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: listen('JAEGER_HEALTH_PORT', 13133) } },
      jaeger_query: {
        storage: { traces: 'store', ...(prometheusUrl ? { metrics: 'prometheus' } : {}) },
        http: { endpoint: listen('JAEGER_QUERY_PORT', settings.queryPort) },
        grpc: { endpoint: listen('JAEGER_QUERY_GRPC_PORT', 16685) },
      },
      jaeger_storage: {
        backends: { store: storage },
        ...(prometheusUrl
          ? {
              metric_backends: {
                // Prometheus's OTLP translation adds the unit and _total suffixes, as its own exporter does.
                prometheus: {
                  prometheus: { endpoint: prometheusUrl, normalize_calls: true, normalize_duration: true },
                },
              },
            }
          : {}),
      },
      remote_sampling: {
        file: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Jaeger's own ${env:NAME} syntax
          path: '${env:JAEGER_SAMPLING_STRATEGIES_FILE:-}',
          default_sampling_probability: 1,
          reload_interval: '1s',
        },
        http: { endpoint: listen('JAEGER_SAMPLING_PORT', 5778) },
      },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: listen('OTLP_GRPC_PORT', settings.otlp.grpcPort) },
          http: { endpoint: listen('OTLP_HTTP_PORT', settings.otlp.httpPort) },
        },
      },
      jaeger: { protocols: { thrift_http: { endpoint: listen('JAEGER_THRIFT_HTTP_PORT', 14268) } } },
    },
    processors: { batch: { timeout: '200ms' } },
    ...(prometheusUrl
      ? { connectors: { spanmetrics: { metrics_flush_interval: SPAN_METRICS_FLUSH_INTERVAL } } }
      : {}),
    exporters: {
      jaeger_storage_exporter: { trace_storage: 'store' },
      // otlphttp appends /v1/metrics: Prometheus's receiver is /api/v1/otlp/v1/metrics.
      ...(prometheusUrl ? { 'otlphttp/prometheus': { endpoint: `${prometheusUrl}/api/v1/otlp` } } : {}),
    },
  };
}

export const JAEGER_CONFIG_HEADER = `Jaeger v2 (all-in-one): OTLP in, storage, query API/UI, health check, remote sampling strategies,
span metrics for the Monitor tab (pushed to and read back from Prometheus at PROMETHEUS_URL).
Rendered by @milvus-otel/deploy. Listeners bind JAEGER_LISTEN_HOST (127.0.0.1 natively, 0.0.0.0 in a container)
and every port can be overridden from the environment (OTLP_GRPC_PORT, JAEGER_QUERY_PORT, ...).`;
