{{/*
Every template of this chart writes JSON (which is YAML): `npm run deploy:render` and the tests read
`helm template` with JSON.parse, so a template written as block YAML fails them at once.
*/}}

{{/* The release's name, or `<release>-lifeboat` when the release name does not say lifeboat. */}}
{{- define "lifeboat.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object, as a dict (emitted with toJson). */}}
{{- define "lifeboat.labels" -}}
{{- toJson (dict "app.kubernetes.io/name" .Chart.Name "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/part-of" "lifeboat" "app.kubernetes.io/version" .Chart.AppVersion) -}}
{{- end -}}

{{/* The controller's pods: what the Deployment, the PodDisruptionBudget and the Service select. */}}
{{- define "lifeboat.selector" -}}
{{- toJson (dict "app.kubernetes.io/name" .Chart.Name "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/component" "controller") -}}
{{- end -}}

{{/* Labels of the controller's objects: the common ones and the selector's. */}}
{{- define "lifeboat.controllerLabels" -}}
{{- toJson (merge (include "lifeboat.selector" . | fromJson) (include "lifeboat.labels" . | fromJson)) -}}
{{- end -}}

{{/* `name` in the release namespace as `ns/name`, the form the secret flags take. */}}
{{- define "lifeboat.secretRef" -}}
{{- printf "%s/%s" .root.Release.Namespace .name -}}
{{- end -}}

{{/* Where the registry CA ConfigMap is mounted. */}}
{{- define "lifeboat.registryCaDir" -}}/etc/lifeboat/registry-ca{{- end -}}

{{/*
The arguments of `lifeboat run`, one `--flag=value` per value (booleans `--flag`/`--no-flag`), as a
JSON list. test/charts/values.test.ts checks every flag of RUN_FLAGS is here or deliberately not.
*/}}
{{- define "lifeboat.args" -}}
{{- $v := .Values -}}
{{- $bool := dict "true" "" "false" "no-" -}}
{{- $args := list "run" (printf "--namespace=%s" .Release.Namespace) -}}
{{- $args = append $args (printf "--backup-registry=%s" (required "backup.registry is required" $v.backup.registry)) -}}
{{- $args = append $args (printf "--%sflatten" (get $bool (toString $v.backup.flatten))) -}}
{{- if $v.backup.pushSecret -}}
{{- $args = append $args (printf "--backup-push-secret=%s" (include "lifeboat.secretRef" (dict "root" . "name" $v.backup.pushSecret))) -}}
{{- end -}}
{{- if $v.backup.pullSecret -}}
{{- $args = append $args (printf "--backup-pull-secret=%s" (include "lifeboat.secretRef" (dict "root" . "name" $v.backup.pullSecret))) -}}
{{- end -}}
{{- $args = append $args (printf "--pull-secret-name=%s" $v.pullSecrets.name) -}}
{{- $args = append $args (printf "--pull-secret-service-accounts=%s" (join "," $v.pullSecrets.serviceAccounts)) -}}
{{- if $v.sourceCredentials -}}
{{- $args = append $args (printf "--source-credentials=%s" (include "lifeboat.secretRef" (dict "root" . "name" $v.sourceCredentials))) -}}
{{- end -}}
{{- $args = append $args (printf "--kinds=%s" (join "," $v.kinds)) -}}
{{- range $name, $list := dict "exclude-namespaces" $v.excludeNamespaces "exclude-images" $v.excludeImages "source-registries" $v.sourceRegistries "platforms" $v.platforms "insecure-registries" $v.insecureRegistries -}}
{{- if $list -}}
{{- $args = append $args (printf "--%s=%s" $name (join "," $list)) -}}
{{- end -}}
{{- end -}}
{{- $args = append $args (printf "--%srequire-ready" (get $bool (toString $v.requireReady))) -}}
{{- $args = append $args (printf "--%spin-digest" (get $bool (toString $v.pinDigest))) -}}
{{- $args = append $args (printf "--max-concurrent-copies=%d" (int $v.maxConcurrentCopies)) -}}
{{- $args = append $args (printf "--source-check-interval=%s" (toString $v.sourceChecks.interval)) -}}
{{- $args = append $args (printf "--source-check-qps=%v" $v.sourceChecks.qps) -}}
{{- $args = append $args (printf "--on-source-change=%s" $v.onSourceChange) -}}
{{- $args = append $args (printf "--kube-api-qps=%v" $v.kubeApi.qps) -}}
{{- $args = append $args (printf "--kube-api-burst=%d" (int $v.kubeApi.burst)) -}}
{{- range $v.registryCA.keys -}}
{{- $args = append $args (printf "--registry-ca=%s/%s" (include "lifeboat.registryCaDir" $) .) -}}
{{- end -}}
{{- $args = append $args (printf "--rewrite-mode=%s" $v.rewriteMode) -}}
{{- if eq $v.rewriteMode "pods" -}}
{{- $args = append $args (printf "--webhook-addr=:%d" (int $v.webhook.port)) -}}
{{- $args = append $args (printf "--webhook-service=%s/%s-webhook" .Release.Namespace (include "lifeboat.fullname" .)) -}}
{{- $args = append $args (printf "--webhook-cert-secret=%s" $v.webhook.certSecret) -}}
{{- $args = append $args (printf "--webhook-cert-lifetime=%s" (toString $v.webhook.certLifetime)) -}}
{{- $args = append $args (printf "--%swebhook-cert-managed-externally" (get $bool (toString $v.webhook.certManager.enabled))) -}}
{{- end -}}
{{- $args = append $args (printf "--%sdry-run" (get $bool (toString $v.dryRun))) -}}
{{- $args = append $args "--leader-elect" -}}
{{- $args = append $args (printf "--metrics-addr=:%d" (int $v.metrics.port)) -}}
{{- $args = append $args (printf "--log-format=%s" $v.log.format) -}}
{{- $args = append $args (printf "--log-level=%s" $v.log.level) -}}
{{- toJson $args -}}
{{- end -}}
