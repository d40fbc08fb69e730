import { describe, expect, it } from 'vitest';
import { buildTrace } from '../src/trace/model.ts';
import { checkTrace } from '../src/verify/check.ts';
import { EXPECTATIONS } from '../src/verify/verify.ts';
import { ingestTrace, jaegerTrace, type SpanSpec, searchTrace } from './trace-model.ts';

const build = (specs: SpanSpec[]) => buildTrace(jaegerTrace(specs));
const without = (specs: SpanSpec[], ...ids: string[]) => specs.filter((s) => !ids.includes(s.id));

describe('buildTrace', () => {
  it('orders the spans as a tree (depth first, children by start) whatever order Jaeger sends them in', () => {
    const trace = build([...ingestTrace()].reverse());
    expect(trace.spans.map((s) => [s.name, s.depth])).toEqual([
      ['POST /ingest', 0],
      ['send ingest', 1],
      ['process ingest', 2],
      ['upsert docs', 3],
      ['milvus.proto.milvus.MilvusService/Upsert', 4],
    ]);
    expect(trace.services).toEqual(['api', 'worker', 'standalone']);
    expect(trace.duration).toBe(14_000);
    expect(trace.orphans).toEqual([]);
  });

  it('takes a FOLLOWS_FROM reference into the trace as the parent when there is no CHILD_OF', () => {
    const consumer = build(ingestTrace()).spans.find((s) => s.name === 'process ingest');
    expect(consumer?.parentId).toBe('w2');
    expect(consumer?.references).toEqual([
      { type: 'FOLLOWS_FROM', traceId: expect.any(String), spanId: 'w2' },
    ]);
  });

  it('a link into another trace does not make a parent: the span is a root, not an orphan', () => {
    const trace = build([
      {
        id: 'c1',
        name: 'process ingest',
        service: 'worker',
        kind: 'consumer',
        refs: [['FOLLOWS_FROM', 'p9', 'bbbb']],
        start: 0,
        duration: 10,
      },
    ]);
    expect(trace.spans[0]).toMatchObject({ parentId: undefined, depth: 0, orphan: false });
  });

  it('flags spans whose parent is missing as orphans', () => {
    const trace = build(without(searchTrace(), 's2'));
    expect(trace.orphans.map((s) => s.name)).toEqual(['milvus.proto.milvus.MilvusService/Search']);
  });

  it('reads the error message from the status description, else the exception event', () => {
    const trace = build([
      {
        id: 'e1',
        name: 'a',
        service: 'api',
        start: 0,
        duration: 1,
        tags: { 'otel.status_code': 'ERROR', 'otel.status_description': 'collection not found' },
      },
      {
        id: 'e2',
        name: 'b',
        service: 'api',
        start: 1,
        duration: 1,
        tags: { error: true },
        logs: [
          {
            timestamp: 1,
            fields: [
              { key: 'event', value: 'exception' },
              { key: 'exception.message', value: 'boom' },
            ],
          },
        ],
      },
      { id: 'e3', name: 'c', service: 'api', start: 2, duration: 1, tags: { 'otel.status_code': 'OK' } },
    ]);
    expect(trace.spans.map((s) => s.error)).toEqual(['collection not found', 'boom', undefined]);
  });
});

