//! The functions a chart can call: Go's builtins (`eq`, `len`, `index`,
//! `printf`...), Helm's (`toYaml`, `fromYaml`, `required`, `lookup`...) and
//! the sprig functions charts use. Each takes its arguments as Go would
//! convert them and fails with Go's or sprig's words.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::env::{Env, ExecError};
use super::printf::{go_quote, sprintf};
use super::value::{Value, print};

/// Why a function failed.
#[derive(Debug)]
pub enum FnErr {
    /// Printed as `error calling NAME: MESSAGE`.
    Calling(String),
    /// Printed as it is (argument counts and types).
    Raw(String),
    /// `required` and `fail`: Helm reports the text alone.
    Warn(String),
    /// An error inside an included template, with a prefix.
    Nested(ExecError, String),
}

type F = Result<Value, FnErr>;

/// Functions that exist in Helm but that the simulator does not model: they
/// parse, and fail when called.
const UNAVAILABLE: &[&str] = &[
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "derivePassword",
    "encryptAES",
    "decryptAES",
    "bcrypt",
    "htpasswd",
    "buildCustomCert",
    "now",
    "date",
    "dateInZone",
    "date_in_zone",
    "dateModify",
    "date_modify",
    "ago",
    "toDate",
    "mustToDate",
    "unixEpoch",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "mustDateModify",
    "toToml",
    "fromToml",
    "mustToToml",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "urlParse",
    "urlJoin",
    "call",
    "getHostByName",
    "toTOML",
];

const FUNCTIONS: &[&str] = &[
    // Go's builtins.
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "print",
    "printf",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "html",
    "js",
    "urlquery",
    // Helm's.
    "include",
    "tpl",
    "required",
    "fail",
    "toYaml",
    "mustToYaml",
    "toYamlPretty",
    "fromYaml",
    "fromYamlArray",
    "toJson",
    "mustToJson",
    "fromJson",
    "fromJsonArray",
    "lookup",
    // sprig: strings.
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "upper",
    "lower",
    "title",
    "untitle",
    "repeat",
    "substr",
    "nospace",
    "trunc",
    "abbrev",
    "abbrevboth",
    "initials",
    "randAlphaNum",
    "randAlpha",
    "randNumeric",
    "randAscii",
    "wrap",
    "wrapWith",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "quote",
    "squote",
    "cat",
    "indent",
    "nindent",
    "replace",
    "plural",
    "snakecase",
    "camelcase",
    "kebabcase",
    "swapcase",
    "shuffle",
    "regexMatch",
    "mustRegexMatch",
    "regexFind",
    "regexFindAll",
    "regexReplaceAll",
    "regexReplaceAllLiteral",
    "regexSplit",
    "regexQuoteMeta",
    "split",
    "splitList",
    "splitn",
    "join",
    "sortAlpha",
    "toString",
    "toStrings",
    "atoi",
    "int",
    "int64",
    "float64",
    "toDecimal",
    "b64enc",
    "b64dec",
    "b32enc",
    "b32dec",
    "sha256sum",
    "sha1sum",
    "adler32sum",
    "uuidv4",
    "toRawJson",
    "toPrettyJson",
    "mustToRawJson",
    "mustToPrettyJson",
    "mustFromJson",
    "seq",
    // sprig: numbers.
    "add",
    "add1",
    "sub",
    "mul",
    "div",
    "mod",
    "max",
    "min",
    "floor",
    "ceil",
    "round",
    "addf",
    "add1f",
    "subf",
    "mulf",
    "divf",
    "maxf",
    "minf",
    "biggest",
    // sprig: lists.
    "list",
    "tuple",
    "first",
    "mustFirst",
    "last",
    "mustLast",
    "rest",
    "mustRest",
    "initial",
    "mustInitial",
    "append",
    "mustAppend",
    "push",
    "mustPush",
    "prepend",
    "mustPrepend",
    "concat",
    "reverse",
    "mustReverse",
    "uniq",
    "mustUniq",
    "without",
    "mustWithout",
    "has",
    "mustHas",
    "compact",
    "mustCompact",
    "until",
    "untilStep",
    "chunk",
    "mustChunk",
    "mustSlice",
    // sprig: dicts.
    "dict",
    "get",
    "set",
    "unset",
    "hasKey",
    "pluck",
    "keys",
    "values",
    "pick",
    "omit",
    "merge",
    "mustMerge",
    "mergeOverwrite",
    "mustMergeOverwrite",
    "deepCopy",
    "mustDeepCopy",
    "dig",
    // sprig: defaults, types, flow.
    "default",
    "empty",
    "coalesce",
    "all",
    "any",
    "ternary",
    "kindOf",
    "kindIs",
    "typeOf",
    "typeIs",
    "typeIsLike",
    "deepEqual",
    "semver",
    "semverCompare",
    "env",
    "expandenv",
    "base",
    "dir",
    "ext",
    "clean",
    "isAbs",
];

/// Whether a name is a function a template may call (checked when parsing, as Go does).
pub fn is_function(name: &str) -> bool {
    FUNCTIONS.contains(&name) || UNAVAILABLE.contains(&name)
}

fn arity(name: &str, args: &[Value], want: usize) -> Result<(), FnErr> {
    if args.len() != want {
        return Err(FnErr::Raw(format!("wrong number of args for {name}: want {want} got {}", args.len())));
    }
    Ok(())
}

fn at_least(name: &str, args: &[Value], want: usize) -> Result<(), FnErr> {
    if args.len() < want {
        return Err(FnErr::Raw(format!("wrong number of args for {name}: want at least {want} got {}", args.len())));
    }
    Ok(())
}

/// A `string` parameter: Go converts nothing.
pub fn string_arg(v: &Value) -> Result<Rc<str>, FnErr> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Nil => Err(FnErr::Raw("invalid value; expected string".into())),
        other => Err(FnErr::Raw(format!("wrong type for value; expected string; got {}", other.type_name()))),
    }
}

/// An `int` parameter.
fn int_arg(v: &Value) -> Result<i64, FnErr> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Nil => Err(FnErr::Raw("invalid value; expected int".into())),
        other => Err(FnErr::Raw(format!("wrong type for value; expected int; got {}", other.type_name()))),
    }
}

