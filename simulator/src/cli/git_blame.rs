//! `git blame FILE`: each line with the commit that last changed it, its
//! author and date, as git prints them.

use similar::{ChangeTag, TextDiff};

use super::CommandOutput;
use crate::git::{Git, WorkingCopy};
use crate::time::SimTime;

/// Who last changed each line: (commit, or `None` for uncommitted; the line).
fn attribute(git: &Git, wc: &WorkingCopy, path: &str) -> Option<Vec<(Option<String>, String)>> {
    let head = wc.head()?.clone();
    let mut oldest_first = git.history(&head);
    oldest_first.reverse();
    let mut lines: Vec<(Option<String>, String)> = Vec::new();
    let mut previous: Option<String> = None;
    let versions = oldest_first
        .iter()
        .map(|oid| (Some(oid.clone()), git.db.snapshot(oid).get(path).cloned()))
        .chain(std::iter::once((None, wc.worktree.get(path).cloned())));
    let mut in_head = false;
    for (commit, content) in versions {
        in_head = content.is_some() || commit.is_none() && in_head;
        let Some(content) = content else {
            if commit.is_some() {
                lines.clear();
                previous = None;
            }
            continue;
        };
        if previous.as_ref() == Some(&content) {
            continue;
        }
        let old = previous.clone().unwrap_or_default();
        let diff = TextDiff::from_lines(&old, &content);
        let mut next = Vec::new();
        let mut old_line = 0;
        for change in diff.iter_all_changes() {
            match change.tag() {
                ChangeTag::Equal => {
                    next.push(lines.get(old_line).cloned().unwrap_or((commit.clone(), change.value().to_string())));
                    old_line += 1;
                }
                ChangeTag::Delete => old_line += 1,
                ChangeTag::Insert => next.push((commit.clone(), change.value().to_string())),
            }
        }
        lines = next;
        previous = Some(content);
    }
    in_head.then_some(lines)
}

pub fn blame(git: &Git, wc: &WorkingCopy, path: Option<&str>, now: SimTime) -> CommandOutput {
    let Some(path) = path else {
        return CommandOutput::err("usage: git blame [<options>] [<rev-opts>] [<rev>] [--] <file>\n", 129);
    };
    let Some(lines) = attribute(git, wc, path) else {
        return CommandOutput::err(format!("fatal: no such path '{path}' in HEAD\n"), 128);
    };
    let root = wc.head().map(|h| git.history(h)).and_then(|h| h.last().cloned());
    let rows: Vec<(String, String, String)> = lines
        .iter()
        .map(|(commit, _)| match commit {
            Some(oid) => {
                let c = git.db.commit(oid).expect("history holds commits");
                let id = if Some(oid) == root.as_ref() { format!("^{}", &oid[..7]) } else { oid[..8].to_string() };
                (id, c.author.name.clone(), c.author.time.blame_date())
            }
            None => ("00000000".into(), "Not Committed Yet".into(), now.blame_date()),
        })
        .collect();
    let author_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let number_width = lines.len().to_string().len();
    let mut text = String::new();
    for (i, ((id, author, date), (_, line))) in rows.iter().zip(&lines).enumerate() {
        text.push_str(&format!("{id} ({author:<author_width$} {date} {:>number_width$}) {}", i + 1, line));
        if !line.ends_with('\n') {
            text.push('\n');
        }
    }
    CommandOutput::ok(text)
}
