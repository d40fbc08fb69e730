import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { httpOk, tcpOpen, waitReady } from './health.ts';
import { ensureLambdaRie } from './lambda.ts';
import { log, StackError } from './log.ts';
import { takenPorts } from './ports.ts';
import { groupAlive, logTail } from './process.ts';
import { clientEnv, type PortSpec, type StackSettings } from './settings.ts';

/** An example app that `dev` runs next to the stack: its folder, port, how to tell it is up, and how to try it. */
export interface ExampleApp {
  /** Short name, used as log prefix and as the target's name in tools/stack/verify-examples.yaml (`verify --target`). */
  readonly name: 'express' | 'worker' | 'serverless';
  readonly dir: string;
  /** Its OTEL_SERVICE_NAME: the service its spans appear under in Jaeger. */
  readonly service: string;
  readonly port: PortSpec;
  /** `http`: GET /healthz answers 2xx; `tcp`: the port accepts connections (the Lambda emulator). */
  readonly health: 'http' | 'tcp';
  readonly color: string;
  /** Lines that show a user how to try it, given its base URL. */
  readonly tryIt: (url: string) => string[];
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number, what: string): PortSpec {
  const raw = env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StackError(
      `${name}=${JSON.stringify(raw)} is not a port number (1-65535). Fix: set ${name}=${fallback}.`,
    );
  }
  return { env: name, port: value, what };
}

const EVENT = `{"version":"2.0","routeKey":"GET /search","rawPath":"/search","rawQueryString":"q=running+shoes","queryStringParameters":{"q":"running shoes"},"headers":{},"requestContext":{"http":{"method":"GET","path":"/search"}},"isBase64Encoded":false}`;

/** The example apps, ports from EXPRESS_PORT / WORKER_PORT / LAMBDA_PORT. */
export function exampleApps(settings: StackSettings, env: NodeJS.ProcessEnv = process.env): ExampleApp[] {
  const root = join(settings.repoRoot, 'examples');
  return [
    {
      name: 'express',
      dir: join(root, 'express-service'),
      service: 'express-service',
      port: port(env, 'EXPRESS_PORT', 3000, 'Express service example'),
      health: 'http',
      color: '35',
      tryIt: (url) => [
        `curl -i '${url}/search?q=running+shoes'`,
        `curl -i -X POST ${url}/documents -H 'content-type: application/json' -d '{"id":"d1","title":"Trail running shoes","body":"Light shoes for muddy trails","category":"shoes"}'`,
      ],
    },
    {
      name: 'worker',
      dir: join(root, 'worker'),
      service: 'worker',
      port: port(env, 'WORKER_PORT', 3001, 'queue worker example (health)'),
      health: 'http',
      color: '34',
      tryIt: (url) => [
        `curl -i -X POST ${url.replace(/:\d+$/, `:${env.EXPRESS_PORT ?? 3000}`)}/ingest -H 'content-type: application/json' -d '{"documents":[{"id":"d2","title":"Rain jacket","body":"Waterproof and breathable","category":"clothing"}]}'`,
        `(the Express service enqueues the job; the worker embeds and inserts it — health at ${url}/healthz)`,
      ],
    },
    {
      name: 'serverless',
      dir: join(root, 'serverless'),
      service: 'serverless',
      port: port(env, 'LAMBDA_PORT', 8080, 'serverless example (Lambda Runtime Interface Emulator)'),
      health: 'tcp',
      color: '33',
      tryIt: (url) => [`curl -s ${url}/2015-03-31/functions/function/invocations -d '${EVENT}'`],
    },
  ];
}

/** Base URLs of the examples (EXPRESS_URL, WORKER_URL, LAMBDA_URL: what tools/stack/verify-examples.yaml reads). */
export function exampleUrls(apps: readonly ExampleApp[]): Record<string, string> {
  const url = (name: ExampleApp['name']) => {
    const app = apps.find((a) => a.name === name);
    return app ? `http://127.0.0.1:${app.port.port}` : '';
  };
  return { EXPRESS_URL: url('express'), WORKER_URL: url('worker'), LAMBDA_URL: url('serverless') };
}

