#!/usr/bin/env bash
# The test command: installs what is missing, starts the real Kafka broker and MongoDB-protocol
# server (tools/infra.sh), then type-checks, lints, and runs unit, integration, e2e, outage and contract tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

stamp="node_modules/.package-lock.sha"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

bash tools/infra.sh up
set -a; # shellcheck disable=SC1091
. .cache/infra/env; set +a

# Tools the suites drive from outside (Python clients, a browser, rule checkers): each script in
# tools/setup/ installs or reuses its tool under the shared cache and exports nothing but files.
for setup in tools/setup/*.sh; do [[ -e $setup ]] || continue; echo "== setup: $(basename "$setup" .sh)"; bash "$setup"; done

# The whole repo in one program (mongoose and the generated client are large types): more heap than the default.
echo "== typecheck"; NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=6144" npx tsc -p tsconfig.json --noEmit
echo "== lint"; NX_DAEMON=false npx nx show projects >/dev/null; npx eslint .
# Each jest run is bounded, and exits once its suites are done even if a handle (a failed service
# process, a client socket) is still open, so a defect fails the run instead of hanging it.
echo "== unit"; timeout 10m npx jest --selectProjects unit --forceExit
echo "== integration + e2e (real Kafka, real MongoDB-protocol server)"; timeout 45m npx jest --selectProjects int e2e --runInBand --forceExit
echo "== outages (store and broker, through a relay and a private broker)"; timeout 10m npx jest --selectProjects outage --runInBand --forceExit
echo "== API contract (schemathesis over the merged OpenAPI document)"; timeout 15m npx jest --selectProjects contract --runInBand --forceExit
echo "== helm chart"; bash tools/helm-check.sh
# Checks that are not jest suites (generated client up to date, alert rules, dashboards).
for check in tools/ci/*.sh; do [[ -e $check ]] || continue; echo "== $(basename "$check" .sh)"; bash "$check"; done
