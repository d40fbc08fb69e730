export {
  type FetchOptions,
  fetchTrace,
  JaegerError,
  pingJaeger,
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
