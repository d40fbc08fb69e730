import { createRequire } from 'node:module';
import { parseClientEnv } from '@milvus-otel/config';
import { describe, expect, it } from 'vitest';
import { createExporter } from '../src/exporter.ts';

describe('createExporter', () => {
  it('loads the OTLP exporter on first use, or ahead of it with prepare() (withLambdaTracing, on a cold start)', async () => {
    const require = createRequire(import.meta.url);
    const exporterModule = require.resolve('@opentelemetry/exporter-trace-otlp-proto');
    const loaded = () => require.cache[exporterModule] !== undefined;
    delete require.cache[exporterModule];
    const exporter = createExporter(parseClientEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).data);
    expect(loaded()).toBe(false);
    exporter?.prepare?.();
    expect(loaded()).toBe(true);
    await exporter?.shutdown();
  });
});
