#!/usr/bin/env bash
# Everything a fresh machine needs before `pnpm test`: pnpm at the pinned version, a redis-server
# binary (the tests start their own), the dependencies from the lockfile, and a build.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install --global --no-fund --no-audit --allow-scripts=pnpm --exact "pnpm@$PNPM_VERSION" \
    || npm install --global --no-fund --no-audit --exact "pnpm@$PNPM_VERSION"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing redis-server"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server
fi

echo "setup: installing dependencies"
pnpm install --frozen-lockfile
echo "setup: building"
pnpm build
echo "setup: done. Run the tests with: pnpm test"
