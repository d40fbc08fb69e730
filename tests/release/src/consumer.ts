/** Commands in the project the packages were installed into. */
import { inject } from 'vitest';
import { childEnv, pnpmBinDir } from './paths.ts';
import { describeRun, type RunResult, run } from './run.ts';
import './state.ts';

export const release = () => inject('release');

let pnpmDir: string | undefined;
export function consumerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  pnpmDir ??= pnpmBinDir();
  return childEnv(release().npmrc, pnpmDir, extra);
}

export interface Ran extends RunResult {
  /** The command and its output, for assertion messages. */
  describe: string;
}

export async function inConsumer(
  command: string,
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Ran> {
  const cwd = release().consumerDir;
  const result = await run(command, args, { cwd, env: consumerEnv(extraEnv), timeoutMs: 60_000 });
  return { ...result, describe: describeRun(command, args, cwd, result) };
}

/** Runs Node.js (the one running the tests) in the project. */
export const nodeInConsumer = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  inConsumer(process.execPath, args, extraEnv);
