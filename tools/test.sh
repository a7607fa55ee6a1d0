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
# Each stage's outcome goes to $RESULTS (jest's JSON report, or a line for other checks), and the
# summary of every stage that ran is printed last, also when one fails.
RESULTS=.cache/test-results
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
trap 'node tools/test-summary.mjs "$RESULTS" || true' EXIT
jest_stage() { # id, minutes, title, jest arguments...
  local id=$1 minutes=$2 title=$3; shift 3
  echo "== $title"; echo "$title" >"$RESULTS/$id.started"
  timeout "${minutes}m" npx jest "$@" --forceExit --json --outputFile="$RESULTS/$id.jest.json"
}
check_stage() { # id, title, command...
  local id=$1 title=$2; shift 2
  echo "== $title"; echo "$title" >"$RESULTS/$id.started"
  if "$@"; then echo "passed" >"$RESULTS/$id.check"; else echo "failed" >"$RESULTS/$id.check"; return 1; fi
}

jest_stage 1-unit 10 "unit" --selectProjects unit
jest_stage 2-int-e2e 45 "integration + e2e (real Kafka, real MongoDB-protocol server)" --selectProjects int e2e --runInBand
jest_stage 3-outage 10 "outages (store and broker, through a relay and a private broker)" --selectProjects outage --runInBand
jest_stage 4-contract 15 "API contract (schemathesis over the merged OpenAPI document)" --selectProjects contract --runInBand
check_stage 5-helm "helm chart" bash tools/helm-check.sh
# Checks that are not jest suites (generated client up to date, alert rules, dashboards).
for check in tools/ci/*.sh; do [[ -e $check ]] || continue; name=$(basename "$check" .sh); check_stage "6-$name" "$name" bash "$check"; done
