import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { forceFlush, register, shutdown } from '../src/index.ts';

const exporter = new InMemorySpanExporter();
register({ env: { OTEL_SERVICE_NAME: 'attribute-limit' }, traceExporter: exporter, handleSignals: false });
afterAll(() => shutdown());

describe('the span attribute value length limit of the preset', () => {
  it('cuts every attribute value at 4096 characters by default: span, event and link attributes alike', async () => {
    const long = 'v'.repeat(100_000);
    const tracer = trace.getTracer('test');
    const linked = tracer.startSpan('linked');
    linked.end();
    const span = tracer.startSpan('long values', {
      attributes: { 'at.start': long, list: [long, 'short'] },
      links: [{ context: linked.spanContext(), attributes: { 'link.value': long } }],
    });
    span.setAttribute('set.later', long);
    span.recordException(Object.assign(new Error(long), { stack: long }));
    span.setAttribute('short', 'kept');
    span.end();
    await forceFlush();

    const done = exporter.getFinishedSpans().find((s) => s.name === 'long values');
    expect(done?.attributes['at.start']).toHaveLength(4096);
    expect(done?.attributes['set.later']).toHaveLength(4096);
    expect(done?.attributes.list).toEqual(['v'.repeat(4096), 'short']);
    expect(done?.attributes.short).toBe('kept');
    expect(done?.links[0]?.attributes?.['link.value']).toHaveLength(4096);
    const event = done?.events.find((e) => e.name === 'exception');
    expect(event?.attributes?.['exception.message']).toHaveLength(4096);
    expect(event?.attributes?.['exception.stacktrace']).toHaveLength(4096);
  });
});
