#!/usr/bin/env bash
# Everything a fresh machine needs: pnpm at the pinned version, a redis-server binary (the tests and
# `pnpm start` start their own instances), redis-py (the tcp-server's foreign-clients tests), openssl
# (the TLS tests' throwaway certificates), Debian's chromium (the dashboard's browser tests and
# `pnpm ui:screenshots`; not for `start`), the dependencies from the lockfile, and a build. Safe to
# run again: each step is skipped when already done. Then, if asked:
#   bash scripts/setup.sh start   # … and start the servers (pnpm start); flags after it go to
#                                 # pnpm start: bash scripts/setup.sh start --tcp-port 17379
#   bash scripts/setup.sh test    # … and run every test (pnpm test)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PNPM_VERSION=12.4.2

# pnpm, exactly the pinned version. Not corepack: the registry reachable here serves no signatures.
pnpm_version() { (cd / && pnpm --version 2>/dev/null) || true; }
if [ "$(pnpm_version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION (found: '$(pnpm_version)')"
  # --allow-scripts=pnpm: npm 11 otherwise warns about pnpm's install script (it places the binary).
  npm install -g -E --no-audit --no-fund --allow-scripts=pnpm "pnpm@$PNPM_VERSION" \
    || npm install -g -E --no-audit --no-fund --allow-scripts=pnpm --force "pnpm@$PNPM_VERSION"
  hash -r
  [ "$(pnpm_version)" = "$PNPM_VERSION" ] || { echo "setup: pnpm on PATH is '$(pnpm_version)', expected $PNPM_VERSION" >&2; exit 1; }
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing redis-server (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y redis-server
  hash -r
fi
# redis-py from Debian (4.3.4): the tcp-server's foreign-clients tests drive tinyqs with it, as shipped.
if ! /usr/bin/python3 -c 'import redis' >/dev/null 2>&1; then
  echo "setup: installing python3-redis (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3-redis
fi
# openssl: the TLS tests make a throwaway CA and certificates with it at run time (none are committed).
if ! command -v openssl >/dev/null 2>&1; then
  echo "setup: installing openssl (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y openssl
fi
# chromium from Debian: the dashboard's tests drive it with playwright-core, which never downloads a browser.
if [ "${1:-}" != "start" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi
echo "setup: pnpm $(pnpm_version), $(redis-server --version | cut -d' ' -f1-3), node $(node --version)"

pnpm install --frozen-lockfile
# `pnpm start` and `pnpm test` build first themselves: build here only when no step follows.
case "${1:-}" in
  start) shift; exec pnpm start -- "$@" ;;
  test) exec pnpm test ;;
  "") pnpm build; echo "setup: done. Start the servers with 'pnpm start', run the tests with 'pnpm test'." ;;
  *) echo "setup: unknown step '$1' (start or test)" >&2; exit 2 ;;
esac
