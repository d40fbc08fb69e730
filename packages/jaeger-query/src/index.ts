export { type CriticalSection, criticalPath } from './critical-path.js';
export { type DiffRow, diffTraces, type ServiceDiff, type TraceDiff } from './diff.js';
export {
  type DependencyLink,
  type DependencyOptions,
  type FetchOptions,
  fetchDependencies,
  fetchTrace,
  JaegerError,
  listServices,
  pingJaeger,
  type SearchOptions,
  searchTraces,
  traceIdProblem,
  type WaitOptions,
  waitForTrace,
} from './jaeger.js';
export {
  buildTrace,
  descendants,
  isDescendant,
  type JaegerSpanJson,
  type JaegerTagJson,
  type JaegerTraceJson,
  type OtlpTracesJson,
  type SpanEvent,
  type SpanKindName,
  type SpanLink,
  type SpanReference,
  type Trace,
  type TraceSpan,
} from './model.js';
export { type OperationTime, type ServiceTime, selfTimes, timeSummary } from './self-time.js';
