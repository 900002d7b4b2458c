//! The agent's Git source: a clone of the repository (a local path or a URL) in
//! a cache folder, fetched on every poll, and the files of one revision read
//! into the simulator's `Snapshot`, so rendering is the simulator's own.

use git2::{FetchOptions, ObjectType, Repository};
use simulator::git::Snapshot;
use std::path::{Path, PathBuf};

/// A repository the agent follows.
pub struct Source {
    repo: Repository,
    url: String,
    revision: String,
}

fn git_err(what: &str, e: git2::Error) -> String {
    format!("{what}: {}", e.message())
}

/// The URL git2 clones: a local path is made absolute, a URL is kept.
fn clone_url(repo: &str) -> String {
    if repo.contains("://") || repo.starts_with("git@") {
        return repo.to_string();
    }
    std::fs::canonicalize(repo).map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| repo.to_string())
}

impl Source {
    /// Opens (or makes) the bare mirror of `repo` under `cache`.
    pub fn open(repo: &str, revision: &str, cache: &Path) -> Result<Source, String> {
        let url = clone_url(repo);
        let dir: PathBuf = cache.join(mirror_name(&url));
        let repository = match Repository::open_bare(&dir) {
            Ok(r) => r,
            Err(_) => {
                std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
                let r = Repository::init_bare(&dir).map_err(|e| git_err(&format!("creating {}", dir.display()), e))?;
                r.remote("origin", &url).map_err(|e| git_err("adding the remote", e))?;
                r
            }
        };
        Ok(Source { repo: repository, url, revision: revision.to_string() })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Fetches the remote's branches, tags and HEAD, and resolves the revision to a commit id.
    pub fn fetch(&self) -> Result<String, String> {
        let mut remote = self.repo.find_remote("origin").map_err(|e| git_err("the remote", e))?;
        let refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*", "+HEAD:refs/remotes/origin/HEAD"];
        let mut options = FetchOptions::new();
        options.download_tags(git2::AutotagOption::None);
        remote.fetch(&refspecs, Some(&mut options), None).map_err(|e| git_err(&format!("git fetch {}", self.url), e))?;
        self.resolve()
    }

    /// The commit the revision names: `HEAD`, a branch, a tag or a commit id.
    fn resolve(&self) -> Result<String, String> {
        let rev = self.revision.as_str();
        let candidates: Vec<String> = if rev.is_empty() || rev == "HEAD" {
            vec!["refs/remotes/origin/HEAD".into()]
        } else {
            vec![format!("refs/remotes/origin/{rev}"), format!("refs/tags/{rev}"), rev.to_string()]
        };
        for c in &candidates {
            if let Ok(obj) = self.repo.revparse_single(c) {
                if let Ok(commit) = obj.peel_to_commit() {
                    return Ok(commit.id().to_string());
                }
            }
        }
        Err(format!("unable to resolve '{rev}' to a commit SHA in {}", self.url))
    }

    /// Every file of `commit`, by path.
    pub fn files(&self, commit: &str) -> Result<Snapshot, String> {
        let oid = git2::Oid::from_str(commit).map_err(|e| git_err("a commit id", e))?;
        let tree = self.repo.find_commit(oid).and_then(|c| c.tree()).map_err(|e| git_err(&format!("reading commit {commit}"), e))?;
        let mut out = Snapshot::new();
        read_tree(&self.repo, &tree, "", &mut out)?;
        Ok(out)
    }
}

/// A folder name for a URL's mirror: its last path part and a short hash of the whole.
fn mirror_name(url: &str) -> String {
    let base: String = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("repo")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    format!("{}-{:08x}", if base.is_empty() { "repo" } else { &base }, hash as u32)
}

fn read_tree(repo: &Repository, tree: &git2::Tree, prefix: &str, out: &mut Snapshot) -> Result<(), String> {
    for entry in tree.iter() {
        let name = format!("{prefix}{}", entry.name().unwrap_or_default());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let sub = repo.find_tree(entry.id()).map_err(|e| git_err("reading a tree", e))?;
                read_tree(repo, &sub, &format!("{name}/"), out)?;
            }
            Some(ObjectType::Blob) => {
                let blob = repo.find_blob(entry.id()).map_err(|e| git_err("reading a file", e))?;
                out.insert(name, String::from_utf8_lossy(blob.content()).into_owned());
            }
            _ => {}
        }
    }
    Ok(())
}
