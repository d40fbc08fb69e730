#!/usr/bin/env bash
# The README's run command as a newcomer runs it, checked end to end:
#   1. `./pnpm dev` in the background, in a process group of its own (as in a terminal), its output to a log;
#   2. its banner ("everything is up") within FRONT_DOOR_WITHIN_S (default 900 s: a cold first start installs and
#      builds the native stack); it must not exit before, and no example may have had to wait for Milvus (the stack
#      said it was ready: a client's round trip worked);
#   3. `./pnpm milvus-otel verify`: every example's traces complete (15 of 15 by default);
#   4. Ctrl-C — SIGINT to dev's process group — and a clean exit (status 0) within 90 s, leaving no process behind.
# Usage: bash scripts/front-door.sh [label]   (dev's output goes to $TMPDIR/milvus-otel-front-door-<label>.log, not
# into the checkout: a fresh clone must not get its .stack/ from this script)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
label="${1:-run}"
within="${FRONT_DOOR_WITHIN_S:-900}"
log="${TMPDIR:-/tmp}/milvus-otel-front-door-$label.log"
began=$SECONDS
say() { printf 'front door (%s, %ss): %s\n' "$label" "$((SECONDS - began))" "$*"; }
fail() {
  say "FAILED: $*"
  echo "--- last lines of $log ---"
  tail -n 60 "$log" || true
  if [[ -n "${dev:-}" ]] && kill -0 "$dev" 2>/dev/null; then
    # Let dev stop what it started (examples, stack) before giving up on it.
    kill -INT -- "-$dev" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$dev" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$dev" 2>/dev/null || true
  fi
  exit 1
}

# Processes whose working directory is in this checkout, other than this script, its callers and what else runs in
# its session (a pipe it writes to); `./pnpm dev`, the examples and the stack's services have sessions of their own.
own_session=$(($(ps -o sid= -p $$)))
leftovers() {
  local ancestors=" " p=$BASHPID
  while [[ "$p" -gt 1 ]]; do
    ancestors+="$p "
    p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null || echo 1)
  done
  for dir in /proc/[0-9]*; do
    local pid=${dir#/proc/}
    [[ "$ancestors" == *" $pid "* ]] && continue
    [[ "$(awk '{print $6}' "$dir/stat" 2>/dev/null)" == "$own_session" ]] && continue
    local cwd
    cwd=$(readlink "$dir/cwd" 2>/dev/null) || continue
    if [[ "$cwd" == "$root" || "$cwd" == "$root/"* ]]; then
      # turbo's own file-watching daemon (outside CI) is not part of what dev starts.
      grep -qa 'turbo.*daemon' "$dir/cmdline" 2>/dev/null && continue
      printf '  %s %s (in %s)\n' "$pid" "$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null | cut -c1-160)" "$cwd"
    fi
  done
}

before="$(leftovers)"
[[ -z "$before" ]] || fail "processes of this checkout are running before the start:"$'\n'"$before"

say "./pnpm dev"
# Emptied here, not by the background job's redirection: the checks below must never read an earlier run's log.
: >"$log"
setsid ./pnpm dev >>"$log" 2>&1 </dev/null &
dev=$!

until grep -q 'everything is up' "$log"; do
  kill -0 "$dev" 2>/dev/null || fail "./pnpm dev exited before its banner"
  ((SECONDS - began < within)) || fail "no banner within ${within} s"
  sleep 2
done
say "banner: $(grep -o 'everything is up.*Try:' "$log" | head -n1)"
# The stack calls Milvus ready only once a client's round trip works: the examples, started after that, must not have
# had to wait for it (they would, if readiness were a guess).
if grep -q 'waiting for Milvus at' "$log"; then
  fail "an example waited for Milvus after the stack had said it was ready: $(grep -m1 'waiting for Milvus at' "$log")"
fi

say "./pnpm milvus-otel verify"
verify_json="$(./pnpm --silent milvus-otel verify --json)" || {
  echo "$verify_json"
  fail "verify found incomplete traces"
}
summary="$(node -e '
  const r = JSON.parse(process.argv[1]);
  const sent = r.targets.reduce((n, t) => n + t.requests, 0);
  const complete = r.targets.reduce((n, t) => n + t.complete, 0);
  console.log(`${complete}/${sent} ` + r.targets.map((t) => `${t.name} ${t.complete}/${t.requests}`).join(", "));
  process.exit(r.ok && sent > 0 && complete === sent ? 0 : 1);
' "$verify_json")" || fail "verify: $summary"
say "verify: $summary complete traces"

say "Ctrl-C (SIGINT to dev's process group)"
kill -INT -- "-$dev"
stopped=$SECONDS
while kill -0 "$dev" 2>/dev/null; do
  ((SECONDS - stopped < 90)) || fail "./pnpm dev still running 90 s after Ctrl-C"
  sleep 1
done
status=0
wait "$dev" || status=$?
dev=
# pnpm ends a script interrupted by Ctrl-C with status 130 (and says ELIFECYCLE); 0 is fine too. Anything else, or a
# dev that did not finish stopping what it started, is a failure.
[[ "$status" == 0 || "$status" == 130 ]] || fail "./pnpm dev exited with status $status after Ctrl-C"
grep -q 'dev: everything it started has stopped' "$log" || fail "dev did not report that it stopped everything"
left="$(leftovers)"
[[ -z "$left" ]] || fail "processes left after Ctrl-C:"$'\n'"$left"
say "stopped cleanly in $((SECONDS - stopped)) s, no process left"
