//! Unified diffs in Git's format, with its `@@ ... @@ <function>` hunk headers.

use similar::{ChangeTag, TextDiff};

/// Counts of changed lines, as `--stat` and commit summaries report them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineStat {
    pub insertions: usize,
    pub deletions: usize,
}

pub fn line_stat(old: &str, new: &str) -> LineStat {
    let diff = TextDiff::from_lines(old, new);
    let mut stat = LineStat::default();
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => stat.insertions += 1,
            ChangeTag::Delete => stat.deletions += 1,
            ChangeTag::Equal => {}
        }
    }
    stat
}

/// One file's section of `git diff`: header and hunks. `None` content means
/// the file does not exist on that side.
pub fn file_diff(path: &str, old: Option<&str>, new: Option<&str>, old_oid: &str, new_oid: &str) -> String {
    let mut out = format!("diff --git a/{path} b/{path}\n");
    match (old, new) {
        (None, Some(_)) => out.push_str(&format!("new file mode 100644\nindex 0000000..{}\n--- /dev/null\n+++ b/{path}\n", short(new_oid))),
        (Some(_), None) => {
            out.push_str(&format!("deleted file mode 100644\nindex {}..0000000\n--- a/{path}\n+++ /dev/null\n", short(old_oid)))
        }
        _ => out.push_str(&format!("index {}..{} 100644\n--- a/{path}\n+++ b/{path}\n", short(old_oid), short(new_oid))),
    }
    out.push_str(&hunks(old.unwrap_or(""), new.unwrap_or("")));
    out
}

/// The hunks of a unified diff with three lines of context.
pub fn hunks(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = old.lines().collect();
    let mut out = String::new();
    for group in diff.grouped_ops(3) {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let context = function_context(&old_lines, old_range.start);
        out.push_str(&format!(
            "@@ -{} +{} @@{}\n",
            range(old_range.start, old_range.len()),
            range(new_range.start, new_range.len()),
            context
        ));
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                let text = change.value();
                out.push(sign);
                out.push_str(text.strip_suffix('\n').unwrap_or(text));
                out.push('\n');
                if !text.ends_with('\n') {
                    out.push_str("\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        n => format!("{},{n}", start + 1),
    }
}

/// Git's default funcname: the nearest line above the hunk that starts with a
/// letter, `_` or `$`.
fn function_context(lines: &[&str], hunk_start: usize) -> String {
    lines[..hunk_start.min(lines.len())]
        .iter()
        .rev()
        .find(|l| l.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$'))
        .map(|l| format!(" {}", l.chars().take(80).collect::<String>().trim_end()))
        .unwrap_or_default()
}

pub fn short(oid: &str) -> &str {
    &oid[..oid.len().min(7)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_header_names_the_enclosing_key() {
        let old = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  a: 1\n  b: 2\n  c: 3\n  replicas: 3\n  d: 4\n";
        let new = old.replace("replicas: 3", "replicas: 5");
        let h = hunks(old, &new);
        assert_eq!(h, "@@ -6,5 +6,5 @@ spec:\n   a: 1\n   b: 2\n   c: 3\n-  replicas: 3\n+  replicas: 5\n   d: 4\n");
        assert_eq!(line_stat(old, &new), LineStat { insertions: 1, deletions: 1 });
    }
}
