import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '@milvus-otel/stack';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { register, shutdown } from '../src/index.ts';
import { stackEnv, unique } from './helpers.ts';

const settings = loadSettings();
// The native stack's Jaeger serves this working copy of docker/jaeger/sampling-strategies.json and reloads it
// every second.
const strategiesFile = join(settings.stateDir, 'jaeger', 'sampling-strategies.json');
const original = readFileSync(strategiesFile, 'utf8');
const service = unique('remote-sampled');

afterAll(async () => {
  writeFileSync(strategiesFile, original);
  await shutdown();
});

function setServiceRate(param: number): void {
  writeFileSync(
    strategiesFile,
    JSON.stringify({
      default_strategy: { type: 'probabilistic', param: 1 },
      service_strategies: [{ service, type: 'probabilistic', param }],
    }),
  );
}

/** Starts root spans until one comes out with the wanted sampling decision; returns how long that took. */
async function until(sampled: boolean, timeoutMs = 15_000): Promise<number> {
  const began = Date.now();
  while (Date.now() - began < timeoutMs) {
    const span = trace.getTracer('probe').startSpan('probe');
    const decision = span.isRecording();
    span.end();
    if (decision === sampled) return Date.now() - began;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the sampler never switched to sampled=${sampled} within ${timeoutMs} ms`);
}

describe('OTEL_TRACES_SAMPLER=jaeger_remote', () => {
  it("follows a strategy change in Jaeger's strategies file, per service", async () => {
    setServiceRate(0);
    register({
      env: {
        ...stackEnv,
        OTEL_SERVICE_NAME: service,
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${settings.ports.jaegerSampling.port},pollingIntervalMs=200,initialSamplingRate=1`,
      },
      traceExporter: new InMemorySpanExporter(),
      handleSignals: false,
    });
    // initialSamplingRate=1 until the first poll; then Jaeger's strategy for this service (rate 0) applies.
    await until(false);
    setServiceRate(1);
    expect(await until(true)).toBeLessThan(15_000);
    setServiceRate(0);
    expect(await until(false)).toBeLessThan(15_000);
  });
});
