import { parseHostPort } from '../address.js';
import type { ClientSettings } from '../client-settings.js';
import type { ConfigIssue, ConfigWarning } from '../errors.js';
import {
  OTLP_GRPC_PORT as GRPC_PORT,
  OTLP_HTTP_PORT as HTTP_PORT,
  PLAINTEXT_COLLECTOR_HOST,
} from '../otlp.js';
import { MILVUS_TRACE_KEYS, type MilvusTraceConfig } from './trace-schema.js';
import { atLeast } from './version.js';

export interface Findings {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigWarning[];
}

/** Milvus's default for `key` in `version` (undefined: unset). */
function milvusDefault(key: string, version: string): string | undefined {
  const defaults = MILVUS_TRACE_KEYS.find((k) => k.key === key)?.defaults ?? [];
  return defaults.findLast((d) => atLeast(version, d.since))?.value;
}

/** The exporter a server runs with: the configured one, else Milvus's default (stdout, noop since 2.4.3). */
function effectiveExporter(t: MilvusTraceConfig, version: string): string {
  return t.exporter ?? milvusDefault('trace.exporter', version) ?? 'stdout';
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A JSON object of string values, else what it is instead. */
function headerMap(json: string): true | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'no JSON';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'JSON, but no object';
  const bad = Object.values(parsed).filter((v) => typeof v !== 'string').length;
  return bad === 0 ? true : `a JSON object with ${bad} value(s) that are no strings`;
}

/**
 * trace.otlp.headers as Milvus reads it (pkg/tracer parseHeaders, segcore): standard base64 of a JSON object of
 * strings; undecodable base64 is tried as JSON itself. Anything else loses every header (a log line on the Go side,
 * the raw text in segcore's log). The value is never put into a message.
 */
function checkHeaders(headers: string, secure: boolean, errors: ConfigIssue[], warnings: ConfigWarning[]) {
  const fix = `set it to the output of: printf '%s' '{"authorization":"Bearer <token>"}' | base64 -w0`;
  const compact = headers.replace(/[\r\n]/g, ''); // Go's StdEncoding skips line breaks
  if (STD_BASE64.test(compact)) {
    const found = headerMap(Buffer.from(compact, 'base64').toString('utf8'));
    if (found !== true)
      errors.push({
        key: 'trace.otlp.headers',
        value: '****',
        expected: `base64 of a JSON object of header names to string values (it decodes to ${found}; Milvus drops every header)`,
        fix,
      });
  } else if (headerMap(headers) === true) {
    warnings.push({
      key: 'trace.otlp.headers',
      message:
        'trace.otlp.headers is plain JSON: Milvus takes it only as a fallback; its documented form is base64',
      fix,
    });
  } else {
    errors.push({
      key: 'trace.otlp.headers',
      value: '****',
      expected:
        'standard base64 (A–Z a–z 0–9 + /, padded with =) of a JSON object of header names to string values (Milvus drops every header otherwise)',
      fix,
    });
  }
  if (!secure)
    warnings.push({
      key: 'trace.otlp.headers',
      message: 'trace.otlp.secure is false: the headers (often tokens) travel in plain text',
      fix: 'use a collector with TLS and trace.otlp.secure: true for headers that carry credentials',
    });
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
      const address = parseHostPort(endpoint);
      // As written in host:port: an IPv6 address in brackets.
      const host =
        address === undefined ? endpoint : address.host.includes(':') ? `[${address.host}]` : address.host;
      const port = address?.port;
      if (address === undefined || !address.portGiven) {
        errors.push({
          key: 'trace.otlp.endpoint',
          value: endpoint,
          expected: 'host:port (the port is required)',
          fix: `set trace.otlp.endpoint: ${host}:${method === 'http' ? HTTP_PORT : GRPC_PORT}`,
        });
      } else if (port === undefined) {
        errors.push({
          key: 'trace.otlp.endpoint',
          value: endpoint,
          expected: 'host:port with a port from 1 to 65535',
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
        const secureKey = MILVUS_TRACE_KEYS.find((k) => k.key === 'trace.otlp.secure');
        const readsSecure = secureKey === undefined || atLeast(version, secureKey.since);
        errors.push({
          key: 'trace.otlp.secure',
          value: t.otlp?.secure === undefined ? undefined : String(t.otlp.secure),
          expected: readsSecure
            ? `false for the plain-text collector at ${endpoint}${t.otlp?.secure === undefined ? ' (Milvus defaults to true, so TLS is attempted and every export fails)' : ''}`
            : `a collector with TLS: Milvus ${version} always uses TLS for OTLP, so the plain-text collector at ${endpoint} receives nothing`,
          fix: readsSecure
            ? 'set trace.otlp.secure: false, or give the collector TLS'
            : `use Milvus ${secureKey.since}+ with trace.otlp.secure: false, or give the collector TLS`,
        });
      }
    }
    const headers = t.otlp?.headers;
    const headersSince = MILVUS_TRACE_KEYS.find((k) => k.key === 'trace.otlp.headers')?.since ?? '0.0.0';
    // A release without the key gets its own error (remove it, or upgrade).
    if (headers && atLeast(version, headersSince))
      checkHeaders(headers, t.otlp?.secure ?? true, errors, warnings);
  }
  if (exporter === 'jaeger') {
    warnings.push({
      key: 'trace.exporter',
      message:
        'the jaeger exporter is deprecated (Jaeger itself takes OTLP since 1.35; its Thrift endpoint is legacy)',
      fix: `set trace.exporter: otlp with trace.otlp.endpoint: <jaeger-collector>:${GRPC_PORT} and trace.otlp.secure: false`,
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
