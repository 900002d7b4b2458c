//! The summary git prints after a commit, a merge or a fast-forward:
//! " 1 file changed, 2 insertions(+), 1 deletion(-)" and the create/delete modes.

/// The lines git prints under a commit or merge to summarise what it changed.
pub fn stat_lines(s: &crate::git::CommitSummary) -> String {
    let mut text = format!(" {} file{} changed", s.files_changed, plural(s.files_changed));
    if s.insertions > 0 || s.deletions == 0 {
        text.push_str(&format!(", {} insertion{}(+)", s.insertions, plural(s.insertions)));
    }
    if s.deletions > 0 {
        text.push_str(&format!(", {} deletion{}(-)", s.deletions, plural(s.deletions)));
    }
    text.push('\n');
    for p in &s.created {
        text.push_str(&format!(" create mode 100644 {p}\n"));
    }
    for p in &s.deleted {
        text.push_str(&format!(" delete mode 100644 {p}\n"));
    }
    text
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
