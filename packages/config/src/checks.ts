import type { ClientSettings } from './client.js';
import type { ConfigIssue, ConfigWarning } from './errors.js';
import type { MilvusTraceConfig } from './server.js';

export interface Findings {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigWarning[];
}

/** Hosts that, in the local stack or a cluster, run a collector without TLS. */
const PLAINTEXT_COLLECTOR_HOST =
  /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|jaeger(-[a-z0-9-]+)?|otel-collector|[a-z0-9-]+-collector)(\.[a-z0-9-]+)*$/i;

const GRPC_PORT = 4317;
const HTTP_PORT = 4318;

function portOf(url: string): number | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.port) return Number(parsed.port);
  } catch {
    // not a URL
  }
  return undefined;
}

/** host and port of a Milvus-style `host:port` (no scheme). */
function splitHostPort(endpoint: string): { host: string; port: number | undefined } {
  const m = /^(.*?)(?::(\d+))?$/.exec(endpoint) ?? [];
  return { host: m[1] ?? endpoint, port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** What the client cross-checks need beyond the settings: how the variables behind them were given. */
export interface ClientSources {
  /** The variable that set the protocol; OTEL_EXPORTER_OTLP_PROTOCOL also when neither did (its default holds). */
  readonly protocolVariable: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' | 'OTEL_EXPORTER_OTLP_PROTOCOL';
  /** OTEL_EXPORTER_OTLP_ENDPOINT as validated (trimmed), when set. */
  readonly baseEndpoint: string | undefined;
  /** OTEL_TRACES_SAMPLER_ARG is set (not blank). */
  readonly samplerArgGiven: boolean;
}

/** Cross-checks within the client settings (protocol vs port, URL forms, TLS to a local collector). */
export function checkClient(s: ClientSettings, sources: ClientSources): Findings {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigWarning[] = [];
  // With neither endpoint variable set, a fix names the base one: the usual place to point the SDK at a collector.
  const endpointKey = s.otlp.urlVariable ?? 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const protocolKey = sources.protocolVariable;
  const port = portOf(s.otlp.url);
  const grpc = s.otlp.protocol === 'grpc';

  if (grpc && port === HTTP_PORT) {
    errors.push({
      key: endpointKey,
      value: s.otlp.url,
      expected: `the collector's OTLP gRPC port (${GRPC_PORT}) for ${protocolKey}=grpc; ${HTTP_PORT} is OTLP over HTTP`,
      fix: `point ${endpointKey} at port ${GRPC_PORT}, or set ${protocolKey}=http/protobuf`,
    });
  } else if (!grpc && port === GRPC_PORT) {
    errors.push({
      key: endpointKey,
      value: s.otlp.url,
      expected: `the collector's OTLP HTTP port (${HTTP_PORT}) for ${protocolKey}=${s.otlp.protocol}; ${GRPC_PORT} is OTLP over gRPC`,
      fix: `point ${endpointKey} at port ${HTTP_PORT}, or set ${protocolKey}=grpc`,
    });
  }
  if (
    !grpc &&
    endpointKey === 'OTEL_EXPORTER_OTLP_ENDPOINT' &&
    /\/v1\/traces\/?$/.test((sources.baseEndpoint ?? '').replace(/[?#].*$/s, ''))
  ) {
    errors.push({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: sources.baseEndpoint,
      expected: 'the base URL of the collector: /v1/traces is appended to it',
      fix: 'drop /v1/traces from OTEL_EXPORTER_OTLP_ENDPOINT, or put the full URL in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    });
  }
  try {
    const url = new URL(s.otlp.url);
    if (
      url.protocol === 'https:' &&
      PLAINTEXT_COLLECTOR_HOST.test(url.hostname) &&
      (port === GRPC_PORT || port === HTTP_PORT)
    ) {
      warnings.push({
        key: endpointKey,
        message: `${s.otlp.url} uses https, but a local Jaeger/collector on ${url.hostname}:${port} usually speaks plain text`,
        fix: `use http://${url.host} unless that collector really has TLS`,
      });
    }
  } catch {
    // the schema already rejected it
  }
  if (sources.samplerArgGiven && !('ratio' in s.sampler) && !('endpoint' in s.sampler)) {
    warnings.push({
      key: 'OTEL_TRACES_SAMPLER_ARG',
      message: `OTEL_TRACES_SAMPLER=${s.sampler.name} takes no argument; OTEL_TRACES_SAMPLER_ARG is ignored`,
      fix: 'unset it, or pick a traceidratio or jaeger_remote sampler',
    });
  }
  return { errors, warnings };
}

/** The exporter a server runs with: the configured one, else Milvus's default (stdout in 2.3, noop since 2.4). */
function effectiveExporter(t: MilvusTraceConfig, version: string): string {
  return t.exporter ?? (version.startsWith('2.3.') ? 'stdout' : 'noop');
}

/** Cross-checks within a Milvus `trace:` section. */
export function checkServer(t: MilvusTraceConfig, version: string): Findings {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigWarning[] = [];
  const exporter = effectiveExporter(t, version);

  if (exporter === 'otlp') {
    const endpoint = t.otlp?.endpoint;
    const method = t.otlp?.method ?? 'grpc';
    if (!endpoint) {
      errors.push({
        key: 'trace.otlp.endpoint',
        expected: 'host:port of the OTLP collector when trace.exporter is otlp',
        fix: `set trace.otlp.endpoint: jaeger:${method === 'http' ? HTTP_PORT : GRPC_PORT}`,
      });
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
      // Milvus takes no credentials here: the fix shows host:port only.
      const bare = endpoint
        .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
        .replace(/^.*@/, '')
        .replace(/[/?#].*$/s, '');
      errors.push({
        key: 'trace.otlp.endpoint',
        value: endpoint,
        expected: 'host:port without a scheme or path (Milvus adds the transport itself)',
        fix: `set trace.otlp.endpoint: ${bare}${endpoint.startsWith('https') ? ' and trace.otlp.secure: true' : ''}`,
      });
    } else {
      const { host, port } = splitHostPort(endpoint);
      if (port === undefined) {
        errors.push({
          key: 'trace.otlp.endpoint',
          value: endpoint,
          expected: 'host:port (the port is required)',
          fix: `set trace.otlp.endpoint: ${host}:${method === 'http' ? HTTP_PORT : GRPC_PORT}`,
        });
      } else if (method === 'grpc' && port === HTTP_PORT) {
        errors.push({
          key: 'trace.otlp.endpoint',
          value: endpoint,
          expected: `the OTLP gRPC port (${GRPC_PORT}) for trace.otlp.method grpc${t.otlp?.method ? '' : ' (the default)'}`,
          fix: `set trace.otlp.endpoint: ${host}:${GRPC_PORT}, or trace.otlp.method: http (Milvus ≥ 2.4.7)`,
        });
      } else if (method === 'http' && port === GRPC_PORT) {
        errors.push({
          key: 'trace.otlp.endpoint',
          value: endpoint,
          expected: `the OTLP HTTP port (${HTTP_PORT}) for trace.otlp.method http`,
          fix: `set trace.otlp.endpoint: ${host}:${HTTP_PORT}, or trace.otlp.method: grpc`,
        });
      }
      if (t.otlp?.secure !== false && PLAINTEXT_COLLECTOR_HOST.test(host)) {
        errors.push({
          key: 'trace.otlp.secure',
          value: t.otlp?.secure === undefined ? undefined : String(t.otlp.secure),
          expected: `false for the plain-text collector at ${endpoint}${t.otlp?.secure === undefined ? ' (Milvus defaults to true, so TLS is attempted and every export fails)' : ''}`,
          fix: 'set trace.otlp.secure: false, or give the collector TLS',
        });
      }
    }
  }
  if (exporter === 'jaeger') {
    warnings.push({
      key: 'trace.exporter',
      message:
        'the jaeger exporter is deprecated (Jaeger itself takes OTLP since 1.35; its Thrift endpoint is legacy)',
      fix: 'set trace.exporter: otlp with trace.otlp.endpoint: <jaeger-collector>:4317 and trace.otlp.secure: false',
    });
    const url = t.jaeger?.url;
    if (!url) {
      errors.push({
        key: 'trace.jaeger.url',
        expected: 'the Jaeger collector URL when trace.exporter is jaeger',
        fix: 'set trace.jaeger.url: http://jaeger-collector:14268/api/traces',
      });
    } else if (!/^https?:\/\/[^/]+\/api\/traces\/?$/.test(url)) {
      errors.push({
        key: 'trace.jaeger.url',
        value: url,
        expected:
          'a full http(s) URL ending in /api/traces (the collector’s Thrift HTTP endpoint, port 14268)',
        fix: 'set trace.jaeger.url: http://jaeger-collector:14268/api/traces',
      });
    }
  }
  if (exporter === 'stdout') {
    warnings.push({
      key: 'trace.exporter',
      message: 'trace.exporter stdout writes spans to the server log; none reach Jaeger',
      fix: 'set trace.exporter: otlp to see server spans in Jaeger',
    });
  }
  if ((exporter === 'otlp' || exporter === 'jaeger') && (t.sampleFraction ?? 0) === 0) {
    warnings.push({
      key: 'trace.sampleFraction',
      message:
        'sampleFraction 0: only requests that arrive with a sampled traceparent are traced (Milvus samples parent-based)',
      fix: 'keep it if every client is instrumented; set 1 to also trace requests from clients without tracing',
    });
  }
  return { errors, warnings };
}

/** Checks across the client and the server: do their sampling and exporters give end-to-end traces? */
export function checkEndToEnd(
  client: ClientSettings,
  server: MilvusTraceConfig,
  version: string,
): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const exporter = effectiveExporter(server, version);
  const clientSamples =
    !client.disabled &&
    client.sampler.name !== 'always_off' &&
    client.sampler.name !== 'parentbased_always_off' &&
    !('ratio' in client.sampler && client.sampler.ratio === 0);
  if (clientSamples && exporter !== 'otlp' && exporter !== 'jaeger') {
    warnings.push({
      key: 'trace.exporter',
      message: `the client traces, but the server exports with ${exporter}: traces will end at the client span`,
      fix: 'set the server’s trace.exporter: otlp',
    });
  }
  const fraction = server.sampleFraction ?? 0;
  if (clientSamples && fraction < 1 && (exporter === 'otlp' || exporter === 'jaeger')) {
    warnings.push({
      key: 'trace.sampleFraction',
      message: `the server's sampleFraction ${fraction} does not thin client traces: Milvus samples parent-based, so every request from a sampled client span is traced on the server too; sampleFraction applies only to requests without a sampled parent`,
      fix: 'sample on the client (OTEL_TRACES_SAMPLER); keep sampleFraction for untraced callers',
    });
  }
  if (!clientSamples && fraction === 0) {
    warnings.push({
      key: 'OTEL_TRACES_SAMPLER',
      message: 'the client samples nothing and the server’s sampleFraction is 0: no trace will be recorded',
      fix: 'use OTEL_TRACES_SAMPLER=parentbased_always_on (or a ratio) on the client',
    });
  }
  return warnings;
}
