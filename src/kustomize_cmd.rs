//! `gitops-lab kustomize`: the simulator's kustomize on real folders, so its
//! output can be compared with kustomize's on any repository.

use simulator::git::Snapshot;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::play::read_tree;

/// `gitops-lab kustomize build DIR | edit set image ARGS...` on real folders.
pub fn run(args: &[String]) -> ExitCode {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["build", rest @ ..] => {
            let dir = PathBuf::from(rest.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("."));
            let Ok(dir) = dir.canonicalize() else {
                eprintln!(
                    "Error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                    dir.display()
                );
                return ExitCode::from(1);
            };
            if !simulator::kustomize::KUSTOMIZATION_FILES.iter().any(|f| dir.join(f).is_file()) {
                // kustomize looks for the kustomization before reading anything else.
                eprintln!(
                    "Error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                    dir.display()
                );
                return ExitCode::from(1);
            }
            let (root, files) = match load(&dir) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("Error: {e}");
                    return ExitCode::from(1);
                }
            };
            let rel = dir.strip_prefix(&root).unwrap_or(&dir).to_string_lossy().replace('\\', "/");
            match simulator::kustomize::build(&files, &rel) {
                Ok(objects) => {
                    print!("{}", simulator::kustomize::render(&objects));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::from(1)
                }
            }
        }
        ["edit", "set", "image", images @ ..] => {
            let Some(path) = simulator::kustomize::KUSTOMIZATION_FILES.iter().map(PathBuf::from).find(|p| p.is_file()) else {
                eprintln!("Error: Missing kustomization file 'kustomization.yaml'.");
                return ExitCode::from(1);
            };
            let text = match crate::regular_file::read_text(&path) {
                Ok(text) => text,
                Err(e) => {
                    // The file is left as it is: a rewrite of what could not be read would lose it.
                    eprintln!("Error: {}: {e}", path.display());
                    return ExitCode::from(1);
                }
            };
            let images: Vec<String> = images.iter().map(|s| s.to_string()).collect();
            match simulator::kustomize::edit::set_image(&text, &images) {
                Ok(updated) => match std::fs::write(&path, updated) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("Error: {}: {e}", path.display());
                        ExitCode::from(1)
                    }
                },
                Err(e) => {
                    eprintln!("Error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!("usage: gitops-lab kustomize build DIR | edit set image NAME=IMAGE:TAG...");
            ExitCode::from(2)
        }
    }
}

/// Every kustomization folder `start` reaches through resources, bases and components.
fn reachable(start: &Path) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut queue = vec![start.to_path_buf()];
    while let Some(dir) = queue.pop() {
        if !seen.insert(dir.clone()) || seen.len() > 200 {
            continue;
        }
        let Some(text) = simulator::kustomize::KUSTOMIZATION_FILES.iter().find_map(|f| crate::regular_file::read_text(&dir.join(f)).ok())
        else {
            continue;
        };
        let Ok(docs) = simulator::yaml::parse_documents(&text, "kustomization.yaml") else { continue };
        for field in ["resources", "bases", "components"] {
            for entry in docs.first().and_then(|d| d.get(field)).and_then(|v| v.as_array()).into_iter().flatten().filter_map(|v| v.as_str())
            {
                if let Ok(p) = dir.join(entry).canonicalize()
                    && p.is_dir()
                {
                    queue.push(p);
                }
            }
        }
    }
    seen.into_iter().collect()
}

/// The files of every folder the build needs, keyed by path under their common ancestor.
fn load(dir: &Path) -> Result<(PathBuf, Snapshot), String> {
    let dirs = reachable(dir);
    let mut root = dir.to_path_buf();
    while !dirs.iter().all(|d| d.starts_with(&root)) {
        root = root.parent().ok_or("no common folder")?.to_path_buf();
    }
    // One level more, so that a `../x` that climbs out of the common folder still resolves.
    if let Some(parent) = root.parent() {
        root = parent.to_path_buf();
    }
    let mut files = Snapshot::new();
    for d in &dirs {
        read_tree(&root, d, &mut files)?;
    }
    Ok((root, files))
}