/// A `[]interface{}` parameter.
fn list_arg(v: &Value) -> Result<Rc<Vec<Value>>, FnErr> {
    match v {
        Value::List(l) => Ok(l.clone()),
        Value::Nil => Ok(Rc::new(Vec::new())),
        other => Err(FnErr::Raw(format!("wrong type for value; expected []interface {{}}; got {}", other.type_name()))),
    }
}

/// A `map[string]interface{}` parameter.
fn map_arg(v: &Value) -> Result<super::value::MapRef, FnErr> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Nil => Err(FnErr::Raw("invalid value; expected map[string]interface {}".into())),
        other => Err(FnErr::Raw(format!("wrong type for value; expected map[string]interface {{}}; got {}", other.type_name()))),
    }
}

/// sprig's `strval`: strings as they are, anything else as `%v` prints it.
pub fn strval(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => print(other),
    }
}

/// spf13/cast's `ToInt64`: numbers truncate, strings parse (0 when they do not).
fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => *b as i64,
        Value::Str(s) => parse_go_int(s).unwrap_or(0),
        _ => 0,
    }
}

fn parse_go_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.trim_start_matches('+')),
    };
    let n = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse().ok()?
    };
    Some(if neg { -n } else { n })
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => *b as i64 as f64,
        Value::Str(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// sprig's `empty`.
fn is_empty(v: &Value) -> bool {
    !v.truthy() || matches!(v, Value::Bytes(b) if b.is_empty())
}

/// Go's `eq` and friends: values of one basic kind compare; ints and floats do not mix.
fn basic(v: &Value) -> Option<u8> {
    match v {
        Value::Bool(_) => Some(0),
        Value::Int(_) => Some(1),
        Value::Float(_) => Some(2),
        Value::Str(_) => Some(3),
        _ => None,
    }
}

fn eq2(a: &Value, b: &Value) -> Result<bool, FnErr> {
    let (ka, kb) = (basic(a), basic(b));
    if ka.is_none() && !matches!(a, Value::Nil) {
        return Err(FnErr::Calling("incompatible types for comparison".into()));
    }
    if ka != kb {
        if matches!(a, Value::Nil) || matches!(b, Value::Nil) {
            return Ok(matches!(a, Value::Nil) && matches!(b, Value::Nil));
        }
        return Err(FnErr::Calling("incompatible types for comparison".into()));
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Nil, Value::Nil) => true,
        _ => false,
    })
}

fn less(a: &Value, b: &Value) -> Result<bool, FnErr> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::Str(x), Value::Str(y)) => Ok(x < y),
        _ if basic(a).is_none() || basic(b).is_none() || matches!(a, Value::Bool(_)) => {
            Err(FnErr::Calling("invalid type for comparison".into()))
        }
        _ => Err(FnErr::Calling("incompatible types for comparison".into())),
    }
}

