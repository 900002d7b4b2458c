//! Bounds checked before YAML reaches the parser, in one linear pass.
//!
//! libyaml (which the YAML crate ports) looks at every open flow collection for
//! each token, and at every open block for each indicator, so deeply nested `[`,
//! `{` or `- - - ...` take time quadratic in the depth: 100 KB of `[` took 10 to
//! 35 s to be refused. The deserializer refuses more than 128 nested collections
//! anyway, so a line that nests deeper (flow collections, and block sequences
//! and keys opened on the same line) is refused here, at once, with its number.

/// The most bytes of YAML read at once: Argo CD's repo server refuses a directory's
/// manifests beyond 10 MB (`reposerver.max.combined.directory.manifests.size`).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The deepest nesting the deserializer accepts.
pub const MAX_DEPTH: usize = 128;

/// Why a text is refused, and on which line (from 1).
#[derive(Debug, PartialEq, Eq)]
pub struct Exceeded {
    pub line: Option<usize>,
    pub message: String,
}

/// Checks the size of a YAML text and the depth of its flow collections.
pub fn check(text: &str) -> Result<(), Exceeded> {
    if text.len() > MAX_BYTES {
        return Err(Exceeded {
            line: None,
            message: format!("the YAML is {} bytes, more than the {MAX_BYTES} bytes (10 MiB) read at once", text.len()),
        });
    }
    let mut flow = FlowScan::default();
    for (n, line) in text.split('\n').enumerate() {
        if flow.line(line) > MAX_DEPTH {
            return Err(Exceeded { line: Some(n + 1), message: format!("exceeded max depth of {MAX_DEPTH}") });
        }
    }
    Ok(())
}

/// The state of a scan for nesting, carried from line to line.
#[derive(Default)]
struct FlowScan {
    depth: usize,
    quote: Option<u8>,
    /// Inside a literal or folded block scalar: the indentation of the line that opened it.
    block_scalar_parent: Option<usize>,
}

impl FlowScan {
    /// Scans one line; returns the deepest nesting reached in it: the flow collections
    /// open, and the block sequences and explicit keys opened on this line.
    fn line(&mut self, line: &str) -> usize {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|b| **b == b' ').count();
        if let Some(parent) = self.block_scalar_parent {
            if indent > parent || line.trim().is_empty() {
                return self.depth;
            }
            self.block_scalar_parent = None;
        }
        let mut deepest = self.depth;
        // Whether the next character starts a node (a collection or a quoted scalar may begin).
        let mut node_start = true;
        // Block collections opened on this line (`- - - x`).
        let mut chain = 0;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if let Some(q) = self.quote {
                if c == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    self.quote = None;
                    node_start = false;
                }
                i += 1;
                continue;
            }
            match c {
                b'#' if i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => break,
                b'"' | b'\'' if node_start => self.quote = Some(c),
                b'[' | b'{' if node_start || self.depth > 0 => {
                    self.depth += 1;
                    deepest = deepest.max(self.depth + chain);
                    node_start = true;
                    i += 1;
                    continue;
                }
                b']' | b'}' if self.depth > 0 => {
                    self.depth -= 1;
                    node_start = false;
                }
                b',' if self.depth > 0 => {
                    node_start = true;
                    i += 1;
                    continue;
                }
                b'|' | b'>' if node_start && self.depth == 0 && is_block_scalar_header(&line[i + 1..]) => {
                    self.block_scalar_parent = Some(indent);
                    break;
                }
                b' ' | b'\t' => {
                    i += 1;
                    continue;
                }
                b'-' | b'?' if node_start && self.depth == 0 && bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') => {
                    chain += 1;
                    deepest = deepest.max(self.depth + chain);
                    i += 1;
                    continue;
                }
                b':' if bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') => {
                    node_start = true;
                    i += 1;
                    continue;
                }
                b':' if self.depth > 0 => {
                    node_start = true;
                    i += 1;
                    continue;
                }
                _ => node_start = false,
            }
            i += 1;
        }
        deepest
    }
}

/// Whether what follows a `|` or `>` is a block scalar header: chomping and indentation
/// indicators, then nothing but a comment.
fn is_block_scalar_header(rest: &str) -> bool {
    let body = rest.trim_start_matches(['+', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let body = body.trim_start();
    body.is_empty() || body.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_yaml_passes() {
        let text =
            "a: [1, [2, {b: c}]]\nmsg: it's [not a list\nscript: |\n  [[ -f x ]] && echo '\n  [[[[\nq: \"[[[\"\n# [[[[\nlist:\n- [x]\n";
        assert_eq!(check(text), Ok(()));
    }

    #[test]
    fn deep_flow_nesting_is_refused_at_once() {
        let deep = "[".repeat(100 * 1024);
        let started = std::time::Instant::now();
        let err = check(&deep).unwrap_err();
        assert_eq!(err, Exceeded { line: Some(1), message: "exceeded max depth of 128".into() });
        assert!(started.elapsed().as_secs() < 5);
        let nested = format!("a:\n  b: {}1{}\n", "[".repeat(128), "]".repeat(128));
        assert_eq!(check(&nested), Ok(()));
        let too = format!("a:\n  b:\n{}\n", "  {x: ".repeat(129));
        assert_eq!(check(&too).unwrap_err().line, Some(3));
        let block = format!("items:\n{}x\n", "- ".repeat(50 * 1024));
        assert_eq!(check(&block).unwrap_err(), Exceeded { line: Some(2), message: "exceeded max depth of 128".into() });
        assert_eq!(check("a: x - y - z\n- - - [a, [b]]\n"), Ok(()));
    }

    #[test]
    fn size_is_bounded() {
        let big = "#".repeat(MAX_BYTES + 1);
        assert!(check(&big).unwrap_err().message.contains("more than the 10485760 bytes"));
    }
}
