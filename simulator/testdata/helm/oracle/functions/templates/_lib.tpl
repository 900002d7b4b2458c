{{- define "lib.item" -}}
[{{ . }}]
{{- end -}}
{{- define "lib.dict" -}}
{{ .a }}/{{ .b }}
{{- end -}}
