//! YAML in and out: multi-document parsing with file and line in errors, and
//! output in kubectl's style (sorted keys, lists not indented under their key).

use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// A YAML document that failed to parse, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Parses every document of a YAML stream; empty documents are skipped.
pub fn parse_documents(text: &str, file: &str) -> Result<Vec<Value>, YamlError> {
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| YamlError {
            file: file.to_string(),
            line: e.location().map(|l| l.line()),
            message: strip_location(&e.to_string()),
        })?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

/// Renders a value as YAML the way kubectl prints `-o yaml`.
pub fn to_yaml(value: &Value) -> String {
    serde_yaml::to_string(value).unwrap_or_default()
}

/// One step of a path into a YAML document: a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Parses a path such as `steps[0].check.allOf` into segments.
pub fn parse_field_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segs.push(Seg::Key(key.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(end) = stripped.find(']') else { break };
            if let Ok(i) = stripped[..end].parse() {
                segs.push(Seg::Index(i));
            }
            rest = &stripped[end + 1..];
        }
    }
    segs
}

/// The 1-based line of the key at `path` in a block-style YAML text.
pub fn line_of(text: &str, path: &[Seg]) -> Option<usize> {
    let lines: Vec<String> = text.lines().map(String::from).collect();
    let mut path = path.to_vec();
    while !path.is_empty() {
        if let Some(i) = locate(&lines, 0, lines.len(), &path) {
            return Some(i + 1);
        }
        path.pop();
    }
    None
}

/// A parsed line: the column where its key (or scalar) starts, list-item dashes, and the text.
pub(crate) struct Line<'a> {
    pub(crate) key_indent: usize,
    pub(crate) dashes: Vec<usize>,
    pub(crate) body: &'a str,
}
pub(crate) fn parse_line(line: &str) -> Option<Line<'_>> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
        return None;
    }
    let mut col = line.len() - trimmed.len();
    let mut body = trimmed;
    let mut dashes = Vec::new();
    while let Some(rest) = body.strip_prefix("- ").or_else(|| (body == "-").then_some("")) {
        dashes.push(col);
        let inner = rest.trim_start();
        col += 2 + (rest.len() - inner.len());
        body = inner;
    }
    Some(Line { key_indent: col, dashes, body })
}
fn key_of(body: &str) -> Option<&str> {
    let (k, _) = body.split_once(':')?;
    Some(k.trim().trim_matches('"').trim_matches('\''))
}
/// Finds the line holding the last key of `path` within `lines[start..end]`.
pub(crate) fn locate(lines: &[String], start: usize, end: usize, path: &[Seg]) -> Option<usize> {
    let (mut lo, mut hi) = (start, end);
    let mut parent_indent: Option<usize> = None;
    let mut found = None;
    for (n, seg) in path.iter().enumerate() {
        match seg {
            Seg::Key(k) => {
                let child_indent = (lo..hi)
                    .filter_map(|i| parse_line(&lines[i]))
                    .map(|l| l.key_indent)
                    .find(|ind| parent_indent.is_none_or(|p| *ind > p) || n == 0)?;
                let at = (lo..hi)
                    .find(|&i| parse_line(&lines[i]).is_some_and(|l| l.key_indent == child_indent && key_of(l.body) == Some(k.as_str())))?;
                let block_end = (at + 1..hi)
                    .find(|&i| {
                        parse_line(&lines[i]).is_some_and(|l| {
                            l.key_indent < child_indent
                                || (l.key_indent == child_indent && l.dashes.is_empty())
                                || l.dashes.first().is_some_and(|d| *d < child_indent)
                        })
                    })
                    .unwrap_or(hi);
                found = Some(at);
                parent_indent = Some(child_indent);
                lo = at + 1;
                hi = block_end;
            }
            Seg::Index(idx) => {
                let items: Vec<(usize, usize)> =
                    (lo..hi).filter_map(|i| parse_line(&lines[i]).and_then(|l| l.dashes.first().copied()).map(|d| (i, d))).collect();
                let dash = items.first()?.1;
                let heads: Vec<usize> = items.iter().filter(|(_, d)| *d == dash).map(|(i, _)| *i).collect();
                let head = *heads.get(*idx)?;
                let next = heads.get(idx + 1).copied().unwrap_or(hi);
                found = Some(head);
                lo = head;
                hi = next;
                parent_indent = Some(dash);
            }
        }
    }
    found
}
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_streams_and_errors_with_lines() {
        let docs = parse_documents("a: 1\n---\n---\nb: [1, 2]\n", "x.yaml").unwrap();
        assert_eq!(docs.len(), 2);
        let err = parse_documents("a: 1\nb: [\n", "bad.yaml").unwrap_err();
        assert_eq!(err.file, "bad.yaml");
        assert!(err.line.is_some(), "{err}");
    }

    #[test]
    fn output_matches_kubectl_layout() {
        let v = serde_json::json!({"spec": {"containers": [{"name": "a", "image": "x:1"}]}, "kind": "Pod"});
        assert_eq!(to_yaml(&v), "kind: Pod\nspec:\n  containers:\n  - image: x:1\n    name: a\n");
    }
}
