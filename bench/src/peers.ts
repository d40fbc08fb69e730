/**
 * The preset side by side with the other ways to trace Milvus calls from Node.js: the same searches against the
 * same collection and server, each mode in a fresh process of search-worker.ts (its measurement loop), the modes
 * alternating (A B C …, then … C B A), every traced mode exporting to the same local Jaeger.
 *   - untraced, at each SDK line used (a mode is compared with the untraced mode of its own SDK version);
 *   - the preset (`register()` of @milvus-otel/node): client span only, and inside an app span;
 *   - OpenLIT's Milvus instrumentation (`openlit`, tracing only), over OTLP/HTTP: its init builds no other exporter;
 *   - @opentelemetry/instrumentation-grpc alone (a plain NodeSDK), a span per RPC;
 *   - the SDK's own `trace: true` (SDK ≥ 2.5: run with SDK 2.5.12, beside the preset and untraced on 2.5.12).
 * Every search names `output_fields` (`id`): against the Milvus 2.3.5 server, SDK ≥ 2.4 searches that name none
 * wait ~200 ms for its time tick.
 * Reported per mode: pooled p50/p99, the p50 ratio per round to the same round's untraced p50 of the same SDK
 * (median and range over rounds), CPU µs per call (process.cpuUsage over the run, median over rounds), the median
 * over the calls of the CPU each used from its start to its end (on the call's path; the median leaves out the calls
 * an export or a GC pause landed in, so it is steadier between processes), and, read back from Jaeger
 * for the last round's process of each traced mode: the spans it stored per call, the attributes per span, and the
 * share of its traces that the Milvus server's spans (service `standalone`) joined (peer-traces.ts).
 * usage: node src/peers.ts [--rounds 5] [--count 1000] [--warmup 100]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { searchTraces, type Trace } from '@milvus-otel/jaeger-query';
import { openSearchCollection, type SdkLine, type WorkerMode } from './collection.ts';
import { type StoredSummary, summarizeStored } from './peer-traces.ts';
import { fmt, median, percentile, spread } from './stats.ts';
import { emitResult, options, sleep } from './util.ts';

const { num: opt } = options();
const rounds = opt('rounds', 5);
const count = opt('count', 1000);
const warmup = opt('warmup', 100);
const OUTPUT_FIELDS = 'id';
const runId = Date.now().toString(36);

const { settings, env, client, collection } = await openSearchCollection('bench_peers');
const otlpHttp = `http://127.0.0.1:${settings.ports.otlpHttp.port}`;

interface Mode {
  readonly name: string;
  /** search-worker.ts's mode. */
  readonly mode: WorkerMode;
  readonly sdk: SdkLine;
  /** The client-side span the server's spans should descend from; none for untraced. */
  readonly clientOperation?: string;
  readonly protocol: 'grpc' | 'http/json';
}
const SEARCH_RPC = 'grpc.milvus.proto.milvus.MilvusService/Search';
const MODES: Mode[] = [
  { name: 'untraced (SDK 2.3.5)', mode: 'untraced', sdk: 'milvus-sdk-2.3', protocol: 'grpc' },
  {
    name: 'preset, client span only (SDK 2.3.5)',
    mode: 'preset-client-span',
    sdk: 'milvus-sdk-2.3',
    clientOperation: `search ${collection}`,
    protocol: 'grpc',
  },
  {
    name: 'preset, app span + client span (SDK 2.3.5)',
    mode: 'preset',
    sdk: 'milvus-sdk-2.3',
    clientOperation: `search ${collection}`,
    protocol: 'grpc',
  },
  {
    name: 'OpenLIT 1.15.0 (SDK 2.3.5)',
    mode: 'openlit',
    sdk: 'milvus-sdk-2.3',
    clientOperation: `SEARCH ${collection}`,
    protocol: 'http/json',
  },
  {
    name: 'instrumentation-grpc alone (SDK 2.3.5)',
    mode: 'grpc-instrumentation',
    sdk: 'milvus-sdk-2.3',
    clientOperation: SEARCH_RPC,
    protocol: 'grpc',
  },
  { name: 'untraced (SDK 2.5.12)', mode: 'untraced', sdk: 'milvus-sdk-2.5', protocol: 'grpc' },
  {
    name: 'preset, client span only (SDK 2.5.12)',
    mode: 'preset-client-span',
    sdk: 'milvus-sdk-2.5',
    clientOperation: `search ${collection}`,
    protocol: 'grpc',
  },
  {
    name: 'SDK trace: true (SDK 2.5.12)',
    mode: 'sdk-trace',
    sdk: 'milvus-sdk-2.5',
    clientOperation: 'grpc-intercept',
    protocol: 'grpc',
  },
];

interface Round {
  p50: number;
  cpu: number;
  /** The median over the round's calls of the CPU each used from its start to its end. */
  pathCpu: number;
  dropped: number;
}
const samples = new Map<Mode, { latencies: number[]; rounds: Round[] }>(
  MODES.map((m) => [m, { latencies: [], rounds: [] }]),
);
const serviceOf = (m: Mode, round: number) => `bench-peers-${m.mode}-${m.sdk.slice(-3)}-${runId}-r${round}`;
const worker = fileURLToPath(new URL('./search-worker.ts', import.meta.url));
const started = Date.now();
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? MODES : [...MODES].reverse();
  for (const m of order) {
    const out = execFileSync(
      process.execPath,
      [worker, m.mode, m.sdk, collection, String(count), String(warmup), '1', OUTPUT_FIELDS],
      {
        env: {
          ...process.env,
          ...env,
          OTEL_SERVICE_NAME: serviceOf(m, round),
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_METRICS_EXPORTER: 'none',
          // OpenLIT's exporter: OTLP/HTTP (JSON) to the same Jaeger.
          BENCH_OTLP_HTTP_ENDPOINT: otlpHttp,
        },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
      latencies: number[];
      cpuPerCallUs: number;
      pathCpu: number[];
      dropped?: number;
    };
    const s = samples.get(m);
    s?.latencies.push(...result.latencies);
    s?.rounds.push({
      p50: median(result.latencies),
      cpu: result.cpuPerCallUs,
      pathCpu: median(result.pathCpu),
      dropped: result.dropped ?? 0,
    });
  }
}
const measuredS = (Date.now() - started) / 1000;

