/**
 * Bundles the function into dist/handler.mjs (Lambda handler `handler.handler`): everything except the packages in
 * RUNTIME_EXTERNALS, which stay in node_modules and are loaded with `require()` at run time (see scripts/plugins.ts
 * for why), with the preset's on-demand modules bundled.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { RUNTIME_EXTERNALS } from './externals.ts';
import { bundleOnDemandLoads, REQUIRE_BANNER, requireExternals } from './plugins.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'handler.mjs');

rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  banner: { js: REQUIRE_BANNER },
  plugins: [requireExternals, bundleOnDemandLoads],
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`built ${outfile} (${(bytes / 1024).toFixed(0)} KiB); external: ${RUNTIME_EXTERNALS.join(', ')}`);
