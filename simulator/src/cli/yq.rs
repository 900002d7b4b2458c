//! A small `yq` (mikefarah/yq v4): read a path, or set a scalar in place with
//! `-i`, keeping the file's comments and layout as yq does.

use serde_json::Value;

use super::CommandOutput;
use super::Host;
use super::files::{self, FsError};
use crate::yaml::{Seg, locate, parse_field_path, parse_line};

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut in_place = false;
    let mut rest = Vec::new();
    for a in args {
        match *a {
            "-i" | "--inplace" => in_place = true,
            "e" | "eval" if rest.is_empty() => {}
            f if f.starts_with('-') => {
                return CommandOutput::err(
                    format!("Error: unknown shorthand flag: '{}' in {f}\n", f.trim_start_matches('-').chars().next().unwrap_or('-')),
                    1,
                );
            }
            other => rest.push(other),
        }
    }
    let (expr, file) = match rest.as_slice() {
        [expr, file] => (*expr, *file),
        [_] => {
            return CommandOutput::err("Error: reading standard input is not supported in this terminal; give a file\n", 1);
        }
        _ => return CommandOutput::err("Usage:\n  yq [-i] 'EXPRESSION' FILE\n", 1),
    };
    let text = match files::read(world, file) {
        Ok(t) => t,
        Err(FsError::IsDirectory) => {
            return CommandOutput::err(format!("Error: read {file}: is a directory\n"), 1);
        }
        Err(_) => {
            return CommandOutput::err(format!("Error: open {file}: no such file or directory\n"), 1);
        }
    };
    let (path_text, value) = match expr.split_once('=') {
        Some((p, v)) => (p.trim(), Some(v.trim())),
        None => (expr.trim(), None),
    };
    if value == Some("") {
        return CommandOutput::err("Error: '=' expects 2 args but there is 1\n", 1);
    }
    let Some(path) = parse_path(path_text) else {
        return CommandOutput::err(format!("Error: '{path_text}' is not a valid path expression\n"), 1);
    };
    if path.len() > crate::yaml::limits::MAX_DEPTH {
        return CommandOutput::err(
            format!("Error: the path has {} steps; YAML here nests at most {} levels\n", path.len(), crate::yaml::limits::MAX_DEPTH),
            1,
        );
    }
    match value {
        None => read_path(&text, &path),
        Some(v) => {
            let repr = scalar_repr(v);
            let updated = match set_in_text(&text, &path, &repr) {
                Some(u) => u,
                None => match set_by_reserializing(&text, &path, &repr) {
                    Ok(u) => u,
                    Err(e) => return CommandOutput::err(format!("Error: {e}\n"), 1),
                },
            };
            if in_place {
                let _ = files::write(world, file, updated);
                CommandOutput::default()
            } else {
                CommandOutput::ok(updated)
            }
        }
    }
}

fn parse_path(text: &str) -> Option<Vec<Seg>> {
    let rest = text.strip_prefix('.')?;
    // A quoted key may hold dots and slashes: `.metadata.annotations."argocd.argoproj.io/sync-options"`.
    let mut segs = Vec::new();
    let mut part = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' if part.is_empty() => {
                let key: String = chars.by_ref().take_while(|&q| q != '"').collect();
                if key.is_empty() {
                    return None;
                }
                segs.push(Seg::Key(key));
                match chars.next() {
                    None | Some('.') => {}
                    Some('[') => part.push('['),
                    Some(_) => return None,
                }
            }
            '.' => {
                if part.is_empty() {
                    return None;
                }
                segs.extend(parse_field_path(&std::mem::take(&mut part)));
            }
            c if c.is_alphanumeric() || "-_/[]".contains(c) => part.push(c),
            _ => return None,
        }
    }
    if !part.is_empty() {
        segs.extend(parse_field_path(&part));
    }
    Some(segs)
}

fn read_path(text: &str, path: &[Seg]) -> CommandOutput {
    let docs = match crate::yaml::parse_documents(text, "") {
        Ok(d) => d,
        Err(e) => return CommandOutput::err(format!("Error: bad file: {}\n", e.message), 1),
    };
    let mut out = String::new();
    for doc in docs {
        let mut cur = Some(&doc);
        for seg in path {
            cur = match seg {
                Seg::Key(k) => cur.and_then(|c| c.get(k)),
                Seg::Index(i) => cur.and_then(|c| c.get(*i)),
            };
        }
        match cur {
            None | Some(Value::Null) => out.push_str("null\n"),
            Some(Value::String(s)) => out.push_str(&format!("{s}\n")),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => out.push_str(&format!("{v}\n")),
            Some(v) => out.push_str(&crate::yaml::to_yaml(v)),
        }
    }
    CommandOutput::ok(out)
}

/// How yq writes a new scalar: numbers and booleans bare, strings quoted only when needed.
fn scalar_repr(value: &str) -> String {
    let unquoted = value.trim_matches('"').trim_matches('\'');
    let quoted = value.starts_with('"') || value.starts_with('\'');
    if !quoted {
        return unquoted.to_string();
    }
    let looks_like_other = unquoted.parse::<f64>().is_ok()
        || matches!(unquoted, "true" | "false" | "null" | "~" | "")
        || unquoted.contains(": ")
        || unquoted.starts_with(['*', '&', '!', '{', '[', '#', '-', '@', '`']);
    if looks_like_other { format!("\"{unquoted}\"") } else { unquoted.to_string() }
}

