#!/usr/bin/env node
import { ConfigError, maskValue } from '@milvus-otel/config';
import { normalizeMilvusVersion } from '@milvus-otel/config/server';
import { JaegerError } from '@milvus-otel/jaeger-query';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { positiveInt, terminalWidth } from './cli-args.js';
import { doctor, doctorDefaults } from './doctor.js';
import { InputError, readInputFile, readYamlFile, writeOutputFiles } from './input.js';
import { render, TARGET_NAMES, TARGETS, type TargetName } from './render.js';
import { DeployConfigError, resolveDeployConfig } from './settings.js';
import { renderWaterfall, useColor } from './trace/waterfall.js';
import { addTraceCommands } from './trace-commands.js';
import { issueLine, validateText } from './validate.js';
import { readVerifyTargets, VerifyTargetsError } from './verify/targets.js';
import { defaultJaegerUrl, summarize, verifyTraces } from './verify/verify.js';

const program = new Command('milvus-otel')
  .description(
    'Deployment files for end-to-end tracing through Milvus: render them, validate yours, check a running stack.',
  )
  .showHelpAfterError()
  // Lets `trace` keep its options apart from those of `trace diff` (commander needs it on every parent).
  .enablePositionalOptions();

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
  .option(
    '--merge-values <file>',
    "helm: the release's values (helm get values <release> -o yaml); values-upgrade.yaml keeps its user.yaml, trace replaced",
  )
  .addOption(new Option('--json', 'print [{ path, content }] as JSON').conflicts('out'))
  .addHelpText(
    'after',
    `\nTargets:\n${TARGET_NAMES.map((t) => `  ${t.padEnd(16)} ${TARGETS[t].description}`).join('\n')}`,
  )
  .action(
    async (
      target: TargetName | 'all',
      opts: { out?: string; config?: string; milvusVersion?: string; mergeValues?: string; json?: boolean },
    ) => {
      // An empty config file means every default.
      const loaded: unknown = opts.config ? ((await readYamlFile(opts.config)) ?? {}) : {};
      // The flag wins over milvus.version; a config that is no object is left for the validation to name.
      const input =
        opts.milvusVersion && isRecord(loaded) && (loaded.milvus === undefined || isRecord(loaded.milvus))
          ? { ...loaded, milvus: { ...loaded.milvus, version: opts.milvusVersion } }
          : loaded;
      const helmReleaseValues = opts.mergeValues
        ? ((await readYamlFile(opts.mergeValues)) ?? null)
        : undefined;
      const files = render(target, resolveDeployConfig(input), { helmReleaseValues });
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
      for (const i of report.issues) process.stdout.write(`${issueLine(i, report.milvusVersion)}\n`);
      for (const w of report.warnings)
        process.stdout.write(`  ! ${w.key}: ${w.message}${w.fix ? `\n    hint: ${w.fix}` : ''}\n`);
    }
    process.exitCode = report.ok ? 0 : 1;
  });

program
  .command('doctor')
  .description(
    'check a running stack: Milvus health, Jaeger reachable, OTLP port open, Milvus spans present in Jaeger, and Prometheus ready when metrics go there',
  )
  .addOption(new Option('--milvus-address <host:port>', 'Milvus gRPC address').env('MILVUS_ADDRESS'))
  .addOption(new Option('--milvus-health-url <url>', 'Milvus health URL').env('MILVUS_HEALTH_URL'))
  .addOption(new Option('--jaeger-url <url>', 'Jaeger query base URL').env('JAEGER_QUERY_URL'))
  .addOption(new Option('--otlp-endpoint <url>', 'OTLP gRPC endpoint').env('OTEL_EXPORTER_OTLP_ENDPOINT'))
  .addOption(
    new Option(
      '--prometheus-url <url>',
      'Prometheus base URL (default: from OTEL_EXPORTER_OTLP_METRICS_ENDPOINT when OTEL_METRICS_EXPORTER=otlp)',
    ).env('PROMETHEUS_URL'),
  )
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
      prometheusUrl: (opts.prometheusUrl as string | undefined) ?? defaults.prometheusUrl,
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

program
  .command('verify')
  .description(
    "send real requests to the targets of a file and check each one's trace in Jaeger: entry span → Milvus client span → Milvus server spans, one trace, nothing orphaned",
  )
  .addOption(
    new Option(
      '-t, --targets <file>',
      'the targets (YAML or JSON): the requests to send, where each answers its trace id, the trace expected',
    ).env('MILVUS_OTEL_VERIFY_TARGETS'),
  )
  .addOption(
    new Option('--target <name>', 'only this target of the file (repeatable)').argParser(
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    ),
  )
  .addOption(
    new Option('-n, --count <n>', 'requests per target').argParser(positiveInt('--count')).default(5),
  )
  .addOption(
    new Option('--concurrency <n>', 'requests in flight at once')
      .argParser(positiveInt('--concurrency'))
      .default(4),
  )
  .addOption(
    new Option('--jaeger-url <url>', "Jaeger query base URL (default: the file's jaegerUrl)").env(
      'JAEGER_QUERY_URL',
    ),
  )
  .addOption(
    new Option('--timeout <ms>', 'how long to wait for each trace to be complete in Jaeger')
      .argParser(positiveInt('--timeout'))
      .default(30_000),
  )
  .option('--json', 'machine-readable report')
  .action(
    async (opts: {
      targets?: string;
      target?: string[];
      count: number;
      concurrency: number;
      jaegerUrl?: string;
      timeout: number;
      json?: boolean;
    }) => {
      if (!opts.targets) {
        throw new InputError(
          'no targets: verify needs the requests to send and the trace each must give',
          'pass --targets <file> (or set MILVUS_OTEL_VERIFY_TARGETS); see the targets file format in the README of @milvus-otel/deploy',
        );
      }
      const file = await readVerifyTargets(opts.targets);
      const unknown = (opts.target ?? []).filter((n) => !file.targets.some((t) => t.name === n));
      if (unknown.length) {
        throw new InputError(
          `${opts.targets} has no target ${unknown.map((n) => JSON.stringify(n)).join(', ')}`,
          `choose from ${file.targets.map((t) => t.name).join(', ')}`,
        );
      }
      const result = await verifyTraces({
        targets: opts.target ? file.targets.filter((t) => opts.target?.includes(t.name)) : file.targets,
        count: opts.count,
        concurrency: opts.concurrency,
        jaegerUrl: opts.jaegerUrl ?? file.jaegerUrl ?? defaultJaegerUrl(),
        timeoutMs: opts.timeout,
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, (k, v) => (k === 'sample' ? undefined : v), 2)}\n`);
      } else if (result.error) {
        process.stderr.write(`✗ ${maskValue('error', result.error)}\n`);
      } else {
        const color = useColor();
        for (const r of result.targets) {
          process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.name} (${r.url}): ${summarize(r)}\n`);
          for (const f of r.failures.slice(0, 10)) {
            process.stdout.write(`  - ${f.traceId ?? '(no trace)'} ${f.check}: ${f.message}\n`);
          }
          if (r.failures.length > 10) process.stdout.write(`  … ${r.failures.length - 10} more\n`);
          if (r.sample) {
            process.stdout.write(
              `\n${renderWaterfall(r.sample, { width: terminalWidth() - 2, color })
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

addTraceCommands(program);

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
    error instanceof VerifyTargetsError ||
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
