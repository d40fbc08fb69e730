import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { leanClasses as lazy } from './lean-classes.ts';

/** lean-classes.ts for the `--import` bundle: imported statically, so that the bundle carries them. */
export const leanClasses: typeof lazy = () => ({
  HttpInstrumentation,
  ExpressInstrumentation,
  UndiciInstrumentation,
  IORedisInstrumentation,
});
