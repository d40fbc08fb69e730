/**
 * Keeps the preset's current build as a baseline for a before/after comparison in one run: copies
 * packages/node/dist (the `--import` bundle and its chunks, which include the Milvus instrumentation) to
 * packages/node/.baseline/<name>/, beside the real build, so its dependencies resolve the same way. Build first
 * (`./pnpm build`), save, change the code, build again, then compare:
 *   pnpm bench:save-baseline [name]             name: the commit's short hash by default
 *   pnpm bench:search --baseline <name> …       adds the baseline's rows beside this build's
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { baselineDir, nodeDist } from './baseline.ts';

const name =
  process.argv.slice(2).find((a) => !a.startsWith('-')) ??
  execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
if (!existsSync(`${nodeDist}/register.js`)) {
  console.error(`${nodeDist}/register.js is missing: build first with ./pnpm build`);
  process.exit(1);
}
const target = baselineDir(name);
rmSync(target, { recursive: true, force: true });
cpSync(nodeDist, target, { recursive: true });
console.log(`saved the preset's build as baseline "${name}": ${target}`);
