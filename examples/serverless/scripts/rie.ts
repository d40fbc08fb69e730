/**
 * Runs the built function under the AWS Lambda Runtime Interface Emulator (RIE) — the real Lambda Runtime API —
 * with `aws-lambda-ric` (the Node.js runtime interface client) as the runtime: RIE starts `node scripts/runtime.mjs`
 * (aws-lambda-ric, which also takes a payload that is not JSON), which polls RIE's Runtime API for invocations and
 * calls `handler.handler` from dist/handler.mjs.
 *
 * Invoke it with `POST http://127.0.0.1:<port>/2015-03-31/functions/function/invocations` and an event as the body.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

export interface FunctionProcess {
  /** `http://127.0.0.1:<port>/2015-03-31/functions/function/invocations` */
  invokeUrl: string;
  rie: ChildProcess;
  /** Everything RIE and the runtime printed so far. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** The emulator's port for invocations. */
  port: number;
  /** The Runtime API's port (RIE's own default, 9001, would clash between two emulators on one machine). */
  runtimeApiPort: number;
  /** The function's environment (OTEL_*, MILVUS_*, DOCS_COLLECTION…); PATH and HOME are added. */
  env: Record<string, string | undefined>;
  /** The aws-lambda-rie binary. */
  rie: string;
  functionName?: string;
  /** Address to listen on; 127.0.0.1 unless told (0.0.0.0 in a container). */
  host?: string;
  /** The folder with handler.mjs (what Lambda unpacks the zip into, /var/task); dist/ unless told. */
  taskRoot?: string;
}

/**
 * The emulator binary: AWS_LAMBDA_RIE, else `aws-lambda-rie` on PATH; undefined when neither is there. An
 * AWS_LAMBDA_RIE that names no file is an error, not a reason to run some other emulator.
 */
export function findRie(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_LAMBDA_RIE) {
    if (existsSync(env.AWS_LAMBDA_RIE)) return env.AWS_LAMBDA_RIE;
    throw new Error(
      `AWS_LAMBDA_RIE=${env.AWS_LAMBDA_RIE}: no such file\n  fix: point AWS_LAMBDA_RIE at an aws-lambda-rie binary, or unset it`,
    );
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'aws-lambda-rie');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function startFunction(options: StartOptions): Promise<FunctionProcess> {
  const taskRoot = options.taskRoot ?? DIST;
  if (!existsSync(join(taskRoot, 'handler.mjs'))) {
    throw new Error(`${join(taskRoot, 'handler.mjs')} is missing: run \`pnpm build\` first`);
  }
  const host = options.host ?? '127.0.0.1';
  const functionName = options.functionName ?? 'search-function';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.env,
    // What the Lambda service sets for a function; RIE and aws-lambda-ric read these.
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_REGION: options.env.AWS_REGION ?? 'us-east-1',
    LAMBDA_TASK_ROOT: taskRoot,
    LOG_LEVEL: options.env.LOG_LEVEL ?? 'warn',
  })) {
    if (v !== undefined) env[k] = v;
  }
  // RIE runs its last arguments as the runtime ("bootstrap") in the current directory; the last one is the handler.
  const rie = spawn(
    options.rie,
    [
      '--runtime-interface-emulator-address',
      `${host}:${options.port}`,
      '--runtime-api-address',
      `127.0.0.1:${options.runtimeApiPort}`,
      process.execPath,
      join(ROOT, 'scripts', 'runtime.mjs'),
      'handler.handler',
    ],
    { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The last 256 KiB of what RIE and the runtime print (for error messages).
  let output = '';
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-256 * 1024);
  };
  rie.stdout?.on('data', collect);
  rie.stderr?.on('data', collect);
  const invokeUrl = `http://127.0.0.1:${options.port}/2015-03-31/functions/function/invocations`;
  const exited = new Promise<void>((resolve) => rie.once('exit', () => resolve()));

  // RIE accepts invocations once it listens; it starts the runtime on the first one.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (rie.exitCode !== null) throw new Error(`aws-lambda-rie exited (${rie.exitCode}):\n${output}`);
    const open = await fetch(`http://127.0.0.1:${options.port}/`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (open) break;
    if (Date.now() > deadline)
      throw new Error(`aws-lambda-rie did not listen on ${options.port}:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    invokeUrl,
    rie,
    output: () => output,
    stop: async () => {
      if (rie.exitCode === null) {
        for (const pid of runtimePids(rie.pid)) killQuietly(pid, 'SIGKILL');
        rie.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** The runtime processes RIE started (its children), newest last. */
export function runtimePids(riePid: number | undefined): number[] {
  if (riePid === undefined) return [];
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(riePid)], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** An API Gateway HTTP API (payload format 2.0) request event, as Lambda receives it. */
export function httpEvent(
  method: string,
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Record<string, unknown> {
  const rawQueryString = new URLSearchParams(query).toString();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers: { host: 'example.execute-api.us-east-1.amazonaws.com', 'user-agent': 'test', ...headers },
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'example',
      domainName: 'example.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'example',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: `req-${now.getTime()}-${Math.random().toString(16).slice(2)}`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}
