/**
 * Serverless cold start: the latency of the FIRST invocation of the serverless example (examples/serverless, GET
 * /search) under the AWS Lambda Runtime Interface Emulator with aws-lambda-ric (the real Lambda Runtime API), a fresh
 * emulator and runtime per sample — from the invoke request to its response, i.e. runtime start, handler import,
 * init (settings, Milvus client), one search, and (traced) the flush of its spans. Modes, interleaved, each bundled
 * and from source:
 *   - untraced: the handler without tracing (`withLambdaTracing` is the identity:
 *     bench/src/coldstart/untraced-preset.ts);
 *   - preset: the example's entry, `src/index.ts` (tracing.ts: register(), then handler.ts) — bundled with the
 *     example's build recipe (see 1. below), and from source with Node's type stripping;
 *   - auto-instrumentations: the untraced handler with
 *     `NODE_OPTIONS=--require @opentelemetry/auto-instrumentations-node/register` (how a Lambda layer adds it).
 * The bundles are built here with esbuild into bench/dist/coldstart/, like the example's (the Milvus SDK stays external).
 * Reported: the median per mode, p25–p75, the time each tracing mode adds to untraced, and
 * preset added / auto added (target ≤ 0.4) — for the whole first invocation and for the init phase alone (the
 * emulator's INIT REPORT: runtime start, handler import, module-level init; Lambda's "Init Duration"). The invoke
 * phase of the preset includes its flush before returning (loading the OTLP/gRPC exporter, connecting, exporting);
 * auto-instrumentations exports later, in the background, so its spans would be lost if the runtime froze.
 * usage: node src/coldstart.ts [--runs 10] [--warmup 1] [--short]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  bundleOnDemandLoads,
  REQUIRE_BANNER,
  requireExternals,
} from '@milvus-otel/example-serverless/build-plugins';
import { ensureCollection, upsertDocuments } from '@milvus-otel/example-serverless/documents';
import {
  ROOT as example,
  type FunctionProcess,
  httpEvent,
  startFunction,
} from '@milvus-otel/example-serverless/rie';
import { clientEnv, ensureLambdaRie, isUp, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { build, type Plugin } from 'esbuild';
import { fmt, median, percentile } from './stats.ts';
import { emitResult, freePort, options, sleep } from './util.ts';

const { short, num } = options();
const runs = num('runs', 10, 2);
const warmupRounds = num('warmup', 1, 1);

const settings = loadSettings();
if (!(await isUp(settings))) {
  console.error('the local stack is not running: start it with ./pnpm stack start');
  process.exit(1);
}
// The real emulator, before anything is created in Milvus: where it cannot be built, the message says how to fix it.
const rie = await ensureLambdaRie(settings).catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
const stack = clientEnv(settings);
const out = fileURLToPath(new URL('../dist/coldstart/', import.meta.url));
const stub = fileURLToPath(new URL('./coldstart/untraced-preset.ts', import.meta.url));
const autoRegister = createRequire(import.meta.url).resolve(
  '@opentelemetry/auto-instrumentations-node/register',
);
const runId = Date.now().toString(36);
const collection = `bench_coldstart_${runId}`;
const service = `bench-coldstart-${runId}`;

// --- the function's variants -------------------------------------------------------------------------------------

// 1. The preset bundle: the example's entry (src/index.ts: register(), then the handler) built with the example's own
//    esbuild plugins (scripts/plugins.ts): the Milvus SDK external and required where the import stands, the preset's
//    on-demand loads bundled.
// 2. The untraced bundle: the example's handler with @milvus-otel/node replaced by the stub, same plugins otherwise.
const untracedPreset: Plugin = {
  name: 'bench-untraced-preset',
  setup(b) {
    b.onResolve({ filter: /^@milvus-otel\/node$/ }, () => ({ path: stub }));
  },
};
const bundle = async (entry: string, dir: string, plugins: Plugin[]) => {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [join(example, 'src', entry)],
    outfile: join(dir, 'handler.mjs'),
    absWorkingDir: example,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
    plugins,
  });
};
const presetBundle = join(out, 'bundled-preset');
const untracedBundle = join(out, 'bundled-untraced');
await bundle('index.ts', presetBundle, [requireExternals, bundleOnDemandLoads]);
await bundle('handler.ts', untracedBundle, [untracedPreset, requireExternals]);

// 3. From source: an entry that imports the TypeScript sources (Node strips the types). Untraced: a module hook
//    sends @milvus-otel/node to the stub.
const sourcePreset = join(out, 'source-preset');
const sourceUntraced = join(out, 'source-untraced');
mkdirSync(sourcePreset, { recursive: true });
mkdirSync(sourceUntraced, { recursive: true });
const src = (file: string) => pathToFileURL(join(example, 'src', file)).href;
writeFileSync(
  join(sourcePreset, 'handler.mjs'),
  `export { handler } from ${JSON.stringify(src('index.ts'))};\n`,
);
writeFileSync(
  join(sourceUntraced, 'handler.mjs'),
  `import { registerHooks } from 'node:module';
const stub = ${JSON.stringify(pathToFileURL(stub).href)};
registerHooks({
  resolve: (specifier, context, next) =>
    specifier === '@milvus-otel/node' ? { url: stub, shortCircuit: true } : next(specifier, context),
});
export const { handler } = await import(${JSON.stringify(src('handler.ts'))});
`,
);

const AUTO = { NODE_OPTIONS: `--require ${autoRegister}`, OTEL_TRACES_EXPORTER: 'otlp' };
type Variant = { taskRoot: string; env?: Record<string, string> };
const MODES: Record<string, Variant> = {
  'bundled: untraced': { taskRoot: untracedBundle },
  'bundled: preset': { taskRoot: presetBundle },
  'bundled: auto-instrumentations': { taskRoot: untracedBundle, env: AUTO },
  'source: untraced': { taskRoot: sourceUntraced },
  'source: preset': { taskRoot: sourcePreset },
  'source: auto-instrumentations': { taskRoot: sourceUntraced, env: AUTO },
};

// --- the collection the function searches ------------------------------------------------------------------------

const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string });
await ensureCollection(milvus as never, collection);
await upsertDocuments(milvus as never, collection, [
  { id: 'a', title: 'Trail running shoes', body: 'Light shoes for muddy trails', category: 'shoes' },
  { id: 'b', title: 'Rain jacket', body: 'Waterproof and breathable', category: 'clothing' },
  { id: 'c', title: 'Tent for two', body: 'Three seasons, 2 kg', category: 'camping' },
]);
await sleep(1500); // Bounded consistency: searches see the documents within about a second

// --- the samples -------------------------------------------------------------------------------------------------

const baseEnv: Record<string, string> = {
  ...stack,
  NODE_ENV: 'production',
  DOCS_COLLECTION: collection,
  OTEL_SERVICE_NAME: service,
  _HANDLER: 'handler.handler',
};
const event = httpEvent('GET', '/search', { q: 'running shoes', limit: '3' });

interface Sample {
  /** From the invoke request to its response. */
  total: number;
  /**
   * The emulator's `INIT REPORT(durationMs: 84.794000)`: runtime start, handler import, module-level init (what
   * Lambda reports as Init Duration). Not its REPORT line's "Init Duration", which the RIE puts at a fraction of a ms.
   */
  init: number;
  /**
   * The emulator's `INVOKE RTDONE(status: success, produced bytes: 0, duration: 2.483000ms)`: the handler's run,
   * including the preset's flush before it returns.
   */
  invoke: number;
}

