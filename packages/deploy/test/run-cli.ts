import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The built CLI, run as users run it. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface CliRun {
  /** Exit code; null when the process was killed. */
  readonly code: number | null;
  /** True when the run took longer than its timeout and was killed. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `milvus-otel <args>` in `cwd`, killed after `timeoutMs` (a hang is a result, not a stuck test). */
export function runCli(
  args: readonly string[],
  {
    timeoutMs = 15_000,
    cwd,
    env = {},
  }: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', ...env },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; killed?: boolean }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          timedOut: e?.killed === true,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** A line of a Node stack trace (`    at fn (file:1:2)`). */
export const STACK_LINE = /^\s+at .+/m;

/**
 * Runs `milvus-otel <args>` and checks that it failed as expected input errors do: exit 1, nothing on stdout, the
 * message (and at most a line with its fix) on stderr, no stack trace.
 */
export async function expectFailure(args: readonly string[], message: RegExp): Promise<void> {
  const run = await runCli(args);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
}
