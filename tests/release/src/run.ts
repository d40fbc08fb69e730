import { type SpawnOptions, spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

const tail = (text: string, lines = 60) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** Runs a command to its end; never throws for a non-zero exit (see `runOk`). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
    }, options.timeoutMs ?? 180_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export function describeRun(
  command: string,
  args: readonly string[],
  cwd: string,
  result: RunResult,
): string {
  return [
    `\`${[command, ...args].join(' ')}\` (in ${cwd}) exited with ${result.code ?? result.signal}`,
    result.stdout.trim() && `--- stdout (last lines)\n${tail(result.stdout)}`,
    result.stderr.trim() && `--- stderr (last lines)\n${tail(result.stderr)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Runs a command and throws, with its output, unless it exits 0. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(describeRun(command, args, options.cwd, result));
  return result;
}
