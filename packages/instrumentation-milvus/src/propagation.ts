/*
 * Trace context propagation to the Milvus server: one gRPC interceptor, last in each client's list, that writes the
 * Milvus client span's headers into every RPC of an instrumented call, exactly once.
 */
import { context, createContextKey, propagation } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type {
  GrpcInterceptor,
  GrpcMetadataLike,
  MilvusClientLike,
  OperationMarker,
} from './internal-types.ts';

/** Marks the context of an instrumented call. `Symbol.for` underneath, so shared by every copy of this package. */
export const OPERATION_KEY = createContextKey('@milvus-otel/instrumentation-milvus operation');
/** The propagation headers of one call, kept on its gRPC call options so SDK retries resend the same ones. */
const CARRIER = Symbol('@milvus-otel/instrumentation-milvus carrier');

/**
 * Puts the carrier into the call's metadata, replacing whatever the SDK's `trace` interceptor or the gRPC
 * instrumentation put there, so each header is sent exactly once. (grpc-js `Metadata.set` replaces every value.)
 */
function writeCarrier(metadata: GrpcMetadataLike, carrier: Record<string, string>): void {
  for (const key of propagation.fields()) if (!Object.hasOwn(carrier, key)) metadata.remove(key);
  for (const key in carrier) metadata.set(key, carrier[key] as string);
}

function carrierFor(options: object): Record<string, string> | undefined {
  const holder = options as { [CARRIER]?: Record<string, string> };
  if (holder[CARRIER]) return holder[CARRIER];
  const active = context.active();
  const marker = active.getValue(OPERATION_KEY) as OperationMarker | undefined;
  if (!marker) return undefined;
  // Suppressed (the default): the client span, the same for every RPC of the operation (a search sends
  // DescribeCollection first), so injected once per operation. Otherwise the innermost span, e.g. the gRPC
  // instrumentation's, which differs per RPC.
  let carrier: Record<string, string>;
  if (isTracingSuppressed(active)) {
    carrier = marker.carrier ?? {};
    if (!marker.carrier) {
      propagation.inject(marker.context, carrier);
      marker.carrier = carrier;
    }
  } else {
    carrier = {};
    propagation.inject(active, carrier);
  }
  Object.defineProperty(options, CARRIER, { value: carrier, configurable: true });
  return carrier;
}

/**
 * The interceptor of one instrumentation: writes the trace context of the Milvus client span into the call's
 * metadata when the call starts (see `writeCarrier`), while the instrumentation is enabled. The call object grpc-js
 * hands over is returned as is, with its own `start` in front of the prototype's: no wrapper object or bound
 * methods per call.
 */
export function createPropagationInterceptor(instrumentation: { isEnabled(): boolean }): GrpcInterceptor {
  return (options, nextCall) => {
    const call = nextCall(options);
    if (!instrumentation.isEnabled()) return call;
    const carrier = carrierFor(options);
    if (!carrier) return call;
    const start = call.start;
    call.start = (metadata: GrpcMetadataLike, listener: unknown) => {
      writeCarrier(metadata, carrier);
      return start.call(call, metadata, listener);
    };
    return call;
  };
}

/**
 * Appends the propagation interceptor to the client's interceptor list, last, so it runs closest to the wire:
 * after the SDK's own interceptors (including its `trace` interceptor) and after the gRPC instrumentation.
 * grpc-js keeps a reference to this array, so already pooled gRPC clients see it too.
 */
export function ensureInterceptor(client: MilvusClientLike, interceptor: GrpcInterceptor): void {
  const interceptors = client?.channelOptions?.interceptors;
  if (Array.isArray(interceptors) && !interceptors.includes(interceptor)) {
    interceptors.push(interceptor);
  }
}
