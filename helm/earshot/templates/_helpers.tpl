{{/* Names and labels shared by the templates. */}}
{{- define "earshot.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "earshot.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The aggregator's own name, so that the service's selector never matches its pods. */}}
{{- define "earshot.aggregatorSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}-aggregator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "earshot.aggregatorLabels" -}}
{{ include "earshot.aggregatorSelectorLabels" . }}
app.kubernetes.io/component: aggregator
app.kubernetes.io/part-of: {{ .Chart.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "earshot.labels" -}}
{{ include "earshot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "earshot.configSecret" -}}
{{- default (printf "%s-config" (include "earshot.fullname" .)) .Values.existingConfigSecret -}}
{{- end -}}

{{/* values.config as a map: given as a map, or as YAML text (helm install --set-file config=FILE). */}}
{{- define "earshot.configValues" -}}
{{- if kindIs "string" .Values.config -}}
{{- .Values.config -}}
{{- else -}}
{{- toYaml .Values.config -}}
{{- end -}}
{{- end -}}

{{/* The config with the admin endpoint on all interfaces of the pod, at adminPort. */}}
{{- define "earshot.config" -}}
{{- $config := include "earshot.configValues" . | fromYaml -}}
{{- $service := default dict $config.service -}}
{{- $_ := set $service "admin_listen" (printf "0.0.0.0:%d" (int .Values.adminPort)) -}}
{{- $_ := set $config "service" $service -}}
{{- toYaml $config -}}
{{- end -}}