async function coldInvocation(mode: string): Promise<Sample> {
  const { taskRoot, env } = MODES[mode] as Variant;
  let fn: FunctionProcess | undefined;
  try {
    fn = await startFunction({
      rie,
      port: await freePort(),
      runtimeApiPort: await freePort(),
      env: { ...baseEnv, ...env, LOG_LEVEL: 'info' }, // the emulator then logs the init and invoke durations
      taskRoot,
    });
    const t0 = performance.now();
    const res = await fetch(fn.invokeUrl, {
      method: 'POST',
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    const parsed = JSON.parse(text) as { statusCode?: number; body?: string };
    const hits = parsed.body ? (JSON.parse(parsed.body) as { hits?: unknown[] }).hits : undefined;
    if (parsed.statusCode !== 200 || !hits?.length) {
      throw new Error(`${mode}: ${text}\n--- emulator and runtime ---\n${fn.output()}`);
    }
    let init = Number.NaN;
    let invoke = Number.NaN;
    for (let i = 0; i < 20 && (Number.isNaN(init) || Number.isNaN(invoke)); i++) {
      init = Number(/INIT REPORT\(durationMs: ([\d.]+)/.exec(fn.output())?.[1] ?? Number.NaN);
      invoke = Number(
        /INVOKE RTDONE\(status: success[^)]*duration: ([\d.]+)ms/.exec(fn.output())?.[1] ?? Number.NaN,
      );
      if (Number.isNaN(init) || Number.isNaN(invoke)) await sleep(50);
    }
    return { total: ms, init, invoke };
  } finally {
    await fn?.stop();
  }
}

const names = Object.keys(MODES);
const times: Record<string, number[]> = Object.fromEntries(names.map((m) => [m, []]));
const inits: Record<string, number[]> = Object.fromEntries(names.map((m) => [m, []]));
const invokes: Record<string, number[]> = Object.fromEntries(names.map((m) => [m, []]));
const started = Date.now();
try {
  for (let i = 0; i < warmupRounds + runs; i++) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const mode of order) {
      const sample = await coldInvocation(mode);
      if (i >= warmupRounds) {
        // warm-up rounds fill the file-system cache
        times[mode]?.push(sample.total);
        if (!Number.isNaN(sample.init)) inits[mode]?.push(sample.init);
        if (!Number.isNaN(sample.invoke)) invokes[mode]?.push(sample.invoke);
      }
    }
    process.stderr.write(`round ${i + 1}/${warmupRounds + runs} done\n`);
  }
} finally {
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
}

const m = Object.fromEntries(names.map((k) => [k, median(times[k] ?? [])]));
const added = (kind: 'bundled' | 'source', mode: string) =>
  (m[`${kind}: ${mode}`] ?? 0) - (m[`${kind}: untraced`] ?? 0);
const ratio = (kind: 'bundled' | 'source') => added(kind, 'preset') / added(kind, 'auto-instrumentations');
const mi = Object.fromEntries(names.map((k) => [k, median(inits[k] ?? [])]));
const mv = Object.fromEntries(names.map((k) => [k, median(invokes[k] ?? [])]));
const addedInit = (kind: 'bundled' | 'source', mode: string) =>
  (mi[`${kind}: ${mode}`] ?? 0) - (mi[`${kind}: untraced`] ?? 0);
const initRatio = (kind: 'bundled' | 'source') =>
  addedInit(kind, 'preset') / addedInit(kind, 'auto-instrumentations');

console.log(
  `\nServerless cold start (first invocation under RIE + aws-lambda-ric, fresh runtime each), median of ${runs} ` +
    `per mode after ${warmupRounds} warm-up round(s), ${new Date().toISOString()}`,
);
console.log(
  '| mode | first invocation ms (median) | p25–p75 ms | added by tracing ms | init ms (median) | init added ms | invoke ms (median) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const mode of names) {
  const sorted = [...(times[mode] ?? [])].sort((a, b) => a - b);
  const kind = mode.startsWith('bundled') ? 'bundled' : 'source';
  console.log(
    `| ${mode} | ${fmt(m[mode] ?? 0, 0)} | ${fmt(percentile(sorted, 25), 0)}–${fmt(percentile(sorted, 75), 0)} | ` +
      `${fmt((m[mode] ?? 0) - (m[`${kind}: untraced`] ?? 0), 0)} | ${fmt(mi[mode] ?? Number.NaN, 0)} | ` +
      `${fmt((mi[mode] ?? 0) - (mi[`${kind}: untraced`] ?? 0), 0)} | ${fmt(mv[mode] ?? Number.NaN, 0)} |`,
  );
}
console.log(`\npreset added / auto-instrumentations added, bundled: ${fmt(ratio('bundled'), 3)}`);
console.log(`preset added / auto-instrumentations added, source: ${fmt(ratio('source'), 3)}`);
console.log(`init only (the emulator's INIT REPORT), bundled: ${fmt(initRatio('bundled'), 3)}`);
console.log(`init only (the emulator's INIT REPORT), source: ${fmt(initRatio('source'), 3)}`);
console.log(`took ${fmt((Date.now() - started) / 1000, 0)} s`);
emitResult({
  bench: 'coldstart',
  short,
  runs,
  medians: m,
  added: {
    bundled: { preset: added('bundled', 'preset'), auto: added('bundled', 'auto-instrumentations') },
    source: { preset: added('source', 'preset'), auto: added('source', 'auto-instrumentations') },
  },
  ratioBundled: ratio('bundled'),
  ratioSource: ratio('source'),
  initMedians: mi,
  invokeMedians: mv,
  initRatioBundled: initRatio('bundled'),
  initRatioSource: initRatio('source'),
});
