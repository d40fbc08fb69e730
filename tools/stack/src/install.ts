import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { installing } from './install-timer.ts';
import { ensureLambdaRie } from './lambda.ts';
import { log, StackError } from './log.ts';
import { type StackSettings, VERSIONS } from './settings.ts';

/** Paths of the native stack's parts. */
export interface NativeTools {
  python: string;
  jaeger: string;
  redisServer: string;
  prometheus: string;
}

async function commandWorks(command: string, args: string[]): Promise<boolean> {
  const result = await execa(command, args, { reject: false, timeout: 20_000 });
  return result.exitCode === 0;
}

/** Everything the native stack runs, installed into the cache dir on first use (and reused afterwards). */
export async function ensureNativeTools(settings: StackSettings): Promise<NativeTools> {
  // The two Go builds one after the other: side by side on a 2-core machine they only slow each other down.
  const [python, [jaeger, prometheus], redisServer] = await Promise.all([
    ensureMilvusVenv(settings),
    ensureJaeger(settings).then(async (jaeger) => [jaeger, await ensurePrometheus(settings)] as const),
    ensureRedis(),
  ]);
  return { python, jaeger, redisServer, prometheus };
}

/**
 * `stack install`: the native stack's parts and the AWS Lambda Runtime Interface Emulator, which `pnpm dev` runs the
 * serverless example under. The stack itself does not run the emulator, so starting it never waits on that build;
 * here any part that cannot be installed is an error naming its fix.
 */
export async function installNativeTools(
  settings: StackSettings,
): Promise<NativeTools & { lambdaRie: string }> {
  const [tools, lambdaRie] = await Promise.all([ensureNativeTools(settings), ensureLambdaRie(settings)]);
  return { ...tools, lambdaRie };
}

