import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * The classes of the lean set's OpenTelemetry instrumentations, loaded when the lean set is chosen (their CommonJS
 * builds, which the lazily loaded exporter shares). The `--import` bundle swaps this module for lean-classes.static.ts.
 */
export function leanClasses() {
  return {
    HttpInstrumentation: (
      load('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http')
    ).HttpInstrumentation,
    ExpressInstrumentation: (
      load(
        '@opentelemetry/instrumentation-express',
      ) as typeof import('@opentelemetry/instrumentation-express')
    ).ExpressInstrumentation,
    UndiciInstrumentation: (
      load('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici')
    ).UndiciInstrumentation,
    IORedisInstrumentation: (
      load(
        '@opentelemetry/instrumentation-ioredis',
      ) as typeof import('@opentelemetry/instrumentation-ioredis')
    ).IORedisInstrumentation,
  };
}
