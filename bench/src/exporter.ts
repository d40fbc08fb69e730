/**
 * Sustained export through the preset's pipeline with flat memory. A process calls register() of @milvus-otel/node
 * (settings from the environment: OTLP/gRPC to the local Jaeger, the default batch settings: queue 2048, batches of
 * 512, 5 s delay) and creates spans for D seconds — two-span traces like a traced request (a SERVER span and a Milvus
 * CLIENT span under it, ~10 attributes each) — then flushes. Every second it samples the heap. Two phases, each in a
 * fresh process:
 *   - fixed rate: R spans/s, created in 10 ms ticks (what a busy service produces);
 *   - flat out: spans as fast as the process can create them, yielding to the event loop every 200 spans, so the
 *     bounded queue overflows and drops (the pipeline's capacity, and whether memory stays bounded under overload).
 * Reported per phase: spans created and exported per second (exported: the spans of the exports the collector
 * accepted, counted at the OTLP exporter, up to the final flush),
 * drops (handle.droppedSpans()), heap used at the start (after 10% of the run) / end / max, the heap's slope
 * (least squares over the samples after the first 10%) and the heap after a full GC at the start and at the end —
 * the retained memory, which GC's sawtooth does not blur. A few of the traces are then read back from Jaeger.
 * usage: node src/exporter.ts [--duration 60] [--rate 5000] [--short]  (--short: 5 s per phase)
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fetchTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, isUp, loadSettings } from '@milvus-otel/stack';
import { fmt } from './stats.ts';
import { emitResult, options, parseResult, sleep, slope } from './util.ts';

const { short, num } = options();
const duration = num('duration', 60, 5);
const rate = num('rate', 5000, 5000);
const MiB = 1024 * 1024;

interface Phase {
  phase: string;
  rate: number;
  seconds: number;
  created: number;
  dropped: number;
  exported: number;
  /** created − dropped − exported: spans neither exported nor counted as dropped (should be 0). */
  unaccounted: number;
  failedExports: number;
  createdPerSecond: number;
  exportedPerSecond: number;
  flushMs: number;
  heapStartMiB: number;
  heapEndMiB: number;
  heapMaxMiB: number;
  heapSlopeKiBps: number;
  /** Lowest heap in the first and in the last sixth of the run (after the first 10%): GC's floor, start → end. */
  floorStartMiB: number;
  floorEndMiB: number;
  gcHeapStartMiB: number;
  gcHeapEndMiB: number;
  rssEndMiB: number;
  tracesFound: number;
  tracesChecked: number;
  samples: number[];
}

if (process.argv.includes('--child')) {
  await child();
} else {
  await parent();
}

