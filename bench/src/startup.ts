/**
 * Start-up time of the same app with no tracing, with the preset (--import @milvus-otel/node/register) and with
 * @opentelemetry/auto-instrumentations-node/register (--require), as ratios taken in one run: modes interleaved,
 * the median of N runs each, from spawn to the process's exit.
 * usage: node src/startup.ts [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { fmt, median, percentile } from './stats.ts';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 15) || 15;
const app = fileURLToPath(new URL('./startup-app.cjs', import.meta.url));
const env = {
  ...process.env,
  ...clientEnv(loadSettings()),
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_SERVICE_NAME: 'bench-startup',
};

const modes: Record<string, string[]> = {
  none: [app],
  preset: ['--import', '@milvus-otel/node/register', app],
  'auto-instrumentations': ['--require', '@opentelemetry/auto-instrumentations-node/register', app],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (let i = 0; i < runs + 2; i++) {
  for (const [mode, argv] of Object.entries(modes)) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, {
      env,
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    const ms = performance.now() - t0;
    if (r.status !== 0 || !r.stdout.includes('ready function'))
      throw new Error(`${mode} failed: ${r.stderr}`);
    if (i >= 2) times[mode]?.push(ms); // the first two rounds warm the file-system cache
  }
}
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const none = m.none ?? 0;
const preset = m.preset ?? 0;
const auto = m['auto-instrumentations'] ?? 0;
console.log(`Start-up (spawn to exit), median of ${runs} runs per mode, ${new Date().toISOString()}`);
console.log('| mode | median ms | p25–p75 ms | added by tracing ms |');
console.log('|---|---:|---:|---:|');
for (const [mode, ms] of Object.entries(m)) {
  const sorted = [...(times[mode] ?? [])].sort((a, b) => a - b);
  const spread = `${fmt(percentile(sorted, 25), 0)}–${fmt(percentile(sorted, 75), 0)}`;
  console.log(`| ${mode} | ${fmt(ms, 0)} | ${spread} | ${fmt(ms - none, 0)} |`);
}
console.log(`\npreset / auto-instrumentations (total): ${fmt(preset / auto, 3)}`);
console.log(`preset / auto-instrumentations (added by tracing): ${fmt((preset - none) / (auto - none), 3)}`);
