export { MilvusInstrumentation } from './instrumentation.ts';
export * from './semconv.ts';
export type {
  MilvusInstrumentationConfig,
  MilvusRequestHook,
  MilvusRequestHookInformation,
  MilvusResponseHook,
  MilvusResponseHookInformation,
} from './types.ts';
