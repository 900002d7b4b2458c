//! Go's `text/template` parser: the lexer (delimiters, `{{-`/`-}}` trimming,
//! comments) and the tree of actions, pipelines and control structures.
//! Errors read as Go's do: `template: NAME:LINE: MESSAGE`.

use std::rc::Rc;

/// A parsed template and the source it came from (for line and column in errors).
#[derive(Debug)]
pub struct Tree {
    pub name: String,
    /// The file it was parsed from (`define`d templates keep their file's name).
    pub parse_name: String,
    pub source: Rc<str>,
    pub root: Vec<Node>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Action(Pipe),
    If(Branch),
    Range(Branch),
    With(Branch),
    Template { pos: usize, name: String, pipe: Option<Pipe> },
    Break(usize),
    Continue(usize),
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub body: Vec<Node>,
    pub else_body: Option<Vec<Node>>,
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub pos: usize,
    pub decl: Vec<String>,
    pub is_assign: bool,
    pub cmds: Vec<Command>,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub enum Arg {
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Str(usize, String),
    Int(usize, i64),
    Float(usize, f64),
    /// `.A.B`
    Field(usize, Vec<String>),
    /// `$x.A.B`
    Variable(usize, String, Vec<String>),
    /// A function's name.
    Ident(usize, String),
    /// `(pipeline).A.B`
    Chain(usize, Box<Arg>, Vec<String>),
    Pipe(usize, Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Dot(p) | Arg::Nil(p) | Arg::Bool(p, _) | Arg::Str(p, _) | Arg::Int(p, _) | Arg::Float(p, _) => *p,
            Arg::Field(p, _) | Arg::Variable(p, _, _) | Arg::Ident(p, _) | Arg::Chain(p, _, _) | Arg::Pipe(p, _) => *p,
        }
    }
}

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Dot(_) => write!(f, "."),
            Arg::Nil(_) => write!(f, "nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Str(_, s) => write!(f, "{}", crate::helm::template::printf::go_quote(s)),
            Arg::Int(_, i) => write!(f, "{i}"),
            Arg::Float(_, x) => write!(f, "{}", crate::helm::template::value::format_float_g(*x)),
            Arg::Field(_, path) => write!(f, ".{}", path.join(".")),
            Arg::Variable(_, name, path) => {
                write!(f, "{name}")?;
                for p in path {
                    write!(f, ".{p}")?;
                }
                Ok(())
            }
            Arg::Ident(_, name) => write!(f, "{name}"),
            Arg::Chain(_, node, path) => {
                write!(f, "{node}")?;
                for p in path {
                    write!(f, ".{p}")?;
                }
                Ok(())
            }
            Arg::Pipe(_, p) => write!(f, "({p})"),
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.args.iter().map(|a| a.to_string()).collect();
        write!(f, "{}", parts.join(" "))
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} {} ", self.decl.join(", "), if self.is_assign { "=" } else { ":=" })?;
        }
        let parts: Vec<String> = self.cmds.iter().map(|c| c.to_string()).collect();
        write!(f, "{}", parts.join(" | "))
    }
}

/// A parse error, formatted as Go formats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub name: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "template: {}:{}: {}", self.name, self.line, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Text(String),
    Left,
    Right,
    Space,
    Pipe,
    LParen,
    RParen,
    Comma,
    Declare,
    Assign,
    Dot,
    Field(String),
    Variable(String),
    Ident(String),
    Str(String),
    Char(i64),
    Number(String),
    Bool(bool),
    Nil,
    Keyword(&'static str),
    Eof,
}

/// How deep `if`/`range`/`with` blocks and parentheses may nest.
pub const MAX_NESTING: usize = 100;

const KEYWORDS: &[&str] = &["block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"];

struct Lexer<'a> {
    src: &'a str,
    name: &'a str,
    toks: Vec<(Tok, usize)>,
}

fn line_at(src: &str, pos: usize) -> usize {
    1 + src[..pos.min(src.len())].matches('\n').count()
}

