#!/usr/bin/env bash
# The four packages as npm tarballs, for using tinyqs outside this repository before it is on the
# npm registry: builds, then `pnpm pack`s @tinyqs/core, tcp-server, http-server and client into
# ./packs (pnpm rewrites the `workspace:` ranges to the version). Then, in your project:
#   npm install /path/to/tinyqs/packs/tinyqs-core-*.tgz /path/to/tinyqs/packs/tinyqs-client-*.tgz
# (a server package needs core's tarball beside it in the same install, as client does).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pnpm build >&2
rm -rf packs && mkdir packs
for pkg in core tcp-server http-server client; do
  (cd "packages/$pkg" && pnpm pack --pack-destination ../../packs >/dev/null)
done
ls -1 "$PWD"/packs/*.tgz
