import type { DeployConfigInput } from '../src/index.js';

/** The configs the golden files are rendered from. */
export const CASES: Record<string, DeployConfigInput> = {
  // Everything defaulted: newest Milvus, Jaeger all-in-one with memory storage.
  default: {},
  // Older server (no otlp.method / initTimeoutSeconds), production Jaeger with Elasticsearch, sampling per service,
  // and two apps.
  production: {
    milvus: { version: '2.4.0', release: 'search', namespace: 'apps' },
    jaeger: {
      via: 'manifests',
      settings: {
        strategy: 'production',
        storage: {
          type: 'elasticsearch',
          serverUrls: ['https://es.observability.svc:9200'],
          indexPrefix: 'milvus',
          secretName: 'es-creds',
        },
        sampling: {
          default: { type: 'probabilistic', rate: 0.5 },
          services: [
            {
              service: 'express-service',
              strategy: { type: 'rateLimiting', tracesPerSecond: 10 },
              operations: [{ operation: 'GET /healthz', strategy: { type: 'const', decision: false } }],
            },
          ],
        },
      },
    },
    apps: [
      { name: 'express-service', port: 3000, build: '../examples/express-service' },
      { name: 'worker', port: 3001, image: 'ghcr.io/acme/worker:1.0.0', env: { QUEUE_NAME: 'ingest' } },
    ],
  },
  // The seeds' Helm setup: the deprecated jaeger exporter to the operator's collector.
  'seed-jaeger-exporter': {
    milvus: {
      version: '2.5.11',
      trace: {
        exporter: 'jaeger',
        sampleFraction: 1,
        jaeger: { url: 'http://jaeger-collector:14268/api/traces' },
      },
    },
  },
};
