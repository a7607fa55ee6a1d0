#!/usr/bin/env bash
# Lints, renders and validates the Helm chart in deploy/helm/mlops-control-plane
# without a cluster and without network access beyond the Go module proxy.
#
#   bash tools/helm-check.sh
#
# Tools are built from source with `go install` (pinned versions) into
# $MLOPS_CACHE_DIR/go-bin (default ~/.cache/mlops), with GOPATH/GOMODCACHE/GOCACHE under it;
# they are (re)built only when missing or when a pin changes.
#
# Validation:
#   1. helm lint --strict with ci/insecure-dev-values.yaml (the defaults plus auth.insecureDevMode),
#      ci/all-enabled-values.yaml (HPA, Ingress, ServiceMonitor, existingSecret, OIDC, Kafka TLS
#      with a client certificate and SCRAM, every NetworkPolicy knob) and ci/chart-secret-values.yaml
#      (API keys and a SASL password in the chart's Secret).
#   2. values.schema.json must reject a bad value set, and the chart must refuse to render a
#      gateway without authentication and Kafka settings that cannot work (negative tests).
#   3. helm template (the three value sets, --kube-version 1.30.0).
#   4. kubeconform -strict -summary -kubernetes-version 1.30.0 against strict JSON
#      schemas that tools/k8s-validate generates offline from the Go API types
#      (k8s.io/api v0.30.x = Kubernetes 1.30; ServiceMonitor from the
#      prometheus-operator monitoring/v1 Go types). kubeconform's usual schema
#      source is GitHub, which is not reachable here.
#   5. tools/k8s-validate decode: every document strictly decoded with the
#      client-go scheme (unknown/duplicate fields, wrong types and API versions
#      not served by 1.30 are errors).
# Exits non-zero on any failure; the last line is a one-line summary.
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VERSION=1.30.0

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHART="$REPO/deploy/helm/mlops-control-plane"
ALL_VALUES="$CHART/ci/all-enabled-values.yaml"
DEV_VALUES="$CHART/ci/insecure-dev-values.yaml"
SECRET_VALUES="$CHART/ci/chart-secret-values.yaml"
# Tools and Go caches are shared by every checkout on the machine (see tools/infra.sh).
DOWNLOADS="${MLOPS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mlops}"
BIN="$DOWNLOADS/go-bin"
WORK="$REPO/.cache/helm-check"
SCHEMAS="$DOWNLOADS/kubeconform-schemas"

export GOPATH="$DOWNLOADS/go"
export GOMODCACHE="$GOPATH/mod"
export GOCACHE="$GOPATH/build"
export GOBIN="$BIN"
export GOFLAGS="${GOFLAGS:-} -trimpath"
mkdir -p "$BIN" "$GOMODCACHE" "$GOCACHE" "$WORK"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'helm-check: FAILED: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not installed (needed to build helm/kubeconform/k8s-validate)"

# install NAME PACKAGE@VERSION — go install unless BIN/NAME was built from the same pin.
install_tool() {
  local name=$1 pkg=$2 stamp="$BIN/.$1.version"
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$pkg" ]]; then
    return 0
  fi
  log "go install $pkg (first build can take a few minutes)"
  go install "$pkg"
  echo "$pkg" >"$stamp"
}

t0=$SECONDS
install_tool helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
install_tool kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"

