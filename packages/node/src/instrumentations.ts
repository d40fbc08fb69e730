import { createRequire } from 'node:module';
import { MilvusInstrumentation } from '@milvus-otel/instrumentation-milvus';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { leanClasses } from './lean-classes.ts';
import type { RegisterOptions } from './types.ts';

const load = createRequire(import.meta.url);

/**
 * The lean default: what a Node service on Milvus needs for end-to-end traces — inbound/outbound HTTP, Express
 * routes, fetch (undici), Redis for queues, and Milvus. No gRPC instrumentation: the Milvus instrumentation
 * propagates the context itself, and a second transport span would only add noise.
 */
function lean(options: RegisterOptions): Instrumentation[] {
  const { HttpInstrumentation, ExpressInstrumentation, UndiciInstrumentation, IORedisInstrumentation } =
    leanClasses();
  return [
    new HttpInstrumentation(),
    new ExpressInstrumentation(),
    new UndiciInstrumentation(),
    new IORedisInstrumentation({ requireParentSpan: true }),
    new MilvusInstrumentation(options.milvus),
  ];
}

/** Everything @opentelemetry/auto-instrumentations-node offers (an optional dependency), gRPC off, plus Milvus. */
function all(options: RegisterOptions): Instrumentation[] {
  let auto: typeof import('@opentelemetry/auto-instrumentations-node');
  try {
    auto = load(
      '@opentelemetry/auto-instrumentations-node',
    ) as typeof import('@opentelemetry/auto-instrumentations-node');
  } catch {
    throw new Error(
      '@milvus-otel/node: instrumentations "all" needs @opentelemetry/auto-instrumentations-node. Fix: npm install @opentelemetry/auto-instrumentations-node, or use "lean".',
    );
  }
  return [
    ...auto.getNodeAutoInstrumentations({
      '@opentelemetry/instrumentation-grpc': { enabled: false },
      '@opentelemetry/instrumentation-fs': { enabled: false },
    }),
    new MilvusInstrumentation(options.milvus),
  ];
}

export function selectInstrumentations(options: RegisterOptions): Instrumentation[] {
  const chosen = options.instrumentations ?? 'lean';
  const base = chosen === 'lean' ? lean(options) : chosen === 'all' ? all(options) : chosen;
  return [...base, ...(options.extraInstrumentations ?? [])];
}
