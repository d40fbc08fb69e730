export {
  EXAMPLE_METRIC_INTERVAL_MS,
  type ExampleApp,
  exampleApps,
  exampleEnv,
  exampleUrls,
  startExamples,
} from './examples.ts';
export { httpOk, redisPing, tcpOpen, waitReady } from './health.ts';
export { ensureLambdaRie, LAMBDA_RIE, lambdaRiePath } from './lambda.ts';
export { type LateMilvus, lateMilvus } from './late-milvus.ts';
export { freePort } from './ports.ts';
export { composeSpecSchema } from './schemas.ts';
export { clientEnv, loadSettings, PROMETHEUS_OTLP_PATH, type StackSettings, VERSIONS } from './settings.ts';
export { isUp, start, status, stop } from './stack.ts';
