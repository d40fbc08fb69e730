import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse, resolve } from 'node:path';

/**
 * The packages the app has installed, looked up from the app — its entry file's folder and the working folder — not
 * from this package. `has()` is only existence checks (a few stat calls per name, nothing read or loaded), so that
 * checking for the frameworks an app lacks costs its start-up nothing to speak of.
 */
export class AppPackages {
  private readonly bases: readonly string[];
  private readonly folders: readonly string[];
  private readonly seen = new Map<string, boolean>();

  /** `bases`: the folders to look up from. @default the entry file's folder and the working folder */
  constructor(bases: readonly string[] = appFolders()) {
    this.bases = [...new Set(bases.map((b) => resolve(b)))];
    const folders = new Set<string>();
    for (const base of this.bases)
      for (let dir = base; ; dir = dirname(dir)) {
        folders.add(dir);
        if (dir === parse(dir).root) break;
      }
    this.folders = [...folders];
  }

  /** True when `name` (`koa`, `@redis/client`) has a `node_modules/<name>/package.json` in a folder of the app or above. */
  has(name: string): boolean {
    let found = this.seen.get(name);
    if (found === undefined) {
      found = this.folders.some((dir) => existsSync(join(dir, 'node_modules', name, 'package.json')));
      this.seen.set(name, found);
    }
    return found;
  }

  /**
   * Loads `name` as the app would, else as this package would (a dependency of ours, or an optional peer installed
   * beside us) — or the other way round with `oursFirst`; undefined when neither finds it.
   */
  load<T>(name: string, oursFirst = false): T | undefined {
    const app = this.bases.map((b) => join(b, 'app.js'));
    for (const from of oursFirst ? [import.meta.url, ...app] : [...app, import.meta.url]) {
      try {
        return createRequire(from)(name) as T;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      }
    }
    return undefined;
  }
}

/** The folder of the app's entry file (`process.argv[1]`) and the working folder. */
function appFolders(): string[] {
  const entry = process.argv[1];
  return [...(entry && entry !== '-' ? [dirname(resolve(entry))] : []), process.cwd()];
}