describe('checkTrace', () => {
  it('passes a complete search trace and a complete ingest trace', () => {
    expect(checkTrace(build(searchTrace()), EXPECTATIONS.express)).toEqual([]);
    expect(checkTrace(build(ingestTrace()), EXPECTATIONS.worker)).toEqual([]);
  });

  it('accepts a consumer that is only a CHILD_OF the producer, or a child with a separate link', () => {
    const childOnly = ingestTrace().map((s) => (s.id === 'w3' ? { ...s, refs: [], parent: 'w2' } : s));
    expect(checkTrace(build(childOnly), EXPECTATIONS.worker)).toEqual([]);
    const both = ingestTrace().map((s) => (s.id === 'w3' ? { ...s, parent: 'w2' } : s));
    expect(checkTrace(build(both), EXPECTATIONS.worker)).toEqual([]);
  });

  it('no trace at all', () => {
    expect(checkTrace(undefined, EXPECTATIONS.express)).toEqual([
      { check: 'trace', message: 'the trace is not in Jaeger (no span of it arrived before the timeout)' },
    ]);
  });

  it('names the missing entry span and the roots found instead', () => {
    expect(checkTrace(build(searchTrace()), EXPECTATIONS.worker)).toEqual([
      {
        check: 'entry',
        message: 'no entry span (kind server, name ~ /^POST\\b/); root spans: "GET /search" (api)',
      },
    ]);
  });

  it('fails when the Milvus server exported nothing into the trace', () => {
    const failures = checkTrace(build(without(searchTrace(), 's3', 's4')), EXPECTATIONS.express);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.check).toBe('milvus-server');
    expect(failures[0]?.message).toContain('no Milvus server span below the client span "search docs" (api)');
  });

  it('fails when there is no Milvus client span below the entry span', () => {
    const failures = checkTrace(build(without(searchTrace(), 's2', 's3', 's4')), EXPECTATIONS.express);
    expect(failures).toEqual([
      {
        check: 'milvus-client',
        message: expect.stringContaining(
          'no Milvus client span (kind client, db.system.name=milvus) below "GET /search" (api)',
        ),
      },
    ]);
  });

  it('fails when the Milvus client span is in the trace but detached from the request', () => {
    const detached = searchTrace().map((s) => (s.id === 's2' ? { ...s, parent: undefined } : s));
    const failures = checkTrace(build(detached), EXPECTATIONS.express);
    expect(failures.map((f) => f.check)).toEqual(['milvus-client']);
    expect(failures[0]?.message).toContain('is not below "GET /search" (api)');
  });

  it('reports orphans along with the break they cause', () => {
    const failures = checkTrace(build(without(searchTrace(), 's2')), EXPECTATIONS.express);
    expect(failures.map((f) => f.check)).toEqual(['milvus-client', 'orphans']);
    expect(failures[1]?.message).toContain(
      '1 span(s) whose parent is not in the trace: "milvus.proto.milvus.MilvusService/Search" (standalone) → parent s2',
    );
  });

  it('worker: no producer, a consumer not yet arrived, a consumer that does not reference the producer', () => {
    expect(checkTrace(build(without(ingestTrace(), 'w2', 'w3', 'w4', 'w5')), EXPECTATIONS.worker)).toEqual([
      {
        check: 'producer',
        message: expect.stringContaining(
          'no producer span (kind producer) below the entry span "POST /ingest" (api)',
        ),
      },
    ]);
    const noConsumer = checkTrace(build(without(ingestTrace(), 'w3', 'w4', 'w5')), EXPECTATIONS.worker);
    expect(noConsumer.map((f) => f.check)).toEqual(['consumer']);
    expect(noConsumer[0]?.message).toContain('no consumer span (kind consumer) in the trace');

    const unrelated = ingestTrace().map((s) => (s.id === 'w3' ? { ...s, refs: [], parent: 'w1' } : s));
    const failures = checkTrace(build(unrelated), EXPECTATIONS.worker);
    expect(failures.map((f) => f.check)).toEqual(['consumer']);
    expect(failures[0]?.message).toContain(
      'consumer span "process ingest" (worker) neither continues nor links to the producer span "send ingest" (api)',
    );
  });

  it('serverless: the entry span is the invocation span with faas.* attributes', () => {
    const lambda = searchTrace().map((s) =>
      s.id === 's1' ? { ...s, name: 'search-function', tags: { 'faas.trigger': 'http' } } : s,
    );
    expect(checkTrace(build(lambda), EXPECTATIONS.serverless)).toEqual([]);
    expect(checkTrace(build(searchTrace()), EXPECTATIONS.serverless).map((f) => f.check)).toEqual(['entry']);
  });
});
