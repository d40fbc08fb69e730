/**
 * A throwaway npm registry: verdaccio, run as a child process on a free loopback port, storage in a temporary folder,
 * no uplinks (third-party packages come from the public registry directly: only the @milvus-otel scope is routed
 * here). verdaccio is installed on first use into the shared cache, not into the workspace: every verdaccio 6 release
 * depends on verdaccio-audit, which asks for node-fetch@cjs, a dist-tag node-fetch no longer has; pnpm refuses that,
 * npm accepts an override.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runOk } from './run.ts';

export const VERDACCIO_VERSION = '6.10.4';

export interface Registry {
  url: string;
  token: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Installs verdaccio into <cache>/verdaccio-<version> once (beside it first, then moved in place). */
export async function installVerdaccio(cacheDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = join(cacheDir, `verdaccio-${VERDACCIO_VERSION}`);
  const bin = join(dir, 'node_modules/verdaccio/bin/verdaccio');
  if (existsSync(join(dir, '.complete')) && existsSync(bin)) return bin;
  const partial = `${dir}.partial.${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await writeFile(
    join(partial, 'package.json'),
    JSON.stringify({
      private: true,
      dependencies: { verdaccio: VERDACCIO_VERSION },
      overrides: { 'node-fetch': '2.7.0' },
    }),
  );
  try {
    await runOk('npm', ['install', '--no-audit', '--no-fund', '--registry=https://registry.npmjs.org/'], {
      cwd: partial,
      env,
      timeoutMs: 240_000,
    });
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`installing verdaccio ${VERDACCIO_VERSION} failed:\n${(error as Error).message}`);
  }
  await writeFile(join(partial, '.complete'), '');
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(partial, dir);
  } catch {
    // Another run moved its copy in first: use that one.
    await rm(partial, { recursive: true, force: true });
  }
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(storage: string, htpasswd: string): string {
  return `# Written by tests/release for one run.
storage: ${JSON.stringify(storage)}
auth:
  htpasswd:
    file: ${JSON.stringify(htpasswd)}
    max_users: 10
uplinks: {}
packages:
  '@milvus-otel/*':
    access: $all
    publish: $all
    unpublish: $all
  '**':
    access: $all
    publish: $authenticated
web:
  enable: false
middlewares:
  audit:
    enabled: false
log:
  type: stdout
  format: json
  level: warn
max_body_size: 50mb
`;
}

async function waitUntilUp(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `verdaccio exited (${child.exitCode ?? child.signalCode}) before answering:\n${readFileSync(logFile, 'utf8')}`,
      );
    }
    try {
      const response = await fetch(`${url}/-/ping`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(
    `verdaccio did not answer ${url}/-/ping within 60 s (${last}):\n${readFileSync(logFile, 'utf8')}`,
  );
}

/** Creates a user (verdaccio's htpasswd plugin answers with a token): npm and pnpm publish only with a token. */
async function addUser(url: string): Promise<string> {
  const name = 'release-dry-run';
  const response = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      password: 'release-dry-run',
      type: 'user',
      roles: [],
      date: new Date().toISOString(),
    }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || !body.token) {
    throw new Error(`verdaccio refused to create a user: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

export async function startRegistry(bin: string, dir: string, env: NodeJS.ProcessEnv): Promise<Registry> {
  await mkdir(join(dir, 'storage'), { recursive: true });
  const configFile = join(dir, 'config.yaml');
  await writeFile(configFile, config(join(dir, 'storage'), join(dir, 'htpasswd')));
  const logFile = join(dir, 'verdaccio.log');
  const log = createWriteStream(logFile);
  await new Promise((r) => log.once('open', r));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env,
    stdio: ['ignore', log, log],
  });
  // Also when the test run ends without its teardown (Ctrl-C, a crash): no registry left behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    log.end();
  };
  try {
    await waitUntilUp(url, child, logFile);
    const token = await addUser(url);
    return { url, token, logFile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
