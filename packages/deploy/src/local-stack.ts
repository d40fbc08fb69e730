import type { DeployConfigInput } from './settings.js';

/**
 * The config of this repository's local stack (docker/ and the native processes): Milvus standalone, Jaeger v2
 * all-in-one, Redis, and the example apps (compose profile `examples`). `milvus-otel render compose --local-stack --out docker` writes docker/ from it, and a test
 * fails when docker/ drifts from what it renders.
 */
export const LOCAL_STACK: DeployConfigInput = {
  milvus: { version: '2.6.16' },
  jaeger: { image: 'jaegertracing/jaeger:2.13.0' },
  redis: { image: 'redis:7.4-alpine' },
  // The example apps, built from the repository root (they need the workspace packages).
  examples: [
    {
      name: 'express-service',
      port: 3000,
      build: { context: '..', dockerfile: 'examples/express-service/Dockerfile' },
      env: { DOCS_COLLECTION: 'docs', INGEST_QUEUE: 'ingest' },
    },
    {
      name: 'worker',
      port: 3001,
      build: { context: '..', dockerfile: 'examples/worker/Dockerfile' },
      env: { DOCS_COLLECTION: 'docs', INGEST_QUEUE: 'ingest' },
    },
    {
      name: 'serverless',
      port: 8080,
      build: { context: '..', dockerfile: 'examples/serverless/Dockerfile' },
      health: 'tcp',
      env: { DOCS_COLLECTION: 'docs' },
    },
  ],
};
