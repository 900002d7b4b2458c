//! Commits made outside the simulation: a host that keeps the lab's
//! repositories as real Git repositories (`gitops-lab play --real-tools`)
//! reads what a trainee pushed with real `git` and hands it in here, so the
//! simulated agents see the push. Ids are real SHA-1, so the commits keep
//! the ids real Git gave them; nothing here touches a file.

use super::{Commit, Git, Oid, Signature, Snapshot};

/// One commit as read from a real repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedCommit {
    pub oid: Oid,
    pub parents: Vec<Oid>,
    pub author: Signature,
    pub committer: Signature,
    /// The message exactly as stored (with its final newline).
    pub message: String,
    /// The commit's text files by path.
    pub files: Snapshot,
}

impl Git {
    /// Receives a push made with real Git to remote `url`: stores `commits` (parents first),
    /// moves `branch` to `tip` and brings the clones of that remote along. Returns the branch's
    /// old tip (`Some(None)` for a new branch), or `None` when the branch was already at `tip`.
    #[allow(clippy::option_option)]
    pub fn import_push(
        &mut self,
        url: &str,
        branch: &str,
        commits: Vec<ImportedCommit>,
        tip: &str,
    ) -> Result<Option<Option<String>>, String> {
        if !self.remotes.contains_key(url) {
            return Err(format!("no remote {url} in this world"));
        }
        for c in commits {
            if self.db.contains(&c.oid) {
                continue;
            }
            let tree = self.db.write_tree(&c.files);
            let commit = Commit { tree, parents: c.parents, author: c.author, committer: c.committer, message: c.message };
            let computed = self.db.write_commit(commit.clone());
            if computed != c.oid {
                self.db.insert_commit_as(&c.oid, commit);
            }
        }
        if self.db.commit(tip).is_none() {
            return Err(format!("commit {tip} was not imported"));
        }
        let remote = self.remotes.get_mut(url).expect("checked above");
        let old = remote.branches.insert(branch.to_string(), tip.to_string());
        if old.as_deref() == Some(tip) {
            return Ok(None);
        }
        let snapshot = self.db.snapshot(tip);
        for clone in self.clones.iter_mut().filter(|c| c.remote_url == url) {
            clone.tracking.insert(branch.to_string(), tip.to_string());
            if clone.branch == branch {
                clone.branches.insert(branch.to_string(), tip.to_string());
                clone.index = snapshot.clone();
                clone.worktree = snapshot.clone();
            }
        }
        Ok(Some(old))
    }
}
