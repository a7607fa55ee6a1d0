{{/*
Chart name.
*/}}
{{- define "mlops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified release name (max 45 chars so that "<fullname>-<app>"
stays within 63 characters).
*/}}
{{- define "mlops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mlops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Standard labels for every object of the release.
*/}}
{{- define "mlops.labels" -}}
helm.sh/chart: {{ include "mlops.chart" . }}
{{ include "mlops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mlops-control-plane
{{- end }}

{{/*
Selector labels shared by all pods of the release.
*/}}
{{- define "mlops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mlops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Per-app helpers take a dict: (dict "root" $ "name" <app name> "app" <app values>).
*/}}
{{- define "mlops.appFullname" -}}
{{- printf "%s-%s" (include "mlops.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mlops.appLabels" -}}
{{ include "mlops.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "mlops.appSelectorLabels" -}}
{{ include "mlops.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "mlops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mlops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mlops.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "mlops.secretName" -}}
{{- default (printf "%s-secrets" (include "mlops.fullname" .)) .Values.existingSecret }}
{{- end }}

{{/*
Names of the four domain services (everything except the gateway and the monitor).
*/}}
{{- define "mlops.serviceNames" -}}
{{- $names := list }}
{{- range $name, $app := .Values.apps }}
{{- if not (has $name (list "gateway" "monitor")) }}{{ $names = append $names $name }}{{ end }}
{{- end }}
{{- toJson $names }}
{{- end }}

{{/*
Non-secret env of one app as a sorted map rendered to YAML (ConfigMap data).
Chart-computed values < .Values.env < apps.<app>.env.
*/}}
{{- define "mlops.configData" -}}
{{- $root := .root }}
{{- $env := dict "APP" .name "HOST" "0.0.0.0" "PORT" (toString .app.port) "LOG_LEVEL" $root.Values.logLevel "NODE_ENV" "production" }}
{{- if eq .name "gateway" }}
{{- range $svc, $svcApp := $root.Values.apps }}
{{- if has $svc (include "mlops.serviceNames" $root | fromJsonArray) }}
{{- $key := printf "%s_URL" ($svc | upper | replace "-" "_") }}
{{- $_ := set $env $key (printf "http://%s:%v" (include "mlops.appFullname" (dict "root" $root "name" $svc)) $svcApp.port) }}
{{- end }}
{{- end }}
{{- $_ := set $env "PROXY_TIMEOUT_MS" (toString $root.Values.gateway.proxyTimeoutMs) }}
{{- with $root.Values.auth.oidc }}
{{- if .issuer }}
{{- $_ := set $env "GATEWAY_OIDC_ISSUER" .issuer }}
{{- $_ := set $env "GATEWAY_OIDC_AUDIENCE" .audience }}
{{- with .jwksUrl }}{{ $_ := set $env "GATEWAY_OIDC_JWKS_URL" . }}{{ end }}
{{- with .rolesClaim }}{{ $_ := set $env "GATEWAY_OIDC_ROLES_CLAIM" . }}{{ end }}
{{- with .actorClaim }}{{ $_ := set $env "GATEWAY_OIDC_ACTOR_CLAIM" . }}{{ end }}
{{- end }}
{{- end }}
{{- with $root.Values.gateway.rateLimit }}
{{- $_ := set $env "GATEWAY_RATE_LIMIT_MAX" (toString .max) }}
{{- $_ := set $env "GATEWAY_RATE_LIMIT_WINDOW_MS" (toString .windowMs) }}
{{- if ne (toString .anonymousMax) "" }}{{ $_ := set $env "GATEWAY_RATE_LIMIT_ANONYMOUS_MAX" (toString .anonymousMax) }}{{ end }}
{{- end }}
{{- $_ := set $env "GATEWAY_TRUSTED_PROXY_HOPS" (toString $root.Values.gateway.trustedProxyHops) }}
{{- if include "mlops.identityConfigured" $root }}
{{- $_ := set $env "GATEWAY_IDENTITY_SIGNING_KEY_FILE" (printf "%s/%s" (include "mlops.identityDir" $root) $root.Values.auth.identity.signingKeyKey) }}
{{- end }}
{{- else }}
{{- if ne .name "monitor" }}
{{- $_ := set $env "MONGO_DB" (printf "mlops_%s" (.name | replace "-" "_")) }}
{{- if include "mlops.identityConfigured" $root }}
{{- $_ := set $env "IDENTITY_VERIFY_KEYS_FILE" (printf "%s/%s" (include "mlops.identityDir" $root) $root.Values.auth.identity.verifyKeysKey) }}
{{- end }}
{{- end }}
{{- $_ := set $env "KAFKA_BROKERS" $root.Values.kafka.brokers }}
{{- $_ := set $env "KAFKA_TOPIC_PREFIX" $root.Values.kafka.topicPrefix }}
{{- $_ := set $env "KAFKA_TOPIC_PARTITIONS" (toString $root.Values.kafka.topicPartitions) }}
{{- with $root.Values.kafka.tls }}
{{- if .enabled }}
{{- $_ := set $env "KAFKA_TLS" "true" }}
{{- $_ := set $env "KAFKA_TLS_REJECT_UNAUTHORIZED" (toString .rejectUnauthorized) }}
{{- if .secretName }}
{{- with .caKey }}{{ $_ := set $env "KAFKA_TLS_CA_FILE" (printf "%s/%s" (include "mlops.kafkaTlsDir" $root) .) }}{{ end }}
{{- with .certKey }}{{ $_ := set $env "KAFKA_TLS_CERT_FILE" (printf "%s/%s" (include "mlops.kafkaTlsDir" $root) .) }}{{ end }}
{{- with .keyKey }}{{ $_ := set $env "KAFKA_TLS_KEY_FILE" (printf "%s/%s" (include "mlops.kafkaTlsDir" $root) .) }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- with $root.Values.kafka.sasl }}
{{- if .mechanism }}
{{- $_ := set $env "KAFKA_SASL_MECHANISM" .mechanism }}
{{- $_ := set $env "KAFKA_SASL_USERNAME" .username }}
{{- end }}
{{- end }}
{{- if gt (int $root.Values.kafka.connectionTimeoutMs) 0 }}
{{- $_ := set $env "KAFKA_CONNECTION_TIMEOUT_MS" (toString $root.Values.kafka.connectionTimeoutMs) }}
{{- end }}
{{- $_ := set $env "READ_YOUR_WRITES_TIMEOUT_MS" (toString $root.Values.readYourWritesTimeoutMs) }}
{{- if eq .name "feature-store" }}
{{- $_ := set $env "FEATURE_STORE_DATA_ROOT" $root.Values.datasets.mountPath }}
{{- $_ := set $env "FEATURE_STORE_DUCKDB_MEMORY_LIMIT" $root.Values.datasets.duckdbMemoryLimit }}
{{- $_ := set $env "FEATURE_STORE_DUCKDB_TEMP_DIR" "/var/tmp/duckdb" }}
{{- end }}
{{- if eq .name "evaluation" }}
{{- $_ := set $env "EVALUATION_DATA_ROOT" $root.Values.datasets.mountPath }}
{{- end }}
{{- end }}
{{- $env = mergeOverwrite $env (deepCopy ($root.Values.env | default dict)) (deepCopy (.app.env | default dict)) }}
{{- range $k := keys $env | sortAlpha }}
{{ $k }}: {{ get $env $k | toString | quote }}
{{- end }}
{{- end }}

{{/* Apps that read dataset files: they mount the datasets volume and a DuckDB scratch directory. */}}
{{- define "mlops.readsDatasets" -}}
{{- if has . (list "feature-store" "evaluation") }}true{{ end }}
{{- end }}

{{/* Where the Kafka TLS Secret (kafka.tls.secretName) is mounted in the services. */}}
{{- define "mlops.kafkaTlsDir" -}}
/etc/mlops/kafka-tls
{{- end }}

{{/* Whether app .name (a domain service) mounts the Kafka TLS Secret. */}}
{{- define "mlops.kafkaTlsMounted" -}}
{{- if and (ne .name "gateway") .root.Values.kafka.tls.enabled .root.Values.kafka.tls.secretName }}true{{ end }}
{{- end }}

{{/* The Secret holding KAFKA_SASL_PASSWORD. */}}
{{- define "mlops.kafkaSaslSecretName" -}}
{{- default (include "mlops.secretName" .) .Values.kafka.sasl.existingSecret }}
{{- end }}

{{/* Whether the gateway signs identity tokens and the services verify them (a Secret of the user's or the chart's). */}}
{{- define "mlops.identityConfigured" -}}
{{- if or .Values.auth.identity.secretName (and .Values.auth.identity.signingKey .Values.auth.identity.verifyKeys) }}true{{ end }}
{{- end }}

{{/* The Secret with the identity key pair. */}}
{{- define "mlops.identitySecretName" -}}
{{- .Values.auth.identity.secretName | default (printf "%s-identity" (include "mlops.fullname" .)) }}
{{- end }}

{{/* Where each pod finds its half of the identity key pair. */}}
{{- define "mlops.identityDir" -}}/etc/mlops/identity{{- end }}

{{/* Whether callers authenticate: API keys (chart Secret or existingSecret) or OIDC. */}}
{{- define "mlops.authConfigured" -}}
{{- if .Values.auth.oidc.issuer }}true
{{- else if .Values.existingSecret }}{{ if .Values.auth.apiKeysInExistingSecret }}true{{ end }}
{{- else if .Values.gateway.apiKeys }}true
{{- end }}
{{- end }}

{{/*
Settings that cannot work together stop the render with a message naming the value to fix.
*/}}
{{- define "mlops.validate" -}}
{{- $v := .Values }}
{{- if and $v.auth.apiKeysInExistingSecret (not $v.existingSecret) }}
{{- fail "auth.apiKeysInExistingSecret=true needs existingSecret (the Secret holding the key named by secretKeys.gatewayApiKeys)" }}
{{- end }}
{{- if and $v.auth.oidc.issuer (not $v.auth.oidc.audience) }}
{{- fail "auth.oidc.audience is required with auth.oidc.issuer (otherwise any token of that issuer, for any audience, would be accepted)" }}
{{- end }}
{{- with $v.auth.identity }}
{{- if and .secretName (or .signingKey .verifyKeys) }}
{{- fail "auth.identity.secretName and auth.identity.signingKey / verifyKeys exclude each other (the keys come from your Secret or from the chart's)" }}
{{- end }}
{{- if ne (empty .signingKey) (empty .verifyKeys) }}
{{- fail "auth.identity.signingKey and auth.identity.verifyKeys go together (the gateway signs with the one, the services verify with the other)" }}
{{- end }}
{{- end }}
{{- if and (not $v.auth.oidc.issuer) (or $v.auth.oidc.audience $v.auth.oidc.jwksUrl $v.auth.oidc.rolesClaim $v.auth.oidc.actorClaim) }}
{{- fail "auth.oidc.* is set but auth.oidc.issuer is empty" }}
{{- end }}
{{- if and $v.apps.gateway.enabled (not (include "mlops.authConfigured" .)) (not $v.auth.insecureDevMode) }}
{{- fail "the gateway has no authentication: set gateway.apiKeys (or existingSecret with auth.apiKeysInExistingSecret=true) or auth.oidc.issuer and auth.oidc.audience. Without them the gateway trusts the X-Actor / X-Roles headers of any caller; to run it that way on a private development cluster, set auth.insecureDevMode=true." }}
{{- end }}
{{- if and $v.apps.gateway.enabled (not (include "mlops.identityConfigured" .)) (not $v.auth.insecureDevMode) }}
{{- fail "the services have no way to verify who the gateway says the caller is: set auth.identity.secretName (a Secret with signing-key.pem and verify-keys.pem) or auth.identity.signingKey and auth.identity.verifyKeys (openssl genpkey -algorithm ed25519 -out signing-key.pem; openssl pkey -in signing-key.pem -pubout -out verify-keys.pem). Without them any pod that reaches a service may send X-Actor / X-Roles as anyone; to run that way on a private development cluster, set auth.insecureDevMode=true." }}
{{- end }}
{{- with $v.kafka.sasl }}
{{- if .mechanism }}
{{- if not .username }}
{{- fail (printf "kafka.sasl.username is required with kafka.sasl.mechanism=%s" .mechanism) }}
{{- end }}
{{- if and (not .password) (not .existingSecret) (not $v.existingSecret) }}
{{- fail (printf "kafka.sasl.password (or kafka.sasl.existingSecret, or existingSecret) is required with kafka.sasl.mechanism=%s" .mechanism) }}
{{- end }}
{{- else if or .username .password .existingSecret }}
{{- fail "kafka.sasl.username / password / existingSecret are set but kafka.sasl.mechanism is empty (plain, scram-sha-256 or scram-sha-512)" }}
{{- end }}
{{- end }}
{{- with $v.kafka.tls }}
{{- if ne (empty .certKey) (empty .keyKey) }}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey go together (a client certificate and its private key)" }}
{{- end }}
{{- if and .certKey (not .secretName) }}
{{- fail "kafka.tls.certKey needs kafka.tls.secretName (the Secret holding the client certificate)" }}
{{- end }}
{{- if and (not .enabled) (or .secretName .certKey (not .rejectUnauthorized)) }}
{{- fail "kafka.tls.* is set but kafka.tls.enabled is false" }}
{{- end }}
{{- end }}
{{- end }}
