#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { execa } from 'execa';
import { devBanner, exampleApps, exampleUrls, startExamples } from './examples.ts';
import { installNativeTools } from './install.ts';
import { installTimer } from './install-timer.ts';
import { log, StackError } from './log.ts';
import { milvusLogFiles, milvusNonLoopback } from './loopback.ts';
import { ensureMilvusLite } from './milvus-lite.ts';
import { SERVICE_NAMES } from './native.ts';
import { daemon, logTail } from './process.ts';
import { clientEnv, loadSettings, SettingsError } from './settings.ts';
import { type Backend, isUp, recordedBackend, start, status, stop } from './stack.ts';

const program = new Command('milvus-otel-stack')
  .description(
    'The local tracing stack: Milvus standalone (tracing on) + Jaeger + Redis, with Docker when an engine runs, as native processes otherwise.',
  )
  .showHelpAfterError();

const backendOption = new Option('--backend <backend>', 'force a backend instead of auto-detecting').choices([
  'docker',
  'native',
]);

program
  .command('start')
  .description('start the stack (a no-op that says so when it already runs)')
  .addOption(backendOption)
  .action(async (opts: { backend?: Backend }) => {
    await start(loadSettings(), opts.backend);
  });

program
  .command('stop')
  .description('stop the stack; leaves no process behind')
  .action(async () => {
    await stop(loadSettings());
  });

program
  .command('status')
  .description('show what runs; exit code 0 only when every service is healthy')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const settings = loadSettings();
    const current = await status(settings);
    const up = await isUp(settings, current);
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ ...current, healthy: up, env: clientEnv(settings) }, null, 2)}\n`,
      );
    } else {
      log.plain(`backend: ${current.backend ?? 'none running'}`);
      for (const s of current.services) {
        const line =
          'pid' in s
            ? `${s.pid ?? '-'}\t${s.healthy ? 'healthy' : s.pid ? 'UNHEALTHY' : 'stopped'}`
            : 'running';
        log.plain(`  ${s.name}\t${line}`);
      }
    }
    process.exitCode = up ? 0 : 1;
  });

program
  .command('logs')
  .description('print the last lines of the native services’ logs')
  .argument('[service]', `one of ${SERVICE_NAMES.join(', ')}`)
  .option('-n, --lines <n>', 'lines per service', '40')
  .action((service: string | undefined, opts: { lines: string }) => {
    const settings = loadSettings();
    if (recordedBackend(settings) === 'docker') {
      log.plain('the stack runs in Docker: docker compose -p milvus-otel logs');
      return;
    }
    const names = service ? [service] : [...SERVICE_NAMES];
    for (const name of names) {
      if (!(SERVICE_NAMES as readonly string[]).includes(name))
        throw new StackError(`unknown service "${name}"`);
      const d = daemon(name, settings.stateDir, settings.logDir);
      log.plain(`==> ${d.logFile} <==\n${logTail(d.logFile, Number(opts.lines))}\n`);
    }
  });

program
  .command('check-loopback')
  .description(
    "check that the native Milvus server's logs name no address but loopback (exit 1 and list them if not)",
  )
  .action(() => {
    const settings = loadSettings();
    const files = milvusLogFiles(settings);
    if (files.length === 0)
      throw new StackError(`no Milvus log under ${settings.stateDir}: start the native stack first`);
    const hits = milvusNonLoopback(settings);
    if (hits.length === 0) {
      log.ok(`Milvus's logs name loopback addresses only (${files.length} files)`);
      return;
    }
    log.fail(`Milvus's logs name ${hits.length} line(s) with a non-loopback address:`);
    for (const hit of hits.slice(0, 10)) log.plain(`  ${hit.file}: ${hit.line.slice(0, 300)}`);
    process.exitCode = 1;
  });

program
  .command('install')
  .description(
    'install the native parts into the cache dir (Milvus wheel venv, Jaeger build, redis-server, Lambda RIE build, Milvus Lite venv)',
  )
  .action(async () => {
    const tools = { ...(await installNativeTools(loadSettings())), milvusLite: await ensureMilvusLite() };
    log.ok(`native tools ready: ${Object.values(tools).join(', ')}`);
  });

program
  .command('env')
  .description('print the environment a client needs to reach the stack (shell export lines)')
  .action(() => {
    for (const [k, v] of Object.entries(clientEnv(loadSettings())))
      process.stdout.write(`export ${k}=${v}\n`);
  });

