/**
 * Milvus Lite (PyPI `milvus-lite`): a pure-Python Milvus with a gRPC server that speaks the current Milvus API
 * (HybridSearch, DescribeDatabase, AlterDatabase, TruncateCollection, …), which the stack's Milvus 2.3.5 cannot
 * answer. It has no tracing of its own, so tests use it for client spans only. Installed into a virtualenv under the
 * cache dir on first use; `startMilvusLite()` runs a throwaway server for a test run.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { milvusNotReady, waitReady } from './health.ts';
import { publishBuild } from './install.ts';
import { installing } from './install-timer.ts';
import { log, StackError } from './log.ts';
import { freePort } from './ports.ts';
import { loadSettings, type StackSettings } from './settings.ts';

export const MILVUS_LITE_VERSION = '3.2.2';

/**
 * Everything the virtualenv holds, pinned as pip resolved `milvus-lite==3.2.2 pymilvus==3.0.2` on CPython 3.11.
 * `pymilvus` is not a dependency of the `milvus-lite` wheel, but its gRPC server imports
 * `pymilvus.grpc_gen` (the Milvus protobuf stubs), so it is installed beside it.
 */
export const MILVUS_LITE_REQUIREMENTS: readonly string[] = [
  `milvus-lite==${MILVUS_LITE_VERSION}`,
  'pymilvus==3.0.2',
  'cachetools==8.0.2',
  'certifi==2026.10.19.post1',
  'charset-normalizer==3.5.3',
  'faiss-cpu==1.15.1',
  'grpcio==1.85.3',
  'idna==3.20',
  'numpy==2.4.6',
  'orjson==3.13.0',
  'packaging==26.4',
  'pandas==3.1.1',
  'protobuf==7.36.2',
  'pyarrow==26.0.1',
  'python-dateutil==4.0.0',
  'python-dotenv==1.2.4',
  'requests==2.34.2',
  'typing_extensions==4.16.0',
  'tzdata==2026.6',
  'urllib3==2.8.0',
];

const PROBE = `import importlib.metadata as m, milvus_lite.adapter.grpc.server; assert m.version('milvus-lite') == '${MILVUS_LITE_VERSION}'`;

async function works(python: string): Promise<boolean> {
  const result = await execa(python, ['-c', PROBE], { reject: false, timeout: 60_000 });
  return result.exitCode === 0;
}

async function systemPython(): Promise<string> {
  for (const candidate of ['python3', 'python']) {
    const result = await execa(candidate, ['-c', 'import sys; assert sys.version_info >= (3, 10)'], {
      reject: false,
    });
    if (result.exitCode === 0) return candidate;
  }
  throw new StackError(
    `Python 3.10+ is needed for Milvus Lite ${MILVUS_LITE_VERSION}.\n  fix: install python3 and python3-venv (Debian: apt-get install python3 python3-venv)`,
  );
}

/**
 * The Python of a virtualenv with `milvus-lite` and `pymilvus`, in `<cacheDir>/milvus-lite-<version>/venv`. Built in
 * a directory of this process's own and renamed into place, so concurrent first uses do not see half an install.
 * The server is started as `python -m milvus_lite.cmdline`, which does not depend on the venv's path (its console
 * scripts do).
 */
export async function ensureMilvusLite(settings: StackSettings = loadSettings()): Promise<string> {
  const dir = join(settings.cacheDir, `milvus-lite-${MILVUS_LITE_VERSION}`);
  const python = join(dir, 'venv', 'bin', 'python');
  if (existsSync(python) && (await works(python))) return python;

  const system = await systemPython();
  log.step(
    `installing Milvus Lite ${MILVUS_LITE_VERSION} (PyPI "milvus-lite" + "pymilvus") into ${dir}/venv`,
  );
  const installed = installing();
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `venv.partial.${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  try {
    const venv = await execa(system, ['-m', 'venv', partial], { reject: false, all: true });
    if (venv.exitCode !== 0) {
      throw new StackError(
        `could not create a Python virtualenv with ${system}: ${venv.all?.trim()}\n  fix: install the venv module (Debian: apt-get install python3-venv)`,
      );
    }
    const pip = await execa(
      join(partial, 'bin', 'python'),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...MILVUS_LITE_REQUIREMENTS],
      { reject: false, all: true },
    );
    if (pip.exitCode !== 0) {
      throw new StackError(
        `pip could not install milvus-lite==${MILVUS_LITE_VERSION} and pymilvus from PyPI:\n${pip.all}`,
      );
    }
    publishBuild(partial, join(dir, 'venv'), python);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  if (!(await works(python))) {
    throw new StackError(
      `Milvus Lite ${MILVUS_LITE_VERSION} installed into ${dir}/venv does not import.\n  fix: remove ${dir} and run \`pnpm stack install\` again`,
    );
  }
  log.ok(`Milvus Lite ${MILVUS_LITE_VERSION} installed`);
  installed();
  return python;
}

export interface MilvusLite {
  /** `127.0.0.1:<port>`, for `new MilvusClient({ address })`. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Its data directory (removed by `stop()`). */
  readonly dataDir: string;
  /** Stops the server's process group and removes its data. */
  stop(): Promise<void>;
}

/**
 * Starts a Milvus Lite gRPC server on a free loopback port (or `port`) with an empty data dir, and resolves once a real gRPC
 * round trip (CheckHealth, ShowCollections) succeeds. Throws with the server's output when it does not start.
 */
export async function startMilvusLite(
  options: { settings?: StackSettings; timeoutMs?: number; port?: number } = {},
): Promise<MilvusLite> {
  const python = await ensureMilvusLite(options.settings ?? loadSettings());
  const port = options.port ?? (await freePort());
  const host = '127.0.0.1';
  const address = `${host}:${port}`;
  const root = mkdtempSync(join(tmpdir(), 'milvus-lite-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    python,
    ['-m', 'milvus_lite.cmdline', 'server', '--data-dir', dataDir, '--host', host, '--port', String(port)],
    {
      cwd: root,
      // Its own process group, so stop() ends it and anything it started.
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    },
  );
  closeSync(out);
  let exited: string | undefined;
  child.once('error', (error) => {
    exited = `could not run ${python}: ${error.message}`;
  });
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited ??= `Milvus Lite exited (${signal ?? `code ${code}`})`;
      resolve();
    });
  });
  const pid = child.pid;
  const stop = async () => {
    if (pid !== undefined && exited === undefined) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const killed = await Promise.race([
        gone.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 10_000)),
      ]);
      if (killed) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await gone;
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  // The server prints this once it is bound and serving; until then the port may belong to someone else (a gRPC
  // probe of a port that accepts but never answers would hang).
  const listening = `listening on ${address}`;
  const probe = async (): Promise<string | undefined> => {
    if (!readFileSync(logFile, 'utf8').includes(listening)) return 'not listening yet';
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('no gRPC answer within 10 s'), 10_000);
    });
    try {
      return await Promise.race([milvusNotReady(address, 3000), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const notReady = await waitReady(`Milvus Lite at ${address}`, probe, {
    timeoutMs: options.timeoutMs ?? 60_000,
    abort: () => exited,
  }).catch((error: Error) => error.message);
  if (notReady !== undefined) {
    const output = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim() : '';
    await stop();
    throw new StackError(
      `Milvus Lite ${MILVUS_LITE_VERSION} did not start on ${address}: ${notReady}\n${output.split('\n').slice(-20).join('\n')}`,
    );
  }
  return { address, host, port, dataDir, stop };
}
