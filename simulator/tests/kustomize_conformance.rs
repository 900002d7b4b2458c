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
