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
Names of the four domain services (everything except the gateway).
*/}}
{{- define "mlops.serviceNames" -}}
{{- $names := list }}
{{- range $name, $app := .Values.apps }}
{{- if ne $name "gateway" }}{{ $names = append $names $name }}{{ end }}
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
{{- if ne $svc "gateway" }}
{{- $key := printf "%s_URL" ($svc | upper | replace "-" "_") }}
{{- $_ := set $env $key (printf "http://%s:%v" (include "mlops.appFullname" (dict "root" $root "name" $svc)) $svcApp.port) }}
{{- end }}
{{- end }}
{{- $_ := set $env "PROXY_TIMEOUT_MS" (toString $root.Values.gateway.proxyTimeoutMs) }}
{{- else }}
{{- $_ := set $env "MONGO_DB" (printf "mlops_%s" (.name | replace "-" "_")) }}
{{- $_ := set $env "KAFKA_BROKERS" $root.Values.kafka.brokers }}
{{- $_ := set $env "KAFKA_TOPIC_PREFIX" $root.Values.kafka.topicPrefix }}
{{- $_ := set $env "KAFKA_TOPIC_PARTITIONS" (toString $root.Values.kafka.topicPartitions) }}
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
