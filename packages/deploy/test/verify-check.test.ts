import { buildTrace } from '@milvus-otel/jaeger-query';
import { ingestTrace, jaegerTrace, type SpanSpec, searchTrace } from '@milvus-otel/stack/trace-fixtures';
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../src/verify/check.ts';
import { EXPECTATIONS } from './example-targets.ts';

const build = (specs: SpanSpec[]) => buildTrace(jaegerTrace(specs));
const without = (specs: SpanSpec[], ...ids: string[]) => specs.filter((s) => !ids.includes(s.id));

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
