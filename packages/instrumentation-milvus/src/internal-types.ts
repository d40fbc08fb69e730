/*
 * The parts of @zilliz/milvus2-sdk-node and @grpc/grpc-js this instrumentation touches, typed structurally so the
 * package works with every supported SDK line (each bundles its own grpc-js) without importing either.
 */
import type { Context } from '@opentelemetry/api';

/** grpc-js `Metadata`: the methods used to rewrite the propagation headers. */
export interface GrpcMetadataLike {
  get(key: string): unknown[];
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** grpc-js `InterceptingCallInterface`, reduced to what a `start` hook needs. */
export interface GrpcCallLike {
  start(metadata: GrpcMetadataLike, listener: unknown): void;
}

/** grpc-js interceptor: `(options, nextCall) => InterceptingCall`. */
export type GrpcInterceptor = (options: object, nextCall: (options: object) => GrpcCallLike) => GrpcCallLike;

/** What the instrumentation reads from a `MilvusClient` (a `BaseClient`/`GRPCClient` instance). */
export interface MilvusClientLike {
  config?: { address?: unknown; database?: unknown };
  /** Per-client gRPC metadata the SDK adds to every call; holds `dbname` (and `authorization`, never read). */
  metadata?: { get(key: string): unknown };
  /** The channel options every pooled gRPC client is built from; grpc-js keeps a reference to the array. */
  channelOptions?: { interceptors?: unknown };
}

/** The `ResStatus` shape Milvus returns, top-level or under `status`. */
export interface MilvusStatusLike {
  error_code?: unknown;
  code?: unknown;
  reason?: unknown;
  detail?: unknown;
}

/** Parsed failure of a Milvus response or a thrown status object. */
export interface MilvusFailure {
  /** `db.response.status_code`: the numeric Milvus code when the server sent one, else the legacy name. */
  statusCode: string;
  /** The legacy `error_code` name when it is not `Success`. */
  errorCode?: string;
  message: string;
}

/**
 * Set in the context of an instrumented call: marks SDK-internal nested calls, carries the injection source and
 * collects the nested calls' failures.
 */
export interface OperationMarker {
  /**
   * Context holding the Milvus client span, not suppressed: what goes into `traceparent` when the rest is. The
   * caller's context when the call gets no span (`requireParentSpan` outside a span).
   */
  readonly context: Context;
  /** The headers injected from `context`, once per operation (set by the interceptor on the first RPC). */
  carrier?: Record<string, string>;
  /**
   * The first failed Milvus status a nested call of the operation resolved with (the schema look-up of a search on
   * a missing collection): what the operation reports when the SDK then throws.
   */
  failure?: MilvusFailure;
}

/** A class exported by one of the SDK's files whose prototype holds client methods. */
export interface PatchTarget {
  /** File under `dist/milvus/`, without `.js`. */
  readonly file: string;
  /** Export name of the class in that file. */
  readonly exportName: string;
}