program
  .command('with')
  .description(
    'run a command against the stack: start it if needed, stop it afterwards only if this started it',
  )
  .argument('<command...>', 'the command (after --)')
  .addOption(backendOption)
  .action(async (command: string[], opts: { backend?: Backend }) => {
    const settings = loadSettings();
    const { started } = await start(settings, opts.backend);
    const [file, ...args] = command as [string, ...string[]];
    const result = await execa(file, args, {
      stdio: 'inherit',
      reject: false,
      env: clientEnv(settings),
      forceKillAfterDelay: 10_000,
    });
    if (started) await stop(settings);
    process.exitCode = result.exitCode ?? 1;
  });

program
  .command('dev')
  .description(
    'start the stack and the example apps in the foreground (prefixed logs, health-gated); Ctrl-C stops everything',
  )
  .argument('[command...]', 'a command to run alongside (after --)')
  .addOption(backendOption)
  .option('--no-examples', 'run only the stack (and the command, if any)')
  .option('--only <names>', 'comma-separated examples to run: express,worker,serverless')
  .action(async (command: string[], opts: { backend?: Backend; examples: boolean; only?: string }) => {
    const settings = loadSettings();
    const lock = join(settings.stateDir, 'dev.pid');
    const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : undefined;
    if (holder && holder !== process.pid && alive(holder)) {
      log.warn(
        `a dev session is already running (pid ${holder}); use that terminal, or stop it with Ctrl-C there.`,
      );
      return;
    }
    const all = exampleApps(settings);
    const wanted = opts.only?.split(',').map((n) => n.trim());
    const unknown = wanted?.filter((n) => !all.some((a) => a.name === n)) ?? [];
    if (unknown.length > 0) {
      throw new StackError(
        `--only: unknown example ${unknown.join(', ')} (choose from express, worker, serverless)`,
      );
    }
    const apps = opts.examples ? all.filter((a) => !wanted || wanted.includes(a.name)) : [];

    mkdirSync(settings.stateDir, { recursive: true }); // a fresh clone has no .stack/ yet
    writeFileSync(lock, `${process.pid}\n`);
    // Nothing else may hold the event loop open while we wait for Ctrl-C.
    const keepAlive = setInterval(() => {}, 1 << 30);
    let interrupted = false;
    const interrupt = new Promise<void>((resolve) => {
      // Ctrl-C often arrives twice (the terminal signals the whole group, and pnpm forwards it to its script too):
      // later signals must not kill this process half-way through stopping what it started.
      const onSignal = () => {
        if (interrupted)
          return log.plain('(still stopping: the examples drain their requests and flush their spans)');
        interrupted = true;
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    let started = false;
    let examples: { stop: () => Promise<void> } | undefined;
    const children: ReturnType<typeof execa>[] = [];
    try {
      const began = Date.now();
      const installed = installTimer();
      ({ started } = await start(settings, opts.backend));
      const stackMs = Date.now() - began;
      if (apps.length > 0 && !interrupted) {
        log.step(`starting the examples: ${apps.map((a) => a.name).join(', ')}`);
        examples = await startExamples(settings, apps);
      }
      const timings = { stackMs, examplesMs: Date.now() - began - stackMs, ...installed() };
      const done = new Promise<void>((resolve) => {
        if (command.length > 0) {
          const [file, ...args] = command as [string, ...string[]];
          const child = execa(file, args, {
            stdio: 'inherit',
            reject: false,
            env: { ...clientEnv(settings), ...exampleUrls(apps) },
          });
          children.push(child);
          child.finally(() => resolve());
        }
      });
      if (!interrupted) {
        log.plain(
          apps.length > 0 ? devBanner(settings, apps, started, timings) : 'stack running — Ctrl-C to stop',
        );
        await Promise.race([interrupt, done]);
      }
    } finally {
      clearInterval(keepAlive);
      log.step('stopping');
      for (const child of children) {
        child.kill('SIGTERM'); // a no-op once it has exited
        await child;
      }
      await examples?.stop();
      rmSync(lock, { force: true });
      if (started) await stop(settings);
      log.ok(started || examples ? 'dev: everything it started has stopped' : 'dev: stopped');
    }
  });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof StackError || error instanceof SettingsError) {
    log.fail(error.message);
    process.exit(1);
  }
  throw error;
}
