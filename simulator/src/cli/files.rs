//! The trainee's file system: their home directory and the working trees of
//! their Git clones.

use std::collections::BTreeSet;

use super::Host;

/// A file or directory lookup that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    IsDirectory,
    NotDirectory,
}

/// Turns a path typed in the terminal into an absolute, normalized path.
pub fn absolute(world: &dyn Host, path: &str) -> String {
    let home = &world.shell().home;
    let joined = if path == "~" {
        home.clone()
    } else if let Some(rest) = path.strip_prefix("~/") {
        format!("{home}/{rest}")
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", world.shell().cwd)
    };
    format!("/{}", crate::git::normalize_path(&joined))
}

/// The clone holding `abs` and the path inside it.
pub fn locate(world: &dyn Host, abs: &str) -> Option<(usize, String)> {
    let i = world.model().git().clone_at(abs)?;
    let dir = &world.model().git().clones[i].dir;
    Some((i, abs.strip_prefix(dir.as_str()).unwrap_or("").trim_start_matches('/').to_string()))
}

pub fn read(world: &dyn Host, path: &str) -> Result<String, FsError> {
    let abs = absolute(world, path);
    let Some((i, rel)) = locate(world, &abs) else {
        return Err(if is_dir(world, &abs) { FsError::IsDirectory } else { FsError::NotFound });
    };
    match world.model().git().clones[i].worktree.get(&rel) {
        Some(c) => Ok(c.clone()),
        None if is_dir(world, &abs) => Err(FsError::IsDirectory),
        None => Err(FsError::NotFound),
    }
}

pub fn write(world: &mut dyn Host, path: &str, content: String) -> Result<(), FsError> {
    let abs = absolute(world, path);
    let (i, rel) = locate(world, &abs).ok_or(FsError::NotFound)?;
    if rel.is_empty() || is_dir(world, &abs) {
        return Err(FsError::IsDirectory);
    }
    world.model_mut().git_mut().clones[i].worktree.insert(rel, content);
    Ok(())
}

pub fn is_dir(world: &dyn Host, abs: &str) -> bool {
    if world.shell().home.starts_with(abs)
        || world.model().git().clones.iter().any(|c| c.dir == abs || c.dir.starts_with(&format!("{abs}/")) || abs == "/")
    {
        return true;
    }
    match locate(world, abs) {
        Some((i, rel)) => rel.is_empty() || world.model().git().clones[i].worktree.keys().any(|p| p.starts_with(&format!("{rel}/"))),
        None => false,
    }
}

/// The names in a directory; directories end in `/`.
pub fn list(world: &dyn Host, abs: &str) -> Result<Vec<String>, FsError> {
    if !is_dir(world, abs) {
        return Err(if read(world, abs).is_ok() { FsError::NotDirectory } else { FsError::NotFound });
    }
    let prefix = if abs == "/" { "/".to_string() } else { format!("{abs}/") };
    let mut names = BTreeSet::new();
    for clone in &world.model().git().clones {
        if let Some(rest) = clone.dir.strip_prefix(&prefix) {
            names.insert(format!("{}/", rest.split('/').next().unwrap_or(rest)));
        }
        if clone.dir == abs || abs.starts_with(&format!("{}/", clone.dir)) {
            let rel = abs.strip_prefix(clone.dir.as_str()).unwrap_or("").trim_start_matches('/');
            let inner = if rel.is_empty() { String::new() } else { format!("{rel}/") };
            for path in clone.worktree.keys() {
                if let Some(rest) = path.strip_prefix(&inner) {
                    match rest.split_once('/') {
                        Some((dir, _)) => names.insert(format!("{dir}/")),
                        None => names.insert(rest.to_string()),
                    };
                }
            }
        }
    }
    if world.shell().home.starts_with(&prefix) {
        if let Some(rest) = world.shell().home.strip_prefix(&prefix) {
            names.insert(format!("{}/", rest.split('/').next().unwrap_or(rest)));
        }
    }
    Ok(names.into_iter().collect())
}
