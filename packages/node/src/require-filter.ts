import Module, { isBuiltin } from 'node:module';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

type Require = (this: Module, id: string) => unknown;

const NODE_MODULES = `${sep}node_modules${sep}`;

/** The package a file belongs to, from its path (`…/node_modules/@scope/name/…` → `@scope/name`). */
export function packageOfPath(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES);
  if (at === -1) return undefined;
  const parts = file.slice(at + NODE_MODULES.length).split(sep);
  return parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] || undefined;
}

/** The package of a module name as instrumentations declare it (`express`, `@scope/name`, `name/lib/file.js`). */
export function packageOfName(name: string): string {
  const parts = name.split('/');
  return (name.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * Whether `require(id)` from `parentFile` may load a module of one of `packages` (or the built-in of that name).
 * Errs on the side of yes: an unusual id (not a string, absolute without node_modules…) counts as wanted only when
 * it can be; an id relative to a file of a wanted package stays wanted.
 */
export function mayLoadWanted(
  id: unknown,
  parentFile: string | null | undefined,
  packages: ReadonlySet<string>,
): boolean {
  if (typeof id !== 'string' || id === '') return true;
  if (isBuiltin(id)) return packages.has(id.startsWith('node:') ? id.slice(5) : id);
  if (id.startsWith('#')) return parentFile ? wantedPath(parentFile, packages) : true;
  if (id.startsWith('.') || isAbsolute(id)) {
    if (isAbsolute(id)) return wantedPath(id, packages);
    return parentFile ? wantedPath(resolve(dirname(parentFile), id), packages) : true;
  }
  return packages.has(packageOfName(id));
}

function wantedPath(file: string, packages: ReadonlySet<string>): boolean {
  const pkg = packageOfPath(file);
  return pkg !== undefined && packages.has(pkg);
}

/**
 * The require hook OpenTelemetry installs (require-in-the-middle, one for every instrumentation) resolves every
 * required file a second time and works out its package — for each of the app's ~1,500 requires, most of them of
 * packages nothing instruments. This sends only the requires that may load an instrumented package (or built-in)
 * through it, and the others straight to the require it wrapped.
 *
 * register() applies it unless MILVUS_OTEL_REQUIRE_HOOK=all: an instrumentation created after register() without
 * being passed to it, with the same copy of @opentelemetry/instrumentation, would share the narrowed hook and miss
 * its package. (Hooks installed later by other copies wrap this one and still see every require; instrumentations
 * created before register() installed the hook earlier, and then there is nothing to narrow.)
 *
 * `original`: Module.prototype.require before the instrumentations were created. Returns false when there was no
 * hook to narrow.
 */
export function narrowRequireHook(original: Require, packages: readonly string[]): boolean {
  const proto = Module.prototype as unknown as { require: Require };
  const hooked = proto.require;
  if (hooked === original) return false;
  const wanted = new Set(packages);
  proto.require = function require(this: Module, id: string) {
    // biome-ignore lint/complexity/noArguments: pass every argument through, as require-in-the-middle does
    return (mayLoadWanted(id, this?.filename, wanted) ? hooked : original).apply(this, arguments as never);
  };
  return true;
}
