/**
 * Traced vs untraced Milvus search, as ratios taken in one run: the modes run in alternating order, several rounds,
 * each round a fresh process per mode, against the same collection on the local stack.
 *   - SDK 2.3.5 (the server's own line): untraced vs the preset — the latency ratio;
 *   - SDK 2.5.12: untraced vs the preset vs the SDK's own `trace: true` interceptor — the CPU anchor. Against the
 *     native Milvus 2.3.5 server every search of SDK ≥ 2.4 waits ~200 ms for the server's time tick
 *     (Delegator-waitTSafe), so this line's latency says nothing about tracing; its CPU per call does.
 * Each round runs every mode once (the order reversed every other round: A B C, C B A, …), each in a fresh process
 * that warms up (200 searches, then exports their spans) before it measures. Reported per mode: the pooled p50/p99
 * of all calls, and — because the machine's load drifts between rounds — the ratio of each round's p50 to the same
 * round's untraced p50, as the median and range over the rounds. CPU per call: the median over rounds.
 * After the last round the spans of each traced SDK 2.3.5 mode's last round are counted in Jaeger.
 * With --concurrency 1,8,32 the SDK 2.3.5 modes also run with 8 and 32 searches in flight per process (lanes that
 * each start the next search when the last returns): the latency ratio under load, and the calls per second.
 * usage: node src/search.ts [--rounds 5] [--count 1000] [--anchor-count 60] [--warmup 200]
 *   [--anchor-warmup 20] [--concurrency 1] [--breakdown] [--paired] [--metrics]; --anchor-count 0 skips the SDK
 *   2.5.12 rows; --metrics adds the preset with OTEL_METRICS_EXPORTER=otlp (the Milvus operation histogram sent to
 *   the stack's Prometheus every 5 s); --breakdown adds the preset with a no-op exporter (what the spans cost before export); --paired adds the paired
 *   modes of search-worker.ts (traced and untraced calls alternating in one process; ratios within the process);
 *   --baseline <name> adds the preset's `--import` bundle of a saved build (save-baseline.ts) beside this build's
 *   bundle (app span + client span): a change's before/after in one run; --variant 'NAME=VALUE …' (repeatable) adds
 *   the app span + client span preset with those environment settings (e.g. OTEL_BSP_MAX_EXPORT_BATCH_SIZE=64).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { searchTraces } from '@milvus-otel/jaeger-query';
import { baselineBundle, nodeDist } from './baseline.ts';
import { openSearchCollection, type SdkLine, type WorkerMode } from './collection.ts';
import { fmt, mean, median, percentile, spread } from './stats.ts';
import { emitResult, options } from './util.ts';

const args = process.argv.slice(2);
const { num: opt } = options(args);
const rounds = opt('rounds', 5);
const count = opt('count', 1000);
const anchorCount = opt('anchor-count', 60);
const warmup = opt('warmup', 200);
// SDK 2.5.12 calls take ~200 ms each (see above): a shorter warm-up keeps those rows to minutes.
const anchorWarmup = opt('anchor-warmup', 20);
const runId = Date.now().toString(36);
const concurrencyArg = args.indexOf('--concurrency');
const levels = (concurrencyArg >= 0 ? (args[concurrencyArg + 1] ?? '') : '1').split(',').map(Number);
if (levels.length === 0 || levels.some((c) => !Number.isInteger(c) || c < 1)) {
  console.error('--concurrency takes whole numbers ≥ 1, comma-separated: --concurrency 1,8,32');
  process.exit(2);
}

const { env, client, collection } = await openSearchCollection('bench');

interface Mode {
  readonly name: string;
  readonly mode: WorkerMode;
  readonly sdk: SdkLine;
  readonly count: number;
  /** The preset's `--import` bundle to load instead of register() (BENCH_PRESET_BUNDLE). */
  readonly bundle?: string;
  /** Environment settings of this mode (`--variant`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Tells modes of the same worker mode apart in their service names. */
  readonly tag?: string;
  /** Searches in flight at once in the worker. */
  readonly concurrency: number;
}
interface Stats {
  p50: number;
  p99: number;
  cpu: number;
  /** CPU µs per call on the call's path (sequential modes; NaN otherwise): median over rounds of the calls' median. */
  pathCpu: number;
  /** The same with each round's mean over its calls. */
  pathCpuMean: number;
  callsPerSecond: number;
}
const breakdown = args.includes('--breakdown');
const paired = args.includes('--paired');
const withMetrics = args.includes('--metrics');
/** `--variant 'NAME=VALUE …'` (repeatable): the app span + client span preset again with those environment settings. */
const variants = args.flatMap((a, i) =>
  a === '--variant' && args[i + 1]?.includes('=') ? [args[i + 1] as string] : [],
);
const baselineArg = args.indexOf('--baseline');
const baselineName = baselineArg >= 0 ? args[baselineArg + 1] : undefined;
const thisBundle = `${nodeDist}/register.js`;
const baseline = baselineName === undefined ? undefined : baselineBundle(baselineName);
/** The modes at one concurrency level; above 1, the SDK 2.3.5 rows only (those calls take ~200 ms on SDK 2.5.12). */
function modesAt(concurrency: number): Mode[] {
  const c = concurrency === 1 ? '' : `, ${concurrency} concurrent`;
  const list: Omit<Mode, 'concurrency'>[] = [
    { name: `untraced (SDK 2.3.5${c})`, mode: 'untraced', sdk: 'milvus-sdk-2.3', count },
    {
      name: `preset, client span only, spans not exported (SDK 2.3.5${c})`,
      mode: 'noop-export',
      sdk: 'milvus-sdk-2.3',
      count: breakdown ? count : 0,
    },
    {
      name: `preset, client span only (SDK 2.3.5${c})`,
      mode: 'preset-client-span',
      sdk: 'milvus-sdk-2.3',
      count,
    },
    { name: `preset, app span + client span (SDK 2.3.5${c})`, mode: 'preset', sdk: 'milvus-sdk-2.3', count },
    {
      name: `preset, app span + client span, metrics on (SDK 2.3.5${c})`,
      mode: 'preset-metrics',
      sdk: 'milvus-sdk-2.3',
      count: withMetrics ? count : 0,
    },
    {
      name: `paired in one process: client span (SDK 2.3.5${c})`,
      mode: 'paired',
      sdk: 'milvus-sdk-2.3',
      count: paired ? 2 * count : 0,
    },
    {
      name: `paired in one process: app span + client span (SDK 2.3.5${c})`,
      mode: 'paired-app',
      sdk: 'milvus-sdk-2.3',
      count: paired ? 2 * count : 0,
    },
  ];
  for (const [i, variant] of variants.entries()) {
    const env = Object.fromEntries(variant.split(/\s+/).map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
    list.push({
      name: `preset, app span + client span, ${variant} (SDK 2.3.5${c})`,
      mode: 'preset',
      sdk: 'milvus-sdk-2.3',
      count,
      env,
      tag: `variant${i}`,
    });
  }
  // Before/after in one run: the same `--import` bundle path for both builds, so only the code differs.
  if (baseline)
    for (const [label, mode] of [
      ['app span + client span', 'preset'],
      ['paired in one process, app span + client span', 'paired-app'],
    ] as const) {
      // Paired: two arms in one process, each of `count` calls.
      const calls = mode === 'paired-app' ? 2 * count : count;
      list.push(
        {
          name: `preset bundle, ${label}: baseline ${baselineName} (SDK 2.3.5${c})`,
          mode,
          sdk: 'milvus-sdk-2.3',
          count: calls,
          bundle: baseline,
          tag: 'baseline',
        },
        {
          name: `preset bundle, ${label}: this build (SDK 2.3.5${c})`,
          mode,
          sdk: 'milvus-sdk-2.3',
          count: calls,
          bundle: thisBundle,
          tag: 'bundle',
        },
      );
    }
  if (concurrency === 1)
    list.push(
      { name: 'untraced (SDK 2.5.12)', mode: 'untraced', sdk: 'milvus-sdk-2.5', count: anchorCount },
      {
        name: 'preset, client span only (SDK 2.5.12)',
        mode: 'preset-client-span',
        sdk: 'milvus-sdk-2.5',
        count: anchorCount,
      },
      { name: 'SDK trace: true (SDK 2.5.12)', mode: 'sdk-trace', sdk: 'milvus-sdk-2.5', count: anchorCount },
    );
  return list.map((m) => ({ ...m, concurrency }));
}
const allModes = levels.flatMap(modesAt);
const modes = allModes.filter((m) => m.count > 0);
const isPaired = (m: Mode) => m.mode === 'paired' || m.mode === 'paired-app';
interface Round {
  p50: number;
  cpu: number;
  callsPerSecond: number;
  dropped: number;
  /** Paired modes: the untraced arm's p50 of the same process. */
  baseP50?: number;
  /**
   * Sequential: CPU µs per call on the call's path (from its start to its end), median and mean over the calls;
   * paired: of each arm. The median leaves out the calls a batch export or a GC pause happened to land in.
   */
  pathCpu?: number;
  pathCpuMean?: number;
  basePathCpu?: number;
  basePathCpuMean?: number;
}
const samples = new Map<Mode, { latencies: number[]; baseline: number[]; rounds: Round[] }>(
  modes.map((m) => [m, { latencies: [], baseline: [], rounds: [] }]),
);
const warmupOf = (m: Mode) => (m.sdk === 'milvus-sdk-2.3' ? warmup : anchorWarmup);
const serviceOf = (m: Mode, round: number) =>
  `bench-${m.mode}${m.tag ? `-${m.tag}` : ''}-${m.sdk.slice(-3)}-c${m.concurrency}-${runId}-r${round}`;
const worker = fileURLToPath(new URL('./search-worker.ts', import.meta.url));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? modes : [...modes].reverse();
  for (const m of order) {
    const out = execFileSync(
      process.execPath,
      [worker, m.mode, m.sdk, collection, String(m.count), String(warmupOf(m)), String(m.concurrency)],
      {
        env: {
          ...process.env,
          ...env,
          OTEL_SERVICE_NAME: serviceOf(m, round),
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          // Off in every other mode, as by default; on, the histogram goes to the stack's Prometheus every 5 s.
          OTEL_METRICS_EXPORTER: m.mode === 'preset-metrics' ? 'otlp' : 'none',
          OTEL_METRIC_EXPORT_INTERVAL: '5000',
          ...(m.bundle ? { BENCH_PRESET_BUNDLE: m.bundle } : {}),
          ...m.env,
        },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
      latencies: number[];
      cpuPerCallUs: number;
      callsPerSecond: number;
      dropped?: number;
      baseline?: number[];
      pathCpu?: number[] | null;
      baselinePathCpu?: number[] | null;
    };
    const s = samples.get(m);
    s?.latencies.push(...result.latencies);
    s?.baseline.push(...(result.baseline ?? []));
    s?.rounds.push({
      p50: median(result.latencies),
      cpu: result.cpuPerCallUs,
      callsPerSecond: result.callsPerSecond,
      dropped: result.dropped ?? 0,
      ...(result.baseline?.length ? { baseP50: median(result.baseline) } : {}),
      ...(result.pathCpu?.length
        ? { pathCpu: median(result.pathCpu), pathCpuMean: mean(result.pathCpu) }
        : {}),
      ...(result.baselinePathCpu?.length
        ? { basePathCpu: median(result.baselinePathCpu), basePathCpuMean: mean(result.baselinePathCpu) }
        : {}),
    });
  }
}

/** Client spans of one worker process found in Jaeger (each traced SDK 2.3.5 call is one `search` trace). */
async function spansInJaeger(service: string, expected: number): Promise<number> {
  let found = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    found = 0;
    const traces = await searchTraces(env.JAEGER_QUERY_URL as string, {
      service,
      operation: `search ${collection}`,
      limit: expected + 100,
      start: Date.now() - 2 * 3_600_000,
      timeoutMs: 60_000,
    });
    for (const trace of traces)
      for (const span of trace.spans)
        if (span.name === `search ${collection}` && span.service === service) found++;
    if (found >= expected) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return found;
}
const exported: string[] = [];
for (const m of modes) {
  if (m.sdk !== 'milvus-sdk-2.3' || m.mode === 'untraced' || m.mode === 'noop-export') continue;
  // Paired: half the measured calls are traced; the warm-up traced each of its calls.
  const expected = (isPaired(m) ? m.count / 2 : m.count) + warmup;
  const found = await spansInJaeger(serviceOf(m, rounds - 1), expected);
  exported.push(`${m.name}, round ${rounds}: ${found} of ${expected} client spans in Jaeger`);
}
await client.dropCollection({ collection_name: collection });
await client.closeConnection();

const stats = (m: Mode, arm: 'latencies' | 'baseline' = 'latencies'): Stats => {
  const s = samples.get(m) ?? { latencies: [], baseline: [], rounds: [] };
  const sorted = [...s[arm]].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpu: median(s.rounds.map((r) => r.cpu)),
    pathCpu: median(s.rounds.map((r) => (arm === 'baseline' ? r.basePathCpu : r.pathCpu) ?? Number.NaN)),
    pathCpuMean: median(
      s.rounds.map((r) => (arm === 'baseline' ? r.basePathCpuMean : r.pathCpuMean) ?? Number.NaN),
    ),
    callsPerSecond: median(s.rounds.map((r) => r.callsPerSecond)),
  };
};
const baseOf = (m: Mode) =>
  modes.find((b) => b.sdk === m.sdk && b.concurrency === m.concurrency && b.mode === 'untraced') ?? m;
