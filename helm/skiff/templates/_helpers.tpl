{{/* Names and labels used by every template. */}}
{{- define "skiff.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "skiff.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "skiff.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "skiff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: skiff
{{- end -}}

{{- define "skiff.selectorLabels" -}}
app.kubernetes.io/name: {{ include "skiff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "skiff.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "skiff.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "skiff.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository (default .Chart.AppVersion .Values.operator.image.tag) -}}
{{- end -}}

{{- define "skiff.runtimeImage" -}}
{{- printf "%s:%s" .Values.runtime.image.repository (default .Chart.AppVersion .Values.runtime.image.tag) -}}
{{- end -}}

{{/* The rules the operator needs; used by the ClusterRole or by one Role per watched namespace. */}}
{{- define "skiff.operatorRules" -}}
- apiGroups: [skiff.dev]
  resources: [modeldeployments]
  verbs: [get, list, watch, patch, update]
- apiGroups: [skiff.dev]
  resources: [modeldeployments/status]
  verbs: [get, patch, update]
- apiGroups: [skiff.dev]
  resources: [modeldeployments/finalizers]
  verbs: [update]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [services, configmaps]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes, grpcroutes]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: ["", events.k8s.io]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch, create, update, patch]
{{- end -}}

{{/*
Fails the install, naming the namespace, when a watchNamespaces entry does not exist and
createWatchNamespaces is false: otherwise the Role in it fails half-way and leaves a failed release
with stray Roles. `lookup` answers nothing without an API server (helm template, --dry-run=client),
so the check runs only where kube-system can be read.
*/}}
{{- define "skiff.watchNamespacesExist" -}}
{{- if and (not .Values.operator.createWatchNamespaces) (lookup "v1" "Namespace" "" "kube-system") }}
{{- range $ns := .Values.operator.watchNamespaces }}
{{- if and (ne $ns $.Release.Namespace) (not (lookup "v1" "Namespace" "" $ns)) }}
{{- fail (printf "operator.watchNamespaces: namespace %q does not exist; create it first or set operator.createWatchNamespaces=true" $ns) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
