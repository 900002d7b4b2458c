//! In-memory Git: an object database, a remote ("origin") that the agent
//! reads, and the trainee's clone with its working tree and index.

pub mod branch;
pub mod diff;
pub mod import;
pub mod merge;
pub mod object;
pub mod pull;

use std::collections::{BTreeMap, BTreeSet};

pub use object::{Commit, ObjectDb, Oid, Signature, Snapshot};

/// A repository on the Git server: branches only.
#[derive(Clone, Debug)]
pub struct Remote {
    pub url: String,
    pub branches: BTreeMap<String, Oid>,
    pub default_branch: String,
    /// The Git server cannot be reached (an incident): clones, fetches and pushes fail.
    pub unreachable: bool,
    /// Pull requests, numbered from 1.
    pub pulls: Vec<pull::PullRequest>,
    /// Branches that take changes only through an approved pull request.
    pub protected: BTreeSet<String>,
}

/// The trainee's clone of a remote.
#[derive(Clone, Debug)]
pub struct WorkingCopy {
    /// The directory the clone lives in, such as `/home/trainee/gitops-config`.
    pub dir: String,
    pub remote_url: String,
    pub branch: String,
    pub branches: BTreeMap<String, Oid>,
    /// `origin/<branch>` as last fetched.
    pub tracking: BTreeMap<String, Oid>,
    pub index: Snapshot,
    pub worktree: Snapshot,
    /// While a merge waits for its conflicts to be resolved: the commit being merged, and its name.
    pub merge_head: Option<(Oid, String)>,
}

/// A failed Git operation, in Git's words, with its exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitError {
    pub message: String,
    pub exit_code: i32,
}

impl GitError {
    pub fn fatal(message: impl Into<String>) -> Self {
        GitError { message: format!("fatal: {}", message.into()), exit_code: 128 }
    }
}

/// What a commit did, for the `[main abc1234] message` summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitSummary {
    pub oid: Oid,
    pub files_changed: usize,
    pub insertions: usize,
    pub deletions: usize,
    pub created: Vec<String>,
    pub deleted: Vec<String>,
}

/// What a push did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushSummary {
    pub branch: String,
    pub old: Option<Oid>,
    pub new: Oid,
    pub objects: usize,
    pub bytes: usize,
}

/// All Git state of a world.
#[derive(Clone, Debug, Default)]
pub struct Git {
    pub db: ObjectDb,
    pub remotes: BTreeMap<String, Remote>,
    pub clones: Vec<WorkingCopy>,
}

impl Git {
    /// Creates a remote whose `main` holds `history` (oldest first), and a clone of it at `dir`.
    pub fn init_with_history(&mut self, url: &str, dir: &str, history: &[(Signature, String, Snapshot)]) -> Option<Oid> {
        let mut parent: Option<Oid> = None;
        for (sig, message, snapshot) in history {
            let tree = self.db.write_tree(snapshot);
            let commit = Commit {
                tree,
                parents: parent.iter().cloned().collect(),
                author: sig.clone(),
                committer: sig.clone(),
                message: normalize_message(message),
            };
            parent = Some(self.db.write_commit(commit));
        }
        let tip = parent.clone()?;
        let snapshot = self.db.snapshot(&tip);
        self.remotes.insert(
            url.to_string(),
            Remote {
                url: url.to_string(),
                branches: [("main".to_string(), tip.clone())].into(),
                default_branch: "main".into(),
                unreachable: false,
                pulls: Vec::new(),
                protected: BTreeSet::new(),
            },
        );
        self.clones.push(WorkingCopy {
            dir: dir.to_string(),
            remote_url: url.to_string(),
            branch: "main".into(),
            branches: [("main".to_string(), tip.clone())].into(),
            tracking: [("main".to_string(), tip.clone())].into(),
            index: snapshot.clone(),
            worktree: snapshot,
            merge_head: None,
        });
        parent
    }

