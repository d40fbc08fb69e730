import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureLambdaRie, LAMBDA_RIE, lambdaRieBuildFailed, lambdaRiePath } from '../src/lambda.ts';
import { StackError } from '../src/log.ts';

const TARGET = `${LAMBDA_RIE.module}/${LAMBDA_RIE.command}@${LAMBDA_RIE.pseudoVersion}`;

/** A PATH holding only a `go` script with this body (builtins only: nothing else is on that PATH). */
function fakeGo(root: string, body: string): string {
  const bin = join(root, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'go'), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, 'go'), 0o755);
  return bin;
}

const thrown = async (promise: Promise<unknown>): Promise<StackError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StackError);
  return error as StackError;
};

describe('the pinned Lambda Runtime Interface Emulator', () => {
  it('names one commit in its commit and its pseudo-version', () => {
    expect(LAMBDA_RIE.pseudoVersion).toMatch(/^v0\.0\.0-\d{14}-[0-9a-f]{12}$/);
    expect(LAMBDA_RIE.pseudoVersion.endsWith(`-${LAMBDA_RIE.commit.slice(0, 12)}`)).toBe(true);
  });

  it('is cached per commit under the cache dir', () => {
    expect(lambdaRiePath({ cacheDir: '/c' })).toBe(
      `/c/aws-lambda-rie-${LAMBDA_RIE.commit}/bin/aws-lambda-rie`,
    );
  });
});

describe('ensureLambdaRie', () => {
  let root: string;
  let cacheDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'milvus-otel-rie-'));
    cacheDir = join(root, 'cache');
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('uses AWS_LAMBDA_RIE as it is, without Go', async () => {
    const own = join(root, 'my-rie');
    writeFileSync(own, '');
    expect(await ensureLambdaRie({ cacheDir }, { AWS_LAMBDA_RIE: own, PATH: join(root, 'none') })).toBe(own);
  });

  it('fails on an AWS_LAMBDA_RIE that names no file, rather than building another one', async () => {
    const error = await thrown(
      ensureLambdaRie({ cacheDir }, { AWS_LAMBDA_RIE: join(root, 'missing'), PATH: fakeGo(root, 'exit 0') }),
    );
    expect(error.message).toContain(`AWS_LAMBDA_RIE=${join(root, 'missing')}: no such file`);
    expect(error.message).toContain('fix: point AWS_LAMBDA_RIE at an aws-lambda-rie binary');
  });

  it('reuses the cached build, without Go', async () => {
    const binary = lambdaRiePath({ cacheDir });
    mkdirSync(dirname(binary), { recursive: true });
    writeFileSync(binary, '');
    expect(await ensureLambdaRie({ cacheDir }, { PATH: join(root, 'none') })).toBe(binary);
  });

  it('without Go, fails with one message naming both fixes', async () => {
    const error = await thrown(ensureLambdaRie({ cacheDir }, { PATH: join(root, 'none') }));
    expect(error.message).toMatch(/^Go is needed once to build the AWS Lambda Runtime Interface Emulator/);
    expect(error.message).toContain(
      'fix: set AWS_LAMBDA_RIE=<path to an aws-lambda-rie binary>, or install Go 1.26+',
    );
  });

  it('when go install fails, says so with Go’s output and the fix, and leaves nothing behind', async () => {
    const path = fakeGo(
      root,
      'case "$1" in version) echo go version go1.26.8 ;; *) echo "reading <module proxy>/...: 403 Forbidden" >&2; exit 1 ;; esac',
    );
    const error = await thrown(ensureLambdaRie({ cacheDir }, { PATH: path }));
    expect(error.message).toBe(lambdaRieBuildFailed(TARGET, 'reading <module proxy>/...: 403 Forbidden'));
    expect(readdirSync(join(cacheDir, `aws-lambda-rie-${LAMBDA_RIE.commit}`))).toEqual([]);
  });

  it('builds the pinned pseudo-version with go install and moves the binary into place', async () => {
    // The fake build writes its arguments and environment where go install would put the binary.
    const path = fakeGo(
      root,
      'case "$1" in version) echo go version go1.26.8 ;; *) echo "$@ GOWORK=$GOWORK GOFLAGS=$GOFLAGS CGO_ENABLED=$CGO_ENABLED" > "$GOBIN/aws-lambda-rie" ;; esac',
    );
    const binary = await ensureLambdaRie({ cacheDir }, { PATH: path });
    expect(binary).toBe(lambdaRiePath({ cacheDir }));
    expect(readFileSync(binary, 'utf8').trim()).toBe(
      `install -trimpath -buildvcs=false -ldflags=-s -w ${TARGET} GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0`,
    );
    expect(readdirSync(dirname(dirname(binary)))).toEqual(['bin']);
  });
});

describe('lambdaRieBuildFailed', () => {
  it('keeps the end of Go’s output and names the fix', () => {
    const output = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');
    const message = lambdaRieBuildFailed(TARGET, `${output}\n`);
    expect(message).toMatch(new RegExp(`^go install ${TARGET.replaceAll('.', '\\.')} failed`));
    expect(message).not.toContain('line 10\n');
    expect(message).toContain('line 11\n');
    expect(message).toContain('line 30\n');
    expect(message).toMatch(
      /fix: set AWS_LAMBDA_RIE=<path to an aws-lambda-rie binary>, or let Go reach the module proxy \(GOPROXY/,
    );
  });
});