async function parent(): Promise<void> {
  const settings = loadSettings();
  if (!(await isUp(settings))) {
    console.error('the local stack is not running: start it with ./pnpm stack start');
    process.exit(1);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...clientEnv(settings), NODE_ENV: 'production' };
  delete env.NODE_OPTIONS;
  const results: Phase[] = [];
  const started = Date.now();
  for (const [name, phaseRate] of [
    ['fixed rate', rate],
    ['flat out', 0],
  ] as const) {
    const r = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        '--child',
        '--phase',
        name,
        '--rate',
        String(phaseRate),
        '--duration',
        String(duration),
      ],
      { env, encoding: 'utf8', maxBuffer: 16 * MiB, timeout: (duration + 120) * 1000 },
    );
    const result = parseResult(r.stdout ?? '') as Phase | undefined;
    if (r.status !== 0 || !result) throw new Error(`${name} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    results.push(result);
  }

  console.log(
    `\nSustained export to the local Jaeger (OTLP/gRPC, preset defaults), ${duration} s per phase, ${new Date().toISOString()}`,
  );
  console.log(
    '| phase | created spans/s | exported spans/s | dropped | flush ms | heap start / end / max MiB | heap slope KiB/s | heap floor first → last sixth MiB | heap after GC start → end MiB | traces read back |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of results) {
    console.log(
      `| ${p.phase}${p.rate ? ` (${p.rate}/s)` : ''} | ${fmt(p.createdPerSecond, 0)} | ${fmt(p.exportedPerSecond, 0)} | ` +
        `${p.dropped} (${fmt((100 * p.dropped) / Math.max(1, p.created), 1)}%) | ${fmt(p.flushMs, 0)} | ` +
        `${fmt(p.heapStartMiB, 1)} / ${fmt(p.heapEndMiB, 1)} / ${fmt(p.heapMaxMiB, 1)} | ${fmt(p.heapSlopeKiBps, 1)} | ` +
        `${fmt(p.floorStartMiB, 1)} → ${fmt(p.floorEndMiB, 1)} | ` +
        `${fmt(p.gcHeapStartMiB, 1)} → ${fmt(p.gcHeapEndMiB, 1)} | ${p.tracesFound}/${p.tracesChecked} |`,
    );
  }
  for (const p of results) {
    if (p.unaccounted !== 0 || p.failedExports !== 0)
      console.log(
        `${p.phase}: ${p.unaccounted} spans neither exported nor counted as dropped; ${p.failedExports} failed exports`,
      );
  }
  for (const p of results) {
    console.log(`heap used per second, ${p.phase} (MiB): ${p.samples.map((s) => fmt(s, 0)).join(' ')}`);
  }
  console.log(`took ${fmt((Date.now() - started) / 1000, 0)} s`);
  const [fixed, flat] = results as [Phase, Phase];
  emitResult({
    bench: 'exporter',
    short,
    duration,
    phases: results.map(({ samples: _samples, ...p }) => p),
    fixedExportedPerSecond: fixed.exportedPerSecond,
    fixedDropped: fixed.dropped,
    flatExportedPerSecond: flat.exportedPerSecond,
    flatDropped: flat.dropped,
    // Retained heap growth over the run, after full GCs, in MiB: the flatness check.
    retainedGrowthMiB: Math.max(
      fixed.gcHeapEndMiB - fixed.gcHeapStartMiB,
      flat.gcHeapEndMiB - flat.gcHeapStartMiB,
    ),
  });
}

async function child(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const arg = (name: string) => process.argv[process.argv.indexOf(`--${name}`) + 1] as string;
  const phase = arg('phase');
  const phaseRate = Number(arg('rate'));
  const seconds = Number(arg('duration'));
  const runId = `${Date.now().toString(36)}-${phaseRate || 'max'}`;

  const { register } = await import('@milvus-otel/node');
  const { SpanKind, context, trace } = await import('@opentelemetry/api');
  // Count the spans of every export the collector accepted, at the OTLP exporter the preset loads (on demand, from
  // its own dependencies): exported spans are counted, not inferred from the drops.
  const presetRequire = createRequire(fileURLToPath(import.meta.resolve('@milvus-otel/node')));
  const otlp = presetRequire('@opentelemetry/exporter-trace-otlp-grpc') as {
    OTLPTraceExporter: {
      prototype: { export: (spans: unknown[], done: (r: { code: number }) => void) => void };
    };
  };
  let confirmed = 0;
  let failedExports = 0;
  const original = otlp.OTLPTraceExporter.prototype.export;
  otlp.OTLPTraceExporter.prototype.export = function (spans, done) {
    original.call(this, spans, (result) => {
      if (result.code === 0) confirmed += spans.length;
      else failedExports++;
      done(result);
    });
  };
  const handle = register({ serviceName: `bench-exporter-${runId}`, handleSignals: false });
  const tracer = trace.getTracer('bench-exporter');

  let created = 0;
  let traceNo = 0;
  const checkIds: string[] = [];
  /** One traced request: a SERVER span and a Milvus CLIENT span under it. */
  const request = () => {
    const root = tracer.startSpan('GET /search', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/search',
        'url.path': '/search',
        'url.scheme': 'http',
        'server.address': 'localhost',
        'server.port': 3000,
        'user_agent.original': 'bench',
        'network.peer.address': '127.0.0.1',
        'http.response.status_code': 200,
        'request.no': traceNo,
      },
    });
    const child = tracer.startSpan(
      'search docs',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'milvus',
          'db.operation.name': 'search',
          'db.collection.name': 'docs',
          'db.namespace': 'default',
          'server.address': '127.0.0.1',
          'server.port': 19530,
          'db.milvus.limit': 5,
          'db.milvus.nq': 1,
          'db.milvus.anns_field': 'embedding',
          'db.response.returned_rows': 5,
        },
      },
      trace.setSpan(context.active(), root),
    );
    child.end();
    root.end();
    created += 2;
    if (traceNo++ % 1000 === 1) checkIds.push(root.spanContext().traceId);
  };

  const heap = () => process.memoryUsage().heapUsed / MiB;
  const samples: { t: number; heap: number }[] = [];
  const t0 = performance.now();
  const sampler = setInterval(() => samples.push({ t: (performance.now() - t0) / 1000, heap: heap() }), 1000);
  let gcHeapStart = Number.NaN;
  const warm = setTimeout(
    () => {
      gc();
      gcHeapStart = heap();
    },
    Math.max(1000, seconds * 100),
  );

  const end = t0 + seconds * 1000;
  if (phaseRate > 0) {
    // Fixed rate: every 10 ms, catch up with the schedule (at most 100 ms worth at once).
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - t0) / 1000) * phaseRate);
      const burst = Math.min(due - created, phaseRate / 10);
      for (let i = 0; i < burst; i += 2) request();
      await sleep(10);
    }
  } else {
    while (performance.now() < end) {
      for (let i = 0; i < 100; i++) request();
      await new Promise((r) => setImmediate(r));
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  clearTimeout(warm);
  gc();
  const gcHeapEnd = heap();
  const rssEnd = process.memoryUsage().rss / MiB;

  const f0 = performance.now();
  await handle.forceFlush();
  const flushMs = performance.now() - f0;
  const dropped = handle.droppedSpans();
  await handle.shutdown();

  // The last few sampled traces read back from Jaeger (its in-memory store keeps the newest 100,000 traces).
  const { JAEGER_QUERY_URL } = clientEnv(loadSettings());
  await sleep(1000);
  let found = 0;
  for (const id of checkIds.slice(-5)) {
    const t = await fetchTrace(JAEGER_QUERY_URL as string, id).catch(() => undefined);
    if (t && t.spans.length === 2) found++;
  }

  const after = samples.filter((s) => s.t >= seconds * 0.1);
  const heaps = after.map((s) => s.heap);
  const exported = confirmed;
  const result: Phase = {
    phase,
    rate: phaseRate,
    seconds: elapsed,
    created,
    dropped,
    exported,
    unaccounted: created - dropped - confirmed,
    failedExports,
    createdPerSecond: created / elapsed,
    exportedPerSecond: exported / elapsed,
    flushMs,
    heapStartMiB: heaps[0] ?? Number.NaN,
    heapEndMiB: heaps.at(-1) ?? Number.NaN,
    heapMaxMiB: Math.max(...samples.map((s) => s.heap)),
    heapSlopeKiBps:
      slope(
        after.map((s) => s.t),
        heaps,
      ) * 1024,
    floorStartMiB: Math.min(...heaps.slice(0, Math.max(1, Math.ceil(heaps.length / 6)))),
    floorEndMiB: Math.min(...heaps.slice(-Math.max(1, Math.ceil(heaps.length / 6)))),
    gcHeapStartMiB: gcHeapStart,
    gcHeapEndMiB: gcHeapEnd,
    rssEndMiB: rssEnd,
    tracesFound: found,
    tracesChecked: Math.min(5, checkIds.length),
    samples: samples.map((s) => s.heap),
  };
  process.stderr.write(
    `${phase}: ${created} created, ${dropped} dropped in ${fmt(elapsed, 1)} s; heap after GC ${fmt(gcHeapStart, 1)} → ${fmt(gcHeapEnd, 1)} MiB\n`,
  );
  emitResult(result as unknown as Record<string, unknown>);
}
