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

pub mod limits;

/// Parses every document of a YAML stream; empty documents are skipped. A text over
/// the size or depth bounds (`limits`) is refused before it is parsed.
pub fn parse_documents(text: &str, file: &str) -> Result<Vec<Value>, YamlError> {
    limits::check(text).map_err(|e| YamlError { file: file.to_string(), line: e.line, message: e.message })?;
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

/// Renders a value as YAML the way kubectl prints `-o yaml` (go-yaml v2 through
/// sigs.k8s.io/yaml): keys sorted, sequences not indented under their key,
/// strings that would read as another type double-quoted, multi-line strings
/// as literal blocks.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => emit_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => emit_seq(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other, 0, 0));
            out.push('\n');
        }
    }
    out
}

fn emit_map(map: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    // Keys go out in go-yaml's order, as kubectl and kustomize write them.
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| crate::yaml_key_order::compare(a.0, b.0));
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(&" ".repeat(indent));
        }
        let key = styled(k, indent + 2, usize::MIN);
        out.push_str(&key);
        out.push(':');
        emit_value_after_key(v, indent, out);
    }
}

fn emit_value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            out.push_str(&" ".repeat(indent + 2));
            emit_map(m, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            emit_seq(a, indent, out);
        }
        other => {
            out.push(' ');
            let column = column_of(out);
            out.push_str(&scalar(other, indent + 2, column));
            out.push('\n');
        }
    }
}

