//! Executes parsed templates with Go's semantics: pipelines, variables and their
//! scopes, `if`/`with`/`range` (maps in sorted key order), `template`, `break`
//! and `continue`, and Go's truth. Errors read as Go's `ExecError`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::env::{Env, ExecError};
use super::funcs::{self, FnErr};
use super::parse::{Arg, Branch, Command, Node, Pipe, Tree};
use super::value::{Value, print};

/// How deep `include` and `template` may nest before the render stops (Helm's
/// recursion guard, lower here so that the browser's stack holds).
pub const MAX_DEPTH: usize = 150;

enum Flow {
    Normal,
    Break,
    Continue,
}

pub struct State<'e> {
    pub env: &'e Env,
    /// The templates visible here (`tpl` adds its own on top of the chart's).
    pub templates: Rc<BTreeMap<String, Rc<Tree>>>,
    tree: Rc<Tree>,
    vars: Vec<(String, Value)>,
    depth: usize,
}

type R<T> = Result<T, ExecError>;

impl<'e> State<'e> {
    pub fn new(env: &'e Env, templates: Rc<BTreeMap<String, Rc<Tree>>>, tree: Rc<Tree>, dot: &Value, depth: usize) -> State<'e> {
        State { env, templates, tree, vars: vec![("$".into(), dot.clone())], depth }
    }

    /// Runs a template by name with `dot`, writing to `out`.
    pub fn execute(&mut self, dot: &Value, out: &mut String) -> R<()> {
        let tree = self.tree.clone();
        self.walk_list(dot, &tree.root, out)?;
        Ok(())
    }

    fn location(&self, pos: usize) -> String {
        let src = &self.tree.source;
        let pos = pos.min(src.len());
        let before = &src[..pos];
        let line = 1 + before.matches('\n').count();
        let col = match before.rfind('\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        format!("{}:{}:{}", self.tree.parse_name, line, col)
    }

    fn error(&self, pos: usize, context: &str, message: impl Into<String>) -> ExecError {
        let location = self.location(pos);
        ExecError {
            message: format!(
                "template: {location}: executing \"{}\" at <{}>: {}",
                self.tree.name,
                context.replace('%', "%%"),
                message.into()
            ),
            location,
            warn: None,
        }
    }

    fn walk_list(&mut self, dot: &Value, nodes: &[Node], out: &mut String) -> R<Flow> {
        for n in nodes {
            match self.walk(dot, n, out)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &Node, out: &mut String) -> R<Flow> {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(pipe, &v, out)?;
                }
            }
            Node::If(b) => return self.walk_if_or_with(dot, b, false, out),
            Node::With(b) => return self.walk_if_or_with(dot, b, true, out),
            Node::Range(b) => return self.walk_range(dot, b, out),
            Node::Template { pos, name, pipe } => {
                let Some(tree) = self.templates.get(name).cloned() else {
                    return Err(self.error(*pos, &format!("template \"{name}\""), format!("template {name:?} not defined")));
                };
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Value::Nil,
                };
                if self.depth >= MAX_DEPTH {
                    return Err(self.error(
                        *pos,
                        &format!("template \"{name}\""),
                        format!("exceeded maximum template depth ({MAX_DEPTH})"),
                    ));
                }
                let mut inner = State::new(self.env, self.templates.clone(), tree, &new_dot, self.depth + 1);
                inner.execute(&new_dot, out)?;
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn print_value(&self, pipe: &Pipe, v: &Value, out: &mut String) -> R<()> {
        match v {
            Value::Nil => out.push_str("<no value>"),
            Value::Files(_) | Value::ApiVersions(_) => {
                let _ = pipe;
                out.push_str(&print(v));
            }
            _ => out.push_str(&print(v)),
        }
        Ok(())
    }

    fn walk_if_or_with(&mut self, dot: &Value, b: &Branch, with: bool, out: &mut String) -> R<Flow> {
        let mark = self.vars.len();
        let v = self.eval_pipeline(dot, &b.pipe)?;
        let flow = if v.truthy() {
            if with { self.walk_list(&v, &b.body, out)? } else { self.walk_list(dot, &b.body, out)? }
        } else if let Some(e) = &b.else_body {
            self.walk_list(dot, e, out)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_range(&mut self, dot: &Value, b: &Branch, out: &mut String) -> R<Flow> {
        let mark = self.vars.len();
        // The pipeline's own declarations are the loop variables, not assigned here.
        let plain = Pipe { pos: b.pipe.pos, decl: Vec::new(), is_assign: false, cmds: b.pipe.cmds.clone() };
        let v = self.eval_pipeline(dot, &plain)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::Nil => Vec::new(),
            Value::List(l) => l.iter().enumerate().map(|(i, x)| (Value::Int(i as i64), x.clone())).collect(),
            Value::Map(m) => m.borrow().iter().map(|(k, x)| (Value::str(k), x.clone())).collect(),
            Value::Files(f) => f.iter().map(|(k, x)| (Value::str(k), Value::Bytes(Rc::new(x.clone())))).collect(),
            Value::ApiVersions(a) => a.iter().enumerate().map(|(i, x)| (Value::Int(i as i64), Value::str(x))).collect(),
            Value::Int(n) if *n >= 0 => (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect(),
            Value::Bytes(bs) => bs.iter().enumerate().map(|(i, x)| (Value::Int(i as i64), Value::Int(*x as i64))).collect(),
            other => {
                return Err(self.error(b.pos, &format!("range {}", b.pipe), format!("range can't iterate over {}", print(other))));
            }
        };
        if items.is_empty() {
            let flow = match &b.else_body {
                Some(e) => self.walk_list(dot, e, out)?,
                None => Flow::Normal,
            };
            self.vars.truncate(mark);
            return Ok(match flow {
                Flow::Normal => Flow::Normal,
                f => f,
            });
        }
        for (k, x) in items {
            self.vars.truncate(mark);
            match b.pipe.decl.as_slice() {
                [] => {}
                [one] => self.declare(one, x.clone(), b.pipe.is_assign),
                [a, c, ..] => {
                    self.declare(a, k.clone(), b.pipe.is_assign);
                    self.declare(c, x.clone(), b.pipe.is_assign);
                }
            }
            let inner_mark = self.vars.len();
            let flow = self.walk_list(&x, &b.body, out)?;
            self.vars.truncate(inner_mark);
            if let Flow::Break = flow {
                break;
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn declare(&mut self, name: &str, v: Value, assign: bool) {
        if assign {
            if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                slot.1 = v;
                return;
            }
        }
        self.vars.push((name.to_string(), v));
    }

    fn var(&self, name: &str) -> Value {
        self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or(Value::Nil)
    }

    pub fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> R<Value> {
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let v = value.unwrap_or(Value::Nil);
        match pipe.decl.as_slice() {
            [] => {}
            [name] => self.declare(name, v.clone(), pipe.is_assign),
            names => {
                for n in names {
                    self.declare(n, v.clone(), pipe.is_assign);
                }
            }
        }
        Ok(v)
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Command, fin: Option<Value>) -> R<Value> {
        let first = &cmd.args[0];
        let rest = &cmd.args[1..];
        match first {
            Arg::Field(pos, path) => self.eval_field_chain(dot, dot, *pos, &first.to_string(), path, rest, fin, "."),
            Arg::Variable(pos, name, path) => {
                let base = self.var(name);
                if path.is_empty() {
                    self.no_args(cmd, *pos, &first.to_string(), rest, &fin)?;
                    return Ok(base);
                }
                self.eval_field_chain(dot, &base, *pos, &first.to_string(), path, rest, fin, name)
            }
            Arg::Chain(pos, node, path) => {
                let base = self.eval_arg(dot, node)?;
                self.eval_field_chain(dot, &base, *pos, &first.to_string(), path, rest, fin, "")
            }
            Arg::Ident(pos, name) => self.eval_function(dot, cmd, *pos, name, rest, fin),
            Arg::Pipe(pos, p) => {
                self.no_args(cmd, *pos, &first.to_string(), rest, &fin)?;
                self.eval_pipeline_scoped(dot, p)
            }
            other => {
                self.no_args(cmd, other.pos(), &other.to_string(), rest, &fin)?;
                self.eval_arg(dot, other)
            }
        }
    }

    fn no_args(&self, cmd: &Command, pos: usize, what: &str, rest: &[Arg], fin: &Option<Value>) -> R<()> {
        if !rest.is_empty() || fin.is_some() {
            let _ = cmd;
            return Err(self.error(pos, what, format!("can't give argument to non-function {what}")));
        }
        Ok(())
    }

    fn eval_pipeline_scoped(&mut self, dot: &Value, p: &Pipe) -> R<Value> {
        let mark = self.vars.len();
        let v = self.eval_pipeline(dot, p);
        if p.decl.is_empty() || p.is_assign {
            self.vars.truncate(mark);
        }
        v
    }

    fn eval_arg(&mut self, dot: &Value, arg: &Arg) -> R<Value> {
        Ok(match arg {
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(_) => Value::Nil,
            Arg::Bool(_, b) => Value::Bool(*b),
            Arg::Str(_, s) => Value::str(s),
            Arg::Int(_, i) => Value::Int(*i),
            Arg::Float(_, f) => Value::Float(*f),
            Arg::Field(pos, path) => self.eval_field_chain(dot, dot, *pos, &arg.to_string(), path, &[], None, ".")?,
            Arg::Variable(pos, name, path) => {
                let base = self.var(name);
                if path.is_empty() { base } else { self.eval_field_chain(dot, &base, *pos, &arg.to_string(), path, &[], None, name)? }
            }
            Arg::Chain(pos, node, path) => {
                let base = self.eval_arg(dot, node)?;
                self.eval_field_chain(dot, &base, *pos, &arg.to_string(), path, &[], None, "")?
            }
            Arg::Ident(pos, name) => {
                let cmd = Command { pos: *pos, args: vec![arg.clone()] };
                self.eval_function(dot, &cmd, *pos, name, &[], None)?
            }
            Arg::Pipe(_, p) => self.eval_pipeline_scoped(dot, p)?,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Value,
        receiver: &Value,
        pos: usize,
        context: &str,
        path: &[String],
        args: &[Arg],
        fin: Option<Value>,
        _base: &str,
    ) -> R<Value> {
        let mut cur = receiver.clone();
        for (i, name) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            let has_args = last && (!args.is_empty() || fin.is_some());
            cur = match &cur {
                Value::Nil => return Err(self.error(pos, context, format!("nil pointer evaluating interface {{}}.{name}"))),
                Value::Map(m) => {
                    if has_args {
                        return Err(self.error(pos, context, format!("{name} is not a method but has arguments")));
                    }
                    m.borrow().get(name).cloned().unwrap_or(Value::Nil)
                }
                Value::Struct(s) => match s.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.error(pos, context, format!("{name} has arguments but cannot be invoked as function")));
                        }
                        v.clone()
                    }
                    None => match (s.type_name, name.as_str()) {
                        ("*chartutil.KubeVersion" | "*common.KubeVersion", "String" | "GitVersion") => {
                            s.field("Version").cloned().unwrap_or(Value::Nil)
                        }
                        _ => return Err(self.error(pos, context, format!("can't evaluate field {name} in type {}", s.type_name))),
                    },
                },
                Value::Files(_) | Value::ApiVersions(_) => {
                    let mut vals = Vec::new();
                    if last {
                        for a in args {
                            vals.push(self.eval_arg(dot, a)?);
                        }
                        if let Some(f) = fin.clone() {
                            vals.push(f);
                        }
                    }
                    match funcs::method(&cur, name, &vals) {
                        Ok(v) => v,
                        Err(FnErr::Calling(m)) => return Err(self.error(pos, context, format!("error calling {name}: {m}"))),
                        Err(FnErr::Raw(m)) => return Err(self.error(pos, context, m)),
                        Err(FnErr::Warn(m)) => return Err(self.error(pos, context, m)),
                        Err(FnErr::Nested(e, _)) => return Err(e),
                    }
                }
                other => return Err(self.error(pos, context, format!("can't evaluate field {name} in type {}", other.type_name()))),
            };
        }
        Ok(cur)
    }

    fn eval_function(&mut self, dot: &Value, cmd: &Command, pos: usize, name: &str, args: &[Arg], fin: Option<Value>) -> R<Value> {
        let context = cmd.to_string();
        let cpos = cmd.pos.max(pos.min(cmd.pos));
        // `and` and `or` stop at the first argument that decides.
        if name == "and" || name == "or" {
            if args.is_empty() && fin.is_none() {
                return Err(self.error(cpos, &context, format!("wrong number of args for {name}: want at least 1 got 0")));
            }
            let mut last = Value::Nil;
            let n = args.len();
            for a in args {
                last = self.eval_arg(dot, a)?;
                if (name == "and") != last.truthy() {
                    return Ok(last);
                }
            }
            if let Some(f) = fin {
                let _ = n;
                last = f;
            }
            return Ok(last);
        }
        let mut vals = Vec::with_capacity(args.len() + 1);
        for a in args {
            vals.push(self.eval_arg(dot, a)?);
        }
        if let Some(f) = fin {
            vals.push(f);
        }
        let result = match name {
            "include" => self.include(&vals),
            "tpl" => self.tpl(&vals),
            _ => funcs::call(name, &vals, self.env),
        };
        match result {
            Ok(v) => Ok(v),
            Err(FnErr::Calling(m)) => Err(self.error(cpos, &context, format!("error calling {name}: {m}"))),
            Err(FnErr::Raw(m)) => Err(self.error(cpos, &context, m)),
            Err(FnErr::Warn(w)) => {
                let mut e = self.error(cpos, &context, format!("error calling {name}: {w}"));
                e.warn = Some(w);
                Err(e)
            }
            Err(FnErr::Nested(inner, prefix)) => {
                let mut e = self.error(cpos, &context, format!("error calling {name}: {prefix}{}", inner.message));
                e.warn = inner.warn;
                Err(e)
            }
        }
    }

    fn include(&mut self, vals: &[Value]) -> Result<Value, FnErr> {
        if vals.len() != 2 {
            return Err(FnErr::Raw(format!("wrong number of args for include: want 2 got {}", vals.len())));
        }
        let name = funcs::string_arg(&vals[0])?;
        let Some(tree) = self.templates.get(&*name).cloned() else {
            return Err(FnErr::Calling(format!("template: no template {name:?} associated with template \"gotpl\"")));
        };
        if self.depth >= MAX_DEPTH {
            return Err(FnErr::Calling(format!("rendering template has a nested reference name: {name}: unable to execute template")));
        }
        let mut out = String::new();
        let mut inner = State::new(self.env, self.templates.clone(), tree, &vals[1], self.depth + 1);
        inner.execute(&vals[1], &mut out).map_err(|e| FnErr::Nested(e, String::new()))?;
        Ok(Value::str(out))
    }

    fn tpl(&mut self, vals: &[Value]) -> Result<Value, FnErr> {
        if vals.len() != 2 {
            return Err(FnErr::Raw(format!("wrong number of args for tpl: want 2 got {}", vals.len())));
        }
        let text = funcs::string_arg(&vals[0])?;
        if self.depth >= MAX_DEPTH {
            return Err(FnErr::Calling("rendering template has a nested reference name: tpl: unable to execute template".into()));
        }
        let trees = super::parse::parse("gotpl", &text, &funcs::is_function)
            .map_err(|e| FnErr::Calling(format!("cannot parse template {}: {e}", super::printf::go_quote(&text))))?;
        let mut set = (*self.templates).clone();
        let mut iter = trees.into_iter();
        let main = Rc::new(iter.next().expect("a parse returns its main tree"));
        for t in iter {
            set.insert(t.name.clone(), Rc::new(t));
        }
        let mut out = String::new();
        let mut inner = State::new(self.env, Rc::new(set), main, &vals[1], self.depth + 1);
        inner
            .execute(&vals[1], &mut out)
            .map_err(|e| FnErr::Nested(e, format!("error during tpl function execution for {}: ", super::printf::go_quote(&text))))?;
        Ok(Value::str(out.replace("<no value>", "")))
    }
}
