/**
 * Throughput of the Express example (examples/express-service, GET /search?q=…) over loopback, with autocannon as a
 * library, in three modes — each round starts a fresh server process per mode, the order alternating between rounds:
 *   - untraced: `node src/server.ts` (the app's `shutdown()` of @milvus-otel/node is then a no-op);
 *   - traced: `node --import @milvus-otel/node/register src/server.ts`, exporting over OTLP/gRPC to the local Jaeger;
 *   - traced, collector down: the same with OTEL_EXPORTER_OTLP_ENDPOINT at a closed port and a 500 ms export timeout.
 * Per round and mode: a warm-up load, then the measured load (same connections and duration). Reported: req/s and
 * p50/p99 latency per mode (median over rounds), and the ratio of each traced mode's req/s to the same round's
 * untraced req/s (median and range over rounds). The app seeds its own collection (unique per run), dropped at the end.
 * usage: node src/express.ts [--rounds 3] [--duration 10] [--warmup 3] [--connections 8] [--protocol grpc|http/protobuf|http/json] [--short] [--cpu-prof DIR]
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listServices } from '@milvus-otel/jaeger-query';
import { clientEnv, isUp, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import autocannon from 'autocannon';
import { fmt, median } from './stats.ts';
import { emitResult, freePort, options, range, sleep, spawnReady, stopChild } from './util.ts';

const { short, num, choice } = options();
const rounds = num('rounds', 3, 1);
const duration = num('duration', 10, 3);
const warmup = num('warmup', 3, 1);
const connections = num('connections', 8, 8);
/** The OTLP protocol of the traced modes (the local stack's clients use gRPC; the preset's default is http/protobuf). */
const protocol = choice('protocol', ['grpc', 'http/protobuf', 'http/json'] as const);

const settings = loadSettings();
if (!(await isUp(settings))) {
  console.error('the local stack is not running: start it with ./pnpm stack start');
  process.exit(1);
}
const stack = clientEnv(settings);
const collector =
  protocol === 'grpc'
    ? stack.OTEL_EXPORTER_OTLP_ENDPOINT
    : `http://127.0.0.1:${settings.ports.otlpHttp.port}`;
const runId = Date.now().toString(36);
const collection = `bench_express_${runId}`;
const service = `bench-express-${runId}`;
// The example as a package (its folder is the working directory users start it from).
const appDir = dirname(
  fileURLToPath(import.meta.resolve('@milvus-otel/example-express-service/package.json')),
);
const closedPort = await freePort(); // nothing listens there: the collector is "down"

const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  ...stack,
  NODE_ENV: 'production', // NODE_ENV=test makes the Milvus SDK log every request
  DOCS_COLLECTION: collection,
  OTEL_SERVICE_NAME: service,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_ENDPOINT: collector,
};
delete baseEnv.REDIS_URL; // POST /ingest is not measured: no queue connection
delete baseEnv.NODE_OPTIONS;

type Mode = 'untraced' | 'traced' | 'traced, collector down';
const MODES: Record<Mode, { args: string[]; env: NodeJS.ProcessEnv }> = {
  untraced: { args: ['src/server.ts'], env: baseEnv },
  traced: { args: ['--import', '@milvus-otel/node/register', 'src/server.ts'], env: baseEnv },
  'traced, collector down': {
    args: ['--import', '@milvus-otel/node/register', 'src/server.ts'],
    env: {
      ...baseEnv,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    },
  },
};
const modeNames = Object.keys(MODES) as Mode[];

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

interface Sample {
  rps: number;
  /** The server's CPU time per request during the measured load, µs. */
  cpuPerRequest: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}
const samples: Record<Mode, Sample[]> = Object.fromEntries(modeNames.map((m) => [m, []])) as never;
const ratios: Record<Mode, number[]> = Object.fromEntries(modeNames.map((m) => [m, []])) as never;

const QUERIES = ['running shoes', 'rain jacket', 'light trail shoes', 'waterproof', 'tent for two'];

async function load(port: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    // A few different queries: one embedding and one Milvus search each.
    requests: QUERIES.map((q) => ({
      method: 'GET' as const,
      path: `/search?q=${encodeURIComponent(q)}&limit=5`,
    })),
  });
}

