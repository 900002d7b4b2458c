//! The simulator's kustomize against outputs recorded from kustomize v5.6.0 (kubectl 1.33),
//! one case per behaviour: data in simulator/testdata/kustomize-observed (see its README).

use simulator::git::Snapshot;
use simulator::kustomize;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/kustomize-observed")
}

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

/// Builds one case; `Err` describes the first difference from what kustomize printed.
fn run_case(name: &str) -> Result<(), String> {
    let case = corpus().join(name);
    let mut files = Snapshot::new();
    read_tree(&case, &case.join("input"), &mut files);
    let build_dir = std::fs::read_to_string(case.join("build-dir")).map(|s| s.trim().to_string()).unwrap_or_else(|_| "input".into());
    let built = kustomize::build(&files, &build_dir);
    if let Ok(want) = std::fs::read_to_string(case.join("expected-error.txt")) {
        // kubectl prints kustomize's error after `error: ` (or, from some paths, `Error: `).
        return match built {
            Err(e) if [format!("error: {}\n", e.message), format!("Error: {}\n", e.message)].contains(&want) => Ok(()),
            Err(e) => Err(format!("want the error {want:?}, got {:?}", e.message)),
            Ok(objects) => Err(format!("want the error {want:?}, but it built:\n{}", kustomize::render(&objects))),
        };
    }
    let want = std::fs::read_to_string(case.join("expected.yaml")).map_err(|e| format!("{name}: {e}"))?;
    let got = kustomize::render(&built.map_err(|e| format!("kustomize built it, the simulator failed: {e}"))?);
    if got == want {
        return Ok(());
    }
    let line = want.lines().zip(got.lines()).position(|(a, b)| a != b).unwrap_or(want.lines().count().min(got.lines().count()));
    Err(format!(
        "first difference at line {}: want {:?}, got {:?}\n--- got\n{got}",
        line + 1,
        want.lines().nth(line),
        got.lines().nth(line)
    ))
}

fn assert_cases(names: &[&str]) {
    let failures: Vec<String> = names.iter().filter_map(|n| run_case(n).err().map(|e| format!("{n}: {e}"))).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_observed_case_has_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    on_disk.sort();
    let mut named: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    named.sort();
    assert_eq!(on_disk, named, "every case folder is listed in CASES (and so run by a named test)");
    let passed = CASES.iter().filter(|c| run_case(c).is_ok()).count();
    println!("kustomize observed: {passed}/{} cases identical to kustomize v5.6.0", CASES.len());
}

const CASES: &[&str] = &[
    "generated-data-key-order-and-secret-lines",
    "generated-data-go-yaml-key-order",
    "commonlabels-pod-affinity-topology-networkpolicy",
    "error-generator-duplicate-key",
    "error-resource-duplicate-yaml-key",
    "error-empty-patch-file",
    "error-empty-inline-patch",
    "error-ambiguous-patch-target",
    "error-patch-target-not-found",
    "typed-list-expanded",
    "patch-allow-name-change",
    "patch-name-change-not-allowed",
    "patch-allow-kind-change",
    "json6902-rename-reaches-roleref",
    "same-base-twice-with-different-prefixes",
    "error-allowed-rename-collides",
];

#[test]
fn json6902_renames_reach_role_refs_and_subjects() {
    assert_cases(&["json6902-rename-reaches-roleref"]);
}

#[test]
fn the_same_base_twice_with_different_prefixes_resolves_references_per_inclusion() {
    assert_cases(&["same-base-twice-with-different-prefixes"]);
}

#[test]
fn typed_lists_are_expanded_into_their_items() {
    assert_cases(&["typed-list-expanded"]);
}

#[test]
fn patch_options_allow_name_and_kind_changes() {
    assert_cases(&["patch-allow-name-change", "patch-name-change-not-allowed", "patch-allow-kind-change", "error-allowed-rename-collides"]);
}

#[test]
fn generated_data_keys_sort_as_kustomize_sorts_them() {
    assert_cases(&["generated-data-go-yaml-key-order"]);
}

#[test]
fn secret_data_is_base64_in_lines_so_hash_suffixes_match() {
    assert_cases(&["generated-data-key-order-and-secret-lines"]);
}

#[test]
fn common_labels_reach_network_policy_affinity_and_topology_selectors() {
    assert_cases(&["commonlabels-pod-affinity-topology-networkpolicy"]);
}

#[test]
fn kustomize_error_texts_for_duplicate_keys_empty_patches_and_ambiguous_targets() {
    assert_cases(&[
        "error-generator-duplicate-key",
        "error-resource-duplicate-yaml-key",
        "error-empty-patch-file",
        "error-empty-inline-patch",
        "error-ambiguous-patch-target",
        "error-patch-target-not-found",
    ]);
}
