/** Vitest globalSetup: bundles the function once, before any test file runs it (or packages it). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../scripts/rie.ts';

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.ts')], { stdio: 'inherit' });
}
