/**
 * What each published tarball holds: dist/, the README, the manifest and a command's bin/ stub — no sources, tests or
 * build leftovers.
 */
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES } from '../src/paths.ts';
import { openTarball, referencedPaths } from '../src/tarball.ts';

const ALLOWED = /^(package\.json|README\.md|CHANGELOG\.md|LICEN[CS]E(\.\w+)?|dist\/.+|bin\/[\w-]+\.js)$/;
const JUNK =
  /(^|\/)(src|test|tests|__tests__|fixtures|coverage|node_modules|\.turbo|scripts)\/|\.(test|spec)\.|tsconfig|tsup\.config|vitest\.config|\.tsbuildinfo$|(^|\/)\.env|metafile-.*\.json$|\.log$/;

describe.each(PACKAGE_NAMES)('tarball of %s', (name) => {
  const tarball = () => openTarball(release().tarballs[name]);

  it('holds only the manifest, the README, the licence, dist/ and bin/ stubs', () => {
    const files = tarball().files;
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    expect(files.filter((f) => JUNK.test(f))).toEqual([]);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE'); // Apache-2.0 asks for a copy of the licence with the work
    expect(tarball().read('README.md').length).toBeGreaterThan(1_000);
  });

  it('holds every file the manifest points at (main, module, types, bin, exports)', () => {
    const { files, manifest } = tarball();
    const missing = referencedPaths(manifest).filter(
      (path) => path !== 'package.json' && !files.includes(path),
    );
    expect(missing).toEqual([]);
  });

  it('has a declaration file beside every entry point, and a source map beside every script', () => {
    const { files } = tarball();
    for (const file of files.filter((f) => /\.(c?js)\.map$/.test(f))) {
      expect(files, `${file} without its script`).toContain(file.slice(0, -'.map'.length));
    }
    for (const file of files.filter(
      (f) => /^dist\/[^/]+\.(c?js)$/.test(f) && !/^dist\/(chunk|getMachineId)-/.test(f),
    )) {
      if (file === 'dist/cli.js') continue; // the bin: run, never imported
      expect(files, `declarations for ${file}`).toContain(
        file.replace(/\.js$/, '.d.ts').replace(/\.cjs$/, '.d.cts'),
      );
    }
  });

  it('is what npm pack would pack from the same folder (pnpm and npm agree)', () => {
    expect(tarball().files).toEqual(release().npmPackFiles[name]);
  });

  it('stays small', () => {
    expect(tarball().bytes.byteLength, 'packed bytes').toBeLessThan(2_000_000);
  });
});
