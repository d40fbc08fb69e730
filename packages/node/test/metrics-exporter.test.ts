import { createRequire } from 'node:module';
import { parseClientEnv } from '@milvus-otel/config';
import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpSignalExporter } from '../src/exporter.ts';
import { startMetrics } from '../src/meter-provider.ts';

const require = createRequire(import.meta.url);

describe('createOtlpSignalExporter: one loader for traces and metrics', () => {
  it.each([
    ['grpc', '@opentelemetry/exporter-metrics-otlp-grpc', 'http://127.0.0.1:4317'],
    [
      'http/protobuf',
      '@opentelemetry/exporter-metrics-otlp-proto',
      'http://127.0.0.1:9090/api/v1/otlp/v1/metrics',
    ],
    [
      'http/json',
      '@opentelemetry/exporter-metrics-otlp-http',
      'http://127.0.0.1:9090/api/v1/otlp/v1/metrics',
    ],
  ])(
    'metrics over %s: the OTLPMetricExporter of %s, cumulative for every instrument',
    async (protocol, pkg, url) => {
      const { otlp } = parseClientEnv({
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url,
      }).data.metrics;
      const exporter = createOtlpSignalExporter('metrics', otlp);
      const { OTLPMetricExporter } = require(pkg) as { OTLPMetricExporter: new () => unknown };
      expect(exporter).toBeInstanceOf(OTLPMetricExporter);
      for (const type of [InstrumentType.HISTOGRAM, InstrumentType.COUNTER, InstrumentType.UP_DOWN_COUNTER]) {
        expect(exporter.selectAggregationTemporality?.(type)).toBe(AggregationTemporality.CUMULATIVE);
      }
      await exporter.shutdown();
    },
  );

  it.each([
    ['grpc', '@opentelemetry/exporter-trace-otlp-grpc'],
    ['http/protobuf', '@opentelemetry/exporter-trace-otlp-proto'],
    ['http/json', '@opentelemetry/exporter-trace-otlp-http'],
  ])('traces over %s: the OTLPTraceExporter of %s', async (protocol, pkg) => {
    const { otlp } = parseClientEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol }).data;
    const exporter = createOtlpSignalExporter('traces', otlp);
    const { OTLPTraceExporter } = require(pkg) as { OTLPTraceExporter: new () => unknown };
    expect(exporter).toBeInstanceOf(OTLPTraceExporter);
    await exporter.shutdown();
  });
});

describe('startMetrics', () => {
  afterEach(() => metrics.disable());

  it('starts nothing with OTEL_METRICS_EXPORTER unset', () => {
    expect(startMetrics(parseClientEnv({}).data, resourceFromAttributes({}))).toBeUndefined();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });

  it('with otlp: the global MeterProvider until it is shut down', async () => {
    const settings = parseClientEnv({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    }).data;
    const resource = resourceFromAttributes({ 'service.name': 'metrics-unit' });
    const started = startMetrics(settings, resource);
    expect(started).toBeDefined();
    expect(metrics.getMeterProvider()).toBe(started?.provider);
    await started?.shutdown();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });
});