/** How often the examples export metrics in dev: often enough to see a request's metrics in Prometheus at once. */
export const EXAMPLE_METRIC_INTERVAL_MS = 5000;

/**
 * The environment each example runs with: the stack's client env with metrics on (to the stack's Prometheus), its
 * port and service name, the others' URLs.
 */
export function exampleEnv(settings: StackSettings, apps: readonly ExampleApp[], app: ExampleApp) {
  return {
    ...clientEnv(settings),
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_METRIC_EXPORT_INTERVAL: String(EXAMPLE_METRIC_INTERVAL_MS),
    ...exampleUrls(apps),
    PORT: String(app.port.port),
    OTEL_SERVICE_NAME: app.service,
  };
}

interface Running {
  readonly app: ExampleApp;
  readonly child: ChildProcess;
  exit?: string;
}

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;

/** Copies a child's output line by line to our stdout with a coloured `name │` prefix, and to its log file. */
function pipeWithPrefix(running: Running, logFile: string): void {
  const { app, child } = running;
  const label = app.name.padEnd(10);
  const prefix = useColor ? `\x1b[${app.color}m${label}│\x1b[0m ` : `${label}│ `;
  const file = createWriteStream(logFile, { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${prefix}${line}\n`);
      file.write(`${line}\n`);
    });
  }
  child.once('close', () => file.end());
}

/**
 * Starts every example (`pnpm run start` in its folder, unless told otherwise) with prefixed logs, and waits until each is healthy.
 * Nothing half-starts: if one fails or a port is taken, the others are stopped and the error says why.
 */
export async function startExamples(
  settings: StackSettings,
  apps: readonly ExampleApp[],
  {
    timeoutMs = 120_000,
    command = ['pnpm', '--silent', 'run', 'start'],
    env = {},
  }: {
    timeoutMs?: number;
    /** How to start an example in its folder. @default pnpm --silent run start */
    command?: readonly string[];
    /** Added to each example's environment. */
    env?: Record<string, string>;
  } = {},
): Promise<{ stop: () => Promise<void> }> {
  const taken = await takenPorts(apps.map((a) => a.port));
  if (taken.length > 0) throw new StackError(`cannot start the examples:\n  ${taken.join('\n  ')}`);
  const missing = apps.filter((a) => !existsSync(join(a.dir, 'package.json')));
  if (missing.length > 0)
    throw new StackError(`example folder missing: ${missing.map((a) => a.dir).join(', ')}`);

  mkdirSync(settings.logDir, { recursive: true });
  // The serverless example runs under the real Lambda Runtime Interface Emulator: built once here, or an error.
  const lambda = apps.some((a) => a.name === 'serverless')
    ? { AWS_LAMBDA_RIE: await ensureLambdaRie(settings) }
    : {};
  const running: Running[] = apps.map((app) => {
    const [file = 'pnpm', ...args] = command;
    const child = spawn(file, args, {
      cwd: app.dir,
      env: { ...process.env, ...exampleEnv(settings, apps, app), ...lambda, ...env },
      detached: true, // its own process group: stop() signals the whole tree
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r: Running = { app, child };
    child.once('error', (e) => {
      r.exit = `could not run ${file}: ${e.message}`;
    });
    child.once('exit', (code, signal) => {
      r.exit = `exited (${signal ?? `code ${code}`})`;
    });
    pipeWithPrefix(r, join(settings.logDir, `example-${app.name}.log`));
    return r;
  });

  const stop = async () => {
    await Promise.all(running.map((r) => stopGroup(r, 15_000)));
  };
  try {
    await Promise.all(
      running.map(async (r) => {
        const url = `http://127.0.0.1:${r.app.port.port}`;
        const healthy = () => (r.app.health === 'http' ? httpOk(`${url}/healthz`) : tcpOpen(r.app.port.port));
        let why: string | undefined;
        try {
          const notReady = await waitReady(
            r.app.name,
            async () => ((await healthy()) ? undefined : 'no answer'),
            {
              timeoutMs,
              intervalMs: 500,
              progressMs: Number.POSITIVE_INFINITY, // the example's own log, prefixed, says what it waits for
              abort: () => r.exit,
            },
          );
          if (notReady !== undefined) why = `no answer within ${timeoutMs / 1000} s`;
        } catch (error) {
          why = (error as Error).message;
        }
        if (why !== undefined) {
          throw new StackError(
            `example ${r.app.name} did not become healthy: ${why}\n${logTail(join(settings.logDir, `example-${r.app.name}.log`))}`,
          );
        }
        log.ok(`${r.app.name} healthy at ${url}`);
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

/** SIGTERM to the example's process group (it drains and flushes its spans), SIGKILL after `graceMs`. */
async function stopGroup(r: Running, graceMs: number): Promise<void> {
  const pid = r.child.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  // The whole group, not just its leader: `pnpm run start` may end before the app it started has drained and
  // flushed its spans (the shell between them dies of the SIGTERM pnpm passes on).
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!groupAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
  while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

/** How long `dev` took to get everything up, in ms. */
export interface DevTimings {
  /** The native parts installed on this run (a cold first start), if any were. */
  installMs?: number;
  /** The stack, from the command's start to every service answering (its installs included). */
  stackMs: number;
  /** The examples, from their start to every one healthy. */
  examplesMs: number;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/**
 * What `dev` prints once everything is up: how long it took, URLs, a sample command per example, where traces are.
 * `startedStack`: whether this dev session started the stack (and so stops it on Ctrl-C).
 */
export function devBanner(
  settings: StackSettings,
  apps: readonly ExampleApp[],
  startedStack = true,
  timings?: DevTimings,
): string {
  const jaeger = `http://127.0.0.1:${settings.ports.jaegerQuery.port}`;
  const prometheus = `http://127.0.0.1:${settings.ports.prometheus.port}`;
  // On a first start the native parts install in parallel with the stack's start and the examples' (the Lambda
  // emulator): their time is a share of the whole, not of one phase.
  const took = timings
    ? ` in ${secs(timings.stackMs + timings.examplesMs)} (${timings.installMs !== undefined ? `first start: installing the native parts took ${secs(timings.installMs)} of it; ` : ''}stack ${secs(timings.stackMs)}, examples ${secs(timings.examplesMs)})`
    : '';
  const lines = ['', `milvus-otel dev — everything is up${took}. Try:`];
  for (const app of apps) {
    lines.push('', `  ${app.name} (service "${app.service}") at http://127.0.0.1:${app.port.port}`);
    for (const line of app.tryIt(`http://127.0.0.1:${app.port.port}`)) lines.push(`    ${line}`);
  }
  lines.push(
    '',
    `  Traces: Jaeger at ${jaeger} (UI with Docker; API: ${jaeger}/api/v3/traces/<trace id>).`,
    '  Every response carries its trace id in the x-trace-id header; show one as a waterfall with',
    '    ./pnpm milvus-otel trace <trace id>',
    '  and check all three examples end to end with',
    '    ./pnpm milvus-otel verify',
    '',
    `  Metrics: Prometheus at ${prometheus} (API; UI with Docker): the examples send db.client.operation.duration`,
    `    every ${EXAMPLE_METRIC_INTERVAL_MS / 1000} s, e.g. ${prometheus}/api/v1/query?query=sum+by+(db_operation_name)(db_client_operation_duration_seconds_count)`,
    '',
    startedStack
      ? 'Ctrl-C stops the examples (their spans are flushed) and the stack.'
      : 'Ctrl-C stops the examples (their spans are flushed); the stack was already running and keeps running.',
  );
  return lines.join('\n');
}
