import { maskValue } from '@milvus-otel/config';
import {
  criticalPath,
  diffTraces,
  fetchDependencies,
  listServices,
  searchTraces,
  type Trace,
  timeSummary,
  waitForTrace,
} from '@milvus-otel/jaeger-query';
import { type Command, Option } from 'commander';
import { checkedTraceId, durationArg, keyValueArg, positiveInt, terminalWidth } from './cli-args.js';
import { depsHtml, diffHtml, traceHtml } from './html/index.js';
import { InputError, writeTextFile } from './input.js';
import { GRAPH_FORMATS, type GraphFormat, renderDependencies, splitSelfCalls } from './trace/deps.js';
import { renderDiff } from './trace/diff.js';
import { formatDuration } from './trace/duration.js';
import { renderTraceTable } from './trace/search.js';
import { renderTimeSummary } from './trace/summary.js';
import { renderWaterfall, useColor } from './trace/waterfall.js';
import { defaultJaegerUrl } from './verify/verify.js';

const jaegerUrlOption = () =>
  new Option('--jaeger-url <url>', 'Jaeger query base URL (default: http://127.0.0.1:16686)').env(
    'JAEGER_QUERY_URL',
  );
const timeoutOption = () =>
  new Option('--timeout <ms>', 'how long to wait for a trace to arrive in Jaeger')
    .argParser(positiveInt('--timeout'))
    .default(5000);
const baseUrl = (url: string | undefined) => (url ?? defaultJaegerUrl()).replace(/\/+$/, '');
const print = (text: string) => process.stdout.write(text);
const json = (value: unknown) => print(`${JSON.stringify(value, null, 2)}\n`);

/** A trace from Jaeger, or an InputError saying it is not there. */
async function loadTrace(jaegerUrl: string, traceId: string, timeoutMs: number): Promise<Trace> {
  const trace = await waitForTrace(jaegerUrl, traceId, { timeoutMs, settleMs: 0 });
  if (!trace) {
    throw new InputError(
      `trace ${traceId} is not in Jaeger at ${maskValue('url', jaegerUrl)} (waited ${timeoutMs} ms)`,
      'check the id (`milvus-otel traces --service <name>` lists recent ones) and that this is the Jaeger the app exports to; Jaeger in memory forgets traces when it restarts',
    );
  }
  return trace;
}

async function writePage(file: string, html: string): Promise<void> {
  await writeTextFile(file, html);
  process.stderr.write(`wrote ${file}\n`);
}

