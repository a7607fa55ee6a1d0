#!/usr/bin/env bash
# Builds the web console (apps/web → apps/web/dist) that the gateway serves and the browser suites
# drive. Skipped when the build is newer than every source file it comes from.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT"
built="apps/web/dist/index.html"
if [[ -f $built ]] && [[ -z $(find apps/web/src apps/web/index.html apps/web/vite.config.mjs libs/client/src package-lock.json -newer "$built" -print -quit) ]]; then
  echo "console: up to date ($built)"
  exit 0
fi
npx vite build --config apps/web/vite.config.mjs --logLevel warn
echo "console: built $built"