    /// Commits `changes` (path to new content) straight onto a remote branch, as a bot with its
    /// own clone would; returns the old and the new tip.
    pub fn commit_to_remote(&mut self, url: &str, branch: &str, changes: &Snapshot, sig: &Signature, message: &str) -> Option<(Oid, Oid)> {
        let old = self.remotes.get(url)?.branches.get(branch)?.clone();
        let mut files = self.db.snapshot(&old);
        files.extend(changes.iter().map(|(p, c)| (p.clone(), c.clone())));
        let tree = self.db.write_tree(&files);
        let new = self.db.write_commit(Commit {
            tree,
            parents: vec![old.clone()],
            author: sig.clone(),
            committer: sig.clone(),
            message: normalize_message(message),
        });
        self.remotes.get_mut(url)?.branches.insert(branch.into(), new.clone());
        Some((old, new))
    }

    /// Adds a branch to a remote: `history` (oldest first) on top of `from`; the clones learn of it
    /// as `origin/<name>`, as after a fetch.
    pub fn add_remote_branch(&mut self, url: &str, name: &str, from: &str, history: &[(Signature, String, Snapshot)]) -> Option<Oid> {
        let mut parent = from.to_string();
        for (sig, message, snapshot) in history {
            let tree = self.db.write_tree(snapshot);
            parent = self.db.write_commit(Commit {
                tree,
                parents: vec![parent],
                author: sig.clone(),
                committer: sig.clone(),
                message: normalize_message(message),
            });
        }
        self.remotes.get_mut(url)?.branches.insert(name.into(), parent.clone());
        for wc in self.clones.iter_mut().filter(|c| c.remote_url == url) {
            wc.tracking.insert(name.into(), parent.clone());
        }
        Some(parent)
    }

    /// Whether the Git server for `url` can be reached now.
    pub fn reachable(&self, url: &str) -> bool {
        self.remotes.get(url).is_some_and(|r| !r.unreachable)
    }

    /// The error a client gets from an unreachable Git server, in git's words.
    pub fn unreachable_error(url: &str) -> String {
        let host = url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or(url);
        format!("fatal: unable to access '{url}/': Could not resolve host: {host}")
    }

    /// Resolves a revision (`HEAD`, `main`, a SHA or its prefix) on a remote.
    pub fn resolve_remote(&self, url: &str, revision: &str) -> Option<Oid> {
        let remote = self.remotes.get(url)?;
        match revision {
            "" | "HEAD" => remote.branches.get(&remote.default_branch).cloned(),
            r => remote.branches.get(r).cloned().or_else(|| self.resolve_prefix(r)),
        }
    }

    /// Finds the unique commit whose id starts with `prefix` (at least 4 digits).
    pub fn resolve_prefix(&self, prefix: &str) -> Option<Oid> {
        if prefix.len() < 4 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let reachable: BTreeSet<Oid> = self
            .remotes
            .values()
            .flat_map(|r| r.branches.values())
            .chain(self.clones.iter().flat_map(|c| c.branches.values()))
            .flat_map(|tip| self.history(tip))
            .collect();
        let mut hits = reachable.into_iter().filter(|o| o.starts_with(prefix));
        let first = hits.next()?;
        if hits.next().is_some() { None } else { Some(first) }
    }

    /// Commits reachable from `tip`, newest first by commit time (first parent order on ties).
    pub fn history(&self, tip: &str) -> Vec<Oid> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut frontier = vec![tip.to_string()];
        while !frontier.is_empty() {
            frontier.sort_by_key(|o| self.db.commit(o).map(|c| c.committer.time));
            let Some(oid) = frontier.pop() else { break };
            if !seen.insert(oid.clone()) {
                continue;
            }
            if let Some(c) = self.db.commit(&oid) {
                frontier.extend(c.parents.iter().cloned());
            }
            out.push(oid);
        }
        out
    }

    pub fn clone_at(&self, dir: &str) -> Option<usize> {
        self.clones.iter().position(|c| dir == c.dir || dir.starts_with(&format!("{}/", c.dir)))
    }
}

impl WorkingCopy {
    pub fn head(&self) -> Option<&Oid> {
        self.branches.get(&self.branch)
    }

    /// Resolves `HEAD`, `HEAD~N`, `HEAD^`, branch names, `origin/<branch>` and id prefixes.
    pub fn resolve(&self, git: &Git, rev: &str) -> Option<Oid> {
        let (base, mut up) = match rev.find(['~', '^']) {
            Some(i) => {
                let (b, suffix) = rev.split_at(i);
                let n = if let Some(n) = suffix.strip_prefix('~') {
                    if n.is_empty() { 1 } else { n.parse().ok()? }
                } else {
                    suffix.chars().filter(|c| *c == '^').count()
                };
                (b, n)
            }
            None => (rev, 0),
        };
        let mut oid = match base {
            "HEAD" | "@" => self.head().cloned()?,
            b if self.branches.contains_key(b) => self.branches[b].clone(),
            b if b.starts_with("origin/") => self.tracking.get(&b["origin/".len()..]).cloned()?,
            b => git.resolve_prefix(b)?,
        };
        while up > 0 {
            oid = git.db.commit(&oid)?.parents.first()?.clone();
            up -= 1;
        }
        Some(oid)
    }

