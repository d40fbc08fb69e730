#!/usr/bin/env bash
# System packages the project's builds need beyond Node.js, installed only when missing (safe to run again):
# - aws-lambda-ric (the serverless example's Lambda runtime interface client) compiles curl and aws-lambda-cpp from
#   source when it is installed: cmake, g++, make, and autoconf/automake/libtool (its build regenerates curl's
#   configure script when that is older than configure.ac);
# - zip / unzip for the serverless example's deployable zip and its test.
# Installs with apt-get when run as root on Debian/Ubuntu; otherwise names what to install and leaves it to you.
set -euo pipefail

# package:command that shows it is there
wanted=(cmake:cmake g++:g++ make:make autoconf:autoconf automake:automake libtool:libtoolize zip:zip unzip:unzip)
missing=()
for entry in "${wanted[@]}"; do
  command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ "$(uname)" == "Darwin" ]]; then
  # aws-lambda-ric skips its native build on macOS; zip and unzip come with the system.
  exit 0
fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "system-deps: missing ${missing[*]} (needed to build aws-lambda-ric for the serverless example, and its zip)." >&2
echo "             Install them, e.g. 'sudo apt-get install ${missing[*]}', then run pnpm install again." >&2
