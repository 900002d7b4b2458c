//! Helm fidelity corpus, byte for byte:
//! - `testdata/helm/upstream`: Helm v3.21.4's own `helm template` golden outputs
//!   (cmd/helm/testdata, Apache-2.0), run through the simulator's `helm` command;
//! - `testdata/helm/oracle`: charts rendered by the real Helm engine (Helm's Go
//!   library as packaged on PyPI by helm-python-sdk), compared template by template.
//! Each test prints N/N and requires every case to pass.

use simulator::git::Snapshot;
use simulator::helm::command::{self, Files};
use simulator::helm::render::{Options, render_files};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_tree(root: &Path, dir: &Path, out: &mut Snapshot) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.insert(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"), text);
        }
    }
}

fn base(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/helm").join(dir)
}

struct Tree(Snapshot);

impl Files for Tree {
    fn chart(&self, path: &str) -> Option<(Snapshot, String)> {
        let rel = path.trim_end_matches('/').to_string();
        self.0.keys().any(|k| k.starts_with(&format!("{rel}/"))).then(|| (self.0.clone(), rel))
    }
    fn read(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
}

fn first_difference(want: &str, got: &str) -> String {
    let line = want.lines().zip(got.lines()).position(|(a, b)| a != b).unwrap_or(want.lines().count().min(got.lines().count()));
    format!("first difference at line {}: want {:?}, got {:?}", line + 1, want.lines().nth(line), got.lines().nth(line))
}

#[test]
fn helm_template_upstream_goldens() {
    let dir = base("upstream");
    let mut tree = Snapshot::new();
    read_tree(&dir.join("testcharts"), &dir.join("testcharts"), &mut tree);
    let tree = Tree(tree);
    let cases = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
    let (mut total, mut passed, mut report) = (0, 0, String::new());
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (golden, args) = line.split_once(": ").unwrap();
        let mut args: Vec<String> = args.split_whitespace().map(String::from).collect();
        // Helm's test binary has no client-go build information, so its default
        // Kubernetes version is v1.20.0; pass it where the case does not set one.
        if args.len() > 1 && !args.iter().any(|a| a == "--kube-version") {
            args.extend(["--kube-version".to_string(), "1.20.0".to_string()]);
        }
        let want = std::fs::read_to_string(dir.join("output").join(golden)).unwrap();
        let out = command::run(&tree, &args, 0);
        let got = format!("{}{}", out.stdout, out.stderr);
        total += 1;
        if got == want {
            passed += 1;
        } else {
            report.push_str(&format!("  {golden}: {}\n", first_difference(&want, &got)));
        }
    }
    println!("helm template (Helm's goldens): {passed}/{total} pass\n{report}");
    assert_eq!(total, 17, "the corpus has 17 cases");
    assert_eq!(passed, total, "failing cases:\n{report}");
}

/// One case of `oracle/cases.txt`: name, chart, release, namespace, value files.
fn oracle_cases() -> Vec<(String, String, String, String, Vec<String>)> {
    let text = std::fs::read_to_string(base("oracle").join("cases.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (
                w[0].trim_end_matches(':').to_string(),
                w[1].to_string(),
                w[2].to_string(),
                w[3].to_string(),
                w[4..].iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

/// Renders one oracle case with the simulator: each template's text, or the error.
pub fn render_case(
    tree: &Snapshot,
    chart: &str,
    release: &str,
    namespace: &str,
    values: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let mut opts = Options::new(release, namespace);
    for v in values {
        opts.value_files.push((v.clone(), tree.get(v).cloned().unwrap_or_default()));
    }
    render_files(tree, chart, &opts)
}

#[test]
fn helm_engine_matches_recorded_oracle() {
    let dir = base("oracle");
    let mut tree = Snapshot::new();
    read_tree(&dir, &dir, &mut tree);
    let (mut total, mut passed, mut report) = (0, 0, String::new());
    for (name, chart, release, ns, values) in oracle_cases() {
        let want: serde_json::Value = serde_json::from_str(&tree[&format!("expected/{name}.json")]).unwrap();
        let got = render_case(&tree, &chart, &release, &ns, &values);
        let want_files = want["files"].as_object().expect("the oracle rendered the case");
        match got {
            Err(e) => {
                total += want_files.len();
                report.push_str(&format!("  {name}: error {e}\n"));
            }
            Ok(files) => {
                for (path, text) in want_files {
                    total += 1;
                    let want_text = text.as_str().unwrap();
                    match files.get(path) {
                        Some(g) if g == want_text => passed += 1,
                        Some(g) => report.push_str(&format!("  {name} {path}: {}\n", first_difference(want_text, g))),
                        None => report.push_str(&format!("  {name} {path}: not rendered\n")),
                    }
                }
                for extra in files.keys().filter(|k| !want_files.contains_key(*k)) {
                    report.push_str(&format!("  {name} {extra}: rendered, but Helm renders no such template\n"));
                }
            }
        }
    }
    println!("helm engine (recorded oracle): {passed}/{total} templates pass\n{report}");
    assert!(total >= 25, "the corpus covers at least 25 templates");
    assert_eq!(passed, total, "failing templates:\n{report}");
    assert!(!report.contains("rendered, but"), "{report}");
}
