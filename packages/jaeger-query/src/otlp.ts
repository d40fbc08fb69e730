import type { SpanKindName, SpanRecord } from './model.js';

/**
 * Traces in OTLP JSON, as Jaeger's OTLP query API returns them (`GET /api/v3/traces/{id}` → `result`) and as an
 * OTLP/HTTP exporter sends them. Ids are hex, times are nanoseconds since the epoch as decimal strings.
 */
export interface OtlpTracesJson {
  resourceSpans: {
    resource?: { attributes?: OtlpAttributeJson[] | null } | null;
    scopeSpans?:
      | {
          scope?: { name?: string; version?: string } | null;
          spans?: OtlpSpanJson[] | null;
        }[]
      | null;
  }[];
}

interface OtlpSpanJson {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal … 5 consumer; Jaeger writes the number, protobuf's JSON mapping may write `SPAN_KIND_SERVER`. */
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpAttributeJson[] | null;
  events?:
    | { timeUnixNano?: string | number; name?: string; attributes?: OtlpAttributeJson[] | null }[]
    | null;
  links?: { traceId: string; spanId: string; attributes?: OtlpAttributeJson[] | null }[] | null;
  /** code: 0 unset, 1 ok, 2 error (or `STATUS_CODE_ERROR`). */
  status?: { code?: number | string; message?: string } | null;
}

interface OtlpAttributeJson {
  key: string;
  value?: OtlpValueJson | null;
}

interface OtlpValueJson {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string | number;
  /** A number, or `"NaN"` / `"Infinity"` / `"-Infinity"`. */
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpValueJson[] | null } | null;
  kvlistValue?: { values?: OtlpAttributeJson[] | null } | null;
  /** Base64. */
  bytesValue?: string;
}

/** Where Jaeger puts the warnings of a span (a string array attribute), the `warnings` of its v1 JSON. */
const WARNINGS = '@jaeger@warnings';
const KINDS: readonly (SpanKindName | undefined)[] = [
  undefined,
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];
const STATUS: readonly (string | undefined)[] = [undefined, 'OK', 'ERROR'];

function anyValue(v: OtlpValueJson | null | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    // int64 beyond 2^53 stays a string rather than turn into a different number.
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return attributesOf(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}

function attributesOf(list: OtlpAttributeJson[] | null | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, anyValue(a.value)]));
}

const nanos = (ns: string | number | undefined): bigint =>
  typeof ns === 'number' ? BigInt(Math.trunc(ns)) : BigInt(ns || 0);
/** Nanoseconds → microseconds, the unit of the v1 JSON and of the model; bigint keeps the nanoseconds exact. */
const micros = (ns: bigint): number => Number(ns / 1000n);

/** An enum as a number, from its number or its protobuf name (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`). */
function enumOf(value: number | string | undefined, names: readonly (string | undefined)[]): number {
  if (typeof value === 'number') return value;
  const name = String(value ?? '').replace(/^(SPAN_KIND|STATUS_CODE)_/, '');
  const index = names.findIndex((n) => n !== undefined && n.toUpperCase() === name);
  return index === -1 ? 0 : index;
}

/** The spans of an OTLP JSON trace: the parent from `parentSpanId`, the links apart from it. */
export function otlpSpans(json: OtlpTracesJson): SpanRecord[] {
  return json.resourceSpans.flatMap((rs) => {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s): SpanRecord => {
        const { [WARNINGS]: warnings, ...attributes } = attributesOf(s.attributes);
        const kind = KINDS[enumOf(s.kind, KINDS)];
        const status = STATUS[enumOf(s.status?.code, STATUS)];
        // The tags Jaeger's v1 JSON adds to the attributes, so `tags` reads the same from either API.
        const tags: Record<string, unknown> = {
          ...attributes,
          ...(ss.scope?.name ? { 'otel.scope.name': ss.scope.name } : {}),
          ...(ss.scope?.version ? { 'otel.scope.version': ss.scope.version } : {}),
          ...(kind ? { 'span.kind': kind } : {}),
          ...(status ? { 'otel.status_code': status } : {}),
          ...(status === 'ERROR' ? { error: true } : {}),
          ...(s.status?.message ? { 'otel.status_description': s.status.message } : {}),
        };
        const parentId = s.parentSpanId || undefined;
        const links = (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId }));
        const start = nanos(s.startTimeUnixNano);
        return {
          traceId: s.traceId,
          spanId: s.spanId,
          parentId,
          references: [
            ...(parentId ? [{ type: 'CHILD_OF' as const, traceId: s.traceId, spanId: parentId }] : []),
            ...links.map((l) => ({ type: 'FOLLOWS_FROM' as const, ...l })),
          ],
          links,
          events: (s.events ?? []).map((e) => ({
            name: e.name ?? '',
            attributes: attributesOf(e.attributes),
            time: micros(nanos(e.timeUnixNano)),
          })),
          name: s.name,
          service,
          kind,
          startTime: micros(start),
          // As Jaeger's v1 JSON: the nanosecond duration, truncated.
          duration: micros(nanos(s.endTimeUnixNano) - start),
          tags,
          warnings: Array.isArray(warnings) ? warnings.map(String) : warnings ? [String(warnings)] : [],
        };
      }),
    );
  });
}

/**
 * The traces of one OTLP answer, each with the resources and scopes its spans came in: the search of Jaeger's OTLP
 * query API answers with the spans of many traces in one `resourceSpans` list.
 */
export function splitByTrace(json: OtlpTracesJson): Map<string, OtlpTracesJson> {
  const traces = new Map<string, OtlpTracesJson>();
  for (const rs of json.resourceSpans) {
    // One copy of this resource (and of each of its scopes) per trace that has spans in it.
    const resources = new Map<string, OtlpTracesJson['resourceSpans'][number]>();
    for (const ss of rs.scopeSpans ?? []) {
      const scopes = new Map<string, OtlpSpanJson[]>();
      for (const span of ss.spans ?? []) {
        const traceId = span.traceId.toLowerCase();
        let spans = scopes.get(traceId);
        if (!spans) {
          spans = [];
          scopes.set(traceId, spans);
        }
        spans.push(span);
      }
      for (const [traceId, spans] of scopes) {
        let resource = resources.get(traceId);
        if (!resource) {
          resource = { resource: rs.resource, scopeSpans: [] };
          resources.set(traceId, resource);
          let trace = traces.get(traceId);
          if (!trace) {
            trace = { resourceSpans: [] };
            traces.set(traceId, trace);
          }
          trace.resourceSpans.push(resource);
        }
        resource.scopeSpans?.push({ scope: ss.scope, spans });
      }
    }
  }
  return traces;
}
