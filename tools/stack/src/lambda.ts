import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { installing } from './install-timer.ts';
import { log, StackError } from './log.ts';
import type { StackSettings } from './settings.ts';

/**
 * The AWS Lambda Runtime Interface Emulator (RIE): the real Lambda Runtime API, locally, for the serverless example.
 * Its Git tags are two-part (v1.30), not Go semver, so it is pinned by commit; `go install` takes the matching
 * pseudo-version, and checks the module against the Go checksum database.
 */
export const LAMBDA_RIE = {
  module: 'github.com/aws/aws-lambda-runtime-interface-emulator',
  command: 'cmd/aws-lambda-rie',
  /**
   * Committed 2026-10-30, newer than v1.30 and than develop's 4fa21571 of 2026-01-02 (which the Go module proxy
   * refuses with 403); the proxy serves this one. Its 12-character prefix, as the pseudo-version names it: the proxy
   * publishes no VCS origin (the full hash) for it.
   */
  commit: 'bef5c4ba774d',
  pseudoVersion: 'v0.0.0-20261030222936-bef5c4ba774d',
} as const;

/** The way around a build that cannot happen here, first in every fix. */
const FIX = 'set AWS_LAMBDA_RIE=<path to an aws-lambda-rie binary>, or';

/** Where the RIE build for the pinned commit lives (whether or not it is built yet). */
export function lambdaRiePath(settings: Pick<StackSettings, 'cacheDir'>): string {
  return join(settings.cacheDir, `aws-lambda-rie-${LAMBDA_RIE.commit}`, 'bin', 'aws-lambda-rie');
}

/**
 * The RIE binary: `AWS_LAMBDA_RIE` when set (it must name an existing file), else the build of the pinned commit,
 * made once with `go install <module>/cmd/aws-lambda-rie@<pseudo-version>` from the Go module proxy into
 * `<cacheDir>/aws-lambda-rie-<commit>/bin/aws-lambda-rie`. The binary is moved into place only once complete, so an
 * interrupted or concurrent build never leaves half a binary. Anything that stops it is a StackError naming the fix:
 * there is no substitute for the real emulator.
 */
export async function ensureLambdaRie(
  settings: Pick<StackSettings, 'cacheDir'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const own = env.AWS_LAMBDA_RIE;
  if (own) {
    if (existsSync(own)) return own;
    throw new StackError(
      `AWS_LAMBDA_RIE=${own}: no such file.\n  fix: point AWS_LAMBDA_RIE at an aws-lambda-rie binary, or unset it to build the pinned emulator with Go`,
    );
  }
  const binary = lambdaRiePath(settings);
  if (existsSync(binary)) return binary;

  // The caller's environment as a whole (not merged into ours), so PATH, GOPROXY and the Go caches come from it.
  const go = (args: string[], extra: Record<string, string> = {}, cwd?: string) =>
    execa('go', args, { cwd, env: { ...env, ...extra }, extendEnv: false, reject: false, all: true });
  const version = await go(['version']);
  if (version.exitCode !== 0) {
    throw new StackError(
      `Go is needed once to build the AWS Lambda Runtime Interface Emulator for the serverless example (go: ${version.all?.trim() || 'not found'}).\n  fix: ${FIX} install Go 1.26+ (https://go.dev/doc/install) and run this again`,
    );
  }

  const dir = join(settings.cacheDir, `aws-lambda-rie-${LAMBDA_RIE.commit}`);
  const partial = join(dir, `bin.partial.${process.pid}`);
  const build = join(dir, `build.${process.pid}`);
  const target = `${LAMBDA_RIE.module}/${LAMBDA_RIE.command}@${LAMBDA_RIE.pseudoVersion}`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  mkdirSync(build, { recursive: true }); // an empty working directory: no go.mod or go.work of ours applies
  try {
    log.step(`building the AWS Lambda Runtime Interface Emulator (go install ${target}, once) into ${dir}`);
    const installed = installing();
    const result = await go(
      ['install', '-trimpath', '-buildvcs=false', '-ldflags=-s -w', target],
      { GOWORK: 'off', GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOBIN: partial },
      build,
    );
    if (result.exitCode !== 0 || !existsSync(join(partial, 'aws-lambda-rie'))) {
      throw new StackError(lambdaRieBuildFailed(target, result.all ?? ''));
    }
    try {
      renameSync(partial, join(dir, 'bin'));
    } catch (error) {
      // A concurrent build got there first: its binary is as good as ours, and may be in use already.
      if (!existsSync(binary)) throw error;
    }
    installed();
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(build, { recursive: true, force: true });
  }
  log.ok(`AWS Lambda Runtime Interface Emulator built: ${binary}`);
  return binary;
}

/** The message of a failed `go install` of the RIE: the end of Go's output, then the fix. */
export function lambdaRieBuildFailed(target: string, output: string): string {
  const tail = output.trim().split('\n').slice(-20).join('\n');
  return `go install ${target} failed (the AWS Lambda Runtime Interface Emulator, for the serverless example):\n${tail}\n  fix: ${FIX} let Go reach the module proxy (GOPROXY) and run this again`;
}