    pub fn head_snapshot(&self, git: &Git) -> Snapshot {
        self.head().map(|h| git.db.snapshot(h)).unwrap_or_default()
    }

    /// Stages paths (or everything under them); `git add -A` passes `"."`.
    pub fn add(&mut self, paths: &[String]) -> Result<(), GitError> {
        for path in paths {
            let prefix = path.trim_end_matches('/');
            let all = prefix == "." || prefix.is_empty();
            let matched: Vec<String> = self
                .worktree
                .keys()
                .chain(self.index.keys())
                .filter(|p| all || *p == prefix || p.starts_with(&format!("{prefix}/")))
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if matched.is_empty() {
                return Err(GitError { message: format!("fatal: pathspec '{path}' did not match any files"), exit_code: 128 });
            }
            for p in matched {
                match self.worktree.get(&p) {
                    Some(content) => {
                        self.index.insert(p, content.clone());
                    }
                    None => {
                        self.index.remove(&p);
                    }
                }
            }
        }
        Ok(())
    }

    /// Stages every modification and deletion of tracked files, as `commit -a` does.
    pub fn stage_tracked(&mut self, git: &Git) {
        let head = self.head_snapshot(git);
        for path in head.keys().chain(self.index.clone().keys()).cloned().collect::<BTreeSet<_>>() {
            match self.worktree.get(&path) {
                Some(content) => {
                    self.index.insert(path, content.clone());
                }
                None => {
                    self.index.remove(&path);
                }
            }
        }
    }

    /// Records the index as a new commit on the current branch.
    pub fn commit(&mut self, git: &mut Git, message: &str, sig: &Signature) -> Result<CommitSummary, GitError> {
        self.commit_with(git, message, sig, false)
    }

    /// Records the index as a new commit; `allow_empty` records it even when nothing changed.
    pub fn commit_with(&mut self, git: &mut Git, message: &str, sig: &Signature, allow_empty: bool) -> Result<CommitSummary, GitError> {
        let head = self.head().cloned();
        let head_snapshot = self.head_snapshot(git);
        if head_snapshot == self.index && !allow_empty && self.merge_head.is_none() {
            return Err(GitError { message: String::new(), exit_code: 1 });
        }
        let summary = change_summary(&head_snapshot, &self.index);
        let tree = git.db.write_tree(&self.index);
        // Concluding a merge records both parents.
        let parents: Vec<Oid> = head.into_iter().chain(self.merge_head.take().map(|(oid, _)| oid)).collect();
        let oid =
            git.db.write_commit(Commit { tree, parents, author: sig.clone(), committer: sig.clone(), message: normalize_message(message) });
        self.branches.insert(self.branch.clone(), oid.clone());
        Ok(CommitSummary { oid, ..summary })
    }

    /// Sends the current branch to the remote if it fast-forwards.
    pub fn push(&mut self, git: &mut Git) -> Result<Option<PushSummary>, GitError> {
        let head = self.head().cloned().ok_or_else(|| GitError::fatal("You are not currently on a branch."))?;
        let remote =
            git.remotes.get(&self.remote_url).ok_or_else(|| GitError::fatal(format!("repository '{}' not found", self.remote_url)))?;
        let old = remote.branches.get(&self.branch).cloned();
        if old.as_deref() == Some(head.as_str()) {
            return Ok(None);
        }
        if let Some(old) = &old {
            if !git.history(&head).contains(old) {
                let message = format!(
                    "To {url}\n ! [rejected]        {b} -> {b} (fetch first)\nerror: failed to push some refs to '{url}'\nhint: Updates were rejected because the remote contains work that you do not\nhint: have locally. This is usually caused by another repository pushing to\nhint: the same ref. If you want to integrate the remote changes, use\nhint: 'git pull' before pushing again.\nhint: See the 'Note about fast-forwards' in 'git push --help' for details.",
                    url = self.remote_url,
                    b = self.branch
                );
                return Err(GitError { message, exit_code: 1 });
            }
        }
        let have: BTreeSet<Oid> = old.as_deref().map(|o| git.db.reachable(o)).unwrap_or_default();
        let sending: Vec<Oid> = git.db.reachable(&head).into_iter().filter(|o| !have.contains(o)).collect();
        let bytes = sending.iter().map(|o| git.db.size(o)).sum();
        let remote = git.remotes.get_mut(&self.remote_url).expect("checked above");
        remote.branches.insert(self.branch.clone(), head.clone());
        self.tracking.insert(self.branch.clone(), head.clone());
        Ok(Some(PushSummary { branch: self.branch.clone(), old, new: head, objects: sending.len(), bytes }))
    }

