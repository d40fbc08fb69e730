import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { MilvusClient } from './sdk-lines.ts';

export interface OutgoingCall {
  /** gRPC method, e.g. `Search`. */
  method: string;
  traceparent: unknown[];
  tracestate: unknown[];
  baggage: unknown[];
  authorization: unknown[];
}

interface GrpcModule {
  InterceptingCall: new (
    next: unknown,
    requester: {
      start(metadata: GrpcMetadata, listener: unknown, next: (m: GrpcMetadata, l: unknown) => void): void;
    },
  ) => unknown;
}
interface GrpcMetadata {
  get(key: string): unknown[];
}

const require = createRequire(import.meta.url);

/**
 * Records the metadata of every call the client sends, as sent: the recorder is pushed last on the client's
 * interceptor list (after the SDK's and the instrumentation's), built on the SDK's own copy of grpc-js.
 */
export function recordOutgoingCalls(client: MilvusClient, alias: string): OutgoingCall[] {
  const grpcPath = require.resolve('@grpc/grpc-js', { paths: [dirname(require.resolve(alias))] });
  const { InterceptingCall } = require(grpcPath) as GrpcModule;
  const calls: OutgoingCall[] = [];
  const interceptors = (client as unknown as { channelOptions: { interceptors: unknown[] } }).channelOptions
    .interceptors;
  interceptors.push(
    (options: { method_definition: { path: string } }, nextCall: (o: unknown) => unknown) =>
      new InterceptingCall(nextCall(options), {
        start(metadata, listener, next) {
          calls.push({
            method: options.method_definition.path.split('/').pop() ?? '',
            traceparent: metadata.get('traceparent'),
            tracestate: metadata.get('tracestate'),
            baggage: metadata.get('baggage'),
            authorization: metadata.get('authorization'),
          });
          next(metadata, listener);
        },
      }),
  );
  return calls;
}
