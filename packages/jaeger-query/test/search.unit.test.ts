import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTrace, type OtlpTracesJson } from '../src/index.ts';
import { splitByTrace } from '../src/otlp.ts';

/** Real answers of Jaeger 2.13's OTLP query API for two traces (see otlp-trace.unit.test.ts). */
const result = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as {
      result: OtlpTracesJson;
    }
  ).result;
const QUEUE_JOB = 'f03e0f8e8caf42d6ee71db259e9643f8';
const FAILED = 'ca8d17531973a65a63bfbfa440ac8ce4';

describe('splitByTrace: the answer of a search, one trace at a time', () => {
  it('splits the resourceSpans of two traces, as Jaeger 2.13 concatenates them, into the two traces', () => {
    const [job, failed] = [result('queue-job.v3.json'), result('failed-consumer.v3.json')];
    const answer: OtlpTracesJson = { resourceSpans: [...failed.resourceSpans, ...job.resourceSpans] };
    const traces = splitByTrace(answer);
    expect([...traces.keys()]).toEqual([FAILED, QUEUE_JOB]);
    // Each reads exactly as the answer for its id alone.
    expect(buildTrace(traces.get(QUEUE_JOB) as OtlpTracesJson)).toEqual(buildTrace(job));
    expect(buildTrace(traces.get(FAILED) as OtlpTracesJson)).toEqual(buildTrace(failed));
  });

  it('splits spans of several traces that share a resource and a scope, keeping both with each trace', () => {
    const [a, b] = ['0af7651916cd43dd8448eb211c80319c', '4bf92f3577b34da6a3ce929d0e0e4736'];
    const span = (traceId: string, spanId: string, parentSpanId = '') => ({
      traceId,
      spanId,
      parentSpanId,
      name: `op ${spanId}`,
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000002000000',
    });
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] };
    const traces = splitByTrace({
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              scope: { name: 'http', version: '1.0.0' },
              spans: [span(a, 'a1'), span(b.toUpperCase(), 'b1'), span(a, 'a2', 'a1')],
            },
          ],
        },
      ],
    });
    expect([...traces.keys()]).toEqual([a, b]);
    const first = buildTrace(traces.get(a) as OtlpTracesJson);
    expect(first.spans.map((s) => [s.spanId, s.parentId, s.service, s.tags['otel.scope.version']])).toEqual([
      ['a1', undefined, 'api', '1.0.0'],
      ['a2', 'a1', 'api', '1.0.0'],
    ]);
    expect(buildTrace(traces.get(b) as OtlpTracesJson).spans.map((s) => s.spanId)).toEqual(['b1']);
    expect(splitByTrace({ resourceSpans: [] }).size).toBe(0);
  });
});
