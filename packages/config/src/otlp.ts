import type { ConfigIssue } from './errors.js';

export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The protocol when neither the signal's protocol variable nor OTEL_EXPORTER_OTLP_PROTOCOL is set. */
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

/** The signals this package exports over OTLP: traces always, metrics when OTEL_METRICS_EXPORTER=otlp. */
export type OtlpSignal = 'traces' | 'metrics';
type Signal<S extends OtlpSignal> = Uppercase<S>;

/** The variables that can set where a signal is sent, the signal-specific one first. */
export type OtlpEndpointVariable =
  | `OTEL_EXPORTER_OTLP_${Signal<OtlpSignal>}_ENDPOINT`
  | 'OTEL_EXPORTER_OTLP_ENDPOINT';
/** The variables that can set the protocol, the signal-specific one first. */
export type OtlpProtocolVariable =
  | `OTEL_EXPORTER_OTLP_${Signal<OtlpSignal>}_PROTOCOL`
  | 'OTEL_EXPORTER_OTLP_PROTOCOL';

/** Where one signal goes and how, each value with the variable it came from. */
export interface OtlpSettings {
  readonly protocol: OtlpProtocol;
  /** The variable `protocol` comes from; undefined: neither is set, the default holds. */
  readonly protocolVariable?: OtlpProtocolVariable | undefined;
  /** The URL the signal is sent to: the gRPC endpoint, or the full http(s) URL ending in /v1/traces or /v1/metrics. */
  readonly url: string;
  /** The variable `url` comes from, so a message can name what to change; undefined: the protocol's default. */
  readonly urlVariable?: OtlpEndpointVariable | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly certificateFile?: string | undefined;
}

/** The general OTLP variables as read from the environment (validated, not yet combined). */
interface GeneralOtlpVariables {
  readonly OTEL_EXPORTER_OTLP_PROTOCOL: OtlpProtocol | undefined;
  readonly OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined;
  readonly OTEL_EXPORTER_OTLP_HEADERS: Readonly<Record<string, string>>;
  readonly OTEL_EXPORTER_OTLP_TIMEOUT: number;
  readonly OTEL_EXPORTER_OTLP_CERTIFICATE: string | undefined;
}

/** The variables of one signal (`OTEL_EXPORTER_OTLP_TRACES_…`, `OTEL_EXPORTER_OTLP_METRICS_…`); headers and timeout optional. */
export type SignalOtlpVariables<S extends OtlpSignal> = {
  readonly [K in `OTEL_EXPORTER_OTLP_${Signal<S>}_PROTOCOL`]: OtlpProtocol | undefined;
} & { readonly [K in `OTEL_EXPORTER_OTLP_${Signal<S>}_ENDPOINT`]: string | undefined } & {
  readonly [K in `OTEL_EXPORTER_OTLP_${Signal<S>}_HEADERS`]?: Readonly<Record<string, string>>;
} & { readonly [K in `OTEL_EXPORTER_OTLP_${Signal<S>}_TIMEOUT`]?: number | undefined };

/** The OTLP variables one signal's settings are combined from: the general ones and the signal's own. */
export type OtlpVariables<S extends OtlpSignal = 'traces'> = GeneralOtlpVariables & SignalOtlpVariables<S>;

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
 * Combines the signal-specific and general variables as the specification says: the signal's variable wins; a base
 * endpoint gets /v1/traces (or /v1/metrics) for http; neither set: the protocol's default port on localhost.
 */
export function resolveOtlp<S extends OtlpSignal = 'traces'>(
  v: OtlpVariables<S>,
  signal: S = 'traces' as S,
): { otlp: OtlpSettings; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const name = signal.toUpperCase() as Signal<S>;
  const own = v as unknown as Record<string, unknown>;
  const protocolKey: OtlpProtocolVariable = `OTEL_EXPORTER_OTLP_${name}_PROTOCOL`;
  const endpointKey: OtlpEndpointVariable = `OTEL_EXPORTER_OTLP_${name}_ENDPOINT`;
  const ownProtocol = own[protocolKey] as OtlpProtocol | undefined;
  const ownEndpoint = own[endpointKey] as string | undefined;
  const ownHeaders = (own[`OTEL_EXPORTER_OTLP_${name}_HEADERS`] ?? {}) as Readonly<Record<string, string>>;
  const ownTimeout = own[`OTEL_EXPORTER_OTLP_${name}_TIMEOUT`] as number | undefined;

  const protocol = ownProtocol ?? v.OTEL_EXPORTER_OTLP_PROTOCOL ?? DEFAULT_OTLP_PROTOCOL;
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT ?? `http://localhost:${DEFAULT_OTLP_PORT[protocol]}`;
  const grpc = protocol === 'grpc';
  const path = `v1/${signal}`;
  if (
    !grpc &&
    ownEndpoint === undefined &&
    new RegExp(`/${path}/?$`).test((v.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').replace(/[?#].*$/s, ''))
  ) {
    issues.push({
      key: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: v.OTEL_EXPORTER_OTLP_ENDPOINT,
      expected: `the base URL of the collector: /${path} is appended to it`,
      fix: `drop /${path} from OTEL_EXPORTER_OTLP_ENDPOINT, or put the full URL in ${endpointKey}`,
    });
  }
  const otlp: OtlpSettings = {
    protocol,
    protocolVariable:
      ownProtocol !== undefined
        ? protocolKey
        : v.OTEL_EXPORTER_OTLP_PROTOCOL !== undefined
          ? 'OTEL_EXPORTER_OTLP_PROTOCOL'
          : undefined,
    url: ownEndpoint ?? (grpc ? base : signalUrl(base, path)),
    urlVariable:
      ownEndpoint !== undefined
        ? endpointKey
        : v.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined
          ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
          : undefined,
    headers: { ...v.OTEL_EXPORTER_OTLP_HEADERS, ...ownHeaders },
    timeoutMs: ownTimeout ?? v.OTEL_EXPORTER_OTLP_TIMEOUT,
    certificateFile: v.OTEL_EXPORTER_OTLP_CERTIFICATE,
  };
  return { otlp, issues };
}