fn indent(n: i64, s: &str) -> String {
    let pad = " ".repeat(n.max(0) as usize);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

/// Helm's `toYaml`: sigs.k8s.io/yaml's output without its final newline.
pub fn to_yaml(v: &Value) -> String {
    let text = crate::yaml::to_yaml(&v.to_json());
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

/// `encoding/json`'s output: compact, HTML characters escaped.
fn to_json(v: &Value, pretty: bool, escape_html: bool) -> String {
    let j = v.to_json();
    let s = if pretty { serde_json::to_string_pretty(&j) } else { serde_json::to_string(&j) }.unwrap_or_default();
    if escape_html { s.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026") } else { s }
}

fn from_yaml_text(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Nil);
    }
    let docs = crate::yaml::parse_documents(text, "").map_err(|e| crate::helm::go_yaml_error(&e))?;
    Ok(docs.first().map(Value::from_json).unwrap_or(Value::Nil))
}

fn go_title(s: &str) -> String {
    let mut out = String::new();
    let mut prev_letter = false;
    for c in s.chars() {
        if !prev_letter && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn rand_string(env: &Env, n: i64, alphabet: &[u8]) -> String {
    let mut rng = env.rng.borrow_mut();
    (0..n.max(0)).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char).collect()
}

/// Methods on `.Files` and `.Capabilities.APIVersions`.
pub fn method(receiver: &Value, name: &str, args: &[Value]) -> F {
    match (receiver, name) {
        (Value::Files(files), "Get" | "GetBytes") => {
            arity(name, args, 1)?;
            let key = string_arg(&args[0])?;
            let data = files.get(&*key).cloned().unwrap_or_default();
            Ok(if name == "Get" { Value::str(String::from_utf8_lossy(&data)) } else { Value::Bytes(Rc::new(data)) })
        }
        (Value::Files(files), "Glob") => {
            arity(name, args, 1)?;
            let pattern = string_arg(&args[0])?;
            let matched = files.iter().filter(|(k, _)| glob_match(&pattern, k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            Ok(Value::Files(Rc::new(matched)))
        }
        (Value::Files(files), "Lines") => {
            arity(name, args, 1)?;
            let key = string_arg(&args[0])?;
            let text = files.get(&*key).map(|d| String::from_utf8_lossy(d).into_owned()).unwrap_or_default();
            if text.is_empty() {
                return Ok(Value::list(Vec::new()));
            }
            Ok(Value::list(text.trim_end_matches('\n').split('\n').map(Value::str).collect()))
        }
        (Value::Files(files), "AsConfig" | "AsSecrets") => {
            arity(name, args, 0)?;
            let mut m = serde_json::Map::new();
            for (k, v) in files.iter() {
                let base = k.rsplit('/').next().unwrap_or(k).to_string();
                let val = if name == "AsConfig" { String::from_utf8_lossy(v).into_owned() } else { crate::base64_text::encode(v) };
                m.insert(base, serde_json::Value::String(val));
            }
            Ok(Value::str(to_yaml(&Value::from_json(&serde_json::Value::Object(m)))))
        }
        (Value::ApiVersions(list), "Has") => {
            arity(name, args, 1)?;
            let want = string_arg(&args[0])?;
            Ok(Value::Bool(list.iter().any(|v| **v == *want)))
        }
        (other, _) => Err(FnErr::Raw(format!("can't evaluate field {name} in type {}", other.type_name()))),
    }
}

/// Go's `path.Match` with `*`, `?` and `**` as gobwas/glob reads it for `.Files.Glob`.
fn glob_match(pattern: &str, name: &str) -> bool {
    fn m(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) if p.get(1) == Some(&b'*') => (0..=n.len()).any(|i| m(&p[2..], &n[i..])),
            (Some(b'*'), _) => (0..=n.len()).take_while(|i| *i == 0 || n[i - 1] != b'/').any(|i| m(&p[1..], &n[i..])),
            (Some(b'?'), Some(c)) if *c != b'/' => m(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => m(&p[1..], &n[1..]),
            _ => false,
        }
    }
    m(pattern.as_bytes(), name.as_bytes())
}

/// Calls a function by name.
pub fn call(name: &str, a: &[Value], env: &Env) -> F {
    if UNAVAILABLE.contains(&name) {
        return Err(FnErr::Calling(format!("{name} is not available in this simulator")));
    }
    let s = |i: usize| string_arg(&a[i]);
    match name {
        "not" => {
            arity(name, a, 1)?;
            Ok(Value::Bool(!a[0].truthy()))
        }
        "len" => {
            arity(name, a, 1)?;
            Ok(Value::Int(match &a[0] {
                Value::Str(s) => s.len(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.borrow().len(),
                Value::Bytes(b) => b.len(),
                Value::Files(f) => f.len(),
                Value::Nil => return Err(FnErr::Calling("len of nil pointer".into())),
                other => return Err(FnErr::Calling(format!("len of type {}", other.type_name()))),
            } as i64))
        }
        "index" => {
            at_least(name, a, 1)?;
            let mut cur = a[0].clone();
            for key in &a[1..] {
                cur = match (&cur, key) {
                    (Value::Map(m), Value::Str(k)) => m.borrow().get(&**k).cloned().unwrap_or(Value::Nil),
                    (Value::Map(_), Value::Nil) => Value::Nil,
                    (Value::List(l), Value::Int(i)) => l
                        .get(*i as usize)
                        .cloned()
                        .filter(|_| *i >= 0)
                        .ok_or_else(|| FnErr::Calling(format!("error calling index: index out of range: {i}")))?,
                    (Value::List(_), Value::Float(_)) => return Err(FnErr::Calling("cannot index slice/array with type float64".into())),
                    (Value::Nil, _) => return Err(FnErr::Calling("index of untyped nil".into())),
                    (Value::Map(_), k) => return Err(FnErr::Calling(format!("value has type {}; should be string", k.type_name()))),
                    (c, _) => return Err(FnErr::Calling(format!("can't index item of type {}", c.type_name()))),
                };
            }
            Ok(cur)
        }
        "slice" | "mustSlice" => {
            at_least(name, a, 1)?;
            let idx: Vec<i64> = a[1..].iter().map(to_i64).collect();
            match &a[0] {
                Value::List(l) => {
                    let lo = idx.first().copied().unwrap_or(0).max(0) as usize;
                    let hi = idx.get(1).copied().map(|h| h as usize).unwrap_or(l.len());
                    if lo > hi || hi > l.len() {
                        return Err(FnErr::Calling(format!("index out of range: {hi}")));
                    }
                    Ok(Value::list(l[lo..hi].to_vec()))
                }
                Value::Str(st) => {
                    let lo = idx.first().copied().unwrap_or(0).max(0) as usize;
                    let hi = idx.get(1).copied().map(|h| h as usize).unwrap_or(st.len());
                    st.get(lo..hi).map(Value::str).ok_or_else(|| FnErr::Calling(format!("index out of range: {hi}")))
                }
                other => Err(FnErr::Calling(format!("can't slice item of type {}", other.type_name()))),
            }
        }
        "print" => Ok(Value::str(go_print(a, false))),
        "println" => Ok(Value::str(go_print(a, true))),
        "printf" => {
            at_least(name, a, 1)?;
            Ok(Value::str(sprintf(&s(0)?, &a[1..])))
        }
        "eq" => {
            at_least(name, a, 1)?;
            if a.len() < 2 {
                return Err(FnErr::Calling("missing argument for comparison".into()));
            }
            for b in &a[1..] {
                if eq2(&a[0], b)? {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        "ne" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(!eq2(&a[0], &a[1])?))
        }
        "lt" | "le" | "gt" | "ge" => {
            arity(name, a, 2)?;
            let r = match name {
                "lt" => less(&a[0], &a[1])?,
                "le" => less(&a[0], &a[1])? || eq2(&a[0], &a[1])?,
                "gt" => !(less(&a[0], &a[1])? || eq2(&a[0], &a[1])?),
                _ => !less(&a[0], &a[1])?,
            };
            Ok(Value::Bool(r))
        }
        "html" | "js" | "urlquery" => Ok(Value::str(escape(name, &go_print(a, false)))),
        "required" => {
            arity(name, a, 2)?;
            let msg = s(0)?;
            match &a[1] {
                Value::Nil => Err(FnErr::Warn(msg.to_string())),
                Value::Str(v) if v.is_empty() => Err(FnErr::Warn(msg.to_string())),
                v => Ok(v.clone()),
            }
        }
        "fail" => {
            arity(name, a, 1)?;
            Err(FnErr::Warn(s(0)?.to_string()))
        }
        "toYaml" | "mustToYaml" | "toYamlPretty" => {
            arity(name, a, 1)?;
            Ok(Value::str(to_yaml(&a[0])))
        }
        "fromYaml" => {
            arity(name, a, 1)?;
            Ok(match from_yaml_text(&s(0)?) {
                Ok(Value::Map(m)) => Value::Map(m),
                Ok(Value::Nil) => Value::empty_map(),
                Ok(Value::List(_)) => error_map(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
                ),
                Ok(_) => error_map(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}",
                ),
                Err(e) => error_map(&e),
            })
        }
        "fromYamlArray" => {
            arity(name, a, 1)?;
            Ok(match from_yaml_text(&s(0)?) {
                Ok(Value::List(l)) => Value::List(l),
                Ok(Value::Nil) => Value::list(Vec::new()),
                Ok(_) => Value::list(vec![Value::str(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}",
                )]),
                Err(e) => Value::list(vec![Value::str(e)]),
            })
        }
        "toJson" | "mustToJson" => {
            arity(name, a, 1)?;
            Ok(Value::str(to_json(&a[0], false, true)))
        }
        "toRawJson" | "mustToRawJson" => {
            arity(name, a, 1)?;
            Ok(Value::str(to_json(&a[0], false, false)))
        }
        "toPrettyJson" | "mustToPrettyJson" => {
            arity(name, a, 1)?;
            Ok(Value::str(to_json(&a[0], true, true)))
        }
        "fromJson" | "mustFromJson" => {
            arity(name, a, 1)?;
            match serde_json::from_str::<serde_json::Value>(&s(0)?) {
                Ok(v @ serde_json::Value::Object(_)) => Ok(Value::from_json(&v)),
                Ok(_) => Ok(error_map("json: cannot unmarshal value into Go value of type map[string]interface {}")),
                Err(e) if name == "mustFromJson" => Err(FnErr::Calling(e.to_string())),
                Err(e) => Ok(error_map(&e.to_string())),
            }
        }
        "fromJsonArray" => {
            arity(name, a, 1)?;
            match serde_json::from_str::<serde_json::Value>(&s(0)?) {
                Ok(v @ serde_json::Value::Array(_)) => Ok(Value::from_json(&v)),
                Ok(_) => Ok(Value::list(vec![Value::str("json: cannot unmarshal object into Go value of type []interface {}")])),
                Err(e) => Ok(Value::list(vec![Value::str(e.to_string())])),
            }
        }
        // `helm template` talks to no cluster: lookup finds nothing.
        "lookup" => {
            arity(name, a, 4)?;
            for i in 0..4 {
                s(i)?;
            }
            Ok(Value::empty_map())
        }
        "trim" => unary_str(name, a, |x| x.trim().to_string()),
        "upper" => unary_str(name, a, |x| x.to_uppercase()),
        "lower" => unary_str(name, a, |x| x.to_lowercase()),
        "title" => unary_str(name, a, go_title),
        "untitle" => unary_str(name, a, |x| {
            let mut out = String::new();
            let mut prev = false;
            for c in x.chars() {
                if !prev && c.is_alphabetic() {
                    out.extend(c.to_lowercase())
                } else {
                    out.push(c)
                }
                prev = !c.is_whitespace();
            }
            out
        }),
        "nospace" => unary_str(name, a, |x| x.chars().filter(|c| !c.is_whitespace()).collect()),
        "swapcase" => unary_str(name, a, |x| {
            x.chars()
                .map(|c| if c.is_uppercase() { c.to_lowercase().next().unwrap_or(c) } else { c.to_uppercase().next().unwrap_or(c) })
                .collect()
        }),
        "snakecase" => unary_str(name, a, |x| case_words(x, "_", false)),
        "kebabcase" => unary_str(name, a, |x| case_words(x, "-", false)),
        "camelcase" => unary_str(name, a, |x| {
            x.split(['_', '-', ' '])
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
                })
                .collect()
        }),
        "initials" => unary_str(name, a, |x| x.split_whitespace().filter_map(|w| w.chars().next()).collect()),
        "b64enc" => unary_str(name, a, |x| crate::base64_text::encode(x.as_bytes())),
        "b64dec" => unary_str(name, a, |x| match crate::base64_text::decode(x) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => "illegal base64 data at input byte 0".into(),
        }),
        "b32enc" => unary_str(name, a, |x| base32(x.as_bytes())),
        "sha256sum" => unary_str(name, a, |x| {
            use sha2::Digest;
            sha2::Sha256::digest(x.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
        }),
        "sha1sum" => unary_str(name, a, |x| sha1_smol::Sha1::from(x.as_bytes()).digest().to_string()),
        "adler32sum" => unary_str(name, a, |x| {
            let (mut s1, mut s2) = (1u32, 0u32);
            for b in x.bytes() {
                s1 = (s1 + b as u32) % 65521;
                s2 = (s2 + s1) % 65521;
            }
            (s2 << 16 | s1).to_string()
        }),
        "regexQuoteMeta" => {
            unary_str(name, a, |x| x.chars().flat_map(|c| if "\\.+*?()|[]{}^$".contains(c) { vec!['\\', c] } else { vec![c] }).collect())
        }
        "trimAll" => binary_str(name, a, |cut, x| x.trim_matches(|c| cut.contains(c)).to_string()),
        "trimPrefix" => binary_str(name, a, |p, x| x.strip_prefix(p).unwrap_or(x).to_string()),
        "trimSuffix" => binary_str(name, a, |p, x| x.strip_suffix(p).unwrap_or(x).to_string()),
        "contains" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(s(1)?.contains(&*s(0)?)))
        }
        "hasPrefix" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(s(1)?.starts_with(&*s(0)?)))
        }
        "hasSuffix" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(s(1)?.ends_with(&*s(0)?)))
        }
        "repeat" => {
            arity(name, a, 2)?;
            let n = int_arg(&a[0])?;
            if n > 10_000 {
                return Err(FnErr::Calling("repeat count too large for the simulator".into()));
            }
            Ok(Value::str(s(1)?.repeat(n.max(0) as usize)))
        }
        "substr" => {
            arity(name, a, 3)?;
            let (start, end) = (int_arg(&a[0])?, int_arg(&a[1])?);
            let st = s(2)?;
            let len = st.len() as i64;
            let out = if start < 0 {
                st.get(..(end.clamp(0, len)) as usize)
            } else if end < 0 || end > len {
                st.get(start.min(len) as usize..)
            } else if start > end {
                Some("")
            } else {
                st.get(start as usize..end as usize)
            };
            Ok(Value::str(out.unwrap_or("")))
        }
        "trunc" => {
            arity(name, a, 2)?;
            let c = int_arg(&a[0])?;
            let st = s(1)?;
            let len = st.len() as i64;
            let out = if c < 0 && len + c > 0 {
                st.get((len + c) as usize..).unwrap_or(&st).to_string()
            } else if c >= 0 && len > c {
                st.get(..c as usize).unwrap_or(&st).to_string()
            } else {
                st.to_string()
            };
            Ok(Value::str(out))
        }
        "abbrev" => {
            arity(name, a, 2)?;
            let w = int_arg(&a[0])?;
            let st = s(1)?;
            Ok(Value::str(if w < 4 || st.len() as i64 <= w { st.to_string() } else { format!("{}...", &st[..(w - 3) as usize]) }))
        }
        "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" => {
            arity(name, a, 1)?;
            let n = int_arg(&a[0])?.min(10_000);
            let alphabet: &[u8] = match name {
                "randAlphaNum" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "randAlpha" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                "randNumeric" => b"0123456789",
                _ => b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
            };
            Ok(Value::str(rand_string(env, n, alphabet)))
        }
        "uuidv4" => {
            arity(name, a, 0)?;
            Ok(Value::str(env.rng.borrow_mut().uuid()))
        }
        "shuffle" => {
            arity(name, a, 1)?;
            let mut chars: Vec<char> = s(0)?.chars().collect();
            let mut rng = env.rng.borrow_mut();
            for i in (1..chars.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                chars.swap(i, j);
            }
            Ok(Value::str(chars.into_iter().collect::<String>()))
        }
        "wrap" => {
            arity(name, a, 2)?;
            Ok(Value::str(word_wrap(&s(1)?, int_arg(&a[0])?.max(1) as usize, "\n")))
        }
        "wrapWith" => {
            arity(name, a, 3)?;
            Ok(Value::str(word_wrap(&s(2)?, int_arg(&a[0])?.max(1) as usize, &s(1)?)))
        }
        "quote" => {
            Ok(Value::str(a.iter().filter(|v| !matches!(v, Value::Nil)).map(|v| go_quote(&strval(v))).collect::<Vec<_>>().join(" ")))
        }
        "squote" => {
            Ok(Value::str(a.iter().filter(|v| !matches!(v, Value::Nil)).map(|v| format!("'{}'", strval(v))).collect::<Vec<_>>().join(" ")))
        }
        "cat" => Ok(Value::str(a.iter().filter(|v| !matches!(v, Value::Nil)).map(strval).collect::<Vec<_>>().join(" "))),
        "indent" => {
            arity(name, a, 2)?;
            Ok(Value::str(indent(int_arg(&a[0])?, &s(1)?)))
        }
        "nindent" => {
            arity(name, a, 2)?;
            Ok(Value::str(format!("\n{}", indent(int_arg(&a[0])?, &s(1)?))))
        }
        "replace" => {
            arity(name, a, 3)?;
            Ok(Value::str(s(2)?.replace(&*s(0)?, &s(1)?)))
        }
        "plural" => {
            arity(name, a, 3)?;
            Ok(if int_arg(&a[2])? == 1 { Value::Str(s(0)?) } else { Value::Str(s(1)?) })
        }
        "regexMatch" | "mustRegexMatch" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(super::regex::Regex::new(&s(0)?).map_err(FnErr::Calling)?.is_match(&s(1)?)))
        }
        "regexFind" => {
            arity(name, a, 2)?;
            let re = super::regex::Regex::new(&s(0)?).map_err(FnErr::Calling)?;
            Ok(Value::str(re.find(&s(1)?).map(|(i, j)| s(1).map(|t| t[i..j].to_string())).transpose()?.unwrap_or_default()))
        }
        "regexFindAll" => {
            arity(name, a, 3)?;
            let re = super::regex::Regex::new(&s(0)?).map_err(FnErr::Calling)?;
            let text = s(1)?;
            let n = int_arg(&a[2])?;
            let found: Vec<Value> = re
                .find_all(&text)
                .into_iter()
                .take(if n < 0 { usize::MAX } else { n as usize })
                .map(|(i, j)| Value::str(&text[i..j]))
                .collect();
            Ok(Value::list(found))
        }
        "regexReplaceAll" | "regexReplaceAllLiteral" => {
            arity(name, a, 3)?;
            let re = super::regex::Regex::new(&s(0)?).map_err(FnErr::Calling)?;
            Ok(Value::str(re.replace_all(&s(1)?, &s(2)?, name == "regexReplaceAll")))
        }
        "regexSplit" => {
            arity(name, a, 3)?;
            let re = super::regex::Regex::new(&s(0)?).map_err(FnErr::Calling)?;
            let text = s(1)?;
            let n = int_arg(&a[2])?;
            let mut parts = Vec::new();
            let mut last = 0;
            for (i, j) in re.find_all(&text) {
                if n > 0 && parts.len() as i64 >= n - 1 {
                    break;
                }
                parts.push(Value::str(&text[last..i]));
                last = j;
            }
            parts.push(Value::str(&text[last..]));
            Ok(Value::list(parts))
        }
        "split" => {
            arity(name, a, 2)?;
            let sep = s(0)?;
            let text = strval(&a[1]);
            let m = text.split(&*sep).enumerate().map(|(i, p)| (format!("_{i}"), Value::str(p))).collect();
            Ok(Value::map(m))
        }
        "splitList" => {
            arity(name, a, 2)?;
            Ok(Value::list(s(1)?.split(&*s(0)?).map(Value::str).collect()))
        }
        "splitn" => {
            arity(name, a, 3)?;
            let n = int_arg(&a[1])?;
            let text = s(2)?;
            let parts: Vec<&str> = if n < 0 { text.split(&*s(0)?).collect() } else { text.splitn(n as usize, &*s(0)?).collect() };
            Ok(Value::map(parts.into_iter().enumerate().map(|(i, p)| (format!("_{i}"), Value::str(p))).collect()))
        }
        "join" => {
            arity(name, a, 2)?;
            let sep = s(0)?;
            let items: Vec<String> = match &a[1] {
                Value::List(l) => l.iter().filter(|v| !matches!(v, Value::Nil)).map(strval).collect(),
                Value::Nil => Vec::new(),
                other => vec![strval(other)],
            };
            Ok(Value::str(items.join(&sep)))
        }
        "sortAlpha" => {
            arity(name, a, 1)?;
            let mut items: Vec<String> = match &a[0] {
                Value::List(l) => l.iter().map(strval).collect(),
                other => vec![strval(other)],
            };
            items.sort();
            Ok(Value::list(items.into_iter().map(Value::str).collect()))
        }
        "toString" => {
            arity(name, a, 1)?;
            Ok(Value::str(strval(&a[0])))
        }
        "toStrings" => {
            arity(name, a, 1)?;
            Ok(Value::list(list_arg(&a[0]).unwrap_or_default().iter().map(|v| Value::str(strval(v))).collect()))
        }
        "atoi" => {
            arity(name, a, 1)?;
            Ok(Value::Int(s(0)?.parse().unwrap_or(0)))
        }
        "int" | "int64" => {
            arity(name, a, 1)?;
            Ok(Value::Int(to_i64(&a[0])))
        }
        "float64" | "toDecimal" => {
            arity(name, a, 1)?;
            Ok(if name == "toDecimal" {
                Value::Int(i64::from_str_radix(&strval(&a[0]), 8).unwrap_or(0))
            } else {
                Value::Float(to_f64(&a[0]))
            })
        }
        "seq" => {
            let n: Vec<i64> = a.iter().map(to_i64).collect();
            let (start, step, end) = match n.as_slice() {
                [e] => (1, if *e >= 1 { 1 } else { -1 }, *e),
                [s0, e] => (*s0, if e >= s0 { 1 } else { -1 }, *e),
                [s0, st, e] => (*s0, *st, *e),
                _ => return Ok(Value::str("")),
            };
            let mut out = Vec::new();
            let mut i = start;
            while step != 0 && ((step > 0 && i <= end) || (step < 0 && i >= end)) && out.len() < 100_000 {
                out.push(i.to_string());
                i += step;
            }
            Ok(Value::str(out.join(" ")))
        }
        "add" => Ok(Value::Int(a.iter().map(to_i64).fold(0i64, |x, y| x.wrapping_add(y)))),
        "add1" => {
            arity(name, a, 1)?;
            Ok(Value::Int(to_i64(&a[0]).wrapping_add(1)))
        }
        "sub" | "mul" | "div" | "mod" => {
            if name == "mul" {
                at_least(name, a, 1)?;
                return Ok(Value::Int(a.iter().map(to_i64).fold(1i64, |x, y| x.wrapping_mul(y))));
            }
            arity(name, a, 2)?;
            let (x, y) = (to_i64(&a[0]), to_i64(&a[1]));
            Ok(Value::Int(match name {
                "sub" => x.wrapping_sub(y),
                _ if y == 0 => return Err(FnErr::Calling("runtime error: integer divide by zero".into())),
                "div" => x.wrapping_div(y),
                _ => x.wrapping_rem(y),
            }))
        }
        "max" | "biggest" => {
            at_least(name, a, 1)?;
            Ok(Value::Int(a.iter().map(to_i64).max().unwrap_or(0)))
        }
        "min" => {
            at_least(name, a, 1)?;
            Ok(Value::Int(a.iter().map(to_i64).min().unwrap_or(0)))
        }
        "floor" | "ceil" => {
            arity(name, a, 1)?;
            let f = to_f64(&a[0]);
            Ok(Value::Float(if name == "floor" { f.floor() } else { f.ceil() }))
        }
        "round" => {
            at_least(name, a, 2)?;
            let p = 10f64.powi(to_i64(&a[1]) as i32);
            Ok(Value::Float((to_f64(&a[0]) * p).round() / p))
        }
        "addf" => Ok(Value::Float(a.iter().map(to_f64).sum())),
        "add1f" => Ok(Value::Float(a.first().map(to_f64).unwrap_or(0.0) + 1.0)),
        "subf" | "mulf" | "divf" => {
            at_least(name, a, 1)?;
            let first = to_f64(&a[0]);
            Ok(Value::Float(a[1..].iter().map(to_f64).fold(first, |x, y| match name {
                "subf" => x - y,
                "mulf" => x * y,
                _ => x / y,
            })))
        }
        "maxf" => Ok(Value::Float(a.iter().map(to_f64).fold(f64::MIN, f64::max))),
        "minf" => Ok(Value::Float(a.iter().map(to_f64).fold(f64::MAX, f64::min))),
        "list" | "tuple" => Ok(Value::list(a.to_vec())),
        "first" | "mustFirst" | "last" | "mustLast" => {
            arity(name, a, 1)?;
            let l = list_of(name, &a[0])?;
            Ok(if name.ends_with("irst") { l.first() } else { l.last() }.cloned().unwrap_or(Value::Nil))
        }
        "rest" | "mustRest" | "initial" | "mustInitial" => {
            arity(name, a, 1)?;
            let l = list_of(name, &a[0])?;
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            Ok(Value::list(if name.ends_with("est") { l[1..].to_vec() } else { l[..l.len() - 1].to_vec() }))
        }
        "append" | "mustAppend" | "push" | "mustPush" => {
            arity(name, a, 2)?;
            let mut l = list_of(name, &a[0])?;
            l.push(a[1].clone());
            Ok(Value::list(l))
        }
        "prepend" | "mustPrepend" => {
            arity(name, a, 2)?;
            let mut l = list_of(name, &a[0])?;
            l.insert(0, a[1].clone());
            Ok(Value::list(l))
        }
        "concat" => {
            let mut out = Vec::new();
            for v in a {
                out.extend(list_of(name, v)?);
            }
            Ok(Value::list(out))
        }
        "reverse" | "mustReverse" => {
            arity(name, a, 1)?;
            let mut l = list_of(name, &a[0])?;
            l.reverse();
            Ok(Value::list(l))
        }
        "uniq" | "mustUniq" => {
            arity(name, a, 1)?;
            let mut out: Vec<Value> = Vec::new();
            for v in list_of(name, &a[0])? {
                if !out.iter().any(|o| deep_equal(o, &v)) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        }
        "without" | "mustWithout" => {
            at_least(name, a, 1)?;
            let l = list_of(name, &a[0])?;
            Ok(Value::list(l.into_iter().filter(|v| !a[1..].iter().any(|o| deep_equal(o, v))).collect()))
        }
        "has" | "mustHas" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(list_of(name, &a[1])?.iter().any(|v| deep_equal(v, &a[0]))))
        }
        "compact" | "mustCompact" => {
            arity(name, a, 1)?;
            Ok(Value::list(list_of(name, &a[0])?.into_iter().filter(|v| !is_empty(v)).collect()))
        }
        "until" => {
            arity(name, a, 1)?;
            let n = int_arg(&a[0])?.clamp(-100_000, 100_000);
            Ok(Value::list(if n >= 0 { (0..n).map(Value::Int).collect() } else { (n + 1..=0).rev().map(Value::Int).collect() }))
        }
        "untilStep" => {
            arity(name, a, 3)?;
            let (start, stop, step) = (int_arg(&a[0])?, int_arg(&a[1])?, int_arg(&a[2])?);
            let mut out = Vec::new();
            let mut i = start;
            while step != 0 && ((step > 0 && i < stop) || (step < 0 && i > stop)) && out.len() < 100_000 {
                out.push(Value::Int(i));
                i += step;
            }
            Ok(Value::list(out))
        }
        "chunk" | "mustChunk" => {
            arity(name, a, 2)?;
            let size = int_arg(&a[0])?.max(1) as usize;
            Ok(Value::list(list_of(name, &a[1])?.chunks(size).map(|c| Value::list(c.to_vec())).collect()))
        }
        "dict" => {
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                m.insert(strval(&pair[0]), pair.get(1).cloned().unwrap_or(Value::str("")));
            }
            Ok(Value::map(m))
        }
        "get" => {
            arity(name, a, 2)?;
            let m = map_arg(&a[0])?;
            let v = m.borrow().get(&*s(1)?).cloned();
            Ok(v.unwrap_or(Value::str("")))
        }
        "set" => {
            arity(name, a, 3)?;
            let m = map_arg(&a[0])?;
            m.borrow_mut().insert(s(1)?.to_string(), a[2].clone());
            Ok(Value::Map(m))
        }
        "unset" => {
            arity(name, a, 2)?;
            let m = map_arg(&a[0])?;
            m.borrow_mut().remove(&*s(1)?);
            Ok(Value::Map(m))
        }
        "hasKey" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(map_arg(&a[0])?.borrow().contains_key(&*s(1)?)))
        }
        "pluck" => {
            at_least(name, a, 1)?;
            let key = s(0)?;
            let mut out = Vec::new();
            for d in &a[1..] {
                if let Some(v) = map_arg(d)?.borrow().get(&*key) {
                    out.push(v.clone());
                }
            }
            Ok(Value::list(out))
        }
        "keys" => {
            let mut out = Vec::new();
            for d in a {
                out.extend(map_arg(d)?.borrow().keys().map(Value::str));
            }
            Ok(Value::list(out))
        }
        "values" => {
            arity(name, a, 1)?;
            Ok(Value::list(map_arg(&a[0])?.borrow().values().cloned().collect()))
        }
        "pick" | "omit" => {
            at_least(name, a, 1)?;
            let m = map_arg(&a[0])?;
            let names: Vec<String> = a[1..].iter().map(strval).collect();
            let keep = |k: &String| names.contains(k) == (name == "pick");
            Ok(Value::map(m.borrow().iter().filter(|(k, _)| keep(k)).map(|(k, v)| (k.clone(), v.clone())).collect()))
        }
        "merge" | "mustMerge" | "mergeOverwrite" | "mustMergeOverwrite" => {
            at_least(name, a, 1)?;
            let dst = map_arg(&a[0])?;
            for src in &a[1..] {
                let src = map_arg(src)?;
                let src = src.borrow().clone();
                merge_into(&dst, &src, name.contains("Overwrite"));
            }
            Ok(Value::Map(dst))
        }
        "deepCopy" | "mustDeepCopy" => {
            arity(name, a, 1)?;
            Ok(a[0].deep_copy())
        }
        "dig" => {
            at_least(name, a, 3)?;
            let dict = map_arg(&a[a.len() - 1])?;
            let default = a[a.len() - 2].clone();
            let mut cur = Value::Map(dict);
            for k in &a[..a.len() - 2] {
                let k = string_arg(k)?;
                let next = match &cur {
                    Value::Map(m) => m.borrow().get(&*k).cloned(),
                    _ => None,
                };
                match next {
                    Some(v) => cur = v,
                    None => return Ok(default),
                }
            }
            Ok(cur)
        }
        "default" => {
            at_least(name, a, 1)?;
            if a.len() > 2 {
                return Err(FnErr::Raw(format!("wrong number of args for default: want 2 got {}", a.len())));
            }
            let given = a.get(1).cloned().unwrap_or(Value::Nil);
            Ok(if is_empty(&given) { a[0].clone() } else { given })
        }
        "empty" => {
            arity(name, a, 1)?;
            Ok(Value::Bool(is_empty(&a[0])))
        }
        "coalesce" => Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil)),
        "all" => Ok(Value::Bool(a.iter().all(|v| !is_empty(v)))),
        "any" => Ok(Value::Bool(a.iter().any(|v| !is_empty(v)))),
        "ternary" => {
            arity(name, a, 3)?;
            let Value::Bool(c) = a[2] else {
                return Err(FnErr::Raw(format!("wrong type for value; expected bool; got {}", a[2].type_name())));
            };
            Ok(if c { a[0].clone() } else { a[1].clone() })
        }
        "kindOf" => {
            arity(name, a, 1)?;
            Ok(Value::str(kind_of(&a[0])))
        }
        "kindIs" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(*s(0)? == *kind_of(&a[1])))
        }
        "typeOf" => {
            arity(name, a, 1)?;
            Ok(Value::str(if matches!(a[0], Value::Nil) { "<nil>" } else { a[0].type_name() }))
        }
        "typeIs" | "typeIsLike" => {
            arity(name, a, 2)?;
            let t = if matches!(a[1], Value::Nil) { "<nil>" } else { a[1].type_name() };
            Ok(Value::Bool(*s(0)? == *t || (name == "typeIsLike" && *s(0)? == *format!("*{t}"))))
        }
        "deepEqual" => {
            arity(name, a, 2)?;
            Ok(Value::Bool(deep_equal(&a[0], &a[1])))
        }
        "semverCompare" => {
            arity(name, a, 2)?;
            super::semver::compare(&s(0)?, &s(1)?).map(Value::Bool).map_err(FnErr::Calling)
        }
        "semver" => {
            arity(name, a, 1)?;
            let v = super::semver::Version::parse(&s(0)?).map_err(FnErr::Calling)?;
            Ok(Value::Struct(Rc::new(super::value::Struct {
                type_name: "*semver.Version",
                fields: vec![
                    ("Major", Value::Int(v.major as i64)),
                    ("Minor", Value::Int(v.minor as i64)),
                    ("Patch", Value::Int(v.patch as i64)),
                    ("Prerelease", Value::str(&v.pre)),
                    ("Metadata", Value::str(&v.meta)),
                    ("Original", Value::str(&v.original)),
                ],
            })))
        }
        // Helm removes sprig's environment access: these read nothing.
        "env" | "expandenv" => {
            arity(name, a, 1)?;
            Ok(Value::str(""))
        }
        "base" | "dir" | "ext" | "clean" | "isAbs" => {
            arity(name, a, 1)?;
            let p = s(0)?;
            Ok(match name {
                "base" => {
                    Value::str(p.trim_end_matches('/').rsplit('/').next().filter(|x| !x.is_empty()).unwrap_or(if p.starts_with('/') {
                        "/"
                    } else {
                        "."
                    }))
                }
                "dir" => Value::str(match p.rfind('/') {
                    Some(0) => "/",
                    Some(i) => &p[..i],
                    None => ".",
                }),
                "ext" => Value::str(p.rsplit('/').next().and_then(|b| b.rfind('.').map(|i| &b[i..])).unwrap_or("")),
                "isAbs" => Value::Bool(p.starts_with('/')),
                _ => Value::Str(p),
            })
        }
        other => Err(FnErr::Calling(format!("{other} is not available in this simulator"))),
    }
}

