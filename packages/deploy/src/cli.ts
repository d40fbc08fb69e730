#!/usr/bin/env node
import { ConfigError, maskValue, normalizeMilvusVersion } from '@milvus-otel/config';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { doctor, doctorDefaults } from './doctor.js';
import { InputError, readInputFile, readYamlFile, writeOutputFiles } from './input.js';
import { LOCAL_STACK } from './local-stack.js';
import { render, TARGET_NAMES, TARGETS, type TargetName } from './render.js';
import { DeployConfigError, resolveDeployConfig } from './settings.js';
import { JaegerError, traceIdProblem, waitForTrace } from './trace/jaeger.js';
import { renderWaterfall, useColor } from './trace/waterfall.js';
import { validateText } from './validate.js';
import {
  EXAMPLE_NAMES,
  type ExampleName,
  summarize,
  verifyDefaults,
  verifyExamples,
} from './verify/verify.js';

const program = new Command('milvus-otel')
  .description(
    'Deployment files for end-to-end tracing through Milvus: render them, validate yours, check a running stack.',
  )
  .showHelpAfterError();

/** The command being run, for error messages (`milvus-otel render: …`). */
let commandName = '';
program.hook('preAction', (_program, command) => {
  commandName = command.name();
});

/** `--milvus-version`: a release as users write it (`2.5.11`, `v2.5.11`, `2.5`, `2.5.11-gpu`), normalised. */
function milvusVersionArg(value: string): string {
  const version = /^v?\d+(\.\d+){0,2}(-[0-9a-z.-]+)?$/i.test(value)
    ? normalizeMilvusVersion(value)
    : undefined;
  if (!version) {
    throw new InvalidArgumentError(
      'Expected a Milvus release such as 2.5.11 (also written v2.5.11, or 2.5 for 2.5.0).',
    );
  }
  return version;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

program
  .command('render')
  .description('render the files of a target from one validated config')
  .addArgument(new Argument('<target>', 'what to render').choices(['all', ...TARGET_NAMES]))
  .option('-o, --out <dir>', 'write the files under this folder (default: print them)')
  .option('-c, --config <file>', 'deploy config (YAML or JSON)')
  .addOption(
    new Option(
      '--milvus-version <version>',
      'Milvus server release the files are for (validates the trace section for it)',
    ).argParser(milvusVersionArg),
  )
  .addOption(
    new Option(
      '--local-stack',
      "this repository's local stack config (what docker/ is rendered from)",
    ).conflicts('config'),
  )
  .addOption(new Option('--json', 'print [{ path, content }] as JSON').conflicts('out'))
  .addHelpText(
    'after',
    `\nTargets:\n${TARGET_NAMES.map((t) => `  ${t.padEnd(16)} ${TARGETS[t].description}`).join('\n')}`,
  )
  .action(
    async (
      target: TargetName | 'all',
      opts: { out?: string; config?: string; milvusVersion?: string; localStack?: boolean; json?: boolean },
    ) => {
      // An empty config file means every default.
      const loaded: unknown = opts.localStack
        ? structuredClone(LOCAL_STACK)
        : opts.config
          ? ((await readYamlFile(opts.config)) ?? {})
          : {};
      // The flag wins over milvus.version; a config that is no object is left for the validation to name.
      const input =
        opts.milvusVersion && isRecord(loaded) && (loaded.milvus === undefined || isRecord(loaded.milvus))
          ? { ...loaded, milvus: { ...loaded.milvus, version: opts.milvusVersion } }
          : loaded;
      const files = render(target, resolveDeployConfig(input));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(files, null, 2)}\n`);
      } else if (opts.out) {
        await writeOutputFiles(opts.out, files, (path) => process.stderr.write(`wrote ${path}\n`));
      } else {
        for (const file of files) process.stdout.write(`# ==> ${file.path} <==\n${file.content}\n`);
      }
    },
  );

