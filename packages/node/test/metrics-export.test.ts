import { describe, expect, it } from 'vitest';
import { fixture, runNode, stackEnv, startApp, unique } from './helpers.ts';

// Metrics go to the stack's Prometheus (OTLP receiver on, `--web.enable-otlp-receiver`), read back with PromQL.
const prometheusUrl = stackEnv.PROMETHEUS_URL as string;
const otlpMetricsUrl = stackEnv.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as string;

/** The test's environment without the OTEL_* variables `pnpm test` exports, plus the app's own. */
function metricsAppEnv(service: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')),
  );
  return {
    ...inherited,
    // The Milvus SDK logs each request on stdout under NODE_ENV=test; the fixture's stdout is its report.
    NODE_ENV: 'production',
    MILVUS_ADDRESS: stackEnv.MILVUS_ADDRESS,
    OTEL_SERVICE_NAME: service,
    OTEL_TRACES_EXPORTER: 'none',
    ...extra,
  };
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promql: string): Promise<Sample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data?.result ?? [];
}

/** Polls Prometheus until `promql` returns `count` series (an OTLP push is queryable once ingested), for up to 15 s. */
async function seriesOf(promql: string, count: number): Promise<Sample[]> {
  const deadline = Date.now() + 15_000;
  let result = await query(promql);
  while (result.length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    result = await query(promql);
  }
  return result;
}

const byLabel = (samples: Sample[], label: string) =>
  Object.fromEntries(samples.map((s) => [s.metric[label], Number(s.value[1])]));

describe('metrics (OTEL_METRICS_EXPORTER)', () => {
  it('are off by default: no metrics module is loaded and the global meter provider stays the no-op one', async () => {
    const run = await runNode(
      ['--import', '@milvus-otel/node/register', fixture('metrics-app.mjs'), unique('no_such')],
      metricsAppEnv(unique('metrics_off'), {}),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ metricsModules: [], meterProvider: 'NoopMeterProvider' });
  });

  it.each([
    ['http/protobuf', 'exporter-metrics-otlp-proto'],
    ['http/json', 'exporter-metrics-otlp-http'],
  ])(
    'with otlp over %s: flushed at exit into Prometheus, with the traces resource, cumulative',
    async (protocol, pkg) => {
      const service = unique('metrics_exit');
      const run = await runNode(
        ['--import', '@milvus-otel/node/register', fixture('metrics-app.mjs'), unique('no_such')],
        // One export a minute: only the flush at exit can have sent them.
        metricsAppEnv(service, {
          OTEL_METRICS_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: otlpMetricsUrl,
          OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol,
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=metrics-test',
        }),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { metricsModules: string[]; meterProvider: string };
      expect(report.meterProvider).toBe('MeterProvider');
      expect(report.metricsModules.some((m) => m.includes('sdk-metrics'))).toBe(true);
      expect(report.metricsModules.some((m) => m.includes(pkg))).toBe(true);

      // The app's own histogram, through the global meter: 3 values, one per bucket, 2 series by attribute.
      const counts = await seriesOf(`fixture_work_duration_seconds_count{job="${service}"}`, 2);
      expect(byLabel(counts, 'fixture_step')).toEqual({ even: 2, odd: 1 });
      const buckets = await seriesOf(
        `sum by (le) (fixture_work_duration_seconds_bucket{job="${service}"})`,
        4,
      );
      expect(byLabel(buckets, 'le')).toEqual({ '0.01': 1, '0.1': 2, '1': 3, '+Inf': 3 });
      // The resource the traces carry: service.name is the job, promoted and detected attributes are there too.
      const [info] = await seriesOf(`target_info{job="${service}"}`, 1);
      expect(info?.metric).toMatchObject({ host_name: expect.any(String), process_runtime_name: 'nodejs' });
      expect(counts[0]?.metric.deployment_environment_name).toBe('metrics-test');

      // The Milvus instrumentation records into the same meter provider: db.client.operation.duration, seconds.
      const milvus = await seriesOf(`db_client_operation_duration_seconds_count{job="${service}"}`, 1);
      expect(milvus.map((s) => [s.metric.db_operation_name, Number(s.value[1])])).toEqual([
        ['hasCollection', 1],
      ]);
      expect(milvus[0]?.metric).toMatchObject({
        db_system_name: 'milvus',
        db_collection_name: expect.any(String),
      });
    },
  );

  it('are flushed on SIGTERM, before the process ends as SIGTERM would end it', async () => {
    const service = unique('metrics_sigterm');
    const { child, firstLine, exited, stderr } = await startApp(
      ['--import', '@milvus-otel/node/register', fixture('metrics-app.mjs'), unique('no_such'), 'wait'],
      metricsAppEnv(service, {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: otlpMetricsUrl,
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      }),
    );
    expect(JSON.parse(firstLine).meterProvider).toBe('MeterProvider');
    // Nothing is exported before the signal (one export a minute)…
    expect(await query(`fixture_work_duration_seconds_count{job="${service}"}`)).toEqual([]);
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    expect(stderr()).toBe('');
    // …and everything is after it.
    const counts = await seriesOf(`fixture_work_duration_seconds_count{job="${service}"}`, 2);
    expect(byLabel(counts, 'fixture_step')).toEqual({ even: 2, odd: 1 });
  });

  it('export every OTEL_METRIC_EXPORT_INTERVAL while the app runs', async () => {
    const service = unique('metrics_interval');
    const { child, exited } = await startApp(
      ['--import', '@milvus-otel/node/register', fixture('metrics-app.mjs'), unique('no_such'), 'wait'],
      metricsAppEnv(service, {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: otlpMetricsUrl,
        OTEL_METRIC_EXPORT_INTERVAL: '500',
      }),
    );
    try {
      const counts = await seriesOf(`fixture_work_duration_seconds_count{job="${service}"}`, 2);
      expect(byLabel(counts, 'fixture_step')).toEqual({ even: 2, odd: 1 });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
