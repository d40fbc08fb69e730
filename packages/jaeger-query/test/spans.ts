import { jaegerTrace, type SpanSpec } from '@milvus-otel/stack/trace-fixtures';
import { buildTrace } from '../src/index.ts';

/** A trace from compact span specs. */
export const build = (specs: SpanSpec[]) => buildTrace(jaegerTrace(specs));

/** A span from `start` to `end` (µs from the trace's start). */
export const span = (
  id: string,
  start: number,
  end: number,
  parent?: string,
  name = `op ${id}`,
  service = 'api',
): SpanSpec => ({
  id,
  name,
  service,
  ...(parent === undefined ? {} : { parent }),
  start,
  duration: end - start,
});