program
  .command('validate')
  .description(
    'check the Milvus trace settings in your milvus.yaml / user.yaml, Helm values or Milvus CR, and print the fixes',
  )
  .argument('<file>', 'the file to check')
  .addOption(
    new Option(
      '--milvus-version <version>',
      'the Milvus release the file is for (default: the image tag in the file, else the newest)',
    ).argParser(milvusVersionArg),
  )
  .option('--json', 'machine-readable report')
  .action(async (file: string, opts: { milvusVersion?: string; json?: boolean }) => {
    const report = validateText(file, await readInputFile(file), opts.milvusVersion);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const what = `${file}${report.kind ? ` (${report.kind})` : ''} for Milvus ${report.milvusVersion}`;
      if (report.ok) process.stdout.write(`✓ ${what}: trace settings are valid\n`);
      else process.stdout.write(`✗ ${what}: ${report.issues.length} problem(s)\n`);
      for (const i of report.issues) {
        process.stdout.write(
          `  - ${i.key}${i.value === undefined ? '' : ` = ${JSON.stringify(i.value)}`}: expected ${i.expected}\n    fix: ${i.fix}\n`,
        );
      }
      for (const w of report.warnings)
        process.stdout.write(`  ! ${w.key}: ${w.message}${w.fix ? `\n    hint: ${w.fix}` : ''}\n`);
    }
    process.exitCode = report.ok ? 0 : 1;
  });

program
  .command('doctor')
  .description(
    'check a running stack: Milvus health, Jaeger reachable, OTLP port open, Milvus spans present in Jaeger',
  )
  .addOption(new Option('--milvus-address <host:port>', 'Milvus gRPC address').env('MILVUS_ADDRESS'))
  .addOption(new Option('--milvus-health-url <url>', 'Milvus health URL').env('MILVUS_HEALTH_URL'))
  .addOption(new Option('--jaeger-url <url>', 'Jaeger query base URL').env('JAEGER_QUERY_URL'))
  .addOption(new Option('--otlp-endpoint <url>', 'OTLP gRPC endpoint').env('OTEL_EXPORTER_OTLP_ENDPOINT'))
  .addOption(
    new Option('--milvus-service <name>', 'service name of the Milvus server in Jaeger').default(
      'standalone',
    ),
  )
  .option('--json', 'machine-readable report')
  .action(async (opts: Record<string, string | boolean | undefined>) => {
    const defaults = doctorDefaults();
    const checks = await doctor({
      milvusAddress: (opts.milvusAddress as string) ?? defaults.milvusAddress,
      milvusHealthUrl: (opts.milvusHealthUrl as string) ?? defaults.milvusHealthUrl,
      jaegerUrl: ((opts.jaegerUrl as string) ?? defaults.jaegerUrl).replace(/\/+$/, ''),
      otlpEndpoint: (opts.otlpEndpoint as string) ?? defaults.otlpEndpoint,
      milvusService: (opts.milvusService as string) ?? defaults.milvusService,
    });
    const ok = checks.every((c) => c.ok);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
    } else {
      for (const c of checks) {
        process.stdout.write(
          `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}\n${c.fix ? `    fix: ${c.fix}\n` : ''}`,
        );
      }
    }
    process.exitCode = ok ? 0 : 1;
  });