# k8s-validate: local module tools/k8s-validate; rebuild when its sources change.
src_hash=$(cat "$REPO"/tools/k8s-validate/go.mod "$REPO"/tools/k8s-validate/go.sum "$REPO"/tools/k8s-validate/*.go | sha256sum | cut -c1-16)
if [[ ! -x "$BIN/k8s-validate" || "$(cat "$BIN/.k8s-validate.version" 2>/dev/null)" != "$src_hash" ]]; then
  log "building tools/k8s-validate"
  (cd "$REPO/tools/k8s-validate" && go build -mod=readonly -o "$BIN/k8s-validate" .)
  echo "$src_hash" >"$BIN/.k8s-validate.version"
  rm -rf "$SCHEMAS"
fi
if [[ ! -f "$SCHEMAS/.stamp" || "$(cat "$SCHEMAS/.stamp")" != "$src_hash-$KUBERNETES_VERSION" ]]; then
  rm -rf "$SCHEMAS"
  "$BIN/k8s-validate" gen-schemas -out "$SCHEMAS" -kubernetes-version "$KUBERNETES_VERSION" >&2
  echo "$src_hash-$KUBERNETES_VERSION" >"$SCHEMAS/.stamp"
fi
log "tools ready ($((SECONDS - t0)) s)"

HELM="$BIN/helm"
KUBECONFORM="$BIN/kubeconform"
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"

# value set name -> values file
values_of() {
  case $1 in
    insecure-dev) echo "$DEV_VALUES" ;;
    all-enabled) echo "$ALL_VALUES" ;;
    chart-secret) echo "$SECRET_VALUES" ;;
  esac
}
SETS=(insecure-dev all-enabled chart-secret)

# 1. lint
for set in "${SETS[@]}"; do
  log "helm lint --strict ($set values)"
  "$HELM" lint --strict --quiet --kube-version "$KUBERNETES_VERSION" -f "$(values_of "$set")" "$CHART" >&2 || die "helm lint ($set values)"
done

# 2. the values schema must reject bad input
log "values.schema.json rejects invalid values"
if "$HELM" template neg "$CHART" --kube-version "$KUBERNETES_VERSION" \
    --set apps.gateway.replica=3 --set image.pullPolicy=Sometimes >/dev/null 2>"$WORK/negative.err"; then
  die "values.schema.json accepted invalid values (apps.gateway.replica, image.pullPolicy)"
fi
grep -q "replica" "$WORK/negative.err" || die "unexpected schema error: $(cat "$WORK/negative.err")"
if "$HELM" template neg "$CHART" --kube-version "$KUBERNETES_VERSION" -f "$DEV_VALUES" --set mongodb.url= >/dev/null 2>&1; then
  die "empty mongodb.url without existingSecret was accepted"
fi

# must_refuse WHAT MESSAGE ARGS...: helm template ARGS must fail with an error containing MESSAGE.
must_refuse() {
  local what=$1 message=$2
  shift 2
  if "$HELM" template neg "$CHART" --kube-version "$KUBERNETES_VERSION" "$@" >/dev/null 2>"$WORK/negative.err"; then
    die "rendered $what"
  fi
  grep -qF -- "$message" "$WORK/negative.err" || die "$what: unexpected error: $(cat "$WORK/negative.err")"
}
log "the chart refuses a gateway without authentication, and Kafka settings that cannot work"
must_refuse "a gateway without API keys or OIDC (default values)" "set auth.insecureDevMode=true"
must_refuse "API keys said to be in a missing existingSecret" "auth.apiKeysInExistingSecret=true needs existingSecret" \
  --set auth.apiKeysInExistingSecret=true
must_refuse "services without the identity key pair" "the services have no way to verify who the gateway says the caller is" \
  --set gateway.apiKeys=ci-key-0123456789abcdef=ci-bot:admin --set mongodb.url=mongodb://m:27017
must_refuse "an identity signing key without the public key" "auth.identity.signingKey and auth.identity.verifyKeys go together" \
  -f "$DEV_VALUES" --set-string "auth.identity.signingKey=-----BEGIN PRIVATE KEY-----x"
must_refuse "an OIDC issuer without audience" "auth.oidc.audience is required" \
  --set auth.oidc.issuer=https://login.example.com
must_refuse "a SASL mechanism without username" "kafka.sasl.username is required" \
  -f "$DEV_VALUES" --set kafka.sasl.mechanism=scram-sha-512
must_refuse "a SASL mechanism without password" "kafka.sasl.password (or kafka.sasl.existingSecret, or existingSecret) is required" \
  -f "$DEV_VALUES" --set kafka.sasl.mechanism=scram-sha-512 --set kafka.sasl.username=mlops
must_refuse "a client certificate without its key" "kafka.tls.certKey and kafka.tls.keyKey go together" \
  -f "$DEV_VALUES" --set kafka.tls.enabled=true --set kafka.tls.secretName=s --set kafka.tls.certKey=tls.crt
must_refuse "an unknown SASL mechanism" "/kafka/sasl/mechanism" -f "$DEV_VALUES" --set kafka.sasl.mechanism=gssapi

# 3. render
rendered=()
rm -f "$WORK"/rendered-*.yaml
for set in "${SETS[@]}"; do
  out="$WORK/rendered-$set.yaml"
  log "helm template ($set values) -> ${out#"$REPO"/}"
  "$HELM" template mlops "$CHART" --namespace mlops --kube-version "$KUBERNETES_VERSION" -f "$(values_of "$set")" >"$out" \
    || die "helm template ($set values)"
  rendered+=("$out")
done
grep -q '^kind: ServiceMonitor' "$WORK/rendered-all-enabled.yaml" || die "all-enabled render has no ServiceMonitor"
grep -q '^kind: Secret' "$WORK/rendered-all-enabled.yaml" && die "existingSecret set but a Secret was rendered"
# expect SET PATTERN WHAT: the rendered SET has a line matching PATTERN.
expect() { grep -qE -- "$2" "$WORK/rendered-$1.yaml" || die "$1 render: no $3"; }
expect all-enabled '^  GATEWAY_OIDC_AUDIENCE: "mlops-control-plane"$' "GATEWAY_OIDC_AUDIENCE in the gateway ConfigMap"
expect all-enabled '^  KAFKA_TLS_KEY_FILE: "/etc/mlops/kafka-tls/tls.key"$' "KAFKA_TLS_KEY_FILE in the services' ConfigMaps"
expect all-enabled '^  KAFKA_SASL_MECHANISM: "scram-sha-512"$' "KAFKA_SASL_MECHANISM"
expect all-enabled '^ +name: kafka-mlops-user$' "KAFKA_SASL_PASSWORD from kafka.sasl.existingSecret"
expect all-enabled '^ +secretName: kafka-client-tls$' "kafka-tls volume"
expect all-enabled '^ +optional: false$' "required GATEWAY_API_KEYS from existingSecret"
expect chart-secret '^  KAFKA_SASL_PASSWORD: "bm90LWEtcmVhbC1zZWNyZXQ="$' "KAFKA_SASL_PASSWORD in the chart's Secret"
expect chart-secret '^  KAFKA_TLS: "true"$' "KAFKA_TLS"
grep -q 'KAFKA_TLS_CA_FILE' "$WORK/rendered-chart-secret.yaml" && die "chart-secret render: a CA file without a TLS Secret"
grep -qE 'KAFKA_(TLS|SASL)' "$WORK/rendered-insecure-dev.yaml" && die "insecure-dev render: Kafka TLS/SASL settings nobody asked for"

# 4. kubeconform against the generated strict schemas
log "kubeconform -strict -kubernetes-version $KUBERNETES_VERSION"
kc_out=$("$KUBECONFORM" -strict -summary -kubernetes-version "$KUBERNETES_VERSION" \
  -schema-location "$SCHEMAS" "${rendered[@]}" 2>&1) || { printf '%s\n' "$kc_out" >&2; die "kubeconform"; }
printf '%s\n' "$kc_out" >&2
kc_summary=$(printf '%s\n' "$kc_out" | grep '^Summary:' | tail -1)
kc_valid=$(sed -n 's/.*Valid: \([0-9]*\).*/\1/p' <<<"$kc_summary")
kc_total=$(sed -n 's/^Summary: \([0-9]*\) resources.*/\1/p' <<<"$kc_summary")
[[ -n "$kc_valid" && "$kc_valid" == "$kc_total" && "$kc_total" -gt 0 ]] || die "kubeconform: $kc_summary"

# 5. strict decode with the client-go scheme
log "k8s-validate decode (client-go scheme, strict)"
dec_out=$("$BIN/k8s-validate" decode "${rendered[@]}") || die "k8s-validate decode"
printf '%s\n' "$dec_out" >&2
dec_total=$(sed -n 's/^k8s-validate: \([0-9]*\) documents.*/\1/p' <<<"$dec_out")
[[ "$dec_total" == "$kc_total" ]] || die "document count mismatch: kubeconform $kc_total, k8s-validate $dec_total"

sm=$(grep -c '^kind: ServiceMonitor' "${rendered[@]}" | awk -F: '{s+=$2} END {print s+0}')
echo "helm-check: OK: helm lint --strict x${#SETS[@]}, ${#SETS[@]} value sets, $(grep -c '^must_refuse ' "${BASH_SOURCE[0]}") refused renders, ${kc_total} documents validated by kubeconform -strict (Kubernetes ${KUBERNETES_VERSION} schemas generated offline from k8s.io/api) and strict client-go decoding; ${sm} ServiceMonitor checked against prometheus-operator monitoring/v1 Go types, not the upstream CRD schema ($((SECONDS - t0)) s)"
