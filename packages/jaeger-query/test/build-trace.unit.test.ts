import { ingestTrace, jaegerTrace, type SpanSpec, searchTrace } from '@milvus-otel/stack/trace-fixtures';
import { describe, expect, it } from 'vitest';
import { buildTrace, descendants, isDescendant } from '../src/index.ts';

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

describe('isDescendant and descendants', () => {
  it('follow the parent chain, also across a FOLLOWS_FROM parent', () => {
    const trace = build(ingestTrace());
    const span = (id: string) => trace.spans.find((s) => s.spanId === id);
    const milvus = span('w5');
    expect(milvus && isDescendant(trace, milvus, 'w1')).toBe(true);
    expect(milvus && isDescendant(trace, milvus, 'w4')).toBe(true);
    const upsert = span('w4');
    expect(upsert && isDescendant(trace, upsert, 'w5')).toBe(false);
    const root = span('w1');
    expect(root && isDescendant(trace, root, 'w1')).toBe(false);
    const consumer = span('w3');
    expect(consumer && descendants(trace, consumer).map((s) => s.spanId)).toEqual(['w4', 'w5']);
  });

  it('stop at a missing parent and at a reference cycle', () => {
    const orphaned = build(without(searchTrace(), 's2'));
    const server = orphaned.spans.find((s) => s.spanId === 's3');
    expect(server && isDescendant(orphaned, server, 's1')).toBe(false);

    const cycle = build([
      { id: 'x', name: 'x', service: 'api', parent: 'y', start: 0, duration: 1 },
      { id: 'y', name: 'y', service: 'api', parent: 'x', start: 1, duration: 1 },
    ]);
    expect(cycle.spans.map((s) => s.name)).toEqual(['x', 'y']);
    const x = cycle.spans[0];
    expect(x && isDescendant(cycle, x, 'nope')).toBe(false);
  });
});

describe('buildTrace edge cases', () => {
  it('names the service by its process id when the process is not in the trace', () => {
    const raw = jaegerTrace(searchTrace().slice(0, 1));
    const trace = buildTrace({ ...raw, processes: {} });
    expect(trace.spans[0]?.service).toBe('p1');
    expect(trace.services).toEqual(['p1']);
  });

  it('reads tags into a map and span.kind into kind; collects warnings with the span name', () => {
    const raw = jaegerTrace(searchTrace().slice(0, 2));
    const trace = buildTrace({
      ...raw,
      warnings: ['clock skew adjusted'],
      spans: raw.spans.map((s, i) => (i === 1 ? { ...s, warnings: ['invalid parent span IDs'] } : s)),
    });
    expect(trace.spans[1]?.tags).toEqual({ 'span.kind': 'client', 'db.system.name': 'milvus' });
    expect(trace.spans.map((s) => s.kind)).toEqual(['server', 'client']);
    expect(trace.warnings).toEqual(['clock skew adjusted', 'search docs: invalid parent span IDs']);
  });
});