fn error_map(msg: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::str(msg));
    Value::map(m)
}

fn list_of(name: &str, v: &Value) -> Result<Vec<Value>, FnErr> {
    match v {
        Value::List(l) => Ok(l.to_vec()),
        Value::Nil => Ok(Vec::new()),
        other => Err(FnErr::Calling(format!("Cannot {} on type {}", name.trim_start_matches("must").to_lowercase(), other.type_name()))),
    }
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) | Value::Bytes(_) | Value::ApiVersions(_) => "slice",
        Value::Map(_) | Value::Files(_) => "map",
        Value::Struct(_) => "ptr",
    }
    .to_string()
}

pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q)),
        (Value::Map(x), Value::Map(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        _ => false,
    }
}

/// mergo's Merge (and WithOverride): nested maps merge; a value the
/// destination already has stays unless overriding.
fn merge_into(dst: &super::value::MapRef, src: &BTreeMap<String, Value>, overwrite: bool) {
    for (k, sv) in src {
        let existing = dst.borrow().get(k).cloned();
        match (existing, sv) {
            (Some(Value::Map(dm)), Value::Map(sm)) => {
                let sm = sm.borrow().clone();
                merge_into(&dm, &sm, overwrite);
            }
            (Some(dv), _) if !is_empty(&dv) && !overwrite => {}
            (Some(_), _) if overwrite && is_empty(sv) => {}
            _ => {
                dst.borrow_mut().insert(k.clone(), sv.clone());
            }
        }
    }
}

