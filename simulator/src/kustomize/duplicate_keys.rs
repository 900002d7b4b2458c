//! A resource file whose mapping repeats a key: serde's JSON values keep the last
//! entry silently, but kustomize's decoder (go-yaml) refuses the file. This finds the
//! repetition and words it as kustomize does.

use serde::Deserialize;

use super::{KustomizeError, err};

/// kustomize's error for the first repeated key in `text`, if any.
pub fn check(text: &str) -> Result<(), KustomizeError> {
    for doc in serde_yaml::Deserializer::from_str(text) {
        let Err(e) = serde_yaml::Value::deserialize(doc) else { continue };
        let message = e.to_string();
        // The message may start with the path to the map (`metadata: duplicate entry …`).
        let Some(rest) = message.split_once("duplicate entry with key ").map(|(_, r)| r) else { continue };
        let key = rest.split('"').nth(1).unwrap_or_default().to_string();
        let Some((first, again, doc_start)) = repeated_key_lines(text, &key) else { continue };
        return Err(err(format!(
            "map[string]interface {{}}(nil): yaml: unmarshal errors:\n  line {}: mapping key \"{key}\" already defined at line {}",
            again - doc_start,
            first - doc_start
        )));
    }
    Ok(())
}

/// The 1-based lines where `key` first stands and where the same mapping repeats it, and the
/// number of lines before the document holding them.
fn repeated_key_lines(text: &str, key: &str) -> Option<(usize, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let is_key = |l: &str| l.trim_start().starts_with(&format!("{key}:"));
    let mut doc_start = 0;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("---") {
            doc_start = i + 1;
            continue;
        }
        if !is_key(line) {
            continue;
        }
        // Walk back through the same mapping: lines indented deeper belong to nested values.
        for j in (doc_start..i).rev() {
            let other = lines[j];
            if other.trim().is_empty() || other.trim_start().starts_with('#') {
                continue;
            }
            if indent(other) < indent(line) {
                break;
            }
            if indent(other) == indent(line) && is_key(other) {
                return Some((j + 1, i + 1, doc_start));
            }
        }
    }
    None
}
