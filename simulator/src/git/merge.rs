//! Three-way merges of text files, line by line, as git's default strategy
//! does for the cases labs meet: both sides' changes combined when they touch
//! different lines, conflict markers where they touch the same ones.

use similar::{DiffOp, TextDiff};

/// The merged text, and whether it holds conflicts (with git's markers).
pub fn merge_text(base: &str, ours: &str, theirs: &str, ours_label: &str, theirs_label: &str) -> (String, bool) {
    if ours == theirs || theirs == base {
        return (ours.to_string(), false);
    }
    if ours == base {
        return (theirs.to_string(), false);
    }
    let base_lines: Vec<&str> = base.split_inclusive('\n').collect();
    let ours_changes = changes(base, ours);
    let theirs_changes = changes(base, theirs);
    let mut out = String::new();
    let mut conflict = false;
    let mut at = 0;
    let (mut i, mut j) = (0, 0);
    loop {
        let next_ours = ours_changes.get(i);
        let next_theirs = theirs_changes.get(j);
        let (start, end, text) = match (next_ours, next_theirs) {
            (None, None) => break,
            (Some(o), Some(t)) if overlaps(o, t) => {
                // Grow the conflicting region while further changes overlap it.
                let (mut start, mut end) = (o.0.min(t.0), o.1.max(t.1));
                let (mut oi, mut tj) = (i + 1, j + 1);
                loop {
                    let grew_o = ours_changes.get(oi).filter(|c| c.0 < end || (c.0 == end && c.0 == c.1)).map(|c| end = end.max(c.1));
                    if grew_o.is_some() {
                        oi += 1;
                    }
                    let grew_t = theirs_changes.get(tj).filter(|c| c.0 < end || (c.0 == end && c.0 == c.1)).map(|c| end = end.max(c.1));
                    if grew_t.is_some() {
                        tj += 1;
                    }
                    if grew_o.is_none() && grew_t.is_none() {
                        break;
                    }
                }
                start = start.min(o.0);
                let side = |list: &[(usize, usize, String)], from: usize, to: usize| -> String {
                    let mut text = String::new();
                    let mut pos = start;
                    for c in &list[from..to] {
                        text.extend(base_lines[pos..c.0].iter().copied());
                        text.push_str(&c.2);
                        pos = c.1;
                    }
                    text.extend(base_lines[pos..end].iter().copied());
                    text
                };
                let ours_text = side(&ours_changes, i, oi);
                let theirs_text = side(&theirs_changes, j, tj);
                i = oi;
                j = tj;
                if ours_text == theirs_text {
                    (start, end, ours_text)
                } else {
                    conflict = true;
                    let nl = |s: &str| if s.is_empty() || s.ends_with('\n') { s.to_string() } else { format!("{s}\n") };
                    (start, end, format!("<<<<<<< {ours_label}\n{}=======\n{}>>>>>>> {theirs_label}\n", nl(&ours_text), nl(&theirs_text)))
                }
            }
            (Some(o), t) if t.is_none_or(|t| o.0 <= t.0) => {
                i += 1;
                (o.0, o.1, o.2.clone())
            }
            (_, Some(t)) => {
                j += 1;
                (t.0, t.1, t.2.clone())
            }
            (Some(o), None) => {
                i += 1;
                (o.0, o.1, o.2.clone())
            }
        };
        out.extend(base_lines[at..start].iter().copied());
        out.push_str(&text);
        at = end;
    }
    out.extend(base_lines[at..].iter().copied());
    (out, conflict)
}

/// Each change from `base` to `new`: (first base line, end base line, replacement text).
fn changes(base: &str, new: &str) -> Vec<(usize, usize, String)> {
    let diff = TextDiff::from_lines(base, new);
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut out = Vec::new();
    for op in diff.ops() {
        match *op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, .. } => out.push((old_index, old_index + old_len, String::new())),
            DiffOp::Insert { old_index, new_index, new_len } => {
                out.push((old_index, old_index, new_lines[new_index..new_index + new_len].concat()))
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                out.push((old_index, old_index + old_len, new_lines[new_index..new_index + new_len].concat()))
            }
        }
    }
    out
}

/// Whether two changes touch the same base lines (insertions at the same place count).
fn overlaps(a: &(usize, usize, String), b: &(usize, usize, String)) -> bool {
    a.0 < b.1 && b.0 < a.1 || a.0 == b.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "replicas: 1\nimage: app:2.2.9\nlog: info\n";

    #[test]
    fn changes_to_different_lines_combine() {
        let ours = "replicas: 2\nimage: app:2.2.9\nlog: info\n";
        let theirs = "replicas: 1\nimage: app:2.3.1\nlog: info\n";
        assert_eq!(merge_text(BASE, ours, theirs, "HEAD", "dev"), ("replicas: 2\nimage: app:2.3.1\nlog: info\n".to_string(), false));
    }

    #[test]
    fn changes_to_the_same_line_conflict_with_git_markers() {
        let ours = "replicas: 2\nimage: app:2.2.9\nlog: warn\n";
        let theirs = "replicas: 1\nimage: app:2.3.1\nlog: debug\n";
        let (text, conflict) = merge_text(BASE, ours, theirs, "HEAD", "dev");
        assert!(conflict);
        // Their change to the image and the log level is one hunk, which overlaps ours, so git's
        // conflict covers both lines.
        assert_eq!(text, "replicas: 2\n<<<<<<< HEAD\nimage: app:2.2.9\nlog: warn\n=======\nimage: app:2.3.1\nlog: debug\n>>>>>>> dev\n");
    }

    #[test]
    fn separate_hunks_merge_and_only_the_overlap_conflicts() {
        let base = "a\nb\nc\nd\ne\n";
        let ours = "a\nb\nc\nd\nE-ours\n";
        let theirs = "A\nb\nc\nd\nE-theirs\n";
        let (text, conflict) = merge_text(base, ours, theirs, "HEAD", "dev");
        assert!(conflict);
        assert_eq!(text, "A\nb\nc\nd\n<<<<<<< HEAD\nE-ours\n=======\nE-theirs\n>>>>>>> dev\n");
    }

    #[test]
    fn one_sided_and_identical_changes_are_taken() {
        let changed = "replicas: 3\nimage: app:2.2.9\nlog: info\n";
        assert_eq!(merge_text(BASE, BASE, changed, "a", "b"), (changed.to_string(), false));
        assert_eq!(merge_text(BASE, changed, BASE, "a", "b"), (changed.to_string(), false));
        assert_eq!(merge_text(BASE, changed, changed, "a", "b"), (changed.to_string(), false));
    }
}
