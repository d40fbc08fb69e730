import type { DeployConfigInput } from './settings.js';

/**
 * The config of this repository's local stack (docker/ and the native processes): Milvus standalone, Jaeger v2
 * all-in-one, Redis. `milvus-otel render compose --local-stack --out docker` writes docker/ from it, and a test
 * fails when docker/ drifts from what it renders.
 */
export const LOCAL_STACK: DeployConfigInput = {
  milvus: { version: '2.6.16' },
  jaeger: { image: 'jaegertracing/jaeger:2.13.0' },
  redis: { image: 'redis:7.4-alpine' },
  examples: [],
};
