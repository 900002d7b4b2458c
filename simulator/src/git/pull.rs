//! Pull requests on the Git server, as GitHub keeps them: a head branch proposed for a base
//! branch, reviews, and a merge made by the server. A protected base branch takes changes only
//! through an approved pull request.

use super::{Commit, Git, Oid, Signature, normalize_message};
use crate::time::SimTime;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrState {
    Open,
    Merged,
    Closed,
}

impl PrState {
    /// As `gh` prints it.
    pub fn word(&self) -> &'static str {
        match self {
            PrState::Open => "OPEN",
            PrState::Merged => "MERGED",
            PrState::Closed => "CLOSED",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewState {
    Approved,
    ChangesRequested,
    Commented,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub author: String,
    pub state: ReviewState,
    pub body: String,
    pub at: SimTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub head: String,
    pub base: String,
    pub author: String,
    pub created_at: SimTime,
    pub state: PrState,
    pub reviews: Vec<Review>,
    pub merged_by: Option<String>,
    pub merge_commit: Option<Oid>,
}

impl PullRequest {
    /// Approved: some reviewer's latest approving-or-blocking review approves, and none blocks.
    pub fn approved(&self) -> bool {
        let mut latest: Vec<(&str, ReviewState)> = Vec::new();
        for r in self.reviews.iter().filter(|r| r.state != ReviewState::Commented) {
            latest.retain(|(a, _)| *a != r.author);
            latest.push((&r.author, r.state));
        }
        latest.iter().any(|(_, s)| *s == ReviewState::Approved) && !latest.iter().any(|(_, s)| *s == ReviewState::ChangesRequested)
    }
}

/// How a pull request is merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeMethod {
    Merge,
    Squash,
}

/// `platform/gitops-config` for `https://git.example.com/platform/gitops-config.git`.
pub fn repo_slug(url: &str) -> String {
    let path = url.split("://").nth(1).and_then(|r| r.split_once('/')).map_or(url, |(_, p)| p);
    path.trim_end_matches(".git").to_string()
}

impl Git {
    /// Opens a pull request of `head` into `base`; returns its number.
    pub fn open_pull(
        &mut self,
        url: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        author: &str,
        now: SimTime,
    ) -> Result<u64, String> {
        let remote = self.remotes.get_mut(url).ok_or("no such repository")?;
        if !remote.branches.contains_key(head) {
            return Err("aborted: you must first push the current branch to a remote, or use the --head flag".into());
        }
        if !remote.branches.contains_key(base) {
            return Err(format!("base branch \"{base}\" not found"));
        }
        if let Some(existing) = remote.pulls.iter().find(|p| p.head == head && p.base == base && p.state == PrState::Open) {
            return Err(format!(
                "a pull request for branch \"{head}\" into branch \"{base}\" already exists:\n{}/pull/{}",
                url.trim_end_matches(".git"),
                existing.number
            ));
        }
        let number = remote.pulls.len() as u64 + 1;
        remote.pulls.push(PullRequest {
            number,
            title: title.into(),
            body: body.into(),
            head: head.into(),
            base: base.into(),
            author: author.into(),
            created_at: now,
            state: PrState::Open,
            reviews: Vec::new(),
            merged_by: None,
            merge_commit: None,
        });
        Ok(number)
    }

    /// Merges an open pull request on the server; returns the base's old and new tips.
    pub fn merge_pull(&mut self, url: &str, number: u64, method: MergeMethod, sig: &Signature) -> Result<(Oid, Oid), String> {
        let slug = repo_slug(url);
        let remote = self.remotes.get(url).ok_or("no such repository")?;
        let pr = remote.pulls.iter().find(|p| p.number == number).ok_or_else(|| format!("no pull requests found for #{number}"))?.clone();
        match pr.state {
            PrState::Merged => return Err(format!("Pull request {slug}#{number} was already merged")),
            PrState::Closed => return Err(format!("Pull request {slug}#{number} is closed")),
            PrState::Open => {}
        }
        if remote.protected.contains(&pr.base) && !pr.approved() {
            return Err(format!(
                "X Pull request {slug}#{number} is not mergeable: the base branch policy prohibits the merge.\nTo have the pull request merged after all the requirements have been met, add the `--auto` flag.\nTo use administrator privileges to immediately merge the pull request, add the `--admin` flag."
            ));
        }
        let base_tip = remote.branches.get(&pr.base).cloned().ok_or("the base branch is gone")?;
        let head_tip = remote.branches.get(&pr.head).cloned().ok_or("the head branch is gone")?;
        if !self.history(&head_tip).contains(&base_tip) {
            // A three-way merge on the server is not simulated: the head must contain the base.
            return Err(format!(
                "X Pull request {slug}#{number} is not mergeable: the merge commit cannot be cleanly created.\nTo resolve, merge {} into {} and push.",
                pr.base, pr.head
            ));
        }
        let tree = self.db.commit(&head_tip).map(|c| c.tree.clone()).ok_or("the head commit is missing")?;
        let (parents, message) = match method {
            MergeMethod::Merge => {
                let owner = slug.split('/').next().unwrap_or_default();
                (vec![base_tip.clone(), head_tip.clone()], format!("Merge pull request #{number} from {owner}/{}\n\n{}", pr.head, pr.title))
            }
            MergeMethod::Squash => (vec![base_tip.clone()], format!("{} (#{number})", pr.title)),
        };
        let new = self.db.write_commit(Commit {
            tree,
            parents,
            author: sig.clone(),
            committer: sig.clone(),
            message: normalize_message(&message),
        });
        let remote = self.remotes.get_mut(url).expect("checked above");
        remote.branches.insert(pr.base.clone(), new.clone());
        if let Some(p) = remote.pulls.iter_mut().find(|p| p.number == number) {
            p.state = PrState::Merged;
            p.merged_by = Some(sig.name.clone());
            p.merge_commit = Some(new.clone());
        }
        Ok((base_tip, new))
    }
}
