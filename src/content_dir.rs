//! Content from disk, for authors: the same files the build embeds, read
//! from a folder so edits show without rebuilding.

use simulator::content::{self, ContentFiles};
use std::path::Path;

/// The built-in content, or the content under `dir` (its labs/ and quizzes/).
pub fn load(dir: Option<&Path>) -> Result<ContentFiles, String> {
    let Some(dir) = dir else { return Ok(content::builtin()) };
    let mut files = ContentFiles::new();
    for sub in ["labs", "quizzes"] {
        walk(dir, &dir.join(sub), &mut files)?;
    }
    if files.is_empty() {
        return Err(format!("{} holds no labs/ or quizzes/ folder", dir.display()));
    }
    Ok(files)
}

fn walk(root: &Path, dir: &Path, files: &mut ContentFiles) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(root, &path, files)?;
        } else if let Ok(text) = crate::regular_file::read_text(&path) {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            files.insert(rel, text);
        }
    }
    Ok(())
}
