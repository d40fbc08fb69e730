import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

// Apps bundle the package (the serverless example, Lambda functions): its build must not make the bundler warn. The
// entries share hashed chunks, which esbuild imports for their side effects; "sideEffects" in package.json must not
// tell it to drop them (it warned "ignored-bare-import" for each, in every app's build).
describe('the built entries bundle without warnings', () => {
  it.each(['index.js', 'server.js', 'address.js'])('dist/%s', async (entry) => {
    const result = await build({
      entryPoints: [`${DIST}${entry}`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.text)).toEqual([]);
  });
});
