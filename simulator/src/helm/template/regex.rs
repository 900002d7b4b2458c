//! Go's `regexp` (RE2 syntax) for sprig's regex functions, over the `regex-lite` crate,
//! which reads the same syntax.

pub struct Regex(regex_lite::Regex);

impl Regex {
    /// Compiles a pattern; the error reads as Go's `regexp.Compile` error does.
    pub fn new(pattern: &str) -> Result<Regex, String> {
        regex_lite::Regex::new(pattern).map(Regex).map_err(|_| format!("error parsing regexp: invalid syntax: `{pattern}`"))
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }

    pub fn find(&self, text: &str) -> Option<(usize, usize)> {
        self.0.find(text).map(|m| (m.start(), m.end()))
    }

    pub fn find_all(&self, text: &str) -> Vec<(usize, usize)> {
        self.0.find_iter(text).map(|m| (m.start(), m.end())).collect()
    }

    /// `ReplaceAllString` (expanding `$1`, `${name}`) or `ReplaceAllLiteralString`.
    pub fn replace_all(&self, text: &str, with: &str, expand: bool) -> String {
        if expand { self.0.replace_all(text, with).into_owned() } else { self.0.replace_all(text, regex_lite::NoExpand(with)).into_owned() }
    }
}
