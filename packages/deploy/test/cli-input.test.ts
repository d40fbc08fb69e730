import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli, STACK_LINE } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'milvus-otel-cli-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

/** "Billion laughs": nine levels of nine aliases, a few hundred bytes that expand to 9^9 strings. */
const BOMB = `${['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat(
    'bcdefghi'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  )
  .join('\n')}\ntrace: *i\n`;

/** The one message a user should see: `milvus-otel <command>: …`, the fix, and no stack trace. */
function expectCleanError(run: CliRun, command: string, message: string) {
  expect(run.timedOut, 'the command hung').toBe(false);
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr.startsWith(`milvus-otel ${command}: `), run.stderr).toBe(true);
  expect(run.stderr).toContain(message);
}

describe('validate: files that cannot be read', () => {
  it('a missing path names it, says what to do, and shows no stack trace', async () => {
    const missing = join(tmp, 'nope.yaml');
    const run = await runCli(['validate', missing]);
    expectCleanError(run, 'validate', `${missing}: no such file`);
    expect(run.stderr).toContain('\n  fix: check the path');
  });

  it('a directory', async () => {
    expectCleanError(await runCli(['validate', tmp]), 'validate', `${tmp} is a folder`);
  });

  it('/dev/zero ends at once instead of reading forever', async () => {
    const run = await runCli(['validate', '/dev/zero'], { timeoutMs: 10_000 });
    expectCleanError(run, 'validate', '/dev/zero is a character device, not a regular file');
  });

  it('a FIFO is refused without waiting for a writer', async () => {
    const fifo = join(tmp, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const run = await runCli(['validate', fifo], { timeoutMs: 10_000 });
    expectCleanError(run, 'validate', `${fifo} is a FIFO (named pipe), not a regular file`);
  });

  it('a file larger than 4 MiB', async () => {
    const big = file('big.yaml', `trace: {}\n# ${'x'.repeat(4 * 1024 * 1024)}\n`);
    expectCleanError(await runCli(['validate', big]), 'validate', `${big} is larger than 4 MiB`);
  });

  it('bytes that are not UTF-8', async () => {
    const binary = file('binary.yaml', Buffer.from([0x74, 0x72, 0xff, 0xfe, 0x00, 0x3a]));
    expectCleanError(await runCli(['validate', binary]), 'validate', `${binary} is not UTF-8 text`);
  });

  it('a "billion laughs" file is a problem of the report, with no ReferenceError', async () => {
    const bomb = file('bomb.yaml', BOMB);
    const run = await runCli(['validate', bomb]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(STACK_LINE);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`✗ ${bomb} for Milvus`);
    expect(run.stdout).toContain('its YAML aliases expand too far (more than 100 copies');
    expect(run.stdout).not.toContain('ReferenceError');
  });

  it('the same bomb inside the user.yaml of Helm values', async () => {
    const nested = file(
      'values.yaml',
      `extraConfigFiles:\n  user.yaml: |\n${BOMB.split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}\n`,
    );
    const run = await runCli(['validate', nested, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { issues: { key: string; fix: string }[] };
    expect(report.issues).toEqual([
      expect.objectContaining({ key: 'extraConfigFiles.user.yaml', fix: expect.stringContaining('aliases') }),
    ]);
  });
});

describe('validate --milvus-version', () => {
  it('rejects what is no version, naming the flag and the accepted form', async () => {
    const good = file('user.yaml', 'trace:\n  exporter: stdout\n');
    const run = await runCli(['validate', good, '--milvus-version', 'banana']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--milvus-version <version>' argument 'banana' is invalid");
    expect(run.stderr).toContain('a Milvus release such as 2.5.11');
    expect(run.stdout).not.toContain('trace settings are valid');
  });

  it('accepts the forms users write, normalised', async () => {
    const good = file('user-2.yaml', 'trace:\n  exporter: stdout\n');
    for (const [given, shown] of [
      ['v2.5.11', '2.5.11'],
      ['2.5', '2.5.0'],
      ['2.5.11-gpu', '2.5.11'],
    ]) {
      const run = await runCli(['validate', good, '--milvus-version', given as string]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`for Milvus ${shown}: trace settings are valid`);
    }
  });
});

describe('render: config and output paths', () => {
  it('-c with a missing file, a directory, broken YAML or an alias bomb', async () => {
    const missing = join(tmp, 'missing.yaml');
    expectCleanError(await runCli(['render', 'helm', '-c', missing]), 'render', `${missing}: no such file`);
    expectCleanError(await runCli(['render', 'helm', '-c', tmp]), 'render', `${tmp} is a folder`);
    const broken = file('broken.yaml', 'milvus:\n  version: [2.4\n');
    const run = await runCli(['render', 'helm', '-c', broken]);
    expectCleanError(run, 'render', `${broken}: line 3, column 1: `);
    expect(run.stderr).toContain('\n  fix: correct the YAML there');
    const bomb = file('bomb-config.yaml', BOMB.replace('trace: *i', 'milvus: { trace: *i }'));
    expectCleanError(
      await runCli(['render', 'helm', '-c', bomb]),
      'render',
      'its YAML aliases expand too far',
    );
  });

  it('-c with thousands of unknown keys: a message of a few lines', async () => {
    const keys = file('keys.yaml', Array.from({ length: 5000 }, (_, i) => `k${i}: 1`).join('\n'));
    const run = await runCli(['render', 'helm', '-c', keys]);
    expectCleanError(run, 'render', 'Invalid deploy config (1):');
    expect(run.stderr).toContain('(root): unknown keys "k0", "k1",');
    expect(run.stderr).toContain('"k19" and 4980 more');
    expect(run.stderr.length).toBeLessThan(1000);
  });

  it('-c with several documents', async () => {
    const two = file('two.yaml', 'milvus: {}\n---\njaeger: {}\n');
    expectCleanError(
      await runCli(['render', 'helm', '-c', two]),
      'render',
      `${two} holds 2 YAML documents; a config is one`,
    );
  });

  it('-c with an empty file renders the defaults (and --milvus-version still applies)', async () => {
    const empty = file('empty.yaml', '');
    const run = await runCli(['render', 'helm', '-c', empty, '--milvus-version', '2.4.4']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('tag: v2.4.4');
  });

  it('-o pointing at an existing file', async () => {
    const existing = file('not-a-folder', 'x');
    expectCleanError(
      await runCli(['render', 'helm', '-o', existing]),
      'render',
      `${existing} is a file, not a folder`,
    );
    expectCleanError(
      await runCli(['render', 'compose', '-o', join(existing, 'deploy')]),
      'render',
      'a part of the path is a file, not a folder',
    );
  });

  // Linux only, like the rest of the kit's tooling: /proc refuses new entries.
  it('-o /proc/nope fails at once instead of retrying forever', async () => {
    const run = await runCli(['render', 'helm', '-o', '/proc/nope'], { timeoutMs: 10_000 });
    expectCleanError(run, 'render', 'cannot create the folder /proc/nope');
  });

  it('-o writes into new nested folders, and over a FIFO it refuses instead of waiting', async () => {
    const out = join(tmp, 'out', 'a', 'b');
    const run = await runCli(['render', 'compose', '-o', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(out, 'milvus', 'user.yaml'), 'utf8')).toContain('trace:');

    const blocked = join(tmp, 'blocked');
    mkdirSync(blocked);
    execFileSync('mkfifo', [join(blocked, 'values.yaml')]);
    const fifo = await runCli(['render', 'helm', '-o', blocked], { timeoutMs: 10_000 });
    expectCleanError(fifo, 'render', `${join(blocked, 'values.yaml')} is a FIFO`);
  });

  it('--json with -o is refused instead of ignoring -o', async () => {
    const run = await runCli(['render', 'helm', '--json', '-o', join(tmp, 'json-out')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--json' cannot be used with option '-o, --out <dir>'");
    expect(existsSync(join(tmp, 'json-out'))).toBe(false);
  });

  it('the removed --local-stack is refused instead of ignored (the local stack is a --config file now)', async () => {
    const run = await runCli(['render', 'compose', '--local-stack', '-c', join(tmp, 'x.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown option '--local-stack'");
  });

  it('render --milvus-version rejects what is no version', async () => {
    const run = await runCli(['render', 'helm', '--milvus-version', '2.4x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--milvus-version <version>' argument '2.4x' is invalid");
  });
});

describe('trace: the id', () => {
  it('rejects the all-zero trace id before asking Jaeger', async () => {
    const run = await runCli(['trace', '0'.repeat(32), '--jaeger-url', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`"${'0'.repeat(32)}" is the all-zero trace id`);
    expect(run.stderr).not.toContain('not reachable');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

describe('doctor: addresses out of range', () => {
  it('a port outside 1-65535 fails its check with a reason, and credentials in URLs are masked', async () => {
    const run = await runCli(['doctor', '--json'], {
      env: {
        MILVUS_ADDRESS: 'localhost:99999',
        MILVUS_HEALTH_URL: 'http://127.0.0.1:1/healthz',
        JAEGER_QUERY_URL: 'http://user:SECRETPW@127.0.0.1:1',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:0',
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    const report = JSON.parse(run.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'Milvus gRPC port')?.detail).toBe(
      'localhost:99999 is not host:port with a port from 1 to 65535',
    );
    expect(report.checks.find((c) => c.name === 'OTLP receiver')?.ok).toBe(false);
    expect(run.stdout).not.toContain('SECRETPW');
  });
});
