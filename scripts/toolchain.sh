#!/usr/bin/env bash
# Puts the project's pinned Node.js and pnpm first on PATH, installing them from the npm registry on first use.
# Source it (`. scripts/toolchain.sh`) or let ./pnpm do it. Needs any Node.js with npm to bootstrap (the machine's own).
# The install lives in a versioned folder under the cache dir, so it is shared by every checkout and never stale.

_mo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_mo_pkg="$_mo_root/package.json"

# Versions come from package.json: devEngines.runtime.version (Node) and packageManager (pnpm).
_mo_node_version="$(sed -n '/"devEngines"/,/}/s/.*"version": *"\([0-9.]*\)".*/\1/p' "$_mo_pkg" | head -n1)"
_mo_pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([0-9.]*\)".*/\1/p' "$_mo_pkg")"
if [[ -z "$_mo_node_version" || -z "$_mo_pnpm_version" ]]; then
  echo "toolchain: could not read devEngines.runtime.version / packageManager from $_mo_pkg" >&2
  return 1 2>/dev/null || exit 1
fi

_mo_cache="${MILVUS_OTEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/milvus-otel}"
_mo_dir="$_mo_cache/toolchain/node-$_mo_node_version-pnpm-$_mo_pnpm_version"
_mo_bin="$_mo_dir/node_modules/.bin"

if [[ ! -x "$_mo_bin/node" || ! -x "$_mo_bin/pnpm" || ! -f "$_mo_dir/.complete" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "toolchain: npm is needed once to install Node.js $_mo_node_version and pnpm $_mo_pnpm_version." >&2
    echo "           Install any Node.js with npm (e.g. 'apt-get install nodejs npm'), then run this again." >&2
    return 1 2>/dev/null || exit 1
  fi
  echo "toolchain: installing Node.js $_mo_node_version and pnpm $_mo_pnpm_version into $_mo_dir" >&2
  # Install beside the target and move it in place, so a concurrent or interrupted install never leaves half a toolchain.
  _mo_tmp="$_mo_dir.partial.$$"
  rm -rf "$_mo_tmp"
  mkdir -p "$_mo_tmp"
  printf '{ "private": true }\n' > "$_mo_tmp/package.json"
  if ! npm install --prefix "$_mo_tmp" --no-audit --no-fund --loglevel=error \
      "node@$_mo_node_version" "pnpm@$_mo_pnpm_version" >&2 || ! "$_mo_tmp/node_modules/.bin/node" --version >/dev/null; then
    rm -rf "$_mo_tmp"
    echo "toolchain: installing Node.js $_mo_node_version / pnpm $_mo_pnpm_version from the npm registry failed (see above)." >&2
    return 1 2>/dev/null || exit 1
  fi
  touch "$_mo_tmp/.complete"
  if [[ -f "$_mo_dir/.complete" ]]; then
    rm -rf "$_mo_tmp"
  else
    rm -rf "$_mo_dir"
    mv "$_mo_tmp" "$_mo_dir"
  fi
fi

case ":$PATH:" in
  *":$_mo_bin:"*) ;;
  *) export PATH="$_mo_bin:$PATH" ;;
esac
# pnpm keeps its store under the cache dir too, so a fresh clone installs from it.
export PNPM_HOME="${PNPM_HOME:-$_mo_cache/pnpm-home}"
export MILVUS_OTEL_CACHE="$_mo_cache"
unset _mo_tmp _mo_root _mo_pkg _mo_node_version _mo_pnpm_version _mo_dir _mo_bin _mo_cache
