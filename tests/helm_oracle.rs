//! Differential test: random values rendered through a fixed set of templates by
//! the simulator and by the real Helm engine (Helm's Go library, packaged on PyPI
//! as helm-python-sdk, driven by tests/helm_oracle.py). Skipped, with a message,
//! where python3 or that package is absent; prints the seed on a mismatch.
//! The oracle's engine is Helm 4's; the values here avoid what Helm 3 and 4 render
//! differently (nulls in a chart's own values.yaml).

use simulator::git::Snapshot;
use simulator::helm::render::{Options, render_files};
use simulator::rng::SimRng;
use std::path::PathBuf;
use std::process::Command;

const CASES: u64 = 40;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "templates/_helpers.tpl",
        "{{- define \"t.labels\" -}}\napp: {{ .Chart.Name }}\n{{- range $k, $v := .Values.labels }}\n{{ $k }}: {{ $v | quote }}\n{{- end }}\n{{- end -}}\n",
    ),
    (
        "templates/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Values.name | default \"cfg\" | trunc 10 | trimSuffix \"-\" }}\n  labels: {{- include \"t.labels\" . | nindent 4 }}\ndata:\n  {{- range $k, $v := .Values.data }}\n  {{ $k }}: {{ $v | toString | quote }}\n  {{- end }}\n  raw: {{ .Values.data | toJson | quote }}\n  printed: {{ printf \"%v\" .Values.data | quote }}\n",
    ),
    (
        "templates/values.yaml",
        "values:\n{{ toYaml .Values | indent 2 }}\nnums: {{ range .Values.nums }}{{ . }},{{ end }}\nfirst: {{ first .Values.nums | default \"none\" }}\nlen: {{ len .Values.nums }}\nsum: {{ add (len .Values.nums) .Values.count }}\n{{- if and .Values.flag (gt (len .Values.nums) 1) }}\nflagged: {{ ternary \"on\" \"off\" .Values.flag }}\n{{- else if .Values.name }}\nnamed: {{ upper .Values.name }}\n{{- end }}\n",
    ),
];

fn oracle() -> Option<PathBuf> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/helm_oracle.py");
    let ok = Command::new("python3").arg("-c").arg("import helm_python").status().ok()?.success();
    ok.then_some(script)
}

fn pick<'a>(rng: &mut SimRng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

fn scalar(rng: &mut SimRng) -> String {
    match rng.below(8) {
        0 => rng.below(100).to_string(),
        1 => format!("{}.{}", rng.below(10), rng.between(1, 9)),
        2 => pick(rng, &["true", "false"]).to_string(),
        3 => pick(rng, &["\"007\"", "\"1.10\"", "\"yes\"", "''"]).to_string(),
        4 => pick(rng, &["1000000", "1e3", "-4", "0"]).to_string(),
        // No nulls: Helm 3 keeps a chart's own `key: null` in .Values (Helm's
        // issue-9027 golden pins that), the Helm 4 engine of the oracle drops it.
        5 => pick(rng, &["~x", "x-", "x y"]).to_string(),
        _ => pick(rng, &["web", "Shop Front", "a:b", "x-y-z", "a#b"]).to_string(),
    }
}

fn random_values(rng: &mut SimRng) -> String {
    let mut v = String::new();
    if rng.below(4) > 0 {
        v.push_str(&format!("name: {}\n", pick(rng, &["web", "checkout-service-long-name", "API", "\"\""])));
    }
    v.push_str(&format!("count: {}\n", rng.below(5)));
    v.push_str(&format!("flag: {}\n", pick(rng, &["true", "false"])));
    // Empty lists and maps are written as such: a bare `key:` is a null (see above).
    let nums = rng.below(4);
    v.push_str(if nums == 0 { "nums: []\n" } else { "nums:\n" });
    for _ in 0..nums {
        v.push_str(&format!("  - {}\n", rng.below(50)));
    }
    let labels = rng.below(4) as usize;
    v.push_str(if labels == 0 { "labels: {}\n" } else { "labels:\n" });
    for k in ["tier", "team", "zone"].iter().take(labels) {
        v.push_str(&format!("  {k}: {}\n", scalar(rng)));
    }
    v.push_str("data:\n");
    for k in ["a", "b", "c", "d"].iter().take(1 + rng.below(4) as usize) {
        v.push_str(&format!("  {k}: {}\n", scalar(rng)));
    }
    v
}

#[test]
fn random_values_render_as_helm_renders_them() {
    let Some(script) = oracle() else {
        eprintln!("skipped: python3 with the helm-python-sdk package (pip install helm-python-sdk) is not installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("gitops-lab-helm-oracle-{}", std::process::id()));
    let mut mismatches = Vec::new();
    for seed in 0..CASES {
        let mut rng = SimRng::new(seed);
        let values = random_values(&mut rng);
        let chart = dir.join(format!("c{seed}"));
        let mut tree = Snapshot::new();
        tree.insert("c/Chart.yaml".into(), "apiVersion: v2\nname: c\nversion: 0.1.0\nappVersion: \"1.0\"\n".into());
        tree.insert("c/values.yaml".into(), values.clone());
        for (path, text) in TEMPLATES {
            tree.insert(format!("c/{path}"), text.to_string());
        }
        for (path, text) in &tree {
            let p = chart.join(path.trim_start_matches("c/"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let out = Command::new("python3").arg(&script).arg(&chart).arg("rel").arg("ns").output().expect("python3 runs");
        let want: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("seed {seed}: oracle output: {e}"));
        let got = render_files(&tree, "c", &Options::new("rel", "ns"));
        match (want.get("files").and_then(|f| f.as_object()), got) {
            (Some(files), Ok(ours)) => {
                for (path, text) in files {
                    if ours.get(path).map(String::as_str) != text.as_str() {
                        mismatches.push(format!(
                            "seed {seed} {path}:\nvalues:\n{values}\nhelm:\n{}\nours:\n{}",
                            text.as_str().unwrap_or(""),
                            ours.get(path).cloned().unwrap_or_default()
                        ));
                    }
                }
            }
            (None, Err(_)) => {}
            (w, g) => mismatches.push(format!("seed {seed}: helm {w:?} vs ours {g:?}\nvalues:\n{values}")),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("helm oracle: {}/{CASES} random cases identical", CASES as usize - mismatches.len().min(CASES as usize));
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n---\n"));
}
