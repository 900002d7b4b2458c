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
        assert_eq!(
            to_yaml(&v),
            "kind: Pod\nspec:\n  containers:\n  - image: x:1\n    name: a\n"
        );
    }
}
