//! The built-in labs and quiz banks, embedded at build time.

use std::collections::BTreeMap;

use crate::git::Snapshot;
use crate::lab::{ContentError, Lab};
use crate::quiz::Bank;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/content.rs"));
}

/// A set of content files: path (such as `labs/drift-2am/lab.yaml`) to text.
pub type ContentFiles = BTreeMap<String, String>;

/// The content compiled into this build.
pub fn builtin() -> ContentFiles {
    embedded::FILES.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

/// Every lab in `files`, in the course's order (`order`, then id; labs without an order last).
pub fn labs(files: &ContentFiles) -> Result<Vec<Lab>, ContentError> {
    let mut labs = Vec::new();
    for path in files.keys() {
        let Some(dir) = path.strip_prefix("labs/").and_then(|p| p.strip_suffix("/lab.yaml")) else {
            continue;
        };
        labs.push(lab(files, dir)?);
    }
    labs.sort_by(|a, b| (a.order.unwrap_or(u32::MAX), &a.id).cmp(&(b.order.unwrap_or(u32::MAX), &b.id)));
    Ok(labs)
}

/// One lab, loading only its own files (a page that opens one lab need not parse them all).
pub fn lab(files: &ContentFiles, dir: &str) -> Result<Lab, ContentError> {
    let path = format!("labs/{dir}/lab.yaml");
    let Some(text) = files.get(&path) else {
        return Err(ContentError { file: path, line: None, field: None, message: format!("there is no lab `{dir}`") });
    };
    let repo_prefix = format!("labs/{dir}/repo/");
    let repo: Snapshot = files
        .range(repo_prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&repo_prefix))
        .map(|(p, t)| (p[repo_prefix.len()..].to_string(), t.clone()))
        .collect();
    let lab = Lab::load(text, &path, repo)?;
    if lab.id != dir {
        return Err(ContentError {
            file: path,
            line: None,
            field: Some("id".into()),
            message: format!("the id `{}` must match the folder name `{dir}`", lab.id),
        });
    }
    Ok(lab)
}

/// Every quiz bank in `files`.
pub fn banks(files: &ContentFiles) -> Result<Vec<Bank>, ContentError> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("quizzes/") && (p.ends_with(".yaml") || p.ends_with(".yml")))
        .map(|(p, t)| Bank::load(t, p))
        .collect()
}

/// Finds one built-in lab by id.
pub fn builtin_lab(id: &str) -> Option<Lab> {
    lab(&builtin(), id).ok()
}
