export {
  type ConsumerOptions,
  injectContext,
  type ProducerOptions,
  type TraceCarrier,
  traceConsumer,
  traceProducer,
} from './queue.ts';
export { ConfigError, forceFlush, register, shutdown } from './sdk.ts';
export {
  type Handler,
  type LambdaContext,
  type LambdaTracingOptions,
  type WithTracingOptions,
  withLambdaTracing,
  withTracing,
} from './serverless.ts';
export type { ExportStatus, OTelHandle, RegisterOptions } from './types.ts';
