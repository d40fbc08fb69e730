import type { ClientSettings } from './client-settings.js';
import type { ConfigIssue, ConfigWarning } from './errors.js';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT, type OtlpSettings, PLAINTEXT_COLLECTOR_HOST } from './otlp.js';

export interface Findings {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigWarning[];
}

function portOf(url: string): number | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.port) return Number(parsed.port);
  } catch {
    // not a URL
  }
  return undefined;
}

/** Cross-checks within the client settings: protocol vs port, TLS to a local collector, for each exported signal. */
export function checkClient(s: ClientSettings): Findings {
  const findings: Findings = { errors: [], warnings: [] };
  checkOtlp(s.otlp, findings);
  if (s.metrics.exporter === 'otlp') checkOtlp(s.metrics.otlp, findings);
  return findings;
}

function checkOtlp(otlp: OtlpSettings, { errors, warnings }: Findings): void {
  // With neither endpoint variable set, a fix names the base one: the usual place to point the SDK at a collector.
  const endpointKey = otlp.urlVariable ?? 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const protocolKey = otlp.protocolVariable ?? 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const port = portOf(otlp.url);
  const grpc = otlp.protocol === 'grpc';
  // Both signals may name the same general variable: one finding per variable is enough.
  if (errors.some((e) => e.key === endpointKey)) return;

  if (grpc && port === OTLP_HTTP_PORT) {
    errors.push({
      key: endpointKey,
      value: otlp.url,
      expected: `the collector's OTLP gRPC port (${OTLP_GRPC_PORT}) for ${protocolKey}=grpc; ${OTLP_HTTP_PORT} is OTLP over HTTP`,
      fix: `point ${endpointKey} at port ${OTLP_GRPC_PORT}, or set ${protocolKey}=http/protobuf`,
    });
  } else if (!grpc && port === OTLP_GRPC_PORT) {
    errors.push({
      key: endpointKey,
      value: otlp.url,
      expected: `the collector's OTLP HTTP port (${OTLP_HTTP_PORT}) for ${protocolKey}=${otlp.protocol}; ${OTLP_GRPC_PORT} is OTLP over gRPC`,
      fix: `point ${endpointKey} at port ${OTLP_HTTP_PORT}, or set ${protocolKey}=grpc`,
    });
  }
  try {
    const url = new URL(otlp.url);
    if (
      url.protocol === 'https:' &&
      PLAINTEXT_COLLECTOR_HOST.test(url.hostname) &&
      (port === OTLP_GRPC_PORT || port === OTLP_HTTP_PORT) &&
      !warnings.some((w) => w.key === endpointKey)
    ) {
      warnings.push({
        key: endpointKey,
        message: `${otlp.url} uses https, but a local Jaeger/collector on ${url.hostname}:${port} usually speaks plain text`,
        fix: `use http://${url.host} unless that collector really has TLS`,
      });
    }
  } catch {
    // the schema already rejected it
  }
}