/**
 * Every trace of one worker process (a span of its service in it), read until two reads in a row agree and every
 * call's client span is there: the Milvus server exports its spans on its own schedule.
 */
async function storedTraces(service: string, calls: number, operation: string): Promise<Trace[]> {
  let last = '';
  let traces: Trace[] = [];
  for (let attempt = 0; attempt < 15; attempt++) {
    traces = await searchTraces(env.JAEGER_QUERY_URL as string, {
      service,
      limit: 3 * calls + 100,
      start: started - 60_000,
      timeoutMs: 120_000,
    });
    const spans = traces.reduce((n, t) => n + t.spans.length, 0);
    const clients = traces.reduce(
      (n, t) => n + t.spans.filter((s) => s.service === service && s.name === operation).length,
      0,
    );
    const key = `${traces.length}/${spans}`;
    if (key === last && clients >= calls) break;
    last = key;
    await sleep(3000);
  }
  return traces;
}
const stored = new Map<Mode, StoredSummary>();
for (const m of MODES) {
  if (!m.clientOperation) continue;
  const service = serviceOf(m, rounds - 1);
  const traces = await storedTraces(service, count + warmup, m.clientOperation);
  stored.set(m, summarizeStored(traces, { service, operation: m.clientOperation }, count + warmup));
}
await client.dropCollection({ collection_name: collection });
await client.closeConnection();

const statsOf = (m: Mode) => {
  const s = samples.get(m) ?? { latencies: [], rounds: [] };
  const sorted = [...s.latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpu: median(s.rounds.map((r) => r.cpu)),
    pathCpu: median(s.rounds.map((r) => r.pathCpu)),
  };
};
const baseOf = (m: Mode) => MODES.find((b) => b.sdk === m.sdk && b.mode === 'untraced') ?? m;
const roundRatios = (m: Mode) => {
  const own = samples.get(m)?.rounds ?? [];
  const base = samples.get(baseOf(m))?.rounds ?? [];
  const ratios = own.map((r, i) => r.p50 / (base[i]?.p50 ?? Number.NaN));
  return spread(ratios);
};
const rows = MODES.map((m) => {
  const s = statsOf(m);
  const base = statsOf(baseOf(m));
  const r = roundRatios(m);
  const st = stored.get(m);
  return {
    name: m.name,
    mode: m.mode,
    sdk: m.sdk,
    protocol: m.protocol,
    calls: count * rounds,
    p50: s.p50,
    p99: s.p99,
    p50RatioPooled: s.p50 / base.p50,
    p50RatioPerRound: r.median,
    p50RatioRange: [r.min, r.max],
    p99Ratio: s.p99 / base.p99,
    cpuUs: s.cpu,
    cpuOverheadUs: s.cpu - base.cpu,
    pathCpuUs: s.pathCpu,
    pathCpuOverheadUs: s.pathCpu - base.pathCpu,
    stored: st ?? null,
  };
});

console.log(
  `Peers: Milvus search, ${rounds} rounds of ${count} calls per mode (${warmup} warm-up calls), output_fields [${OUTPUT_FIELDS}], ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, measured in ${fmt(measuredS, 0)} s`,
);
console.log(
  "| mode | export | calls | p50 µs | p99 µs | p50 ratio (pooled) | p50 ratio per round: median (min–max) | CPU µs/call | CPU overhead µs/call | on the call's path: median CPU µs/call (added) | spans per call | attributes per span | traces the server spans joined |",
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const st = row.stored;
  const exportCell = row.mode === 'untraced' ? '—' : `OTLP ${row.protocol === 'grpc' ? 'gRPC' : 'HTTP/JSON'}`;
  const linked = st ? `${fmt(st.linkedPercent, 0)} % (${st.linkedTraces} of ${st.clientTraces} traces)` : '—';
  console.log(
    `| ${row.name} | ${exportCell} | ${row.calls} | ${fmt(row.p50, 0)} | ${fmt(row.p99, 0)} | ${fmt(row.p50RatioPooled, 3)} | ${fmt(row.p50RatioPerRound, 3)} (${fmt(row.p50RatioRange[0] as number, 3)}–${fmt(row.p50RatioRange[1] as number, 3)}) | ${fmt(row.cpuUs, 0)} | ${fmt(row.cpuOverheadUs, 0)} | ${fmt(row.pathCpuUs, 0)} (${fmt(row.pathCpuOverheadUs, 0)}) | ${st ? fmt(st.spansPerCall, 2) : '0'} | ${st ? fmt(st.attributesPerSpan, 1) : '—'} | ${linked} |`,
  );
}
console.log(
  `\nRead back from Jaeger: every trace of each traced mode's round-${rounds} process (${count + warmup} calls, warm-up included).`,
);
const dropped = [...samples.values()]
  .flatMap((s) => s.rounds.map((r) => r.dropped))
  .reduce((a, b) => a + b, 0);
console.log(`spans dropped by the preset's exporter: ${dropped}`);
emitResult({ bench: 'peers', rounds, count, warmup, rows, dropped });
