#!/usr/bin/env bash
# tinyqs in the peers' benchmark harness, interleaved with BullMQ, bee-queue, RSMQ and raw Redis lists
# on one throwaway Redis in one sitting, so the ratios between them mean something (figures on this
# 2-core VM drift by up to ~1.8x between sittings). See docs/benchmarks.md.
#
#   bash scripts/bench-peers.sh                          # 3 rounds x A-E x 6 implementations
#   ROUNDS=1 SCENARIOS="C D" bash scripts/bench-peers.sh
#
# Environment:
#   PEERS        implementations, default "tinyqs rsmq bee-queue bullmq raw-list raw-lmove"
#                ("tinyqs+bulk", "bullmq+bulk", ... use sendBatch)
#   SCENARIOS    default "A B C D E";  ROUNDS  default 3        (both passed to run-all.sh)
#   PEERS_DIR    the harness, default ../shared/peers next to the repo (only read: it is copied)
#   TINYQS_CORE  the engine build to measure, default <repo>/packages/core/dist/index.js
#   NO_BUILD=1   skip `pnpm build`;  KEEP=1  keep the temporary copy of the harness
#   BENCH_REDIS_PORT  default: a free port; run-all.sh starts (and stops) its own Redis there
#   PEERS_CACHE  where `npm ci` results are kept between runs, default /tmp/tinyqs-peers-cache
# Raw results (one JSON line per run) are copied to bench-results/ (gitignored).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=$(cd "${PEERS_DIR:-$REPO/../shared/peers}" && pwd)
export TINYQS_CORE=${TINYQS_CORE:-$REPO/packages/core/dist/index.js}
export PEERS=${PEERS:-"tinyqs rsmq bee-queue bullmq raw-list raw-lmove"}
CACHE_ROOT=${PEERS_CACHE:-/tmp/tinyqs-peers-cache}
log() { echo "bench-peers: $*" >&2; }

# 1. the engine, built as users get it
if [ -z "${NO_BUILD:-}" ] && [ "$TINYQS_CORE" = "$REPO/packages/core/dist/index.js" ]; then
  log "pnpm build"
  (cd "$REPO" && pnpm build >/tmp/tinyqs-bench-peers-build.log 2>&1) || { cat /tmp/tinyqs-bench-peers-build.log >&2; exit 1; }
fi
[ -f "$TINYQS_CORE" ] || { log "no engine at $TINYQS_CORE"; exit 1; }

# 2. the harness's dependencies: npm ci once per package-lock, kept between runs
hash=$(cat "$PEERS_DIR/package.json" "$PEERS_DIR/package-lock.json" | sha256sum | cut -c1-16)
CACHE=$CACHE_ROOT/$hash
if [ ! -d "$CACHE/node_modules" ]; then
  mkdir -p "$CACHE_ROOT"
  tmp=$(mktemp -d "$CACHE_ROOT/install.XXXXXX")
  cp "$PEERS_DIR/package.json" "$PEERS_DIR/package-lock.json" "$tmp/"
  log "npm ci (cached in $CACHE)"
  (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error >&2)
  mv -T "$tmp" "$CACHE" 2>/dev/null || rm -rf "$tmp" # a parallel run may have installed it first
fi

# 3. a writable copy of the harness with the tinyqs adapter dropped in
WORK=$(mktemp -d /tmp/tinyqs-peers-run.XXXXXX)
cp -r "$PEERS_DIR/." "$WORK/"
chmod -R u+w "$WORK"
rm -rf "$WORK/node_modules" "$WORK"/results/*
ln -s "$CACHE/node_modules" "$WORK/node_modules"
cp "$REPO/scripts/peers/tinyqs.mjs" "$WORK/adapters/tinyqs.mjs"

# 4. a free port for run-all.sh's own Redis (never the shared 6379); stop it if we are interrupted
if [ -z "${BENCH_REDIS_PORT:-}" ]; then
  BENCH_REDIS_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
fi
export BENCH_REDIS_PORT
PIDFILE=/tmp/tinyqs-bench-redis-$BENCH_REDIS_PORT.pid # where run-all.sh's redis-server writes its PID
cleanup() {
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then kill "$(cat "$PIDFILE")"; fi
  rm -f "$PIDFILE" "/tmp/tinyqs-bench-redis-$BENCH_REDIS_PORT.log"
  [ -n "${KEEP:-}" ] && log "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# 5. run, interleaved, and keep the raw lines
mkdir -p "$REPO/bench-results"
stamp=$(date +%Y%m%d-%H%M%S)
export OUT=$WORK/results/run-$stamp.jsonl
log "PEERS=\"$PEERS\" SCENARIOS=\"${SCENARIOS:-A B C D E}\" ROUNDS=${ROUNDS:-3} on 127.0.0.1:$BENCH_REDIS_PORT; engine $TINYQS_CORE"
bash "$WORK/run-all.sh"
cp "$OUT" "$REPO/bench-results/peers-$stamp.jsonl"
node "$REPO/scripts/peers/ratios.mjs" "$OUT"
log "raw results: bench-results/peers-$stamp.jsonl"