const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number ≥ 1`);
  return n;
};
const waterfallWidth = () => process.stdout.columns || Number(process.env.COLUMNS) || 100;

program
  .command('verify')
  .description(
    "send real requests through the examples and check each one's trace in Jaeger: entry span → Milvus client span → Milvus server spans, one trace, nothing orphaned",
  )
  .addOption(
    new Option('--example <name>', 'which example').choices(['all', ...EXAMPLE_NAMES]).default('all'),
  )
  .addOption(
    new Option('-n, --count <n>', 'requests per example').argParser(positiveInt('--count')).default(5),
  )
  .addOption(
    new Option('--concurrency <n>', 'requests in flight at once')
      .argParser(positiveInt('--concurrency'))
      .default(4),
  )
  .addOption(new Option('--express-url <url>', 'Express service (and its worker)').env('EXPRESS_URL'))
  .addOption(new Option('--lambda-url <url>', 'Lambda runtime interface emulator').env('LAMBDA_URL'))
  .addOption(new Option('--jaeger-url <url>', 'Jaeger query base URL').env('JAEGER_QUERY_URL'))
  .addOption(
    new Option('--timeout <ms>', 'how long to wait for each trace to be complete in Jaeger')
      .argParser(positiveInt('--timeout'))
      .default(30_000),
  )
  .option('--json', 'machine-readable report')
  .action(
    async (opts: {
      example: ExampleName | 'all';
      count: number;
      concurrency: number;
      expressUrl?: string;
      lambdaUrl?: string;
      jaegerUrl?: string;
      timeout: number;
      json?: boolean;
    }) => {
      const defaults = verifyDefaults();
      const result = await verifyExamples({
        examples: opts.example === 'all' ? EXAMPLE_NAMES : [opts.example],
        count: opts.count,
        concurrency: opts.concurrency,
        expressUrl: opts.expressUrl ?? defaults.expressUrl,
        lambdaUrl: opts.lambdaUrl ?? defaults.lambdaUrl,
        jaegerUrl: opts.jaegerUrl ?? defaults.jaegerUrl,
        timeoutMs: opts.timeout,
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, (k, v) => (k === 'sample' ? undefined : v), 2)}\n`);
      } else if (result.error) {
        process.stderr.write(`✗ ${maskValue('error', result.error)}\n`);
      } else {
        const color = useColor();
        for (const r of result.examples) {
          process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.example} (${r.url}): ${summarize(r)}\n`);
          for (const f of r.failures.slice(0, 10)) {
            process.stdout.write(`  - ${f.traceId ?? '(no trace)'} ${f.check}: ${f.message}\n`);
          }
          if (r.failures.length > 10) process.stdout.write(`  … ${r.failures.length - 10} more\n`);
          if (r.sample) {
            process.stdout.write(
              `\n${renderWaterfall(r.sample, { width: waterfallWidth() - 2, color })
                .split('\n')
                .map((l) => (l ? `  ${l}` : l))
                .join('\n')}\n`,
            );
          }
        }
      }
      process.exitCode = result.ok ? 0 : 1;
    },
  );

program
  .command('trace')
  .description('print a trace from Jaeger as a waterfall: the span tree on a time axis, services, errors')
  .addArgument(
    new Argument('<trace-id>', 'the trace id (32 hex digits)').argParser((value) => {
      const problem = traceIdProblem(value);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
      return value;
    }),
  )
  .addOption(new Option('--jaeger-url <url>', 'Jaeger query base URL').env('JAEGER_QUERY_URL'))
  .addOption(
    new Option('--timeout <ms>', 'how long to wait for the trace to arrive and settle')
      .argParser(positiveInt('--timeout'))
      .default(5000),
  )
  .option('--json', 'the trace as JSON: spans in tree order with depth, parent, service, timing and error')
  .action(async (traceId: string, opts: { jaegerUrl?: string; timeout: number; json?: boolean }) => {
    const jaegerUrl = (opts.jaegerUrl ?? verifyDefaults().jaegerUrl).replace(/\/+$/, '');
    const trace = await waitForTrace(jaegerUrl, traceId, { timeoutMs: opts.timeout, settleMs: 0 });
    if (!trace) {
      process.stderr.write(
        `trace ${traceId} is not in Jaeger at ${maskValue('url', jaegerUrl)} (waited ${opts.timeout} ms)\n`,
      );
      process.exitCode = 1;
      return;
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(trace, null, 2)}\n`);
    else process.stdout.write(renderWaterfall(trace, { width: waterfallWidth(), color: useColor() }));
  });

// `milvus-otel render all | head` closes stdout early: that is no error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync();
} catch (error) {
  const prefix = `milvus-otel${commandName ? ` ${commandName}` : ''}:`;
  let text: string;
  // Errors about the user's input or setup: the message says what and how to fix it, a stack trace would not help.
  if (error instanceof InputError) {
    text = `${error.message}\n  fix: ${error.fix}`;
  } else if (
    error instanceof ConfigError ||
    error instanceof DeployConfigError ||
    error instanceof JaegerError
  ) {
    text = error.message;
  } else {
    // Anything else is a fault of this program: the stack trace is what a report of it needs.
    text = `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  // Messages may echo URLs the user gave (--jaeger-url, a config's URLs): no credentials on the terminal.
  process.stderr.write(`${prefix} ${maskValue('message', text)}\n`);
  process.exit(1);
}
