#!/usr/bin/env node
/**
 * A stand-in for the AWS Lambda Runtime Interface Emulator (`aws-lambda-rie`) where its binary cannot be built (the
 * Go module proxy may refuse its module). Same command line and the same two HTTP APIs:
 *
 *   lambda-emulator.ts [--runtime-interface-emulator-address 0.0.0.0:8080] [--runtime-api-address 127.0.0.1:9001] \
 *     <bootstrap command...>
 *
 * - the invoke API, `POST /2015-03-31/functions/function/invocations` (the event in, the function's result out);
 * - the Lambda Runtime API (`/2018-06-01/runtime/...`) that the runtime interface client (e.g. `aws-lambda-ric`)
 *   polls, as documented at https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html.
 *
 * Like the RIE it runs one invocation at a time, starts the runtime on the first invocation, and when the runtime
 * dies answers the next invocation with `Runtime.ExitError`, then starts a fresh runtime on the one after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

interface Invocation {
  readonly id: string;
  readonly event: Buffer;
  readonly deadline: number;
  /** When it was handed to the runtime. */
  started: number;
  readonly respond: (status: number, body: Buffer | string, headers?: Record<string, string>) => void;
}

function parseArgs(argv: string[]) {
  let invokeAddress = '0.0.0.0:8080';
  let runtimeAddress = '127.0.0.1:9001';
  const rest = [...argv];
  while (rest[0]?.startsWith('--')) {
    const flag = rest.shift() as string;
    const value = rest.shift();
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--runtime-interface-emulator-address') invokeAddress = value;
    else if (flag === '--runtime-api-address') runtimeAddress = value;
    else if (flag !== '--log-level') throw new Error(`unknown option ${flag}`);
  }
  if (rest.length === 0) throw new Error('usage: lambda-emulator [options] <bootstrap command...>');
  return { invokeAddress, runtimeAddress, bootstrap: rest as [string, ...string[]] };
}

function split(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i) || '0.0.0.0', port: Number(address.slice(i + 1)) };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const { invokeAddress, runtimeAddress, bootstrap } = parseArgs(process.argv.slice(2));
const timeoutMs = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? 300) * 1000;
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'test_function';
const region = process.env.AWS_REGION ?? 'us-east-1';

let runtime: ChildProcess | undefined;
/** When the running runtime was started, until its first poll for work (the end of its init phase). */
let initStarted: number | undefined;
/** Set when the runtime died: the next invocation gets this error instead of running. */
let runtimeDied: string | undefined;
/** The invocation being run, and the runtime's pending `next` poll (at most one of each). */
let current: Invocation | undefined;
let waiting: ServerResponse | undefined;
const queue: Invocation[] = [];

function startRuntime(): void {
  initStarted = performance.now();
  runtime = spawn(bootstrap[0], bootstrap.slice(1), {
    stdio: 'inherit',
    // As the RIE does: the bootstrap's last argument names the handler (`file.export`).
    env: {
      // What the Lambda service (and the RIE) sets for a function, unless given.
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '3008',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '$LATEST',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      ...process.env,
      AWS_LAMBDA_RUNTIME_API: runtimeAddress,
      _HANDLER: process.env._HANDLER ?? (bootstrap.length > 1 ? bootstrap.at(-1) : undefined),
    },
  });
  const child = runtime;
  child.once('exit', (code, signal) => {
    if (runtime !== child) return;
    runtime = undefined;
    waiting = undefined;
    const why = `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}`;
    const pending = current ?? queue.shift(); // running, or waiting for a runtime that died while starting
    current = undefined;
    if (pending) fail(pending, 'Runtime.ExitError', why);
    else runtimeDied = why;
    if (queue.length > 0) startRuntime();
  });
}

function log(message: string): void {
  console.error(`${new Date().toISOString()} [INFO] (lambda-emulator) ${message}`);
}

function fail(inv: Invocation, errorType: string, message: string): void {
  inv.respond(200, JSON.stringify({ errorType, errorMessage: `RequestId: ${inv.id} Error: ${message}` }), {
    'content-type': 'application/json',
  });
}

/** Hands the next queued invocation to the runtime's pending poll, if both are there. */
function dispatch(): void {
  if (current || !waiting) return;
  const inv = queue.shift();
  if (!inv) return;
  current = inv;
  inv.started = performance.now();
  const res = waiting;
  waiting = undefined;
  res.writeHead(200, {
    'content-type': 'application/json',
    'lambda-runtime-aws-request-id': inv.id,
    'lambda-runtime-deadline-ms': String(inv.deadline),
    'lambda-runtime-invoked-function-arn': `arn:aws:lambda:${region}:012345678912:function:${functionName}`,
  });
  res.end(inv.event);
}

const invokeServer = createServer(async (req, res) => {
  if (req.method !== 'POST' || !req.url?.startsWith('/2015-03-31/functions/function/invocations')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    return;
  }
  const event = await readBody(req);
  const inv: Invocation = {
    id: randomUUID(),
    event: event.length > 0 ? event : Buffer.from('{}'),
    deadline: Date.now() + timeoutMs,
    started: 0,
    respond: (status, body, headers = {}) => {
      if (!res.headersSent) res.writeHead(status, headers).end(body);
    },
  };
  if (runtimeDied) {
    const why = runtimeDied;
    runtimeDied = undefined;
    fail(inv, 'Runtime.ExitError', why);
    return;
  }
  queue.push(inv);
  if (!runtime) startRuntime();
  dispatch();
});

const RUNTIME = /^\/2018-06-01\/runtime\/(?:invocation\/(next|[^/]+\/(?:response|error))|init\/error)$/;

const runtimeServer = createServer(async (req, res) => {
  const path = req.url?.split('?')[0] ?? '';
  const match = RUNTIME.exec(path);
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  const body = await readBody(req);
  if (match[1] === 'next' && req.method === 'GET') {
    if (initStarted !== undefined) {
      // Reported like the RIE (and Lambda's Init Duration): runtime start, handler import, module-level init.
      log(`INIT REPORT(durationMs: ${(performance.now() - initStarted).toFixed(3)}, status: success)`);
      initStarted = undefined;
    }
    waiting = res;
    dispatch();
    return;
  }
  if (path.endsWith('/init/error')) {
    const inv = current ?? queue.shift();
    if (inv) inv.respond(200, body, { 'content-type': 'application/json' });
    current = undefined;
    res.writeHead(202).end('{"status":"OK"}');
    return;
  }
  const id = path.split('/')[4];
  if (!current || current.id !== id) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"errorType":"InvalidRequestID"}');
    return;
  }
  const inv = current;
  current = undefined;
  // The RIE's wording: the runtime's own run of the invocation (handler, plus anything it does before responding).
  const status = path.endsWith('/error') ? 'error' : 'success';
  const ms = (performance.now() - inv.started).toFixed(3);
  log(`INVOKE RTDONE(status: ${status}, produced bytes: ${body.length}, duration: ${ms}ms)`);
  inv.respond(200, body, {
    'content-type': req.headers['content-type'] ?? 'application/json',
    ...(path.endsWith('/error') ? { 'x-amz-function-error': 'Unhandled' } : {}),
  });
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
  dispatch();
});

const api = split(runtimeAddress);
const invoke = split(invokeAddress);
runtimeServer.listen(api.port, api.host, () => {
  invokeServer.listen(invoke.port, invoke.host, () => {
    console.error(
      `lambda-emulator: invocations at http://${invokeAddress}/2015-03-31/functions/function/invocations`,
    );
  });
});

function shutdown(): void {
  runtime?.kill('SIGTERM');
  invokeServer.close();
  runtimeServer.close();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
