import {
  descendants,
  isDescendant,
  type SpanKindName,
  type Trace,
  type TraceSpan,
} from '@milvus-otel/jaeger-query';

/** Picks a span: every given criterion must hold. */
export interface SpanMatcher {
  readonly kind?: SpanKindName;
  readonly name?: string | RegExp;
  readonly service?: string;
  /** Tags that must be present: `true` for any value, else the value (or a pattern for it). */
  readonly tags?: Readonly<Record<string, true | string | RegExp>>;
  /** A tag key prefix at least one tag must have, e.g. `faas.`. */
  readonly tagPrefix?: string;
}

export interface TraceExpectation {
  /** The span the request entered through (HTTP server span, Lambda invocation span). */
  readonly entry: SpanMatcher;
  /** A job was enqueued: the PRODUCER span, at or below the entry span. */
  readonly producer?: SpanMatcher;
  /** The worker's CONSUMER span, which must reference the producer span (parent and/or link). */
  readonly consumer?: SpanMatcher;
  /** The Milvus client span, below the consumer (if expected) or the entry span. Default: kind client, db.system.name milvus. */
  readonly milvusClient?: SpanMatcher;
  /** Accept spans whose parent is not in the trace. @default false */
  readonly allowOrphans?: boolean;
}

export type CheckName =
  | 'trace'
  | 'entry'
  | 'producer'
  | 'consumer'
  | 'milvus-client'
  | 'milvus-server'
  | 'orphans';

export interface CheckFailure {
  readonly check: CheckName;
  readonly message: string;
}

export const MILVUS_CLIENT: SpanMatcher = { kind: 'client', tags: { 'db.system.name': 'milvus' } };

function tagMatches(value: unknown, want: true | string | RegExp): boolean {
  if (value === undefined) return false;
  if (want === true) return true;
  return typeof want === 'string' ? String(value) === want : want.test(String(value));
}

export function matches(span: TraceSpan, m: SpanMatcher): boolean {
  if (m.kind && span.kind !== m.kind) return false;
  if (m.service !== undefined && span.service !== m.service) return false;
  if (m.name !== undefined && (typeof m.name === 'string' ? span.name !== m.name : !m.name.test(span.name)))
    return false;
  if (m.tags && !Object.entries(m.tags).every(([k, want]) => tagMatches(span.tags[k], want))) return false;
  if (m.tagPrefix !== undefined && !Object.keys(span.tags).some((k) => k.startsWith(m.tagPrefix as string)))
    return false;
  return true;
}

/** "kind server, name ~ /^GET /, service api" */
export function describeMatcher(m: SpanMatcher): string {
  const parts = [
    m.kind && `kind ${m.kind}`,
    m.name !== undefined && (typeof m.name === 'string' ? `name "${m.name}"` : `name ~ ${m.name}`),
    m.service !== undefined && `service ${m.service}`,
    ...Object.entries(m.tags ?? {}).map(([k, v]) =>
      v === true ? `tag ${k}` : typeof v === 'string' ? `${k}=${v}` : `${k} ~ ${v}`,
    ),
    m.tagPrefix !== undefined && `a ${m.tagPrefix}* tag`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'any span';
}

const label = (s: TraceSpan) => `"${s.name}" (${s.service})`;

function summary(spans: readonly TraceSpan[], limit = 8): string {
  if (!spans.length) return 'none';
  const names = spans.slice(0, limit).map(label);
  return `${names.join(', ')}${spans.length > limit ? `, … ${spans.length - limit} more` : ''}`;
}

/**
 * Checks one trace against the shape a request through Milvus must have: entry span → (producer → consumer) →
 * Milvus client span → at least one Milvus server span (a span of another service below the client span), no
 * spans without their parent. Pure; returns every failed check with what was found instead (empty: passed).
 * Checks that depend on a missing span are skipped, so the first failure names the break.
 */
export function checkTrace(trace: Trace | undefined, expectation: TraceExpectation): CheckFailure[] {
  if (!trace || trace.spans.length === 0) {
    return [
      { check: 'trace', message: 'the trace is not in Jaeger (no span of it arrived before the timeout)' },
    ];
  }
  const failures: CheckFailure[] = [];
  const orphans = (): void => {
    if (expectation.allowOrphans || trace.orphans.length === 0) return;
    failures.push({
      check: 'orphans',
      message: `${trace.orphans.length} span(s) whose parent is not in the trace: ${trace.orphans
        .map((s) => `${label(s)} → parent ${s.parentId}`)
        .join(
          ', ',
        )} — the parent's process did not export it (yet): check it flushes on exit and exports to the same collector`,
    });
  };
  const finish = () => {
    orphans();
    return failures;
  };

  const entries = trace.spans.filter((s) => matches(s, expectation.entry));
  const entry = entries.find((s) => s.parentId === undefined) ?? entries[0];
  if (!entry) {
    failures.push({
      check: 'entry',
      message: `no entry span (${describeMatcher(expectation.entry)}); root spans: ${summary(
        trace.spans.filter((s) => s.depth === 0),
      )}`,
    });
    return finish();
  }

  let anchor = entry;
  if (expectation.producer) {
    const producer = trace.spans.find(
      (s) =>
        matches(s, expectation.producer as SpanMatcher) &&
        (s === entry || isDescendant(trace, s, entry.spanId)),
    );
    if (!producer) {
      failures.push({
        check: 'producer',
        message: `no producer span (${describeMatcher(expectation.producer)}) below the entry span ${label(entry)}; below it: ${summary(descendants(trace, entry))}`,
      });
      return finish();
    }
    anchor = producer;
  }

  if (expectation.consumer) {
    const producer = anchor;
    const consumers = trace.spans.filter((s) => matches(s, expectation.consumer as SpanMatcher));
    const consumer = consumers.find(
      (s) =>
        s.references.some((r) => r.spanId === producer.spanId) || isDescendant(trace, s, producer.spanId),
    );
    if (!consumer) {
      failures.push({
        check: 'consumer',
        message: consumers.length
          ? `consumer span ${label(consumers[0] as TraceSpan)} neither continues nor links to the producer span ${label(producer)}: the job must carry the producer's trace context (traceProducer/traceConsumer)`
          : `no consumer span (${describeMatcher(expectation.consumer)}) in the trace: the worker did not process the job yet, is not exporting, or started a new trace (continueTrace: false: look up the linked trace); producer span ${label(producer)}`,
      });
      return finish();
    }
    anchor = consumer;
  }

  const clientMatcher = expectation.milvusClient ?? MILVUS_CLIENT;
  const client = trace.spans.find((s) => matches(s, clientMatcher) && isDescendant(trace, s, anchor.spanId));
  if (!client) {
    const elsewhere = trace.spans.filter((s) => matches(s, clientMatcher));
    failures.push({
      check: 'milvus-client',
      message: elsewhere.length
        ? `the Milvus client span ${label(elsewhere[0] as TraceSpan)} is not below ${label(anchor)}: the request's context was lost before the Milvus call`
        : `no Milvus client span (${describeMatcher(clientMatcher)}) below ${label(anchor)}: is the Milvus instrumentation registered before @zilliz/milvus2-sdk-node is loaded? Below it: ${summary(descendants(trace, anchor))}`,
    });
    return finish();
  }

  const server = descendants(trace, client).filter((s) => s.service !== client.service);
  if (server.length === 0) {
    failures.push({
      check: 'milvus-server',
      message: `no Milvus server span below the client span ${label(client)}: Milvus did not export its spans into this trace — check its trace section (milvus-otel validate <milvus.yaml>, sampleFraction > 0) and that the client sends traceparent`,
    });
  }
  return finish();
}
