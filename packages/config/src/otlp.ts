import type { ConfigIssue } from './errors.js';

export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The protocol when neither OTEL_EXPORTER_OTLP_TRACES_PROTOCOL nor OTEL_EXPORTER_OTLP_PROTOCOL is set. */
export const DEFAULT_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';

/** The collector port of each protocol: OTLP/gRPC listens on 4317, OTLP/HTTP on 4318. */
export const DEFAULT_OTLP_PORT: Readonly<Record<OtlpProtocol, number>> = {
  grpc: 4317,
  'http/protobuf': 4318,
  'http/json': 4318,
};
export const OTLP_GRPC_PORT = DEFAULT_OTLP_PORT.grpc;
export const OTLP_HTTP_PORT = DEFAULT_OTLP_PORT['http/protobuf'];

/** Hosts that, in the local stack or a cluster, run a collector without TLS. */
export const PLAINTEXT_COLLECTOR_HOST =
  /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|jaeger(-[a-z0-9-]+)?|otel-collector|[a-z0-9-]+-collector)(\.[a-z0-9-]+)*$/i;

/** The variables that can set where traces are sent, the signal-specific one first. */
export type OtlpEndpointVariable = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT';
/** The variables that can set the protocol, the signal-specific one first. */
export type OtlpProtocolVariable = 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' | 'OTEL_EXPORTER_OTLP_PROTOCOL';

/** Where traces go and how, each value with the variable it came from. */
export interface OtlpSettings {
  readonly protocol: OtlpProtocol;
  /** The variable `protocol` comes from; undefined: neither is set, the default holds. */
  readonly protocolVariable?: OtlpProtocolVariable | undefined;
  /** The URL traces are sent to: the gRPC endpoint, or the full http(s) URL ending in /v1/traces. */
  readonly url: string;
  /** The variable `url` comes from, so a message can name what to change; undefined: the protocol's default. */
  readonly urlVariable?: OtlpEndpointVariable | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly certificateFile?: string | undefined;
}

/** The OTLP variables as read from the environment (validated, not yet combined). */
export interface OtlpVariables {
  readonly OTEL_EXPORTER_OTLP_PROTOCOL: OtlpProtocol | undefined;
  readonly OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: OtlpProtocol | undefined;
  readonly OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined;
  readonly OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string | undefined;
  readonly OTEL_EXPORTER_OTLP_HEADERS: Readonly<Record<string, string>>;
  readonly OTEL_EXPORTER_OTLP_TRACES_HEADERS: Readonly<Record<string, string>>;
  readonly OTEL_EXPORTER_OTLP_TIMEOUT: number;
  readonly OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: number | undefined;
  readonly OTEL_EXPORTER_OTLP_CERTIFICATE: string | undefined;
}

/**
 * The URL of one signal under a base endpoint: `path` goes on the base URL's path, its query string and fragment
 * stay after it as written (`http://c:4318?token=x` → `http://c:4318/v1/traces?token=x`).
 */
function signalUrl(base: string, path: string): string {
  const at = base.search(/[?#]/);
  const head = at < 0 ? base : base.slice(0, at);
  const tail = at < 0 ? '' : base.slice(at);
  return `${head.replace(/\/+$/, '')}/${path}${tail}`;
}

/**
 * Combines the signal-specific and general variables as the specification says: the traces variable wins; a base
 * endpoint gets /v1/traces for http; neither set: the protocol's default port on localhost.
 */
export function resolveOtlp(v: OtlpVariables): { otlp: OtlpSettings; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const protocol =
    v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? v.OTEL_EXPORTER_OTLP_PROTOCOL ?? DEFAULT_OTLP_PROTOCOL;
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT ?? `http://localhost:${DEFAULT_OTLP_PORT[protocol]}`;
  const traces = v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const grpc = protocol === 'grpc';
  if (
    !grpc &&
    traces === undefined &&
    /\/v1\/traces\/?$/.test((v.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').replace(/[?#].*$/s, ''))
  ) {
    issues.push({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: v.OTEL_EXPORTER_OTLP_ENDPOINT,
      expected: 'the base URL of the collector: /v1/traces is appended to it',
      fix: 'drop /v1/traces from OTEL_EXPORTER_OTLP_ENDPOINT, or put the full URL in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    });
  }
  const otlp: OtlpSettings = {
    protocol,
    protocolVariable:
      v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL !== undefined
        ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
        : v.OTEL_EXPORTER_OTLP_PROTOCOL !== undefined
          ? 'OTEL_EXPORTER_OTLP_PROTOCOL'
          : undefined,
    url: traces ?? (grpc ? base : signalUrl(base, 'v1/traces')),
    urlVariable:
      traces !== undefined
        ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
        : v.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined
          ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
          : undefined,
    headers: { ...v.OTEL_EXPORTER_OTLP_HEADERS, ...v.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    timeoutMs: v.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? v.OTEL_EXPORTER_OTLP_TIMEOUT,
    certificateFile: v.OTEL_EXPORTER_OTLP_CERTIFICATE,
  };
  return { otlp, issues };
}
