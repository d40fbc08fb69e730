/** Helpers shared by the express, coldstart, exporter and all benchmarks. */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';

/** `--name value` as a number, else the fallback; `--short` picks the short fallback. */
export function options(argv = process.argv.slice(2)) {
  const short = argv.includes('--short');
  const num = (name: string, full: number, quick = full) => {
    const i = argv.indexOf(`--${name}`);
    const value = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
    return Number.isFinite(value) && value >= 0 ? value : short ? quick : full;
  };
  /** `--name value`, one of `allowed` (the first is the default). */
  const choice = <const T extends readonly string[]>(name: string, allowed: T): T[number] => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return allowed[0] as T[number];
    const value = argv[i + 1];
    if (!(allowed as readonly (string | undefined)[]).includes(value))
      throw new Error(`--${name} must be one of ${allowed.join(', ')}, not ${value}`);
    return value as T[number];
  };
  return { short, num, choice };
}

export { freePort } from '@milvus-otel/stack';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns a process and resolves once a line of its stdout matches `ready` (rejects on exit or timeout). */
export async function spawnReady(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; ready: RegExp; timeoutMs?: number },
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within ${opts.timeoutMs ?? 60_000} ms:\n${output}`));
    }, opts.timeoutMs ?? 60_000);
    const onData = () => {
      if (opts.ready.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before it was ready:\n${output}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  return { child, output: () => output };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/**
 * The line all.ts reads: `BENCH_RESULT {json}`. Every benchmark prints it last, after its own markdown table.
 */
export function emitResult(result: Record<string, unknown>): void {
  console.log(`BENCH_RESULT ${JSON.stringify({ ...result, loadavg: loadavg().map((l) => +l.toFixed(2)) })}`);
}

export function parseResult(stdout: string): Record<string, unknown> | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH_RESULT '));
  return line ? (JSON.parse(line.slice('BENCH_RESULT '.length)) as Record<string, unknown>) : undefined;
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return num / den;
}

export const range = (values: readonly number[], digits = 2) =>
  values.length === 0 ? '–' : `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