/** Each round's p50 over the same round's untraced p50 (paired: the same process's): median, min and max. */
const roundRatios = (m: Mode) => {
  const own = samples.get(m)?.rounds ?? [];
  const base = samples.get(baseOf(m))?.rounds ?? [];
  const ratios = own.map((r, i) => r.p50 / (r.baseP50 ?? base[i]?.p50 ?? Number.NaN));
  return spread(ratios);
};
/** Each round's CPU per call minus the same round's untraced CPU per call: median, min and max. */
const roundCpuOverheads = (m: Mode) => {
  const own = samples.get(m)?.rounds ?? [];
  const base = samples.get(baseOf(m))?.rounds ?? [];
  const added = own.map((r, i) => r.cpu - (base[i]?.cpu ?? Number.NaN));
  return spread(added);
};
console.log(
  `Milvus search, ${rounds} rounds per mode, ${warmup} warm-up calls (SDK 2.5.12: ${anchorWarmup}), ${new Date().toISOString()}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  "| mode | calls | p50 µs | p99 µs | p50 ratio (pooled) | p50 ratio per round: median (min–max) | p99 ratio | CPU µs/call | CPU overhead µs/call | CPU overhead per round: median (min–max) | on the call's path: median CPU µs/call (added) | calls/s (median) |",
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const m of modes.filter((m) => !isPaired(m))) {
  const s = stats(m);
  const base = stats(baseOf(m));
  const r = roundRatios(m);
  const c = roundCpuOverheads(m);
  console.log(
    `| ${m.name} | ${m.count * rounds} | ${fmt(s.p50, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.p50 / base.p50, 3)} | ${fmt(r.median, 3)} (${fmt(r.min, 3)}–${fmt(r.max, 3)}) | ${fmt(s.p99 / base.p99, 3)} | ${fmt(s.cpu, 0)} | ${fmt(s.cpu - base.cpu, 0)} | ${fmt(c.median, 0)} (${fmt(c.min, 0)}–${fmt(c.max, 0)}) | ${Number.isNaN(s.pathCpu) ? '—' : `${fmt(s.pathCpu, 0)} (${fmt(s.pathCpu - base.pathCpu, 0)})`} | ${fmt(s.callsPerSecond, 0)} |`,
  );
}
if (modes.some(isPaired)) {
  console.log(
    "\n| paired mode | calls per arm | untraced p50 µs | traced p50 µs | p50 ratio (pooled) | p50 ratio per round: median (min–max) | untraced p99 µs | traced p99 µs | p99 ratio | on the call's path: CPU µs/call untraced / traced, median (added) | …mean over the calls (added) |",
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of modes.filter(isPaired)) {
    const s = stats(m);
    const base = stats(m, 'baseline');
    const r = roundRatios(m);
    console.log(
      `| ${m.name} | ${(m.count / 2) * rounds} | ${fmt(base.p50, 0)} | ${fmt(s.p50, 0)} | ${fmt(s.p50 / base.p50, 3)} | ${fmt(r.median, 3)} (${fmt(r.min, 3)}–${fmt(r.max, 3)}) | ${fmt(base.p99, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.p99 / base.p99, 3)} | ${Number.isNaN(s.pathCpu) ? '— | —' : `${fmt(base.pathCpu, 0)} / ${fmt(s.pathCpu, 0)} (${fmt(s.pathCpu - base.pathCpu, 0)}) | ${fmt(base.pathCpuMean, 0)} / ${fmt(s.pathCpuMean, 0)} (${fmt(s.pathCpuMean - base.pathCpuMean, 0)})`} |`,
    );
  }
}
const dropped = modes
  .flatMap((m) => samples.get(m)?.rounds.map((r) => r.dropped) ?? [])
  .reduce((a, b) => a + b, 0);
console.log(`\nspans dropped by the exporter: ${dropped}`);
for (const line of exported) console.log(line);
emitResult({
  bench: 'search',
  rounds,
  count,
  rows: modes.map((m) => {
    const s = stats(m);
    const r = roundRatios(m);
    const base = isPaired(m) ? stats(m, 'baseline') : stats(baseOf(m));
    return {
      name: m.name,
      mode: m.mode,
      sdk: m.sdk,
      concurrency: m.concurrency,
      p50: s.p50,
      p50RatioPooled: s.p50 / base.p50,
      p50RatioPerRound: r.median,
      p50RatioRange: [r.min, r.max],
      // Paired: both arms share one process, whose CPU time is not split between them.
      cpuOverheadUs: isPaired(m) ? null : s.cpu - stats(baseOf(m)).cpu,
      cpuOverheadPerRoundUs: isPaired(m) ? null : roundCpuOverheads(m).median,
      pathCpuOverheadUs: Number.isNaN(s.pathCpu) ? null : s.pathCpu - base.pathCpu,
      callsPerSecond: s.callsPerSecond,
    };
  }),
  dropped,
});
