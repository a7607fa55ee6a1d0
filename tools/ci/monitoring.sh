#!/usr/bin/env bash
# The chart's monitoring: alert rules checked and unit-tested with promtool, the Grafana dashboards
# validated (JSON, PromQL parsed by promtool, every series exported by the code).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
MONITORING="$ROOT/deploy/helm/mlops-control-plane/monitoring"
PROMTOOL="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}/go-bin/promtool"
[[ -x $PROMTOOL ]] || { echo "monitoring: promtool missing; run bash tools/setup/promtool.sh" >&2; exit 1; }

"$PROMTOOL" check rules "$MONITORING/alerts.rules.yaml"
(cd "$MONITORING/tests" && "$PROMTOOL" test rules ./*.yaml)
queries=$(mktemp --suffix=.rules.json)
trap 'rm -f "$queries"' EXIT
node "$ROOT/tools/ci/check-dashboards.mjs" "$MONITORING/dashboards" "$MONITORING/alerts.rules.yaml" "$queries" "$ROOT/apps" "$ROOT/libs"
"$PROMTOOL" check rules "$queries" >/dev/null
echo "monitoring: alert rules, their tests and the dashboards' queries are valid"