fn emit_seq(items: &[Value], indent: usize, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => emit_map(m, indent + 2, out),
            Value::Array(a) if !a.is_empty() => emit_seq(a, indent + 2, out),
            other => {
                let column = column_of(out);
                out.push_str(&scalar(other, indent + 2, column));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, indent: usize, column: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // A literal block cannot keep spaces at the end of a line: such strings are double-quoted.
        Value::String(s) if s.contains('\n') && !s.trim().is_empty() && !s.contains(" \n") && !s.starts_with(' ') => {
            let body = s.strip_suffix('\n').unwrap_or(s);
            let chomp = if s.ends_with('\n') { "" } else { "-" };
            let pad = " ".repeat(indent);
            let lines: Vec<String> = body.split('\n').map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") }).collect();
            format!("|{chomp}\n{}", lines.join("\n")).trim_end_matches('\n').to_string()
        }
        Value::String(s) => styled(s, indent, column),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// A string as go-yaml v2 writes it: plain when that reads back as the same
/// string, double-quoted when it would read as another type, single-quoted
/// when it holds YAML indicators; long plain and single-quoted strings wrap
/// at the first space past column 80.
fn styled(s: &str, indent: usize, column: usize) -> String {
    if s.is_empty() || resolves_to_non_string(s) {
        return double_quoted(s);
    }
    if s.chars().any(|c| c.is_control()) {
        return wrap_double_quoted(&double_quoted(s), indent, column);
    }
    let first = s.chars().next().unwrap_or(' ');
    let second = s.chars().nth(1);
    let leading_indicator = ",[]{}#&*!|>'\"%@`".contains(first) || ("-?:".contains(first) && second.is_none_or(|c| c == ' '));
    let plain =
        !leading_indicator && !s.starts_with(' ') && !s.ends_with(' ') && !s.contains(": ") && !s.contains(" #") && !s.ends_with(':');
    let text = if plain { s.to_string() } else { format!("'{}'", s.replace('\'', "''")) };
    wrap(&text, indent, column)
}

fn wrap(text: &str, indent: usize, column: usize) -> String {
    let mut out = String::new();
    let mut col = column;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_is_space = chars.get(i + 1).is_some_and(|n| *n == ' ');
        let prev_is_space = i > 0 && chars[i - 1] == ' ';
        if c == ' ' && col > 80 && !next_is_space && !prev_is_space && i + 1 < chars.len() {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
            continue;
        }
        out.push(c);
        col += 1;
    }
    out
}

/// Folds a double-quoted scalar as go-yaml v2 does: at a space past column 80,
/// continuing on an indented line (a leading space there is escaped with `\`).
fn wrap_double_quoted(text: &str, indent: usize, column: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut col = column;
    for (i, &c) in chars.iter().enumerate() {
        let prev_is_space = i > 0 && chars[i - 1] == ' ';
        if c == ' ' && !prev_is_space && col > 80 && i > 1 && i + 2 < chars.len() {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
            if chars.get(i + 1) == Some(&' ') {
                out.push('\\');
                col += 1;
            }
            continue;
        }
        out.push(c);
        col += 1;
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c if c.is_control() => q.push_str(&format!("\\u{:04X}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn column_of(out: &str) -> usize {
    out.len() - out.rfind('\n').map_or(0, |i| i + 1)
}

/// Whether a plain scalar would resolve to a bool, null, number or timestamp in YAML 1.1.
fn resolves_to_non_string(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~" | ".inf" | "-.inf" | "+.inf" | ".nan"
    ) {
        return true;
    }
    let numeric = s.trim_start_matches(['+', '-']);
    if !numeric.is_empty()
        && (numeric.replace('_', "").parse::<f64>().is_ok() && !numeric.contains(['e', 'E'])
            || numeric.starts_with("0x")
            || numeric.starts_with("0o"))
    {
        return true;
    }
    if numeric.contains(['e', 'E']) && numeric.parse::<f64>().is_ok() {
        return true;
    }
    // Timestamps: 2026-03-12 or 2026-03-12T01:58:00Z.
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
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

    /// The expected text is what `kubectl.1.33 create configmap t --from-literal=... --dry-run=client -o yaml` printed.
    #[test]
    fn quotes_and_wraps_like_kubectl() {
        let data = serde_json::json!({"colon": "a: b", "colonend": "a:", "dash": "-x", "e": "", "hash": "a #b", "ip": "10.0.1.2", "json": "{\"x\":1}",
            "long": "this is a rather long string value that goes on and on past the eighty character column for sure",
            "ml": "line1\nline2\n", "neg": "-1", "on": "on", "pct": "25%", "rv": "9", "s": "nginx:1.27", "star": "*x", "tilde": "~",
            "ts": "2026-03-09T16:32:30Z", "v": "1.27", "yes": "yes"});
        let want = "data:\n  colon: 'a: b'\n  colonend: 'a:'\n  dash: -x\n  e: \"\"\n  hash: 'a #b'\n  ip: 10.0.1.2\n  json: '{\"x\":1}'\n  long: this is a rather long string value that goes on and on past the eighty character\n    column for sure\n  ml: |\n    line1\n    line2\n  neg: \"-1\"\n  \"on\": \"on\"\n  pct: 25%\n  rv: \"9\"\n  s: nginx:1.27\n  star: '*x'\n  tilde: \"~\"\n  ts: \"2026-03-09T16:32:30Z\"\n  v: \"1.27\"\n  \"yes\": \"yes\"\n";
        assert_eq!(to_yaml(&serde_json::json!({"data": data})), want);
    }

    #[test]
    fn quotes_like_go_yaml() {
        let v = serde_json::json!({"rv": "9", "ts": "2026-03-09T16:32:30Z", "ip": "10.0.1.2", "pct": "25%", "yes": "yes", "v": "1.27", "s": "nginx:1.27", "e": "", "m": {}, "l": []});
        assert_eq!(
            to_yaml(&v),
            "e: \"\"\nip: 10.0.1.2\nl: []\nm: {}\npct: 25%\nrv: \"9\"\ns: nginx:1.27\nts: \"2026-03-09T16:32:30Z\"\nv: \"1.27\"\n\"yes\": \"yes\"\n"
        );
        let block = serde_json::json!({"metadata": {"annotations": {"a": "{\"x\":1}\n"}}});
        assert_eq!(to_yaml(&block), "metadata:\n  annotations:\n    a: |\n      {\"x\":1}\n");
    }

    #[test]
    fn output_matches_kubectl_layout() {
        let v = serde_json::json!({"spec": {"containers": [{"name": "a", "image": "x:1"}]}, "kind": "Pod"});
        assert_eq!(to_yaml(&v), "kind: Pod\nspec:\n  containers:\n  - image: x:1\n    name: a\n");
    }
}
