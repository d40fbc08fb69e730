/**
 * Traced vs untraced Milvus search, as ratios taken in one run: the modes run in alternating order, several rounds,
 * each round a fresh process per mode, against the same collection on the local stack.
 *   - SDK 2.3.5 (the server's own line): untraced vs the preset — the latency ratio;
 *   - SDK 2.5.12: untraced vs the preset vs the SDK's own `trace: true` interceptor — the CPU anchor. Against the
 *     native Milvus 2.3.5 server every search of SDK ≥ 2.4 waits ~200 ms for the server's time tick
 *     (Delegator-waitTSafe), so this line's latency says nothing about tracing; its CPU per call does.
 * usage: node src/search.ts [--rounds 3] [--count 1000] [--anchor-count 100]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clientEnv, isUp, loadSettings } from '@milvus-otel/stack';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { fmt, percentile } from './stats.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) =>
  Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const rounds = opt('rounds', 3);
const count = opt('count', 1000);
const anchorCount = opt('anchor-count', 100);

const settings = loadSettings();
if (!(await isUp(settings))) {
  console.error('the local stack is not running: start it with ./pnpm stack start');
  process.exit(1);
}
const env = clientEnv(settings);
const collection = `bench_${Date.now()}`;
const client = new MilvusClient({ address: env.MILVUS_ADDRESS as string });
await client.createCollection({
  collection_name: collection,
  fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
  ],
});
await client.insert({
  collection_name: collection,
  data: Array.from({ length: 2000 }, (_, i) => ({
    id: i,
    vector: Array.from({ length: 8 }, (_, d) => Math.sin(i + d)),
  })),
});
await client.createIndex({
  collection_name: collection,
  field_name: 'vector',
  index_type: 'IVF_FLAT',
  metric_type: 'L2',
  params: { nlist: 32 },
});
await client.loadCollectionSync({ collection_name: collection });

interface Mode {
  readonly name: string;
  readonly mode: 'untraced' | 'preset' | 'preset-client-span' | 'sdk-trace';
  readonly sdk: 'milvus-sdk-2.3' | 'milvus-sdk-2.5';
  readonly count: number;
}
interface Stats {
  p50: number;
  p99: number;
  cpu: number;
}
const modes: readonly Mode[] = [
  { name: 'untraced (SDK 2.3.5)', mode: 'untraced', sdk: 'milvus-sdk-2.3', count },
  { name: 'preset, client span only (SDK 2.3.5)', mode: 'preset-client-span', sdk: 'milvus-sdk-2.3', count },
  { name: 'preset, app span + client span (SDK 2.3.5)', mode: 'preset', sdk: 'milvus-sdk-2.3', count },
  { name: 'untraced (SDK 2.5.12)', mode: 'untraced', sdk: 'milvus-sdk-2.5', count: anchorCount },
  {
    name: 'preset, client span only (SDK 2.5.12)',
    mode: 'preset-client-span',
    sdk: 'milvus-sdk-2.5',
    count: anchorCount,
  },
  { name: 'SDK trace: true (SDK 2.5.12)', mode: 'sdk-trace', sdk: 'milvus-sdk-2.5', count: anchorCount },
];
const samples = new Map<Mode, { latencies: number[]; cpu: number[] }>(
  modes.map((m) => [m, { latencies: [], cpu: [] }]),
);
const worker = fileURLToPath(new URL('./search-worker.ts', import.meta.url));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? modes : [...modes].reverse();
  for (const m of order) {
    const out = execFileSync(process.execPath, [worker, m.mode, m.sdk, collection, String(m.count)], {
      env: {
        ...process.env,
        ...env,
        OTEL_SERVICE_NAME: `bench-${m.mode}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
      latencies: number[];
      cpuPerCallUs: number;
    };
    samples.get(m)?.latencies.push(...result.latencies);
    samples.get(m)?.cpu.push(result.cpuPerCallUs);
  }
}
await client.dropCollection({ collection_name: collection });
await client.closeConnection();

const stats = (m: Mode): Stats => {
  const s = samples.get(m) ?? { latencies: [], cpu: [] };
  const sorted = [...s.latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpu: s.cpu.reduce((a, b) => a + b, 0) / s.cpu.length,
  };
};
console.log(`Milvus search, ${rounds} rounds per mode, ${new Date().toISOString()}`);
console.log(
  '| mode | calls | p50 µs | p99 µs | p50 ratio | p99 ratio | CPU µs/call | CPU overhead µs/call |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const m of modes) {
  const s = stats(m);
  const base = stats(modes.find((b) => b.sdk === m.sdk && b.mode === 'untraced') ?? m);
  console.log(
    `| ${m.name} | ${m.count * rounds} | ${fmt(s.p50, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.p50 / base.p50, 3)} | ${fmt(s.p99 / base.p99, 3)} | ${fmt(s.cpu, 0)} | ${fmt(s.cpu - base.cpu, 0)} |`,
  );
}