fn unary_str(name: &str, a: &[Value], f: impl Fn(&str) -> String) -> F {
    arity(name, a, 1)?;
    Ok(Value::str(f(&string_arg(&a[0])?)))
}

fn binary_str(name: &str, a: &[Value], f: impl Fn(&str, &str) -> String) -> F {
    arity(name, a, 2)?;
    Ok(Value::str(f(&string_arg(&a[0])?, &string_arg(&a[1])?)))
}

fn case_words(s: &str, sep: &str, _upper: bool) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' {
            if !out.is_empty() && !out.ends_with(sep) {
                out.push_str(sep);
            }
            continue;
        }
        if c.is_uppercase() && i > 0 && !out.is_empty() && !out.ends_with(sep) {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push_str(sep);
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn word_wrap(s: &str, width: usize, newline: &str) -> String {
    let mut out = String::new();
    for (li, line) in s.split('\n').enumerate() {
        if li > 0 {
            out.push('\n');
        }
        let mut col = 0;
        for (wi, word) in line.split(' ').enumerate() {
            if wi > 0 {
                if col + 1 + word.len() > width && col > 0 {
                    out.push_str(newline);
                    col = 0;
                } else {
                    out.push(' ');
                    col += 1;
                }
            }
            out.push_str(word);
            col += word.len();
        }
    }
    out
}

fn base32(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| acc << 8 | *b as u64);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(T[(n >> (35 - i * 5)) as usize & 31] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `fmt.Sprint` (spaces only between operands that are not strings) and `Sprintln`.
fn go_print(a: &[Value], ln: bool) -> String {
    let mut out = String::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 && (ln || (!matches!(v, Value::Str(_)) && !matches!(a[i - 1], Value::Str(_)))) {
            out.push(' ');
        }
        out.push_str(&print(v));
    }
    if ln {
        out.push('\n');
    }
    out
}

fn escape(kind: &str, s: &str) -> String {
    match kind {
        "html" => s.replace('&', "&amp;").replace('\'', "&#39;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;"),
        "js" => s.replace('\\', "\\\\").replace('\'', "\\'").replace('"', "\\\"").replace('<', "\\u003C").replace('>', "\\u003E"),
        _ => s
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else if b == b' ' {
                    "+".into()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect(),
    }
}