/** `--cpu-prof DIR`: each server process writes a V8 CPU profile to DIR/<mode>/ (for where the time goes; slower). */
const profileArg = process.argv.indexOf('--cpu-prof');
const profileDir = profileArg >= 0 ? process.argv[profileArg + 1] : undefined;
const profileArgs = (mode: Mode) =>
  profileDir ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}/${mode.replace(/\W+/g, '-')}`] : [];

async function runMode(mode: Mode): Promise<Sample> {
  const port = await freePort();
  const { env } = MODES[mode];
  const args = [...profileArgs(mode), ...MODES[mode].args];
  const { child, output } = await spawnReady(process.execPath, args, {
    cwd: appDir,
    env: { ...env, PORT: String(port) },
    ready: /listening on/,
  });
  try {
    await load(port, warmup);
    const cpu0 = cpuMs(child.pid);
    const r = await load(port, duration);
    const cpu = cpuMs(child.pid) - cpu0;
    if (r.errors > 0 || r.non2xx > 0 || r.requests.total === 0) {
      throw new Error(`${mode}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests.total}\n${output()}`);
    }
    return {
      rps: r.requests.total / r.duration,
      cpuPerRequest: (cpu * 1000) / r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      requests: r.requests.total,
      errors: r.errors,
      non2xx: r.non2xx,
    };
  } finally {
    const code = await stopChild(child);
    if (code !== 0) console.error(`${mode}: the server exited with ${code}\n${output()}`);
  }
}

const started = Date.now();
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? modeNames : [...modeNames].reverse();
    const got: Partial<Record<Mode, Sample>> = {};
    for (const mode of order) {
      got[mode] = await runMode(mode);
      samples[mode].push(got[mode]);
      process.stderr.write(
        `round ${round + 1}/${rounds} ${mode}: ${fmt(got[mode].rps, 0)} req/s, p50 ${got[mode].p50} ms, p99 ${got[mode].p99} ms, ${fmt(got[mode].cpuPerRequest, 0)} µs CPU/req\n`,
      );
    }
    for (const mode of modeNames) ratios[mode].push((got[mode]?.rps ?? 0) / (got.untraced?.rps ?? 1));
  }
} finally {
  const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string });
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
}

// The traced mode's spans reached Jaeger (the service is known to it).
await sleep(1000);
const exported = (await listServices(stack.JAEGER_QUERY_URL as string)).includes(service);

const row = (mode: Mode) => {
  const s = samples[mode];
  return {
    rps: median(s.map((x) => x.rps)),
    p50: median(s.map((x) => x.p50)),
    p99: median(s.map((x) => x.p99)),
    cpuPerRequest: median(s.map((x) => x.cpuPerRequest)),
    ratio: median(ratios[mode]),
    ratioRange: range(ratios[mode], 3),
    requests: s.reduce((a, x) => a + x.requests, 0),
  };
};
console.log(
  `\nExpress example GET /search, ${connections} connections, ${duration} s per sample after ${warmup} s warm-up, ` +
    `${rounds} round(s), ${new Date().toISOString()}`,
);
console.log(
  '| mode | requests | req/s (median) | p50 ms | p99 ms | server CPU µs/req | req/s ratio to untraced (median, range) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const mode of modeNames) {
  const r = row(mode);
  console.log(
    `| ${mode} | ${r.requests} | ${fmt(r.rps, 0)} | ${fmt(r.p50, 0)} | ${fmt(r.p99, 0)} | ${fmt(r.cpuPerRequest, 0)} | ${fmt(r.ratio, 3)} (${r.ratioRange}) |`,
  );
}
console.log(`traced spans in Jaeger (service ${service}): ${exported ? 'yes' : 'NO'}`);
console.log(`took ${fmt((Date.now() - started) / 1000, 0)} s`);
emitResult({
  bench: 'express',
  short,
  rounds,
  duration,
  connections,
  modes: Object.fromEntries(modeNames.map((m) => [m, row(m)])),
  tracedRatio: row('traced').ratio,
  collectorDownRatio: row('traced, collector down').ratio,
  exportedToJaeger: exported,
});