/// Sets the scalar at `path` in every document of `text` that has it.
fn set_in_text(text: &str, path: &[Seg], repr: &str) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut starts = vec![0];
    starts.extend(lines.iter().enumerate().filter(|(_, l)| l.trim_end() == "---").map(|(i, _)| i + 1));
    let mut changed = false;
    for (d, start) in starts.iter().enumerate() {
        let end = starts.get(d + 1).map_or(lines.len(), |e| e - 1);
        if let Some(target) = locate(&lines, *start, end, path) {
            let line = &lines[target];
            let colon = line.find(':')?;
            let comment = line[colon + 1..].find(" #").map(|i| line[colon + 1 + i..].to_string()).unwrap_or_default();
            let after = line[colon + 1..].trim();
            if after.is_empty() && next_is_child(&lines, target, end) {
                continue;
            }
            lines[target] = format!("{}: {repr}{comment}", &line[..colon]);
            changed = true;
        }
    }
    changed.then(|| {
        let mut out = lines.join("\n");
        if text.ends_with('\n') {
            out.push('\n');
        }
        out
    })
}

/// Adds or replaces a field yq-style when the line editor cannot: the file is
/// parsed, changed and written back (key order kept, comments lost).
fn set_by_reserializing(text: &str, path: &[Seg], repr: &str) -> Result<String, String> {
    let value: serde_yaml::Value = crate::yaml::limits::check(repr)
        .ok()
        .and_then(|_| serde_yaml::from_str(repr).ok())
        .unwrap_or_else(|| serde_yaml::Value::String(repr.to_string()));
    let mut out = String::new();
    let docs: Vec<&str> = text.split("\n---\n").collect();
    for (i, doc_text) in docs.iter().enumerate() {
        crate::yaml::limits::check(doc_text).map_err(|e| format!("bad file: {}", e.message))?;
        let mut doc: serde_yaml::Value = serde_yaml::from_str(doc_text).map_err(|e| format!("bad file: {e}"))?;
        let mut cur = &mut doc;
        for seg in path {
            cur = match seg {
                Seg::Key(k) => {
                    if cur.is_null() {
                        *cur = serde_yaml::Value::Mapping(Default::default());
                    }
                    let map = cur.as_mapping_mut().ok_or_else(|| format!("cannot set {k}: its parent is not a map"))?;
                    map.entry(serde_yaml::Value::String(k.clone())).or_insert(serde_yaml::Value::Null)
                }
                Seg::Index(n) => cur.as_sequence_mut().and_then(|s| s.get_mut(*n)).ok_or_else(|| format!("index {n} is out of range"))?,
            };
        }
        *cur = value.clone();
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_yaml::to_string(&doc).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

fn next_is_child(lines: &[String], at: usize, end: usize) -> bool {
    let indent = parse_line(&lines[at]).map_or(0, |l| l.key_indent);
    lines[at + 1..end].iter().filter_map(|l| parse_line(l)).next().is_some_and(|l| l.key_indent > indent || !l.dashes.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the service\nspec:\n  replicas: 3 # peak\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n      - name: sidecar\n        image: envoy:1\n";

    #[test]
    fn sets_scalars_keeping_comments() {
        let out = set_in_text(DEPLOY, &parse_path(".spec.replicas").unwrap(), "5").unwrap();
        assert!(out.contains("  replicas: 5 # peak\n"), "{out}");
        assert_eq!(out.lines().count(), DEPLOY.lines().count());
    }

    #[test]
    fn sets_inside_lists() {
        let out = set_in_text(DEPLOY, &parse_path(".spec.template.spec.containers[1].image").unwrap(), "envoy:2").unwrap();
        assert!(out.contains("        image: envoy:2\n") && out.contains("image: nginx:1.27"), "{out}");
        let out = set_in_text(DEPLOY, &parse_path(".spec.template.spec.containers[0].name").unwrap(), "app").unwrap();
        assert!(out.contains("      - name: app\n"), "{out}");
    }

    #[test]
    fn refuses_missing_paths_and_maps() {
        assert_eq!(set_in_text(DEPLOY, &parse_path(".spec.paused").unwrap(), "true"), None);
        let added = set_by_reserializing(DEPLOY, &parse_path(".spec.paused").unwrap(), "true").unwrap();
        assert!(added.contains("  paused: true\n"), "{added}");
        assert_eq!(set_in_text(DEPLOY, &parse_path(".spec.template").unwrap(), "1"), None);
        assert_eq!(parse_path("spec"), None);
    }

    #[test]
    fn quotes_strings_that_would_read_as_numbers() {
        assert_eq!(scalar_repr("\"2.3\""), "\"2.3\"");
        assert_eq!(scalar_repr("\"nginx:1.27\""), "nginx:1.27");
        assert_eq!(scalar_repr("5"), "5");
    }
}
