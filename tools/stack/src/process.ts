import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A background process of the stack: its own process group, a pid file, and one log file. */
export interface Daemon {
  readonly name: string;
  readonly pidFile: string;
  readonly logFile: string;
}

export function daemon(name: string, stateDir: string, logDir: string): Daemon {
  return { name, pidFile: join(stateDir, 'pids', `${name}.pid`), logFile: join(logDir, `${name}.log`) };
}

/** The group id recorded for a daemon, if its pid file exists and the group still has a live member. */
export function runningPid(d: Daemon): number | undefined {
  if (!existsSync(d.pidFile)) return undefined;
  const pid = Number(readFileSync(d.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return groupAlive(pid) ? pid : undefined;
}

/** Whether any process of the group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StartOptions {
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** Starts the command detached in a new process group, output appended to the daemon's log. Returns the pid. */
export function startDaemon(
  d: Daemon,
  opts: StartOptions,
): { pid: number; exited: () => string | undefined } {
  mkdirSync(join(d.pidFile, '..'), { recursive: true });
  mkdirSync(join(d.logFile, '..'), { recursive: true });
  const out = openSync(d.logFile, 'a');
  writeFileSync(out, `\n--- ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exit: string | undefined;
  child.once('error', (error) => {
    exit = `could not run ${opts.command}: ${error.message}`;
  });
  child.once('exit', (code, signal) => {
    exit = `${d.name} exited during start-up (${signal ?? `code ${code}`})`;
  });
  if (child.pid === undefined) throw new Error(`could not start ${d.name} (${opts.command})`);
  writeFileSync(d.pidFile, `${child.pid}\n`);
  child.unref();
  return { pid: child.pid, exited: () => exit };
}

/** SIGTERM to the daemon's whole group, SIGKILL after `graceMs`; resolves once no member is left. */
export async function stopDaemon(d: Daemon, graceMs: number): Promise<'stopped' | 'killed' | 'not running'> {
  const pid = runningPid(d);
  if (pid === undefined) {
    rmSync(d.pidFile, { force: true });
    return 'not running';
  }
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
  let result: 'stopped' | 'killed' = 'stopped';
  if (groupAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    result = 'killed';
    while (groupAlive(pid)) await sleep(50);
  }
  rmSync(d.pidFile, { force: true });
  return result;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