    /// Fetches the remote branch and fast-forwards the current branch to it.
    pub fn pull(&mut self, git: &Git) -> Result<(Option<Oid>, Oid), GitError> {
        let remote =
            git.remotes.get(&self.remote_url).ok_or_else(|| GitError::fatal(format!("repository '{}' not found", self.remote_url)))?;
        let theirs = remote
            .branches
            .get(&self.branch)
            .cloned()
            .ok_or_else(|| GitError::fatal(format!("couldn't find remote ref {}", self.branch)))?;
        self.tracking.insert(self.branch.clone(), theirs.clone());
        let ours = self.head().cloned();
        if ours.as_deref() == Some(theirs.as_str()) || ours.as_ref().is_some_and(|o| git.history(o).contains(&theirs)) {
            return Ok((ours.clone(), ours.unwrap_or(theirs)));
        }
        if ours.as_ref().is_some_and(|o| !git.history(&theirs).contains(o)) {
            return Err(GitError {
                message: "hint: You have divergent branches and need to specify how to reconcile them.\nfatal: Need to specify how to reconcile divergent branches.".into(),
                exit_code: 128,
            });
        }
        if self.head_snapshot(git) != self.worktree || self.head_snapshot(git) != self.index {
            return Err(GitError { message: "error: Your local changes to the following files would be overwritten by merge:\nPlease commit your changes or stash them before you merge.\nAborting".into(), exit_code: 1 });
        }
        let snap = git.db.snapshot(&theirs);
        self.index = snap.clone();
        self.worktree = snap;
        self.branches.insert(self.branch.clone(), theirs.clone());
        Ok((ours, theirs))
    }

    /// Makes a commit that undoes `target`'s changes.
    pub fn revert(&mut self, git: &mut Git, target: &str, sig: &Signature) -> Result<CommitSummary, GitError> {
        let head_snapshot = self.head_snapshot(git);
        if head_snapshot != self.index || head_snapshot != self.worktree {
            return Err(GitError { message: "error: your local changes would be overwritten by revert.\nhint: commit your changes or stash them to proceed.\nfatal: revert failed".into(), exit_code: 128 });
        }
        let commit = git.db.commit(target).cloned().ok_or_else(|| GitError::fatal(format!("bad revision '{target}'")))?;
        let parent = commit.parents.first().map(|p| git.db.snapshot(p)).unwrap_or_default();
        let theirs = git.db.snapshot(target);
        let mut result = head_snapshot.clone();
        for path in parent.keys().chain(theirs.keys()).collect::<BTreeSet<_>>() {
            let (before, after, now) = (parent.get(path), theirs.get(path), head_snapshot.get(path));
            if before == after {
                continue;
            }
            if now != after {
                return Err(GitError {
                    message: format!(
                        "error: could not revert {}... {}\nhint: After resolving the conflicts, mark them with\nhint: \"git add/rm <pathspec>\", then run\nhint: \"git revert --continue\".\nCONFLICT (content): Merge conflict in {path}",
                        diff::short(target),
                        commit.subject()
                    ),
                    exit_code: 1,
                });
            }
            match before {
                Some(content) => result.insert(path.clone(), content.clone()),
                None => result.remove(path),
            };
        }
        self.index = result.clone();
        self.worktree = result;
        let message = format!("Revert \"{}\"\n\nThis reverts commit {target}.\n", commit.subject());
        self.commit(git, &message, sig)
    }
}