impl<'a> Lexer<'a> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError { name: self.name.to_string(), line: line_at(self.src, pos), message: msg.into() }
    }

    fn run(mut self) -> Result<Vec<(Tok, usize)>, ParseError> {
        let src = self.src;
        let mut i = 0;
        let mut trim_next = false;
        while i <= src.len() {
            let rest = &src[i..];
            let Some(open) = rest.find("{{") else {
                let mut text = rest;
                if trim_next {
                    text = text.trim_start_matches(is_space);
                }
                if !text.is_empty() {
                    self.toks.push((Tok::Text(text.to_string()), i));
                }
                break;
            };
            let mut text = &rest[..open];
            let after_open = &rest[open + 2..];
            let trim_left = after_open.starts_with('-') && after_open[1..].starts_with(is_space);
            if trim_next {
                text = text.trim_start_matches(is_space);
            }
            if trim_left {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                self.toks.push((Tok::Text(text.to_string()), i));
            }
            let start = i + open;
            let mut j = start + 2 + if trim_left { 2 } else { 0 };
            // A comment: `{{/* ... */}}`, with trim markers.
            if src[j..].starts_with("/*") {
                let Some(end) = src[j..].find("*/") else {
                    return Err(self.err(start, "unclosed comment"));
                };
                let mut k = j + end + 2;
                let mut trim_right = false;
                if src[k..].starts_with(" -}}")
                    || src[k..].starts_with("\t-}}")
                    || src[k..].starts_with("\n-}}")
                    || src[k..].starts_with("\r-}}")
                {
                    trim_right = true;
                    k += 4;
                } else if src[k..].starts_with("}}") {
                    k += 2;
                } else {
                    return Err(self.err(start, "comment ends before closing delimiter"));
                }
                trim_next = trim_right;
                i = k;
                continue;
            }
            self.toks.push((Tok::Left, start));
            let (end, trim_right) = self.lex_inside(j)?;
            j = end;
            trim_next = trim_right;
            i = j;
        }
        self.toks.push((Tok::Eof, src.len()));
        Ok(self.toks)
    }

    /// Lexes inside an action from `i`; returns the position after `}}` and whether it trims.
    fn lex_inside(&mut self, mut i: usize) -> Result<(usize, bool), ParseError> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut parens = 0i32;
        loop {
            if i >= src.len() {
                return Err(self.err(i, "unclosed action"));
            }
            let rest = &src[i..];
            let c = bytes[i];
            if rest.starts_with("}}") || (is_space_byte(c) && rest[1..].trim_start_matches(is_space).starts_with("-}}")) {
                if rest.starts_with("}}") {
                    if parens > 0 {
                        return Err(self.err(i, "unclosed left paren"));
                    }
                    self.toks.push((Tok::Right, i));
                    return Ok((i + 2, false));
                }
                // ` -}}`
                let ws = rest.len() - rest[1..].trim_start_matches(is_space).len();
                if parens > 0 {
                    return Err(self.err(i, "unclosed left paren"));
                }
                self.toks.push((Tok::Right, i + ws));
                return Ok((i + ws + 3, true));
            }
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    let n = rest.len() - rest.trim_start_matches(is_space).len();
                    self.toks.push((Tok::Space, i));
                    i += n;
                }
                b'|' => {
                    self.toks.push((Tok::Pipe, i));
                    i += 1;
                }
                b'(' => {
                    parens += 1;
                    self.toks.push((Tok::LParen, i));
                    i += 1;
                }
                b')' => {
                    parens -= 1;
                    if parens < 0 {
                        return Err(self.err(i, "unexpected right paren"));
                    }
                    self.toks.push((Tok::RParen, i));
                    i += 1;
                }
                b',' => {
                    self.toks.push((Tok::Comma, i));
                    i += 1;
                }
                b':' => {
                    if rest.starts_with(":=") {
                        self.toks.push((Tok::Declare, i));
                        i += 2;
                    } else {
                        return Err(self.err(i, "expected :="));
                    }
                }
                b'=' => {
                    self.toks.push((Tok::Assign, i));
                    i += 1;
                }
                b'"' => {
                    let (s, n) = self.lex_quote(i)?;
                    self.toks.push((Tok::Str(s), i));
                    i += n;
                }
                b'`' => {
                    let Some(end) = rest[1..].find('`') else {
                        return Err(self.err(i, "unterminated raw quoted string"));
                    };
                    self.toks.push((Tok::Str(rest[1..1 + end].to_string()), i));
                    i += end + 2;
                }
                b'\'' => {
                    let Some(end) = rest[1..].find('\'') else {
                        return Err(self.err(i, "unterminated character constant"));
                    };
                    let body = &rest[1..1 + end];
                    let (s, _) = self.lex_quote_body(body, i)?;
                    let mut chars = s.chars();
                    let (Some(ch), None) = (chars.next(), chars.next()) else {
                        return Err(self.err(i, format!("malformed character constant: {}", &rest[..end + 2])));
                    };
                    self.toks.push((Tok::Char(ch as i64), i));
                    i += end + 2;
                }
                b'$' => {
                    let n = 1 + rest[1..].find(|c: char| !is_alnum(c)).unwrap_or(rest.len() - 1);
                    self.toks.push((Tok::Variable(rest[..n].to_string()), i));
                    i += n;
                }
                b'.' => {
                    if rest.len() > 1 && bytes[i + 1].is_ascii_digit() {
                        let n = number_len(rest);
                        self.toks.push((Tok::Number(rest[..n].to_string()), i));
                        i += n;
                        continue;
                    }
                    let n = 1 + rest[1..].find(|c: char| !is_alnum(c)).unwrap_or(rest.len() - 1);
                    if n == 1 {
                        self.toks.push((Tok::Dot, i));
                    } else {
                        self.toks.push((Tok::Field(rest[1..n].to_string()), i));
                    }
                    i += n;
                }
                b'0'..=b'9' | b'-' | b'+' => {
                    let n = number_len(rest);
                    if n == 0 {
                        return Err(self.err(i, format!("unexpected {:?} in command", c as char)));
                    }
                    let word = &rest[..n];
                    if rest[n..].starts_with(|c: char| is_alnum(c)) {
                        return Err(self.err(i, format!("bad number syntax: {:?}", &rest[..n + 1])));
                    }
                    self.toks.push((Tok::Number(word.to_string()), i));
                    i += n;
                }
                _ if (c as char).is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    let n = rest.find(|c: char| !is_alnum(c)).unwrap_or(rest.len());
                    let word = &rest[..n];
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        w => match KEYWORDS.iter().find(|k| **k == w) {
                            Some(k) => Tok::Keyword(k),
                            None => Tok::Ident(w.to_string()),
                        },
                    };
                    self.toks.push((tok, i));
                    i += n;
                }
                _ => {
                    let ch = rest.chars().next().unwrap_or(' ');
                    return Err(
                        self.err(i, format!("unrecognized character in action: {}", crate::helm::template::printf::go_quote_rune(ch)))
                    );
                }
            }
        }
    }

    fn lex_quote(&self, i: usize) -> Result<(String, usize), ParseError> {
        let rest = &self.src[i + 1..];
        let mut k = 0;
        let b = rest.as_bytes();
        while k < b.len() {
            match b[k] {
                b'\\' => k += 2,
                b'"' => {
                    let (s, _) = self.lex_quote_body(&rest[..k], i)?;
                    return Ok((s, k + 2));
                }
                b'\n' => break,
                _ => k += 1,
            }
        }
        Err(self.err(i, "unterminated quoted string"))
    }

    fn lex_quote_body(&self, body: &str, pos: usize) -> Result<(String, usize), ParseError> {
        let mut out = String::new();
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let bad = || self.err(pos, format!("invalid syntax: \"{body}\""));
            match chars.next().ok_or_else(bad)? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '\'' => out.push('\''),
                'a' => out.push('\x07'),
                'b' => out.push('\x08'),
                'f' => out.push('\x0c'),
                'v' => out.push('\x0b'),
                '0'..='7' => {
                    let d: String = std::iter::once('0').chain((0..2).filter_map(|_| chars.next())).collect();
                    out.push(u32::from_str_radix(&d, 8).ok().and_then(char::from_u32).ok_or_else(bad)?);
                }
                'x' | 'u' | 'U' => {
                    let n = 4;
                    let d: String = (0..n).filter_map(|_| chars.next_if(|c| c.is_ascii_hexdigit())).collect();
                    out.push(u32::from_str_radix(&d, 16).ok().and_then(char::from_u32).ok_or_else(bad)?);
                }
                _ => return Err(bad()),
            }
        }
        Ok((out, body.len()))
    }
}

fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    if s[i..].starts_with("0x") || s[i..].starts_with("0X") {
        i += 2;
        while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b'_') {
            i += 1;
        }
        return i;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == digits_start || (i == digits_start + 1 && b[digits_start] == b'.') && i < b.len() && !b[i].is_ascii_digit() {
        if i == digits_start {
            return 0;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut k = i + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            i = k;
        }
    }
    i
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_space_byte(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Parses one file; returns its tree and the trees it `define`s (or `block`s).
pub fn parse(name: &str, src: &str, is_func: &dyn Fn(&str) -> bool) -> Result<Vec<Tree>, ParseError> {
    let toks = Lexer { src, name, toks: Vec::new() }.run()?;
    let source: Rc<str> = Rc::from(src);
    let mut p =
        Parser { toks, i: 0, name, src, is_func, defs: Vec::new(), vars: vec![vec!["$".to_string()]], source: source.clone(), depth: 0 };
    let (root, end) = p.list(true)?;
    if let Some((kw, pos)) = end {
        return Err(p.err(pos, format!("unexpected {{{{{kw}}}}}")));
    }
    let mut trees = vec![Tree { name: name.to_string(), parse_name: name.to_string(), source, root }];
    trees.append(&mut p.defs);
    Ok(trees)
}

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    i: usize,
    name: &'a str,
    src: &'a str,
    is_func: &'a dyn Fn(&str) -> bool,
    defs: Vec<Tree>,
    vars: Vec<Vec<String>>,
    source: Rc<str>,
    /// How deep blocks and parentheses nest here (bounded, so that no input exhausts the stack).
    depth: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, pos: usize, msg: impl Into<String>) -> ParseError {
        ParseError { name: self.name.to_string(), line: line_at(self.src, pos), message: msg.into() }
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].0
    }

    fn pos(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].1
    }

    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        self.i += 1;
        t
    }

    /// The next token that is not a space.
    fn next_non_space(&mut self) -> (Tok, usize) {
        loop {
            let t = self.next();
            if t.0 != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Tok {
        let save = self.i;
        let t = self.next_non_space().0;
        self.i = save;
        t
    }

    fn describe(t: &Tok) -> String {
        match t {
            Tok::Text(_) => "text".into(),
            Tok::Left => "\"{{\"".into(),
            Tok::Right => "\"}}\"".into(),
            Tok::Space => "space".into(),
            Tok::Pipe => "\"|\"".into(),
            Tok::LParen => "\"(\"".into(),
            Tok::RParen => "\")\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Declare => "\":=\"".into(),
            Tok::Assign => "\"=\"".into(),
            Tok::Dot => "<.>".into(),
            Tok::Field(f) => format!("<.{f}>"),
            Tok::Variable(v) => format!("<{v}>"),
            Tok::Ident(i) => format!("<{i}>"),
            Tok::Str(s) => crate::helm::template::printf::go_quote(s),
            Tok::Char(c) => c.to_string(),
            Tok::Number(n) => format!("{n:?}"),
            Tok::Bool(b) => format!("<{b}>"),
            Tok::Nil => "<nil>".into(),
            Tok::Keyword(k) => format!("<{k}>"),
            Tok::Eof => "EOF".into(),
        }
    }

    /// Parses nodes until EOF (top level) or `{{end}}`/`{{else}}`; returns the nodes and which ended them.
    fn list(&mut self, top: bool) -> Result<(Vec<Node>, Option<(&'static str, usize)>), ParseError> {
        let mut nodes = Vec::new();
        loop {
            let (tok, pos) = self.next();
            match tok {
                Tok::Eof => {
                    if top {
                        return Ok((nodes, None));
                    }
                    return Err(self.err(pos, "unexpected EOF"));
                }
                Tok::Text(t) => nodes.push(Node::Text(t)),
                Tok::Left => {
                    let (t, kpos) = self.next_non_space();
                    match t {
                        Tok::Keyword("end") => {
                            self.expect_right("end")?;
                            if top {
                                return Err(self.err(kpos, "unexpected {{end}}"));
                            }
                            return Ok((nodes, Some(("end", kpos))));
                        }
                        Tok::Keyword("else") => {
                            if top {
                                return Err(self.err(kpos, "unexpected {{else}}"));
                            }
                            return Ok((nodes, Some(("else", kpos))));
                        }
                        Tok::Keyword("define") => {
                            if !top {
                                return Err(self.err(kpos, "unexpected <define> in command"));
                            }
                            self.define(kpos)?;
                        }
                        Tok::Keyword("if") => nodes.push(Node::If(self.branch("if", kpos)?)),
                        Tok::Keyword("range") => nodes.push(Node::Range(self.branch("range", kpos)?)),
                        Tok::Keyword("with") => nodes.push(Node::With(self.branch("with", kpos)?)),
                        Tok::Keyword("template") => nodes.push(self.template(kpos, "template")?),
                        Tok::Keyword("block") => nodes.push(self.block(kpos)?),
                        Tok::Keyword("break") => {
                            self.expect_right("break")?;
                            nodes.push(Node::Break(kpos));
                        }
                        Tok::Keyword("continue") => {
                            self.expect_right("continue")?;
                            nodes.push(Node::Continue(kpos));
                        }
                        _ => {
                            self.i -= 1;
                            let pipe = self.pipeline("command", Tok::Right)?;
                            nodes.push(Node::Action(pipe));
                        }
                    }
                }
                other => return Err(self.err(pos, format!("unexpected {}", Self::describe(&other)))),
            }
        }
    }

    fn expect_right(&mut self, context: &str) -> Result<(), ParseError> {
        let (t, pos) = self.next_non_space();
        if t != Tok::Right {
            return Err(self.err(pos, format!("unexpected {} in {context}", Self::describe(&t))));
        }
        Ok(())
    }

    fn define(&mut self, pos: usize) -> Result<(), ParseError> {
        let (t, p) = self.next_non_space();
        let Tok::Str(name) = t else {
            return Err(self.err(p, format!("unexpected {} in define clause", Self::describe(&t))));
        };
        self.expect_right("define clause")?;
        let saved = std::mem::replace(&mut self.vars, vec![vec!["$".to_string()]]);
        let (body, end) = self.list(false)?;
        self.vars = saved;
        match end {
            Some(("end", _)) => {}
            _ => return Err(self.err(pos, "unexpected {{else}} in define")),
        }
        self.defs.push(Tree { name, parse_name: self.name.to_string(), source: self.source.clone(), root: body });
        Ok(())
    }

    fn template(&mut self, pos: usize, context: &str) -> Result<Node, ParseError> {
        let (t, p) = self.next_non_space();
        let Tok::Str(name) = t else {
            return Err(self.err(p, format!("unexpected {} in {context} clause", Self::describe(&t))));
        };
        let pipe = if self.peek_non_space() == Tok::Right {
            self.next_non_space();
            None
        } else {
            Some(self.pipeline(context, Tok::Right)?)
        };
        Ok(Node::Template { pos, name, pipe })
    }

    fn block(&mut self, pos: usize) -> Result<Node, ParseError> {
        let node = self.template(pos, "block")?;
        let Node::Template { name, .. } = &node else { unreachable!("template() returns a template node") };
        let saved = std::mem::replace(&mut self.vars, vec![vec!["$".to_string()]]);
        let (body, end) = self.list(false)?;
        self.vars = saved;
        if !matches!(end, Some(("end", _))) {
            return Err(self.err(pos, "unexpected {{else}} in block clause"));
        }
        self.defs.push(Tree { name: name.clone(), parse_name: self.name.to_string(), source: self.source.clone(), root: body });
        Ok(node)
    }

    fn branch(&mut self, kind: &'static str, pos: usize) -> Result<Branch, ParseError> {
        self.enter(pos)?;
        let b = self.branch_inner(kind, pos);
        self.depth -= 1;
        b
    }

    /// Counts one level of nesting; past `MAX_NESTING` the template is refused.
    fn enter(&mut self, pos: usize) -> Result<(), ParseError> {
        if self.depth >= MAX_NESTING {
            return Err(self.err(pos, format!("nesting deeper than {MAX_NESTING} levels is not supported")));
        }
        self.depth += 1;
        Ok(())
    }

    fn branch_inner(&mut self, kind: &'static str, pos: usize) -> Result<Branch, ParseError> {
        self.vars.push(Vec::new());
        let pipe = self.pipeline(kind, Tok::Right)?;
        let (body, end) = self.list(false)?;
        let mut else_body = None;
        if let Some(("else", epos)) = end {
            // `{{else if ...}}` and `{{else with ...}}` chain into a nested branch.
            let next = self.peek_non_space();
            if (kind == "if" && next == Tok::Keyword("if")) || (kind == "with" && next == Tok::Keyword("with")) {
                let (_, kpos) = self.next_non_space();
                let inner = self.branch(kind, kpos)?;
                else_body = Some(vec![if kind == "if" { Node::If(inner) } else { Node::With(inner) }]);
                self.vars.pop();
                return Ok(Branch { pos, pipe, body, else_body });
            }
            self.expect_right("else").map_err(|_| self.err(epos, "unexpected in else"))?;
            let (eb, end2) = self.list(false)?;
            if !matches!(end2, Some(("end", _))) {
                return Err(self.err(epos, format!("expected end; found {{{{else}}}}")));
            }
            else_body = Some(eb);
        }
        self.vars.pop();
        Ok(Branch { pos, pipe, body, else_body })
    }

    fn declared(&self, name: &str) -> bool {
        self.vars.iter().any(|scope| scope.iter().any(|v| v == name))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> Result<Pipe, ParseError> {
        let pos = self.pos();
        let mut decl = Vec::new();
        let mut is_assign = false;
        // Declarations: `$x :=`, `$x =`, `$i, $e :=`.
        let save = self.i;
        if let (Tok::Variable(v), _) = self.next_non_space() {
            let t = self.next_non_space().0;
            match t {
                Tok::Declare | Tok::Assign => {
                    is_assign = t == Tok::Assign;
                    decl.push(v);
                }
                Tok::Comma if context == "range" => {
                    if let (Tok::Variable(v2), p2) = self.next_non_space() {
                        let t2 = self.next_non_space().0;
                        if t2 != Tok::Declare && t2 != Tok::Assign {
                            return Err(self.err(p2, "expected :="));
                        }
                        is_assign = t2 == Tok::Assign;
                        decl.push(v);
                        decl.push(v2);
                    } else {
                        return Err(self.err(pos, "range can only initialize variables"));
                    }
                }
                _ => self.i = save,
            }
        } else {
            self.i = save;
        }
        if is_assign {
            for d in &decl {
                if !self.declared(d) {
                    return Err(self.err(pos, format!("undefined variable \"{d}\"")));
                }
            }
        }
        let mut cmds = Vec::new();
        loop {
            let (t, p) = self.next_non_space();
            if t == end {
                if cmds.is_empty() {
                    return Err(self.err(p, format!("missing value for {context}")));
                }
                break;
            }
            match t {
                Tok::Pipe if !cmds.is_empty() => continue,
                Tok::Eof => return Err(self.err(p, format!("unclosed action"))),
                _ => {
                    self.i -= 1;
                    cmds.push(self.command(end.clone())?);
                }
            }
        }
        if !is_assign {
            if let Some(scope) = self.vars.last_mut() {
                scope.extend(decl.iter().cloned());
            }
        }
        for c in cmds.iter().skip(1) {
            if let Some(first) = c.args.first() {
                if matches!(first, Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Int(..) | Arg::Float(..) | Arg::Str(..)) {
                    return Err(self.err(first.pos(), format!("non executable command in pipeline stage {}", 2)));
                }
            }
        }
        Ok(Pipe { pos, decl, is_assign, cmds })
    }

    fn command(&mut self, end: Tok) -> Result<Command, ParseError> {
        let pos = self.pos();
        let mut args = Vec::new();
        loop {
            while *self.peek() == Tok::Space {
                self.next();
            }
            let t = self.peek().clone();
            if t == end || t == Tok::Pipe {
                break;
            }
            match t {
                Tok::RParen | Tok::Right => {
                    let p = self.pos();
                    return Err(self.err(p, format!("unexpected {} in operand", Self::describe(&t))));
                }
                Tok::Eof => return Err(self.err(self.pos(), "unclosed action")),
                _ => {}
            }
            let operand = self.operand()?;
            // Operands must be separated by spaces.
            match self.peek() {
                Tok::Space | Tok::Pipe | Tok::Right | Tok::RParen => {}
                other => {
                    let d = Self::describe(other);
                    return Err(self.err(self.pos(), format!("unexpected {d} in operand")));
                }
            }
            args.push(operand);
        }
        if args.is_empty() {
            return Err(self.err(pos, "empty command"));
        }
        Ok(Command { pos, args })
    }

    fn operand(&mut self) -> Result<Arg, ParseError> {
        let term = self.term()?;
        if let Tok::Field(_) = self.peek() {
            let chain_pos = self.pos();
            let mut path = Vec::new();
            while let Tok::Field(f) = self.peek().clone() {
                self.next();
                path.push(f);
            }
            return Ok(match term {
                Arg::Field(_, mut p) => {
                    p.extend(path);
                    Arg::Field(chain_pos, p)
                }
                Arg::Variable(_, name, mut p) => {
                    p.extend(path);
                    Arg::Variable(chain_pos, name, p)
                }
                Arg::Bool(..) | Arg::Str(..) | Arg::Int(..) | Arg::Float(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return Err(self.err(chain_pos, format!("unexpected . after term {:?}", term.to_string())));
                }
                other => Arg::Chain(chain_pos, Box::new(other), path),
            });
        }
        Ok(term)
    }

    fn term(&mut self) -> Result<Arg, ParseError> {
        let (t, pos) = self.next();
        Ok(match t {
            Tok::Ident(name) => {
                if !(self.is_func)(&name) {
                    return Err(self.err(pos, format!("function {name:?} not defined")));
                }
                Arg::Ident(pos, name)
            }
            Tok::Dot => Arg::Dot(pos),
            Tok::Nil => Arg::Nil(pos),
            Tok::Variable(v) => {
                if !self.declared(&v) {
                    return Err(self.err(pos, format!("undefined variable \"{v}\"")));
                }
                Arg::Variable(pos, v, Vec::new())
            }
            Tok::Field(f) => Arg::Field(pos, vec![f]),
            Tok::Bool(b) => Arg::Bool(pos, b),
            Tok::Char(c) => Arg::Int(pos, c),
            Tok::Number(n) => self.number(pos, &n)?,
            Tok::Str(s) => Arg::Str(pos, s),
            Tok::LParen => {
                self.enter(pos)?;
                let pipe = self.pipeline("parenthesized pipeline", Tok::RParen);
                self.depth -= 1;
                Arg::Pipe(pos, Box::new(pipe?))
            }
            other => return Err(self.err(pos, format!("unexpected {} in operand", Self::describe(&other)))),
        })
    }

    fn number(&self, pos: usize, text: &str) -> Result<Arg, ParseError> {
        let clean = text.replace('_', "");
        let (neg, body) = match clean.strip_prefix('-') {
            Some(b) => (true, b.to_string()),
            None => (false, clean.trim_start_matches('+').to_string()),
        };
        let int = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            i64::from_str_radix(hex, 16).ok()
        } else if body.len() > 1 && body.starts_with('0') && body.chars().all(|c| c.is_ascii_digit()) {
            i64::from_str_radix(&body[1..], 8).ok()
        } else {
            body.parse::<i64>().ok()
        };
        if let Some(i) = int {
            return Ok(Arg::Int(pos, if neg { -i } else { i }));
        }
        match body.parse::<f64>() {
            // A float constant with an integral value is still an int when it fits, as in Go.
            Ok(f) if f.fract() == 0.0 && f.abs() < 9.2e18 && !body.contains(['e', 'E', '.']) => {
                Ok(Arg::Int(pos, if neg { -(f as i64) } else { f as i64 }))
            }
            Ok(f) => Ok(Arg::Float(pos, if neg { -f } else { f })),
            Err(_) => Err(self.err(pos, format!("illegal number syntax: {text:?}"))),
        }
    }
}