/** A virtualenv with the `milvus` wheel (the embedded Milvus standalone server). */
export async function ensureMilvusVenv(settings: StackSettings): Promise<string> {
  const dir = join(settings.cacheDir, `milvus-${VERSIONS.milvusWheel}`);
  const python = join(dir, 'venv', 'bin', 'python');
  const probe = `import milvus; assert milvus.__version__ == '${VERSIONS.milvusWheel}'`;
  if (existsSync(python) && (await commandWorks(python, ['-c', probe]))) return python;

  const system = await findPython();
  log.step(`installing Milvus ${VERSIONS.milvusWheel} (PyPI wheel "milvus") into ${dir}/venv`);
  const installed = installing();
  rmSync(join(dir, 'venv'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const venv = await execa(system, ['-m', 'venv', join(dir, 'venv')], { reject: false });
  if (venv.exitCode !== 0) {
    throw new StackError(
      `could not create a Python virtualenv with ${system}: ${venv.stderr.trim()}\n  fix: install the venv module (Debian: apt-get install python3-venv)`,
    );
  }
  const pip = await execa(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', `milvus==${VERSIONS.milvusWheel}`],
    { reject: false, all: true },
  );
  if (pip.exitCode !== 0) {
    throw new StackError(`pip could not install milvus==${VERSIONS.milvusWheel} from PyPI:\n${pip.all}`);
  }
  log.ok(`Milvus ${VERSIONS.milvusWheel} installed`);
  installed();
  return python;
}

async function findPython(): Promise<string> {
  for (const candidate of ['python3', 'python']) {
    const result = await execa(candidate, ['-c', 'import sys; assert sys.version_info >= (3, 8)'], {
      reject: false,
    });
    if (result.exitCode === 0) return candidate;
  }
  throw new StackError(
    'Python 3.8+ is needed for the native Milvus server (PyPI wheel "milvus").\n  fix: install python3 and python3-venv (Debian: apt-get install python3 python3-venv)',
  );
}

const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';

type Go = (args: string[], extraEnv?: Record<string, string>) => ReturnType<typeof execa>;

interface GoBuild {
  /** "Jaeger 2.13.0" */
  readonly what: string;
  /** The cache folder of this version; the binary goes into its `bin/`. */
  readonly dir: string;
  readonly binaryName: string;
  /** The build's Go commands, run in an empty folder of this process, installing into `gobin`. */
  readonly steps: (go: Go, build: string, gobin: string) => Promise<void>;
}

/**
 * Builds a binary with the Go toolchain once and reuses it afterwards. Each process builds in folders of its own and
 * publishes the result with a rename: a `./pnpm test` and a `./pnpm dev` started side by side on a fresh machine
 * both build, and neither may remove what the other is writing.
 */
async function buildWithGo({ what, dir, binaryName, steps }: GoBuild): Promise<string> {
  const binary = join(dir, 'bin', binaryName);
  if (existsSync(binary)) return binary;
  if (!(await commandWorks('go', ['version']))) {
    throw new StackError(
      `Go is needed once to build ${what} for the native stack.\n  fix: install Go 1.24+ (https://go.dev/doc/install or Debian: apt-get install golang; a release older than the module's go.mod asks for fetches that toolchain itself), then run this again`,
    );
  }
  log.step(`building ${what} with go install (first time only, a few minutes) into ${dir}`);
  const installed = installing();
  const build = join(dir, `build.${process.pid}`);
  const gobin = join(dir, `bin.partial.${process.pid}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  const go: Go = (args, extraEnv = {}) =>
    execa('go', args, {
      cwd: build,
      env: { GOFLAGS: '-mod=mod', GOWORK: 'off', GOBIN: gobin, ...extraEnv },
      reject: false,
      all: true,
    });
  try {
    await steps(go, build, gobin);
    publishBuild(gobin, join(dir, 'bin'), binary);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  }
  log.ok(`${what} built: ${binary}`);
  installed();
  return binary;
}

async function goOrFail(go: Go, args: string[]) {
  const result = await go(args);
  if (result.exitCode !== 0) throw new StackError(`go ${args.join(' ')} failed:\n${result.all}`);
  return result;
}

/**
 * The Jaeger v2 binary, built from the Go module proxy. `go install <pkg>@<version>` refuses Jaeger (its go.mod has
 * a replace directive), so the build happens in a small module of our own that requires Jaeger, carries over its
 * replace directives and its go.sum (the checksums Jaeger itself pinned), and installs `cmd/jaeger` from there.
 */
export function ensureJaeger(settings: StackSettings): Promise<string> {
  return buildWithGo({
    what: `Jaeger ${VERSIONS.jaegerRelease}`,
    dir: join(settings.cacheDir, `jaeger-${VERSIONS.jaegerRelease}`),
    binaryName: 'jaeger',
    steps: async (go, build) => {
      const download = await goOrFail(go, [
        'mod',
        'download',
        '-json',
        `${JAEGER_MODULE}@${VERSIONS.jaegerModule}`,
      ]);
      const moduleDir = (JSON.parse(String(download.stdout)) as { Dir: string }).Dir;
      const upstreamMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
      writeFileSync(join(build, 'go.mod'), jaegerBuildGoMod(upstreamMod));
      copyFileSync(join(moduleDir, 'go.sum'), join(build, 'go.sum'));
      await goOrFail(go, ['get', `${JAEGER_MODULE}/cmd/jaeger@${VERSIONS.jaegerModule}`]);
      await goOrFail(go, ['install', '-trimpath', `-ldflags=-s -w`, `${JAEGER_MODULE}/cmd/jaeger`]);
    },
  });
}

/**
 * Moves a finished build directory into place. When a concurrent install published first, its copy is kept (the
 * same version, built the same way); a leftover directory without the binary is replaced.
 */
export function publishBuild(partial: string, final: string, binary: string): void {
  if (existsSync(binary)) return;
  rmSync(final, { recursive: true, force: true });
  try {
    renameSync(partial, final);
  } catch (error) {
    if (!existsSync(binary)) throw error;
  }
}

/** go.mod of the build module: Jaeger's Go version and replace directives, plus a requirement on Jaeger. */
export function jaegerBuildGoMod(upstreamGoMod: string): string {
  const goVersion = /^go (\S+)$/m.exec(upstreamGoMod)?.[1] ?? '1.24';
  const replaces = [...upstreamGoMod.matchAll(/^replace\s+(.+)$/gm)].map((m) => `replace ${m[1]}`);
  const blocks = /^replace \(\n([\s\S]*?)\n\)/gm;
  for (const m of upstreamGoMod.matchAll(blocks)) {
    for (const line of (m[1] ?? '').split('\n')) if (line.trim()) replaces.push(`replace ${line.trim()}`);
  }
  return [
    'module milvus-otel.local/jaeger-build',
    '',
    `go ${goVersion}`,
    '',
    `require ${JAEGER_MODULE} ${VERSIONS.jaegerModule}`,
    '',
    ...replaces.filter((r) => r !== 'replace ('),
    '',
  ].join('\n');
}

const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';

/**
 * Build tags of the Prometheus binary: `remove_all_sd` leaves out the cloud service discoveries (AWS, Azure, GCE,
 * Kubernetes, …; plugins/*.go of the module), which the local stack never uses and which are most of the build's
 * downloads and compile time; file and HTTP discovery stay. Without `builtinassets` (the UI's compiled assets are not
 * in the Go module) it serves its HTTP API, not the web UI.
 */
export const PROMETHEUS_BUILD_TAGS = 'remove_all_sd';

/**
 * The Prometheus 3 server, built from the Go module proxy with `go install` (its go.mod has no replace directive, so
 * `go install <pkg>@<version>` takes it as it is, with the checksums of its own go.sum).
 */
export function ensurePrometheus(settings: StackSettings): Promise<string> {
  return buildWithGo({
    what: `Prometheus ${VERSIONS.prometheusRelease}`,
    dir: join(settings.cacheDir, `prometheus-${VERSIONS.prometheusRelease}`),
    binaryName: 'prometheus',
    steps: async (go) => {
      await goOrFail(go, [
        'install',
        '-trimpath',
        '-tags',
        PROMETHEUS_BUILD_TAGS,
        // The release in `prometheus --version` and /api/v1/status/buildinfo, as the official build sets it.
        `-ldflags=-s -w -X github.com/prometheus/common/version.Version=${VERSIONS.prometheusRelease}`,
        `${PROMETHEUS_MODULE}/cmd/prometheus@${VERSIONS.prometheusModule}`,
      ]);
    },
  });
}

/** `redis-server` from the system; installed with apt-get when we are root on Debian/Ubuntu. */
export async function ensureRedis(): Promise<string> {
  if (await commandWorks('redis-server', ['--version'])) return 'redis-server';
  const isRoot = process.getuid?.() === 0;
  if (isRoot && (await commandWorks('apt-get', ['--version']))) {
    log.step('installing redis-server with apt-get');
    const installed = installing();
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    await execa('apt-get', ['update', '-qq'], { env, reject: false });
    const result = await execa(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'],
      {
        env,
        reject: false,
        all: true,
      },
    );
    if (result.exitCode === 0 && (await commandWorks('redis-server', ['--version']))) {
      log.ok('redis-server installed');
      installed();
      return 'redis-server';
    }
    throw new StackError(`apt-get could not install redis-server:\n${result.all}`);
  }
  throw new StackError(
    'redis-server is not installed.\n  fix: install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), then run this again',
  );
}
