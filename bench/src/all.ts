/**
 * Runs every benchmark, one after another, each as a child process with its own CLI, and prints one markdown table of
 * the headline ratios against their targets. Each benchmark's own output is passed through first.
 *   node src/all.ts            full settings (about 15–20 minutes on 2 cores)
 *   node src/all.ts --short    short settings (under 2 minutes): checks that everything runs, not the targets
 *   --only search,peers,startup,express,coldstart,exporter   a subset
 * Exit code 1 when a benchmark failed or gave no number; targets not met do not fail the run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt } from './stats.ts';
import { parseResult } from './util.ts';

const argv = process.argv.slice(2);
const short = argv.includes('--short');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : undefined;
const src = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Headline {
  benchmark: string;
  metric: string;
  value: number | undefined;
  target: string;
  met: (v: number) => boolean | undefined;
  digits?: number;
}

interface Bench {
  name: string;
  args: string[];
  headlines: (stdout: string) => Headline[];
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const BENCHES: Bench[] = [
  {
    name: 'search',
    args: [
      src('./search.ts'),
      '--concurrency',
      '1,8,32',
      ...(short
        ? ['--rounds', '1', '--count', '200', '--warmup', '50', '--anchor-count', '0']
        : ['--paired', '--anchor-count', '30']),
    ],
    headlines: (out) => {
      // The preset with an app span around each search (two spans per call) on SDK 2.3.5, as in the README, at each
      // concurrency: the per-round median of the p50 ratio.
      const rows = (parseResult(out)?.rows ?? []) as {
        mode: string;
        sdk: string;
        concurrency: number;
        p50RatioPerRound: number;
        pathCpuOverheadUs: number | null;
      }[];
      // Paired in one process (full runs): the app span + client span arm against the untraced arm, sequential.
      const paired = rows.find((r) => r.mode === 'paired-app' && r.concurrency === 1);
      const pairedHeadlines: Headline[] = paired
        ? [
            {
              benchmark: 'Milvus search (SDK 2.3.5, sequential, paired in one process)',
              metric: 'p50 latency, preset / untraced',
              value: num(paired.p50RatioPerRound),
              target: '≤ 1.02',
              met: (v: number) => v <= 1.02,
              digits: 3,
            },
            {
              benchmark: 'Milvus search (SDK 2.3.5, sequential, paired in one process)',
              metric: "CPU added on the call's path, µs per call (median)",
              value: num(paired.pathCpuOverheadUs),
              target: '≤ 60',
              met: (v: number) => v <= 60,
              digits: 0,
            },
          ]
        : [];
      const byConcurrency = [1, 8, 32].map((c) => ({
        benchmark: `Milvus search (SDK 2.3.5, ${c === 1 ? 'sequential' : `${c} concurrent`})`,
        metric: 'p50 latency, preset / untraced',
        value: num(
          rows.find((r) => r.mode === 'preset' && r.sdk === 'milvus-sdk-2.3' && r.concurrency === c)
            ?.p50RatioPerRound,
        ),
        target: '≤ 1.03',
        met: (v: number) => v <= 1.03,
        digits: 3,
      }));
      return [...byConcurrency, ...pairedHeadlines];
    },
  },
  {
    name: 'peers',
    args: [src('./peers.ts'), ...(short ? ['--rounds', '1', '--count', '100', '--warmup', '20'] : [])],
    headlines: (out) => {
      // Each traced mode against untraced on its own SDK line: the per-round median of the p50 ratio, and the share
      // of its traces the Milvus server's spans joined. Comparisons: no target.
      const rows = (parseResult(out)?.rows ?? []) as {
        name: string;
        mode: string;
        p50RatioPerRound: number;
        stored: { linkedPercent: number } | null;
      }[];
      return rows
        .filter((r) => r.mode !== 'untraced')
        .flatMap((r) => {
          const label = r.name.replace(/ \((SDK [^)]*)\)$/, ', $1');
          return [
            {
              benchmark: `Peers (${label})`,
              metric: 'p50 latency / untraced (same SDK)',
              value: num(r.p50RatioPerRound),
              target: '— (comparison)',
              met: () => undefined,
              digits: 3,
            },
            {
              benchmark: `Peers (${label})`,
              metric: "traces the Milvus server's spans joined, %",
              value: num(r.stored?.linkedPercent),
              target: '— (comparison)',
              met: () => undefined,
              digits: 0,
            },
          ];
        });
    },
  },
  {
    name: 'startup',
    args: [src('./startup.ts'), ...(short ? ['--runs', '3'] : ['--runs', '15'])],
    headlines: (out) => {
      const m = /preset \/ auto-instrumentations \(added by tracing\): ([-\d.]+)/.exec(out);
      return [
        {
          benchmark: 'Start-up',
          metric: 'time added: preset / auto-instrumentations',
          value: m ? Number(m[1]) : undefined,
          target: '≤ 0.4',
          met: (v) => v <= 0.4,
        },
      ];
    },
  },
  {
    name: 'express',
    args: [src('./express.ts'), ...(short ? ['--short'] : [])],
    headlines: (out) => {
      const r = parseResult(out);
      return [
        {
          benchmark: 'Express example',
          metric: 'req/s, traced / untraced',
          value: num(r?.tracedRatio),
          target: '≥ 0.95',
          met: (v) => v >= 0.95,
          digits: 3,
        },
        {
          benchmark: 'Express example',
          metric: 'req/s, traced with the collector down / untraced',
          value: num(r?.collectorDownRatio),
          target: '— (no target)',
          met: () => undefined,
          digits: 3,
        },
      ];
    },
  },
  {
    name: 'coldstart',
    args: [src('./coldstart.ts'), ...(short ? ['--short'] : [])],
    headlines: (out) => {
      const r = parseResult(out);
      return [
        {
          benchmark: 'Serverless cold start (bundled)',
          metric: 'time added: preset / auto-instrumentations',
          value: num(r?.ratioBundled),
          target: '≤ 0.4',
          met: (v) => v <= 0.4,
        },
        {
          benchmark: 'Serverless cold start (bundled, init phase)',
          metric: 'time added: preset / auto-instrumentations',
          value: num(r?.initRatioBundled),
          target: '≤ 0.4',
          met: (v) => v <= 0.4,
        },
        {
          benchmark: 'Serverless cold start (from source)',
          metric: 'time added: preset / auto-instrumentations',
          value: num(r?.ratioSource),
          target: '≤ 0.4',
          met: (v) => v <= 0.4,
        },
      ];
    },
  },
  {
    name: 'exporter',
    args: [src('./exporter.ts'), ...(short ? ['--short'] : [])],
    headlines: (out) => {
      const r = parseResult(out);
      return [
        {
          benchmark: 'Sustained export (5,000 spans/s)',
          metric: 'spans dropped',
          value: num(r?.fixedDropped),
          target: '0',
          met: (v) => v === 0,
          digits: 0,
        },
        {
          benchmark: 'Sustained export (flat out)',
          metric: 'spans/s exported',
          value: num(r?.flatExportedPerSecond),
          target: '— (capacity; drops expected)',
          met: () => undefined,
          digits: 0,
        },
        {
          benchmark: 'Sustained export (both phases)',
          metric: 'heap growth after full GC, MiB',
          value: num(r?.retainedGrowthMiB),
          target: '< 5 (flat)',
          met: (v) => v < 5,
          digits: 1,
        },
      ];
    },
  },
];

function run(bench: Bench): Promise<{ code: number | null; stdout: string; seconds: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, bench.args, {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      process.stdout.write(d);
    });
    child.once('exit', (code) => resolve({ code, stdout, seconds: (Date.now() - t0) / 1000 }));
  });
}

const started = Date.now();
const rows: (Headline & { seconds: number; failed: boolean })[] = [];
let failed = false;
for (const bench of BENCHES) {
  if (only && !only.includes(bench.name)) continue;
  console.log(`\n## ${bench.name}: node ${bench.args.map((a) => a.replace(/^.*\/bench\//, '')).join(' ')}\n`);
  const { code, stdout, seconds } = await run(bench);
  const headlines = bench.headlines(stdout);
  const bad = code !== 0 || headlines.some((h) => h.value === undefined || Number.isNaN(h.value));
  if (bad) failed = true;
  for (const h of headlines) rows.push({ ...h, seconds, failed: code !== 0 });
}

console.log(
  `\n# Benchmarks${short ? ' (short mode: settings too small for the numbers to mean much)' : ''}, ${new Date().toISOString()}\n`,
);
console.log('| benchmark | headline | value | target | met | took s |');
console.log('|---|---|---:|---|---|---:|');
for (const r of rows) {
  const value = r.value === undefined || Number.isNaN(r.value) ? 'none' : fmt(r.value, r.digits ?? 2);
  const met =
    r.failed || r.value === undefined || Number.isNaN(r.value)
      ? 'FAILED'
      : (() => {
          const m = r.met(r.value);
          return m === undefined ? '—' : m ? 'yes' : 'no';
        })();
  console.log(`| ${r.benchmark} | ${r.metric} | ${value} | ${r.target} | ${met} | ${fmt(r.seconds, 0)} |`);
}
console.log(`\ntotal ${fmt((Date.now() - started) / 1000, 0)} s`);
process.exitCode = failed ? 1 : 0;
