/**
 * Traced vs untraced Milvus search, as ratios taken in one run: the three modes run in alternating order, several
 * rounds, each round a fresh process per mode, against the same collection on the local stack.
 * usage: node src/search.ts [--rounds 3] [--count 1000]
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
  // Searches should not wait for Milvus's 200 ms time tick, or the tick, not the call path, is what gets measured.
  consistency_level: 'Eventually',
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

const modes = ['untraced', 'preset', 'sdk-trace'] as const;
const all: Record<string, { latencies: number[]; cpu: number[] }> = Object.fromEntries(
  modes.map((m) => [m, { latencies: [], cpu: [] }]),
);
const worker = fileURLToPath(new URL('./search-worker.ts', import.meta.url));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? modes : [...modes].reverse();
  for (const mode of order) {
    const out = execFileSync(process.execPath, [worker, mode, collection, String(count)], {
      env: {
        ...process.env,
        ...env,
        OTEL_SERVICE_NAME: `bench-${mode}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
      latencies: number[];
      cpuPerCallUs: number;
    };
    all[mode]?.latencies.push(...result.latencies);
    all[mode]?.cpu.push(result.cpuPerCallUs);
  }
}
await client.dropCollection({ collection_name: collection });
await client.closeConnection();

const summary = Object.fromEntries(
  modes.map((m) => {
    const sorted = [...(all[m]?.latencies ?? [])].sort((a, b) => a - b);
    const cpu = all[m]?.cpu ?? [];
    return [
      m,
      {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        cpu: cpu.reduce((a, b) => a + b, 0) / cpu.length,
      },
    ];
  }),
) as Record<(typeof modes)[number], { p50: number; p99: number; cpu: number }>;
const base = summary.untraced;
console.log(
  `Milvus search, ${rounds} rounds × ${count} calls per mode (after 200 warm-up calls each), ${new Date().toISOString()}`,
);
console.log('| mode | p50 µs | p99 µs | p50 ratio | p99 ratio | CPU µs/call | CPU overhead µs/call |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const m of modes) {
  const s = summary[m];
  console.log(
    `| ${m} | ${fmt(s.p50, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.p50 / base.p50, 3)} | ${fmt(s.p99 / base.p99, 3)} | ${fmt(s.cpu, 0)} | ${fmt(s.cpu - base.cpu, 0)} |`,
  );
}
