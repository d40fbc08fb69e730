import type { Span } from '@opentelemetry/api';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** What `requestHook` receives: the SDK method's name and the request object the application passed. */
export interface MilvusRequestHookInformation {
  /** The operation, as in `db.operation.name` (`search`, `insert`, `createCollection`, …). */
  readonly operation: string;
  /** The first argument of the SDK method, untouched. It may hold vectors and filter values. */
  readonly request: unknown;
}

/** What `responseHook` receives: the operation and the resolved response (also when its status is an error). */
export interface MilvusResponseHookInformation {
  /** The operation, as in `db.operation.name`. */
  readonly operation: string;
  /** The resolved value of the SDK method, untouched. It may hold ids, rows and search results. */
  readonly response: unknown;
}

export type MilvusRequestHook = (span: Span, info: MilvusRequestHookInformation) => void;
export type MilvusResponseHook = (span: Span, info: MilvusResponseHookInformation) => void;

export interface MilvusInstrumentationConfig extends InstrumentationConfig {
  /**
   * Create spans only when the call happens inside an active span (a request, a job…).
   * @default false
   */
  requireParentSpan?: boolean;

  /**
   * Record the `filter`/`expr` of search, query, delete, count and get in `db.query.text`, with every literal
   * replaced by `?` (`id in [1, 2]` → `id in [?, ?]`, `name == "x"` → `name == ?`). JSON keys and template
   * placeholders (`{age}`) are kept.
   * @default false
   */
  captureFilter?: boolean;

  /**
   * Hide the transport-level spans below each Milvus client span: the `@opentelemetry/instrumentation-grpc`
   * client span and the SDK's own `grpc-intercept` span (`trace: true`). The Milvus server's spans then
   * descend directly from the Milvus client span. Set to `false` to keep them; the outgoing `traceparent`
   * is then the innermost span's, still sent exactly once.
   * @default true
   */
  suppressInternalInstrumentation?: boolean;

  /** Called right after a span starts, before the request is sent. Runs guarded: a throwing hook is logged. */
  requestHook?: MilvusRequestHook;

  /** Called when the SDK call resolves, before the span ends. Not called when it throws. Runs guarded. */
  responseHook?: MilvusResponseHook;
}