/** `traces`, `trace` (with `trace diff`) and `deps`: Jaeger's search, trace view, compare and dependency graph. */
export function addTraceCommands(program: Command): void {
  program
    .command('traces')
    .description('search Jaeger for traces: by service, operation, tags and duration, newest first')
    .addOption(new Option('-s, --service <name>', 'traces with a span of this service (required)'))
    .option('-o, --operation <name>', '…of this operation (span name)')
    .addOption(
      new Option('--tag <key=value>', '…whose span has this attribute value (repeatable)').argParser(
        keyValueArg('--tag'),
      ),
    )
    .addOption(
      new Option(
        '--min-duration <duration>',
        'traces with such a span lasting at least this long (e.g. 5ms)',
      ).argParser(durationArg('--min-duration')),
    )
    .addOption(
      new Option('--max-duration <duration>', '…and at most this long (e.g. 1s)').argParser(
        durationArg('--max-duration'),
      ),
    )
    .addOption(
      new Option('--since <duration>', 'how far back to look (e.g. 15m, 2h)')
        .argParser(durationArg('--since'))
        .default(3_600_000, '1h'),
    )
    .addOption(
      new Option('-n, --limit <n>', 'at most this many traces').argParser(positiveInt('--limit')).default(20),
    )
    .addOption(jaegerUrlOption())
    .option('--json', 'the traces as JSON: id, root span, services, spans, duration, errors')
    .action(
      async (opts: {
        service?: string;
        operation?: string;
        tag?: Record<string, string>;
        minDuration?: number;
        maxDuration?: number;
        since: number;
        limit: number;
        jaegerUrl?: string;
        json?: boolean;
      }) => {
        if (
          opts.minDuration !== undefined &&
          opts.maxDuration !== undefined &&
          opts.minDuration > opts.maxDuration
        ) {
          throw new InputError('--min-duration is longer than --max-duration', 'swap them, or drop one');
        }
        const jaegerUrl = baseUrl(opts.jaegerUrl);
        const services = await listServices(jaegerUrl);
        if (!opts.service || !services.includes(opts.service)) {
          throw new InputError(
            opts.service
              ? `Jaeger at ${maskValue('url', jaegerUrl)} has no spans of service "${opts.service}"`
              : 'which service? Jaeger searches the traces of one service',
            services.length
              ? `pass --service with one of: ${services.join(', ')}`
              : 'Jaeger has no spans yet: send a request through a traced app first',
          );
        }
        const end = Date.now();
        const traces = await searchTraces(jaegerUrl, {
          service: opts.service,
          ...(opts.operation !== undefined ? { operation: opts.operation } : {}),
          ...(opts.tag ? { attributes: opts.tag } : {}),
          ...(opts.minDuration !== undefined ? { minDuration: opts.minDuration } : {}),
          ...(opts.maxDuration !== undefined ? { maxDuration: opts.maxDuration } : {}),
          start: end - opts.since,
          end,
          limit: opts.limit,
        });
        if (!traces.length) {
          const filters = [
            opts.operation !== undefined ? `operation "${opts.operation}"` : '',
            ...Object.entries(opts.tag ?? {}).map(([k, v]) => `${k}=${v}`),
            opts.minDuration !== undefined ? `≥ ${formatDuration(opts.minDuration * 1000)}` : '',
            opts.maxDuration !== undefined ? `≤ ${formatDuration(opts.maxDuration * 1000)}` : '',
          ].filter(Boolean);
          throw new InputError(
            `no trace of ${opts.service}${filters.length ? ` with ${filters.join(', ')}` : ''} in the last ${formatDuration(opts.since * 1000)}`,
            'widen the search (--since, fewer filters), or check the tag names with `milvus-otel trace <id> --json`',
          );
        }
        if (opts.json) {
          json(
            traces.map((t) => ({
              traceId: t.traceId,
              startTime: new Date(t.startTime / 1000).toISOString(),
              root: t.spans[0] ? { service: t.spans[0].service, name: t.spans[0].name } : undefined,
              services: t.services,
              spans: t.spans.length,
              durationUs: t.duration,
              errors: t.spans.filter((s) => s.error).length,
            })),
          );
        } else {
          print(renderTraceTable(traces, { color: useColor() }));
        }
      },
    );

  const trace = program
    .command('trace')
    // `trace diff a b --json`: the options after `diff` are its own, not those of `trace <id>`.
    .enablePositionalOptions()
    .description(
      'print a trace from Jaeger as a waterfall: the span tree on a time axis, services, errors; `trace diff <a> <b>` compares two',
    )
    .argument('<trace-id>', 'the trace id (32 hex digits)')
    .option(
      '--critical-path',
      'mark the critical path (the spans that set the end-to-end time) and sum up where the time went, per service and operation',
    )
    .option('--html <file>', 'also write the trace as a self-contained HTML page (critical path marked)')
    .addOption(jaegerUrlOption())
    .addOption(timeoutOption())
    .option(
      '--json',
      'the trace as JSON: spans in tree order with depth, parent, service, timing and error (with --critical-path: { trace, criticalPath, summary })',
    )
    .action(
      async (
        id: string,
        opts: { criticalPath?: boolean; html?: string; jaegerUrl?: string; timeout: number; json?: boolean },
      ) => {
        const traceId = checkedTraceId(id);
        const loaded = await loadTrace(baseUrl(opts.jaegerUrl), traceId, opts.timeout);
        const path = criticalPath(loaded);
        const summary = timeSummary(loaded, path);
        if (opts.html) await writePage(opts.html, traceHtml(loaded, path, summary));
        if (opts.json) {
          json(opts.criticalPath ? { trace: loaded, criticalPath: path, summary } : loaded);
          return;
        }
        const color = useColor();
        print(
          renderWaterfall(loaded, {
            width: terminalWidth(),
            color,
            ...(opts.criticalPath ? { criticalPath: path } : {}),
          }),
        );
        if (opts.criticalPath) print(`\n${renderTimeSummary(summary, { color })}`);
      },
    );

  trace
    .command('diff')
    .description(
      'compare two traces: spans aligned by their path in the tree; spans only in A or B, and matched spans by how much slower or faster',
    )
    .argument('<a>', 'the trace id of the before')
    .argument('<b>', 'the trace id of the after')
    .addOption(
      new Option('-n, --limit <n>', 'changed spans to list').argParser(positiveInt('--limit')).default(25),
    )
    .option('--html <file>', 'also write the comparison as a self-contained HTML page')
    .addOption(jaegerUrlOption())
    .addOption(timeoutOption())
    .option('--json', 'the comparison as JSON: rows in tree order, by impact, per service')
    .action(
      async (
        a: string,
        b: string,
        opts: { limit: number; html?: string; jaegerUrl?: string; timeout: number; json?: boolean },
      ) => {
        const [idA, idB] = [checkedTraceId(a), checkedTraceId(b)];
        const jaegerUrl = baseUrl(opts.jaegerUrl);
        const [traceA, traceB] = await Promise.all([
          loadTrace(jaegerUrl, idA, opts.timeout),
          loadTrace(jaegerUrl, idB, opts.timeout),
        ]);
        const diff = diffTraces(traceA, traceB);
        if (opts.html) await writePage(opts.html, diffHtml(diff));
        if (opts.json) {
          const row = (r: (typeof diff.rows)[number]) => ({
            path: r.path,
            service: r.service,
            name: r.name,
            depth: r.depth,
            a: r.a ? { spanId: r.a.spanId, durationUs: r.a.duration } : undefined,
            b: r.b ? { spanId: r.b.spanId, durationUs: r.b.duration } : undefined,
            deltaUs: r.delta,
            ratio: r.ratio,
          });
          json({
            a: { traceId: traceA.traceId, durationUs: traceA.duration, spans: traceA.spans.length },
            b: { traceId: traceB.traceId, durationUs: traceB.duration, spans: traceB.spans.length },
            services: diff.services,
            byImpact: diff.byImpact.map(row),
            rows: diff.rows.map(row),
          });
          return;
        }
        print(renderDiff(diff, { color: useColor(), limit: opts.limit }));
      },
    );

  program
    .command('deps')
    .description(
      "the service dependency graph Jaeger derives from the traces (a span's service → its children's services, with counts)",
    )
    .addOption(
      new Option('--since <duration>', 'traces of this long before now (e.g. 15m, 2h)')
        .argParser(durationArg('--since'))
        .default(3_600_000, '1h'),
    )
    .addOption(
      new Option('-f, --format <format>', 'text, Graphviz dot or Mermaid')
        .choices(GRAPH_FORMATS)
        .default('text'),
    )
    .option('--html <file>', 'also write the graph as a self-contained HTML page (SVG)')
    .addOption(jaegerUrlOption())
    .option('--json', 'the edges as JSON: [{ parent, child, callCount }]')
    .action(
      async (opts: {
        since: number;
        format: GraphFormat;
        html?: string;
        jaegerUrl?: string;
        json?: boolean;
      }) => {
        const jaegerUrl = baseUrl(opts.jaegerUrl);
        const to = new Date();
        const links = await fetchDependencies(jaegerUrl, { end: to, lookbackMs: opts.since });
        if (!splitSelfCalls(links).between.length) {
          throw new InputError(
            `Jaeger at ${maskValue('url', jaegerUrl)} has no calls between services in the last ${formatDuration(opts.since * 1000)}`,
            'send requests through the traced apps first (e.g. `./pnpm milvus-otel verify`), or look further back with --since',
          );
        }
        if (opts.html) {
          await writePage(
            opts.html,
            depsHtml(links, { jaegerUrl, from: new Date(to.getTime() - opts.since), to }),
          );
        }
        if (opts.json) json(links);
        else print(renderDependencies(links, { format: opts.format, color: useColor() }));
      },
    );
}
