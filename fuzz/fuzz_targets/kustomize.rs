//! `kustomize build` of a kustomization and one resource file, both from the input
//! (split at the first NUL byte); plus `kustomize edit set image` on the kustomization.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (kustomization, resource) = text.split_once('\0').unwrap_or((text, ""));
    let mut files = simulator::git::Snapshot::new();
    files.insert("k/kustomization.yaml".into(), kustomization.to_string());
    files.insert("k/r.yaml".into(), resource.to_string());
    files.insert("base/kustomization.yaml".into(), "resources:\n- ../k/r.yaml\n".into());
    let _ = simulator::kustomize::build(&files, "k");
    let _ = simulator::kustomize::edit::set_image(kustomization, &["nginx=nginx:1.28".to_string()]);
});
