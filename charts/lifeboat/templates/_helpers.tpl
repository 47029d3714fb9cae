{{/*
Every template of this chart writes JSON (which is YAML): `npm run deploy:render` and the tests read
`helm template` with JSON.parse, so a template written as block YAML fails them at once.
*/}}

{{/*
Upgrades with `helm upgrade --reuse-values` render with the values of the chart version installed
before (Helm reuses the old chart's values, not only the user's), so a key added since may be
missing: templates read such keys through these helpers or with a default, never as
`.Values.a.b` of a map that may be absent. test/charts/conventions.test.ts renders with the 0.1.0
values to keep it so.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "lifeboat.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's name, or `<release>-<name>` when the release name does not say it; or fullnameOverride. */}}
{{- define "lifeboat.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "lifeboat.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* `helm.sh/chart`: name-version, as Helm's own `helm create` writes it. */}}
{{- define "lifeboat.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object, as a dict (emitted with toJson): the Helm community's standard set. */}}
{{- define "lifeboat.labels" -}}
{{- toJson (dict "helm.sh/chart" (include "lifeboat.chart" .) "app.kubernetes.io/name" (include "lifeboat.name" .) "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/version" .Chart.AppVersion "app.kubernetes.io/managed-by" .Release.Service "app.kubernetes.io/part-of" "lifeboat") -}}
{{- end -}}

{{/* The controller's pods: what the Deployment, the PodDisruptionBudget and the Service select. */}}
{{- define "lifeboat.selector" -}}
{{- toJson (dict "app.kubernetes.io/name" (include "lifeboat.name" .) "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/component" "controller") -}}
{{- end -}}

{{/* Labels of the controller's objects: the common ones and the selector's. */}}
{{- define "lifeboat.controllerLabels" -}}
{{- toJson (merge (include "lifeboat.selector" . | fromJson) (include "lifeboat.labels" . | fromJson)) -}}
{{- end -}}

{{/* Labels of the controller's pods: podLabels, then the controller's (which win: the selector must match). */}}
{{- define "lifeboat.podLabels" -}}
{{- toJson (merge (include "lifeboat.controllerLabels" . | fromJson) (.Values.podLabels | default dict)) -}}
{{- end -}}

{{/* Pods per Deployment: replicaCount, or the deprecated `replicas` when that is what was given. */}}
{{- define "lifeboat.replicaCount" -}}
{{- if kindIs "invalid" .Values.replicas -}}
{{- .Values.replicaCount | default 2 | int -}}
{{- else -}}
{{- .Values.replicas | int -}}
{{- end -}}
{{- end -}}

{{/* "true" when the chart creates the ServiceAccount (serviceAccount.create, default true). */}}
{{- define "lifeboat.createServiceAccount" -}}
{{- $sa := .Values.serviceAccount | default dict -}}
{{- if hasKey $sa "create" -}}{{ $sa.create }}{{- else -}}true{{- end -}}
{{- end -}}

{{/* The controller's ServiceAccount: serviceAccount.name, else the full name (or `default` when not created). */}}
{{- define "lifeboat.serviceAccountName" -}}
{{- $sa := .Values.serviceAccount | default dict -}}
{{- if eq (include "lifeboat.createServiceAccount" .) "true" -}}
{{- $sa.name | default (include "lifeboat.fullname" .) -}}
{{- else -}}
{{- $sa.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* "true" when the chart creates its ClusterRole, Role and bindings (rbac.create, default true). */}}
{{- define "lifeboat.createRbac" -}}
{{- $rbac := .Values.rbac | default dict -}}
{{- if hasKey $rbac "create" -}}{{ $rbac.create }}{{- else -}}true{{- end -}}
{{- end -}}

{{/*
The image: repository (required: no placeholder, an install without it fails at once), then
`@digest` when image.digest is set (the tag is then left out: the digest alone says what runs),
else `:tag` (default: the chart's appVersion).
*/}}
{{- define "lifeboat.image" -}}
{{- $repository := required "image.repository is required: where you pushed lifeboat's image (built from the repository's Dockerfile)" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
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
{{- $args := list "run" (printf "--lifeboat-namespace=%s" .Release.Namespace) -}}
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
{{- if $v.namespaceSelector -}}
{{- $args = append $args (printf "--namespace-selector=%s" $v.namespaceSelector) -}}
{{- end -}}
{{- $args = append $args (printf "--max-rewrites-per-minute=%d" (int $v.maxRewritesPerMinute)) -}}
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
{{- $args = append $args (printf "--private-images=%s" $v.privateImages) -}}
{{- if eq $v.privateImages "isolated" -}}
{{- $args = append $args (printf "--token-addr=:%d" (int $v.tokenService.port)) -}}
{{- $args = append $args (printf "--token-tls-secret=%s" (include "lifeboat.secretRef" (dict "root" . "name" $v.tokenService.tlsSecret))) -}}
{{- $args = append $args (printf "--token-signing-secret=%s" (include "lifeboat.secretRef" (dict "root" . "name" $v.tokenService.signingSecret))) -}}
{{- $args = append $args (printf "--token-issuer=%s" $v.tokenService.issuer) -}}
{{- $args = append $args (printf "--token-service=%s" $v.tokenService.service) -}}
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
{{- /* extraArgs last, as given: flags this chart has no value for (yet). */ -}}
{{- $args = concat $args ($v.extraArgs | default list) -}}
{{- toJson $args -}}
{{- end -}}