/// Resolves `.` and `..` in a slash-separated path and drops empty parts (`a/./b/../c` → `a/c`).
pub fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The unified diff between two snapshots, file by file, as `git diff` prints it.
pub fn patch(old: &Snapshot, new: &Snapshot) -> String {
    let mut text = String::new();
    for p in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (old.get(p), new.get(p));
        if a == b {
            continue;
        }
        let oa = a.map(|c| ObjectDb::blob_id(c)).unwrap_or_default();
        let ob = b.map(|c| ObjectDb::blob_id(c)).unwrap_or_default();
        text.push_str(&diff::file_diff(p, a.map(String::as_str), b.map(String::as_str), &oa, &ob));
    }
    text
}

impl Git {
    /// What a commit changed, against its first parent.
    pub fn commit_patch(&self, oid: &str) -> String {
        let parent = self.db.commit(oid).and_then(|c| c.parents.first()).map(|p| self.db.snapshot(p)).unwrap_or_default();
        patch(&parent, &self.db.snapshot(oid))
    }
}

/// Files added, changed and deleted between two snapshots, with line counts.
pub fn change_summary(old: &Snapshot, new: &Snapshot) -> CommitSummary {
    let mut s = CommitSummary { oid: String::new(), files_changed: 0, insertions: 0, deletions: 0, created: vec![], deleted: vec![] };
    for path in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (old.get(path), new.get(path));
        if a == b {
            continue;
        }
        s.files_changed += 1;
        let stat = diff::line_stat(a.map_or("", |x| x), b.map_or("", |x| x));
        s.insertions += stat.insertions;
        s.deletions += stat.deletions;
        if a.is_none() {
            s.created.push(path.clone());
        }
        if b.is_none() {
            s.deleted.push(path.clone());
        }
    }
    s
}

/// Git stores messages with one trailing newline and no trailing blank lines.
pub(crate) fn normalize_message(message: &str) -> String {
    format!("{}\n", message.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn sig(t: u64) -> Signature {
        Signature { name: "Dev".into(), email: "dev@example.com".into(), time: SimTime(t * 1000) }
    }

    fn repo() -> Git {
        let mut git = Git::default();
        let snap: Snapshot = [("app/deploy.yaml".to_string(), "replicas: 3\n".to_string())].into();
        git.init_with_history("https://git.example.com/cfg.git", "/home/trainee/cfg", &[(sig(1), "first".into(), snap)]);
        git
    }

    #[test]
    fn commit_push_and_revert() {
        let mut git = repo();
        let mut wc = git.clones[0].clone();
        wc.worktree.insert("app/deploy.yaml".into(), "replicas: 5\n".into());
        wc.stage_tracked(&git);
        let c = wc.commit(&mut git, "scale to 5", &sig(2)).unwrap();
        assert_eq!((c.files_changed, c.insertions, c.deletions), (1, 1, 1));
        let pushed = wc.push(&mut git).unwrap().unwrap();
        assert_eq!(git.resolve_remote("https://git.example.com/cfg.git", "HEAD"), Some(pushed.new.clone()));
        let head = wc.head().unwrap().clone();
        wc.revert(&mut git, &head, &sig(3)).unwrap();
        assert_eq!(wc.worktree["app/deploy.yaml"], "replicas: 3\n");
        let subject = git.db.commit(wc.head().unwrap()).unwrap().subject().to_string();
        assert_eq!(subject, "Revert \"scale to 5\"");
        assert_eq!(wc.resolve(&git, "HEAD~2").map(|o| git.db.commit(&o).unwrap().subject().to_string()), Some("first".into()));
    }

    #[test]
    fn empty_commit_is_refused_and_stale_push_rejected() {
        let mut git = repo();
        let mut a = git.clones[0].clone();
        let mut b = git.clones[0].clone();
        assert_eq!(a.commit(&mut git, "nothing", &sig(2)).unwrap_err().exit_code, 1);
        a.worktree.insert("x".into(), "1\n".into());
        a.add(&["x".into()]).unwrap();
        a.commit(&mut git, "a", &sig(2)).unwrap();
        a.push(&mut git).unwrap();
        b.worktree.insert("y".into(), "1\n".into());
        b.add(&["y".into()]).unwrap();
        b.commit(&mut git, "b", &sig(3)).unwrap();
        assert!(b.push(&mut git).unwrap_err().message.contains("[rejected]"));
    }
}
