{{/*
The chart name, or nameOverride.
*/}}
{{- define "outpost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name: release name + chart name (once), at most 63 characters (a DNS label).
*/}}
{{- define "outpost.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of a component's objects: <fullname>-<component>, the full name cut so that the whole fits 63
characters, and 52 for observability, whose StatefulSet's pods carry controller-revision-hash=<name>-
<10 chars> (at most 63). Cutting the whole name instead made <long>-observability and
<long>-observability-headless one name; a name that fitted before is unchanged.
Usage: include "outpost.componentName" (list . "gateway")
*/}}
{{- define "outpost.componentName" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $max := ternary 52 63 (eq $component "observability") }}
{{- $prefix := include "outpost.fullname" $root | trunc (int (sub $max (add1 (len $component)))) | trimSuffix "-" }}
{{- printf "%s-%s" $prefix $component }}
{{- end }}

{{/*
Chart label value: name-version.
*/}}
{{- define "outpost.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of the release: never the chart version, so upgrades keep selecting the same pods.
*/}}
{{- define "outpost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "outpost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The Kubernetes recommended labels, on every object the chart renders.
*/}}
{{- define "outpost.labels" -}}
{{- include "outpost.checkCommonLabels" . -}}
helm.sh/chart: {{ include "outpost.chart" . }}
{{ include "outpost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: outpost
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Refuses a commonLabels key of the chart's own (app.kubernetes.io/*, helm.sh/chart): rendered twice,
the last copy won, so selectors stopped matching the pod templates (the API server refused the
Deployments) or NetworkPolicies silently matched nothing. Renders nothing.
*/}}
{{- define "outpost.checkCommonLabels" -}}
{{- range $key, $_ := .Values.commonLabels }}
{{- if or (hasPrefix "app.kubernetes.io/" $key) (eq $key "helm.sh/chart") }}
{{- fail (printf "commonLabels: %s is set by the chart (app.kubernetes.io/* and helm.sh/chart are its own: its selectors and NetworkPolicies go by them); give the label another key" $key) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Selector labels of one component.
Usage: include "outpost.componentSelectorLabels" (list . "gateway")
*/}}
{{- define "outpost.componentSelectorLabels" -}}
{{ include "outpost.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/*
Labels of one component's pod template: the recommended ones without helm.sh/chart, so that an
upgrade of the chart alone rolls no pod (observability-api's data on an emptyDir would go with it).
Usage: include "outpost.podLabels" (list . "gateway")
*/}}
{{- define "outpost.podLabels" -}}
{{- include "outpost.checkCommonLabels" (index . 0) -}}
{{ include "outpost.componentSelectorLabels" . }}
app.kubernetes.io/version: {{ (index . 0).Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
app.kubernetes.io/part-of: outpost
{{- with (index . 0).Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
All labels of one component's objects.
Usage: include "outpost.componentLabels" (list . "gateway")
*/}}
{{- define "outpost.componentLabels" -}}
{{ include "outpost.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/*
Labels the NetworkPolicies select the agent's integration pods by: the two every int-<name> pod
carries whatever else it is given (ARCHITECTURE.md). One Outpost release per namespace, so they
need no release label.
*/}}
{{- define "outpost.integrationSelectorLabels" -}}
app.kubernetes.io/component: integration
app.kubernetes.io/managed-by: outpost-agent
{{- end }}

{{/*
Labels the agent puts on integration pods (runtime.json podLabels): the selector labels, the
release's recommended labels, then integrationRuntime.podLabels, which cannot override the others.
*/}}
{{- define "outpost.integrationPodLabels" -}}
{{- $chart := dict "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/part-of" "outpost" }}
{{- toYaml (merge (include "outpost.integrationSelectorLabels" . | fromYaml) $chart .Values.integrationRuntime.podLabels) }}
{{- end }}

{{/*
Image reference of a component: registry/repository:tag or registry/repository@digest.
The tag defaults to the chart's appVersion; `latest` is refused with a message naming the key.
Usage: include "outpost.image" (list . .Values.gateway.image "gateway.image")
*/}}
{{- define "outpost.image" -}}
{{- $root := index . 0 }}
{{- $image := index . 1 }}
{{- if eq $image.tag "latest" }}
{{- fail (printf "%s.tag: \"latest\" is refused, pin a version (default: the chart's appVersion) or set %s.digest" (index . 2) (index . 2)) }}
{{- end }}
{{- $repository := $image.repository }}
{{- with $root.Values.image.registry }}
{{- $repository = printf "%s/%s" . $repository }}
{{- end }}
{{- if $image.digest }}
{{- printf "%s@%s" $repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default $root.Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret with the control plane URL, the data plane token and the control plane key.
*/}}
{{- define "outpost.controlPlaneSecretName" -}}
{{- default (include "outpost.componentName" (list . "control-plane")) .Values.controlPlane.existingSecret }}
{{- end }}

{{/*
Refuses two of controlPlane.secretKeys naming one key of the Secret: the chart's Secret rendered it
twice (the last value won) and the agent read one value for both, its URL as its bearer token.
Renders nothing.
*/}}
{{- define "outpost.checkControlPlaneKeys" -}}
{{- $keys := .Values.controlPlane.secretKeys }}
{{- range $pair := list (list "url" "token") (list "url" "publicKey") (list "token" "publicKey") }}
{{- $first := get $keys (index $pair 0) }}
{{- if eq $first (get $keys (index $pair 1)) }}
{{- fail (printf "controlPlane.secretKeys.%s and controlPlane.secretKeys.%s are both %q: the keys of one Secret must differ" (index $pair 0) (index $pair 1) $first) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment of every Outpost container: where it runs, and the ingest token when observability-api
is installed (the gateway's OTLP header and the agent's audit records are built from it by
Kubernetes' $(VAR) expansion). Never the control plane token, which only the agent's pod holds.
Usage: include "outpost.commonEnv" .
*/}}
{{- define "outpost.commonEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{- if .Values.observability.enabled }}
- name: OUTPOST_INGEST_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "outpost.ingestSecretName" . }}
      key: {{ .Values.ingest.secretKey }}
{{- end }}
{{- end }}

{{/*
Where a component with Quarkus' OpenTelemetry (the gateway) sends its logs and spans, or telemetry
off when observability-api is not installed. After outpost.commonEnv, whose token it sends.
Usage: include "outpost.otelEnv" (list . "outpost-gateway")
*/}}
{{- define "outpost.otelEnv" -}}
{{- $root := index . 0 -}}
- name: OTEL_SERVICE_NAME
  value: {{ index . 1 }}
{{- if $root.Values.observability.enabled }}
- name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ include "outpost.otlpEndpoint" $root }}
- name: QUARKUS_OTEL_EXPORTER_OTLP_HEADERS
  value: "authorization=Bearer $(OUTPOST_INGEST_TOKEN)"
{{- else }}
# No observability-api: telemetry off, or each export to the image's default 127.0.0.1:4318 fails and is logged.
- name: QUARKUS_OTEL_SDK_DISABLED
  value: "true"
{{- end }}
{{- end }}

{{/*
The ingest token the chart's Secret holds: ingest.token, else derived from controlPlane.token, one way
(stable across renders, with no lookup, and it does not give the control plane token away).
*/}}
{{- define "outpost.ingestToken" -}}
{{- if .Values.ingest.token -}}
{{- .Values.ingest.token -}}
{{- else if and .Values.controlPlane.token (not .Values.controlPlane.existingSecret) -}}
{{- printf "outpost-ingest-token-v1:%s" .Values.controlPlane.token | sha256sum -}}
{{- else -}}
{{- fail "ingest.token (or ingest.existingSecret) is required: the ingest token is derived from controlPlane.token, which is not given (or comes from controlPlane.existingSecret)" -}}
{{- end -}}
{{- end }}

{{/*
Checksum of the ingest token alone, for the pods that send it (gateway, agent): the previous token,
beside it in the Secret, is observability-api's only, and setting or removing it must roll no sender
(nor, through the agent, the integrations). Over a Secret holding the token alone it is the checksum
of the Secret's whole data, as before the previous token existed, so that upgrade rolls nothing.
*/}}
{{- define "outpost.ingestTokenChecksum" -}}
{{- $data := (include (print .Template.BasePath "/ingest-secret.yaml") . | fromYaml).data }}
{{- if $data }}{{ $data = pick $data .Values.ingest.secretKey }}{{ end }}
{{- $data | toJson | sha256sum }}
{{- end }}

{{/*
The Secret holding the ingest token: the chart's own, or ingest.existingSecret.
*/}}
{{- define "outpost.ingestSecretName" -}}
{{- default (include "outpost.componentName" (list . "ingest")) .Values.ingest.existingSecret }}
{{- end }}

{{/*
The Secrets of the namespace that no integration's pod may mount, comma-separated: the data plane's
tokens, and every Secret this release refers to (registry credentials, the gateway's API-key mounts,
the Ingresses' TLS keys, the Secrets the components' extraEnv read), which a declared secret would
otherwise hand to the integration's author.
*/}}
{{- define "outpost.reservedSecrets" -}}
{{- $names := list (include "outpost.controlPlaneSecretName" .) (include "outpost.ingestSecretName" .) }}
{{- range .Values.imagePullSecrets }}{{ $names = append $names .name }}{{ end }}
{{- range .Values.gateway.secretMounts }}{{ $names = append $names . }}{{ end }}
{{- range .Values.gateway.ingress.tls }}{{ if .secretName }}{{ $names = append $names .secretName }}{{ end }}{{ end }}
{{- range .Values.observability.ingress.tls }}{{ if .secretName }}{{ $names = append $names .secretName }}{{ end }}{{ end }}
{{- range (concat .Values.gateway.extraEnv .Values.observability.extraEnv .Values.agent.extraEnv) }}
{{- with .valueFrom }}{{ with .secretKeyRef }}{{ with .name }}{{ $names = append $names . }}{{ end }}{{ end }}{{ end }}
{{- end }}
{{- join "," (uniq $names) }}
{{- end }}

{{/*
In-cluster OTLP/HTTP endpoint of observability-api.
*/}}
{{- define "outpost.otlpEndpoint" -}}
{{- printf "http://%s.%s.svc:%d" (include "outpost.componentName" (list . "otlp")) .Release.Namespace (int .Values.observability.otlpService.port) }}
{{- end }}

{{/*
Probes of a Quarkus container on its management port (SmallRye Health), timed by the component's
startupProbe, livenessProbe and readinessProbe values; the paths and port are fixed (the component's
own health endpoints). initialDelaySeconds, timeoutSeconds and successThreshold are left out at
Kubernetes' own defaults (0, 1, 1), as the chart rendered them before they could be set: an upgrade
that sets no probe value changes no line of the manifests (helm diff, Argo CD).
Usage: include "outpost.probes" (list .Values.gateway "gateway")
*/}}
{{- define "outpost.probes" -}}
{{- $values := index . 0 }}
{{- $component := index . 1 }}
{{- if not $values.readinessProbe.enabled }}
{{- fail (printf "%s.readinessProbe.enabled: false is refused: without a readiness probe a pod counts as ready once its container runs, so Services would send it requests before it serves, and a rolling update would stop the old pods for it; tune %s.readinessProbe's periodSeconds, timeoutSeconds or failureThreshold instead" $component $component) }}
{{- end }}
{{- $implicit := dict "initialDelaySeconds" 0 "timeoutSeconds" 1 "successThreshold" 1 }}
{{- range $probe := list (list "startupProbe" "started") (list "livenessProbe" "live") (list "readinessProbe" "ready") }}
{{- $timing := get $values (index $probe 0) }}
{{- if $timing.enabled }}
{{ index $probe 0 }}:
  httpGet:
    path: /q/health/{{ index $probe 1 }}
    port: management
  {{- range $field := list "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "failureThreshold" "successThreshold" }}
  {{- if hasKey $timing $field }}
  {{- $value := int64 (get $timing $field) }}
  {{- if not (and (hasKey $implicit $field) (eq $value (int64 (get $implicit $field)))) }}
  {{ $field }}: {{ $value }}
  {{- end }}
  {{- end }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The writable /tmp every container needs with a read-only root file system.
*/}}
{{- define "outpost.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}
{{- define "outpost.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}

{{/*
NetworkPolicy peer: the pods of one component of this release.
Usage: include "outpost.componentPeer" (list . "gateway")
*/}}
{{- define "outpost.componentPeer" -}}
- podSelector:
    matchLabels:
      {{- include "outpost.componentSelectorLabels" . | nindent 6 }}
{{- end }}

{{/*
NetworkPolicy egress rule to the cluster DNS. The kube-dns selectors are filled in here, not in
values.yaml: Helm merges a user's map into the default one, so OpenShift's selector would have
kept k8s-app: kube-dns beside its own label and matched no DNS pod.
*/}}
{{- define "outpost.dnsEgress" -}}
{{- $dns := .Values.networkPolicy.dns }}
- to:
    - namespaceSelector:
        matchLabels:
          {{- toYaml (default (dict "kubernetes.io/metadata.name" "kube-system") $dns.namespaceSelector) | nindent 10 }}
      podSelector:
        matchLabels:
          {{- toYaml (default (dict "k8s-app" "kube-dns") $dns.podSelector) | nindent 10 }}
    {{- range $dns.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    {{- range $dns.ports }}
    - port: {{ . }}
      protocol: UDP
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{/*
NetworkPolicy egress rule to the Kubernetes API server.
*/}}
{{- define "outpost.kubeApiEgress" -}}
- {{- with .Values.networkPolicy.kubeApiServer.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
  ports:
    {{- range .Values.networkPolicy.kubeApiServer.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end }}

{{/*
The TCP port of a URL: its explicit port, else its scheme's (443 for wss and https, 80 for ws and http).
Usage: include "outpost.urlPort" .Values.controlPlane.url
*/}}
{{- define "outpost.urlPort" -}}
{{- $authority := regexReplaceAll "^.*@" (regexReplaceAll "^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*).*$" . "${1}") "" }}
{{- $port := regexFind ":[0-9]+$" $authority | trimPrefix ":" }}
{{- if $port }}{{ int $port }}{{ else if regexMatch "^(?i)(wss|https)://" . }}443{{ else }}80{{ end }}
{{- end }}

{{/*
Egress rules (a NetworkPolicyEgressRule list from values) that also let out to one port: added to
each rule that lists ports and does not cover it, so a rule narrowed to some addresses stays narrowed.
A rule without ports allows every port already. Rendered as the list it is given when nothing is added.
Usage: include "outpost.egressWithPort" (list .Values.agent.networkPolicy.controlPlaneEgress 8443)
*/}}
{{- define "outpost.egressWithPort" -}}
{{- $port := int (index . 1) }}
{{- $rules := list }}
{{- range $rule := index . 0 }}
{{- if $rule.ports }}
{{- $covered := false }}
{{- range $rule.ports }}
{{- if or (not (hasKey . "port")) (eq (toString .port) (toString $port)) (and .endPort (le (int .port) $port) (ge (int .endPort) $port)) }}
{{- $covered = true }}
{{- end }}
{{- end }}
{{- if not $covered }}
{{- $rule = set (deepCopy $rule) "ports" (append $rule.ports (dict "port" $port "protocol" "TCP")) }}
{{- end }}
{{- end }}
{{- $rules = append $rules $rule }}
{{- end }}
{{- with $rules }}{{ toYaml . }}{{ end }}
{{- end }}

{{/*
NetworkPolicy egress rule to observability-api's OTLP port.
*/}}
{{- define "outpost.otlpEgress" -}}
{{- if .Values.observability.enabled }}
- to:
    {{- include "outpost.componentPeer" (list . "observability") | nindent 4 }}
  ports:
    - port: otlp
      protocol: TCP
{{- end }}
{{- end }}

{{/*
NetworkPolicy ingress rule to the management port from the monitoring peers and the test pod.
Usage: include "outpost.managementIngress" (list . "gateway")
*/}}
{{- define "outpost.managementIngress" -}}
{{- $root := index . 0 }}
{{- $peers := $root.Values.networkPolicy.metricsFrom }}
{{- if or $peers $root.Values.tests.enabled }}
- from:
    {{- with $peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- if $root.Values.tests.enabled }}
    {{- include "outpost.componentPeer" (list $root "test") | nindent 4 }}
    {{- end }}
  ports:
    - port: management
      protocol: TCP
{{- end }}
{{- end }}

{{/*
Ingress to a component's Service.
Usage: include "outpost.ingress" (list . "gateway" .Values.gateway.ingress servicePort)
*/}}
{{- define "outpost.ingress" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $ingress := index . 2 }}
{{- $port := index . 3 }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "outpost.componentName" (list $root $component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "outpost.componentLabels" (list $root $component) | nindent 4 }}
  {{- with $ingress.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with $ingress.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range $ingress.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range .paths }}
          - path: {{ .path }}
            pathType: {{ .pathType }}
            backend:
              service:
                name: {{ include "outpost.componentName" (list $root $component) }}
                port:
                  number: {{ $port }}
          {{- end }}
    {{- end }}
{{- end }}

{{/*
A Gateway API HTTPRoute to a component's Service: every path under pathPrefix, on the hostnames
given, attached to the Gateways in parentRefs (which the cluster's Gateway controller serves).
Usage: include "outpost.httpRoute" (list . "gateway" .Values.gateway.httpRoute .Values.gateway.service.port)
*/}}
{{- define "outpost.httpRoute" -}}
{{- $root := index . 0 }}
{{- $component := index . 1 }}
{{- $route := index . 2 }}
{{- $port := index . 3 }}
{{- if not $route.parentRefs }}
{{- fail (printf "%s.httpRoute.parentRefs is required when %s.httpRoute.enabled: the Gateway the route attaches to" $component $component) }}
{{- end }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ include "outpost.componentName" (list $root $component) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "outpost.componentLabels" (list $root $component) | nindent 4 }}
  {{- with $route.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  parentRefs:
    {{- toYaml $route.parentRefs | nindent 4 }}
  {{- with $route.hostnames }}
  hostnames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ $route.pathPrefix | quote }}
      backendRefs:
        - name: {{ include "outpost.componentName" (list $root $component) }}
          port: {{ $port }}
{{- end }}

{{/*
Name of the agent's leader-election Lease.
*/}}
{{- define "outpost.agentLeaseName" -}}
{{- default (include "outpost.componentName" (list . "agent")) .Values.agent.leaderElection.leaseName }}
{{- end }}

{{/*
JAVA_OPTS_APPEND of a container. Setting it replaces the image's value, so it repeats the image's
own options (listen on every interface, JBoss LogManager) before the component's javaOpts.
Usage: include "outpost.javaOpts" .Values.gateway.javaOpts
*/}}
{{- define "outpost.javaOpts" -}}
{{- printf "-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager %s" . | trim | quote }}
{{- end }}
