//! Go's `text/template`, as Helm configures it (`missingkey=zero`, `<no value>`
//! removed from the output), with Helm's and sprig's functions.

pub mod env;
pub mod exec;
pub mod funcs;
pub mod parse;
pub mod printf;
mod regex;
pub mod semver;
pub mod value;

use std::collections::BTreeMap;
use std::rc::Rc;

pub use env::{Env, ExecError};
pub use parse::{ParseError, Tree};
pub use value::Value;

/// Every template of a render by name: each file, and each `define` in them.
#[derive(Default)]
pub struct TemplateSet {
    pub trees: BTreeMap<String, Rc<Tree>>,
}

impl TemplateSet {
    /// Parses one file into the set. A later `define` of a name replaces an
    /// earlier one, unless it is empty (as Go's `AddParseTree` decides).
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        for tree in parse::parse(name, text, &funcs::is_function)? {
            let empty = tree.root.iter().all(|n| matches!(n, parse::Node::Text(t) if t.trim().is_empty()));
            if empty && self.trees.contains_key(&tree.name) && tree.name != name {
                continue;
            }
            self.trees.insert(tree.name.clone(), Rc::new(tree));
        }
        Ok(())
    }

    /// Executes the template `name` with `dot` as `.` and `$`.
    pub fn execute(&self, env: &Env, name: &str, dot: &Value) -> Result<String, ExecError> {
        let Some(tree) = self.trees.get(name).cloned() else {
            return Err(ExecError {
                message: format!("template: no template {name:?} associated with template \"gotpl\""),
                location: String::new(),
                warn: None,
            });
        };
        let set = Rc::new(self.trees.clone());
        let mut state = exec::State::new(env, set, tree, dot, 0);
        let mut out = String::new();
        state.execute(dot, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn render(src: &str, values: serde_json::Value) -> Result<String, String> {
        let mut set = TemplateSet::default();
        set.add_file("t", src).map_err(|e| e.to_string())?;
        let env =
            Env { templates: BTreeMap::new(), rng: RefCell::new(crate::rng::SimRng::new(1)), now_ms: 0, include_depth: RefCell::new(0) };
        let mut top = BTreeMap::new();
        top.insert("Values".to_string(), Value::from_json(&values));
        set.execute(&env, "t", &Value::map(top)).map(|s| s.replace("<no value>", "")).map_err(|e| e.to_string())
    }

    #[test]
    fn actions_pipelines_and_trimming() {
        assert_eq!(render("a {{- 1 -}} b", serde_json::json!({})).unwrap(), "a1b");
        assert_eq!(render("{{ .Values.x | default \"d\" | upper }}", serde_json::json!({})).unwrap(), "D");
        assert_eq!(render("{{/* c */}}x{{- /* c */ -}} y", serde_json::json!({})).unwrap(), "xy");
        assert_eq!(render("{{ $x := 2 }}{{ $x }}{{ $x = 3 }}{{ $x }}", serde_json::json!({})).unwrap(), "23");
    }

    #[test]
    fn control_structures() {
        let v = serde_json::json!({"m": {"b": 2, "a": 1}, "l": ["x", "y"], "e": []});
        assert_eq!(render("{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}", v.clone()).unwrap(), "a=1;b=2;");
        assert_eq!(render("{{ range $i, $v := .Values.l }}{{ $i }}{{ . }}{{ end }}", v.clone()).unwrap(), "0x1y");
        assert_eq!(render("{{ range .Values.e }}x{{ else }}none{{ end }}", v.clone()).unwrap(), "none");
        assert_eq!(render("{{ if .Values.no }}a{{ else if .Values.l }}b{{ else }}c{{ end }}", v.clone()).unwrap(), "b");
        assert_eq!(render("{{ with .Values.m }}{{ .a }}{{ end }}", v.clone()).unwrap(), "1");
        assert_eq!(render("{{ range .Values.l }}{{ if eq . \"y\" }}{{ break }}{{ end }}{{ . }}{{ end }}", v).unwrap(), "x");
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let err = render("a: 1\nb: {{ .Values.x.y }}", serde_json::json!({})).unwrap_err();
        assert_eq!(err, "template: t:2:13: executing \"t\" at <.Values.x.y>: nil pointer evaluating interface {}.y");
        let err = render("{{ eq .Values.n 1 }}", serde_json::json!({"n": 1})).unwrap_err();
        assert_eq!(err, "template: t:1:3: executing \"t\" at <eq .Values.n 1>: error calling eq: incompatible types for comparison");
        let err = render("{{ nope }}", serde_json::json!({})).unwrap_err();
        assert_eq!(err, "template: t:1: function \"nope\" not defined");
        let err = render("{{ if }}", serde_json::json!({})).unwrap_err();
        assert_eq!(err, "template: t:1: missing value for if");
    }

    #[test]
    fn define_include_and_nindent() {
        let src = "{{- define \"l\" -}}\napp: {{ .name }}\nteam: x\n{{- end -}}\nlabels: {{- include \"l\" .Values | nindent 2 }}";
        assert_eq!(render(src, serde_json::json!({"name": "web"})).unwrap(), "labels:\n  app: web\n  team: x");
    }
}
