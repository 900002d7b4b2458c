//! What a render shares (the templates, the random source, the clock) and how
//! its failures read: Go's `template.ExecError`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::parse::Tree;

/// An error while executing, as Go's `template.ExecError` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    /// `template: web/templates/x.yaml:3:12: executing "web/templates/x.yaml" at <.Values.a.b>: nil pointer evaluating interface {}.b`
    pub message: String,
    /// `file:line:col` of the outermost action.
    pub location: String,
    /// The text of a `required` or `fail`, which Helm reports on its own.
    pub warn: Option<String>,
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a whole render shares: the templates, the random source, the clock.
pub struct Env {
    pub templates: BTreeMap<String, Rc<Tree>>,
    pub rng: RefCell<crate::rng::SimRng>,
    /// The simulated time in ms since the epoch, for `now`.
    pub now_ms: i64,
    pub include_depth: RefCell<usize>,
}
