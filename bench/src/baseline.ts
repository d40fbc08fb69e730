/** Where save-baseline.ts keeps a build of the preset, and how a benchmark finds it again. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const nodeDist = fileURLToPath(new URL('../../packages/node/dist', import.meta.url));
export const baselineDir = (name: string) =>
  fileURLToPath(new URL(`../../packages/node/.baseline/${name}`, import.meta.url));

/** The saved `--import` bundle of baseline `name`; exits with the command that saves one when there is none. */
export function baselineBundle(name: string): string {
  const bundle = `${baselineDir(name)}/register.js`;
  if (!existsSync(bundle)) {
    console.error(
      `no baseline "${name}" (${bundle}): save one with ./pnpm --filter @milvus-otel/bench bench:save-baseline -- ${name}`,
    );
    process.exit(2);
  }
  return bundle;
}
