/** Time spent installing native parts in this process (they install in parallel: first start to last end). */
const installs: { first?: number; last?: number } = {};

/** Marks an install as started; call what it returns when it is done. */
export function installing(): () => void {
  installs.first ??= Date.now();
  return () => {
    installs.last = Date.now();
  };
}

/** From now on: `{ installMs }` when something was installed since (a cold first start), else `{}`. */
export function installTimer(): () => { installMs?: number } {
  const since = Date.now();
  return () =>
    installs.first !== undefined && installs.last !== undefined && installs.first >= since
      ? { installMs: installs.last - installs.first }
      : {};
}
