//! kustomize's own build cases, byte for byte: data in simulator/testdata/kustomize (Apache-2.0).
//! Prints N/N and requires every case to pass.

use simulator::git::Snapshot;
use simulator::kustomize;
use std::path::{Path, PathBuf};

fn read_tree(root: &Path, dir: &Path, out: &mut Snapshot) {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.insert(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"), text);
        }
    }
}

fn run_case(case: &Path) -> Result<(), String> {
    let mut files = Snapshot::new();
    read_tree(case, &case.join("input"), &mut files);
    let build_dir = std::fs::read_to_string(case.join("build-dir")).map(|s| s.trim().to_string()).unwrap_or_else(|_| "input".into());
    let want = std::fs::read_to_string(case.join("expected.yaml")).unwrap();
    let objects = kustomize::build(&files, &build_dir).map_err(|e| e.to_string())?;
    let got = kustomize::render(&objects);
    if got == want {
        Ok(())
    } else {
        let line = want.lines().zip(got.lines()).position(|(a, b)| a != b).unwrap_or(want.lines().count().min(got.lines().count()));
        Err(format!("first difference at line {}: want {:?}, got {:?}", line + 1, want.lines().nth(line), got.lines().nth(line)))
    }
}

#[test]
fn kustomize_build_conformance() {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/kustomize");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&base).unwrap().filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    let mut passed = Vec::new();
    let mut report = String::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        match run_case(case) {
            Ok(()) => passed.push(name),
            Err(e) => report.push_str(&format!("  {name}: {e}\n")),
        }
    }
    println!("kustomize build: {}/{} pass\n{report}", passed.len(), cases.len());
    assert_eq!(cases.len(), 50, "the corpus has 50 cases");
    assert_eq!(passed.len(), cases.len(), "failing cases:\n{report}");
}

#[test]
fn kustomize_edit_set_image_conformance() {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/kustomize-edit-set-image");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&base).unwrap().filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    let (mut asserted, mut whole_files, mut whole_total) = (0, 0, 0);
    let mut report = String::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let input = std::fs::read_to_string(case.join("input/kustomization.yaml")).unwrap();
        let args: Vec<String> =
            std::fs::read_to_string(case.join("args")).unwrap_or_default().lines().filter(|l| !l.is_empty()).map(String::from).collect();
        let result = kustomize::edit::set_image(&input, &args);
        if let Ok(want_err) = std::fs::read_to_string(case.join("expected-error.txt")) {
            match &result {
                Err(e) if e.trim() == want_err.trim() => asserted += 1,
                other => report.push_str(&format!("  {name}: want error {want_err:?}, got {other:?}\n")),
            }
            continue;
        }
        let want = std::fs::read_to_string(case.join("expected-contains.txt")).unwrap();
        match &result {
            Ok(out) if out.contains(want.trim_end()) => asserted += 1,
            other => report.push_str(&format!("  {name}: does not contain {want:?}: {other:?}\n")),
        }
        if let Ok(observed) = std::fs::read_to_string(case.join("observed-kustomize-v4.5.4.yaml")) {
            whole_total += 1;
            match &result {
                Ok(out) if *out == observed => whole_files += 1,
                other => report.push_str(&format!(
                    "  {name}: whole file differs from kustomize's:\n{observed}\n--- got\n{}\n",
                    other.as_deref().unwrap_or("")
                )),
            }
        }
    }
    println!("kustomize edit set image: {asserted}/{} upstream assertions, {whole_files}/{whole_total} whole files\n{report}", cases.len());
    assert_eq!(cases.len(), 25);
    assert_eq!(asserted, cases.len(), "{report}");
    assert_eq!(whole_files, whole_total, "{report}");
}

/// kustomize v5.6's kustfile writer around an edit: blank lines and comments kept above their
/// field, comments inside a list moved above its field, `RESOURCES:` normalised in place,
/// `bases:` moved into `resources:`, trailing comments and a leading `---` dropped, unknown
/// fields refused (`testdata/kustomize-kustfile/README.md` names the origin of each case).
#[test]
fn kustomize_edit_writer_keeps_kustfiles_layout() {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/kustomize-kustfile");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&base).unwrap().filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    let mut failures = String::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let input = std::fs::read_to_string(case.join("input.yaml")).unwrap();
        let result = match std::fs::read_to_string(case.join("args")) {
            Ok(args) => kustomize::edit::set_image(&input, &args.lines().filter(|l| !l.is_empty()).map(String::from).collect::<Vec<_>>()),
            Err(_) => kustomize::edit::rewrite(&input),
        };
        let want = match std::fs::read_to_string(case.join("expected-error.txt")) {
            Ok(e) => Err(e.trim_end().to_string()),
            Err(_) => Ok(std::fs::read_to_string(case.join("expected.yaml")).unwrap()),
        };
        if result != want {
            failures.push_str(&format!("── {name}\n   want: {want:?}\n   got:  {result:?}\n"));
        }
    }
    assert_eq!(cases.len(), 7, "the kustfile corpus has 7 cases");
    assert!(failures.is_empty(), "kustfile cases that differ from kustomize v5.6:\n{failures}");
}
