import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { log, StackError } from './log.ts';
import type { StackSettings } from './settings.ts';

/**
 * The AWS Lambda Runtime Interface Emulator (RIE): the real Lambda Runtime API, locally, for the serverless example.
 * Its Git tags are two-part (v1.30), not Go semver, so it is pinned by commit; `go install` takes the matching
 * pseudo-version.
 */
export const LAMBDA_RIE = {
  module: 'github.com/aws/aws-lambda-runtime-interface-emulator',
  command: 'cmd/aws-lambda-rie',
  /** main, 2026-01-02 (after v1.30). */
  commit: '4fa21571526087e3a0076b9fecf67a79e3927994',
  pseudoVersion: 'v0.0.0-20260102185807-4fa215715260',
} as const;

/** Where the RIE build for the pinned commit lives (whether or not it is built yet). */
export function lambdaRiePath(settings: Pick<StackSettings, 'cacheDir'>): string {
  return join(settings.cacheDir, `aws-lambda-rie-${LAMBDA_RIE.commit}`, 'bin', 'aws-lambda-rie');
}

/**
 * Builds the RIE once into `<cacheDir>/aws-lambda-rie-<commit>/bin/aws-lambda-rie` and returns its path; where it
 * cannot be built, says why and returns the path of the stand-in emulator instead.
 *
 * From the Go module proxy (`go install <module>/cmd/aws-lambda-rie@<pseudo-version>`); when the proxy does not
 * serve that module, from a local Git clone of the RIE named by `AWS_LAMBDA_RIE_SOURCE` (the pinned commit is
 * exported from it and built with the same pinned dependencies, from go.sum). `AWS_LAMBDA_RIE` naming an existing
 * binary is used as it is. The binary is moved into place only
 * once complete, so an interrupted or concurrent build never leaves half a binary.
 */
export async function ensureLambdaRie(
  settings: Pick<StackSettings, 'cacheDir'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    return await buildLambdaRie(settings, env);
  } catch (error) {
    if (!(error instanceof StackError)) throw error;
    log.warn(
      `${error.message}\n  Using the stand-in Lambda Runtime API of this repository instead (${LAMBDA_EMULATOR}).`,
    );
    return LAMBDA_EMULATOR;
  }
}

/**
 * The stand-in for the RIE, used when its binary cannot be built here: same command line, the same invoke API and
 * Lambda Runtime API (see lambda-emulator.ts).
 */
export const LAMBDA_EMULATOR = fileURLToPath(new URL('./lambda-emulator.ts', import.meta.url));

async function buildLambdaRie(
  settings: Pick<StackSettings, 'cacheDir'>,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const own = env.AWS_LAMBDA_RIE;
  if (own && existsSync(own)) return own;
  const binary = lambdaRiePath(settings);
  if (existsSync(binary)) return binary;

  const go = await execa('go', ['version'], { reject: false, timeout: 20_000 });
  if (go.exitCode !== 0) {
    throw new StackError(
      'Go is needed once to build the AWS Lambda Runtime Interface Emulator (serverless example).\n  fix: install Go 1.25+ (https://go.dev/doc/install or Debian: apt-get install golang), then run this again',
    );
  }
  const dir = join(settings.cacheDir, `aws-lambda-rie-${LAMBDA_RIE.commit}`);
  const partial = join(dir, `bin.partial.${process.pid}`);
  const build = join(dir, `build.${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  mkdirSync(build, { recursive: true });
  const goEnv = { GOWORK: 'off', GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOBIN: partial };
  const flags = ['-trimpath', '-buildvcs=false', '-ldflags=-s -w'];

  try {
    log.step(
      `building the AWS Lambda Runtime Interface Emulator (${LAMBDA_RIE.commit.slice(0, 12)}) into ${dir}`,
    );
    const target = `${LAMBDA_RIE.module}/${LAMBDA_RIE.command}@${LAMBDA_RIE.pseudoVersion}`;
    const fromProxy = await execa('go', ['install', ...flags, target], {
      cwd: build,
      env: goEnv,
      reject: false,
      all: true,
    });
    if (fromProxy.exitCode !== 0) {
      const source = env.AWS_LAMBDA_RIE_SOURCE;
      if (!source) {
        throw new StackError(
          `go install ${target} failed:\n${fromProxy.all}\n  fix: let Go reach the module (GOPROXY), or clone the emulator's repository and set AWS_LAMBDA_RIE_SOURCE=<that clone> (commit ${LAMBDA_RIE.commit} is built from it), or set AWS_LAMBDA_RIE to an aws-lambda-rie binary you have`,
        );
      }
      log.step(`the module proxy does not serve it; building commit ${LAMBDA_RIE.commit} from ${source}`);
      await buildFromClone(source, build, goEnv, flags, partial);
    }
    rmSync(join(dir, 'bin'), { recursive: true, force: true });
    renameSync(partial, join(dir, 'bin'));
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  }
  log.ok(`AWS Lambda Runtime Interface Emulator built: ${binary}`);
  return binary;
}

async function buildFromClone(
  source: string,
  build: string,
  goEnv: Record<string, string>,
  flags: string[],
  out: string,
): Promise<void> {
  // A bare repository or a work tree: `git archive` exports exactly the pinned commit either way.
  const archive = await execa(
    'sh',
    ['-c', `git -C "$0" archive --format=tar "$1" | tar -x -C "$2"`, source, LAMBDA_RIE.commit, build],
    { reject: false, all: true },
  );
  if (archive.exitCode !== 0) {
    throw new StackError(
      `could not export commit ${LAMBDA_RIE.commit} from AWS_LAMBDA_RIE_SOURCE=${source}:\n${archive.all}\n  fix: point it at a clone of ${LAMBDA_RIE.module} that has that commit (git fetch)`,
    );
  }
  const result = await execa(
    'go',
    ['build', ...flags, '-o', join(out, 'aws-lambda-rie'), `./${LAMBDA_RIE.command}`],
    { cwd: build, env: goEnv, reject: false, all: true },
  );
  if (result.exitCode !== 0) throw new StackError(`go build ./${LAMBDA_RIE.command} failed:\n${result.all}`);
}
