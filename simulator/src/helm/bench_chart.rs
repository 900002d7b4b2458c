//! A synthetic chart for benchmarks (native and in the browser): 30 templates,
//! a helpers file and 29 manifests over 10 components, with named templates,
//! `include ... | nindent`, `range` over maps, `toYaml`, `toJson | sha256sum`
//! and `.Chart.AppVersion`, the shape of a team's umbrella chart.

use crate::git::Snapshot;

/// The chart's folder in the returned file tree.
pub const CHART_DIR: &str = "shop";

/// A chart of 30 templates: a helpers file and 29 manifests over 10 components.
pub fn chart() -> Snapshot {
    let mut files = Snapshot::new();
    files.insert("shop/Chart.yaml".into(), "apiVersion: v2\nname: shop\nversion: 1.0.0\nappVersion: \"3.4.1\"\n".into());
    let mut values = String::from("global:\n  registry: civica.azurecr.io\ncomponents:\n");
    for i in 0..10 {
        values.push_str(&format!(
            "  c{i:02}:\n    replicas: {}\n    port: {}\n    env:\n      LOG_LEVEL: info\n      REGION: westeurope\n      SLOT: \"{i}\"\n    resources:\n      requests: {{cpu: 100m, memory: 128Mi}}\n      limits: {{memory: 256Mi}}\n",
            1 + i % 3,
            8000 + i
        ));
    }
    files.insert("shop/values.yaml".into(), values);
    files.insert(
        "shop/templates/_helpers.tpl".into(),
        "{{- define \"shop.labels\" -}}\napp.kubernetes.io/name: {{ .name }}\napp.kubernetes.io/instance: {{ .root.Release.Name }}\nhelm.sh/chart: {{ printf \"%s-%s\" .root.Chart.Name .root.Chart.Version | trunc 63 }}\n{{- end -}}\n".into(),
    );
    for i in 0..10 {
        let c = format!("c{i:02}");
        files.insert(
            format!("shop/templates/{c}-deployment.yaml"),
            format!("{{{{- $c := index .Values.components \"{c}\" }}}}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{{{ .Release.Name }}}}-{c}\n  labels:\n    {{{{- include \"shop.labels\" (dict \"name\" \"{c}\" \"root\" $) | nindent 4 }}}}\nspec:\n  replicas: {{{{ $c.replicas }}}}\n  template:\n    spec:\n      containers:\n        - name: {c}\n          image: \"{{{{ .Values.global.registry }}}}/{c}:{{{{ .Chart.AppVersion }}}}\"\n          env:\n            {{{{- range $k, $v := $c.env }}}}\n            - name: {{{{ $k }}}}\n              value: {{{{ $v | quote }}}}\n            {{{{- end }}}}\n          resources:\n            {{{{- toYaml $c.resources | nindent 12 }}}}\n"),
        );
        files.insert(
            format!("shop/templates/{c}-service.yaml"),
            format!("{{{{- $c := index .Values.components \"{c}\" }}}}\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{{{ .Release.Name }}}}-{c}\n  labels:\n    {{{{- include \"shop.labels\" (dict \"name\" \"{c}\" \"root\" $) | nindent 4 }}}}\nspec:\n  ports:\n    - port: {{{{ $c.port }}}}\n"),
        );
        if i < 9 {
            files.insert(
                format!("shop/templates/{c}-configmap.yaml"),
                format!("{{{{- $c := index .Values.components \"{c}\" }}}}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-{c}\ndata:\n  {{{{- range $k, $v := $c.env }}}}\n  {{{{ $k | lower }}}}: {{{{ $v | quote }}}}\n  {{{{- end }}}}\n  checksum: {{{{ toJson $c | sha256sum | trunc 12 }}}}\n"),
            );
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_chart_has_30_templates_and_renders_29_manifests() {
        let files = chart();
        assert_eq!(files.keys().filter(|k| k.starts_with("shop/templates/")).count(), 30);
        let out = crate::helm::template(&files, CHART_DIR, &crate::helm::Options::new("shop", "prod")).expect("the chart renders");
        assert_eq!(out.manifests.len(), 29);
    }
}
