//! The values a template works with, modelled on the Go types Helm hands to
//! `text/template`: `interface{}` holding nil, bool, int, float64, string,
//! `[]interface{}`, `map[string]interface{}`, and a few structs (`.Chart`,
//! `.Release`, `.Capabilities`, `.Files`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A Go map: shared and mutable, as `set`, `unset` and `merge` change it in place.
pub type MapRef = Rc<RefCell<BTreeMap<String, Value>>>;

#[derive(Clone, Debug)]
pub enum Value {
    /// Go's nil interface (a missing value prints `<no value>`, which Helm removes).
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(MapRef),
    /// A Go struct: a type name for errors and its exported fields.
    Struct(Rc<Struct>),
    /// `.Files`: the chart's non-template files.
    Files(Rc<BTreeMap<String, Vec<u8>>>),
    /// `.Capabilities.APIVersions`, with its `Has` method.
    ApiVersions(Rc<Vec<String>>),
    /// `[]byte`, as `.Files.GetBytes` returns.
    Bytes(Rc<Vec<u8>>),
}

#[derive(Debug)]
pub struct Struct {
    pub type_name: &'static str,
    pub fields: Vec<(&'static str, Value)>,
}

impl Struct {
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl Value {
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(Rc::from(s.as_ref()))
    }

    pub fn map(m: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(m)))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }

    /// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::Struct(_) | Value::Files(_) | Value::ApiVersions(_) => true,
        }
    }

    /// The Go type's name, as errors print it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
            Value::Struct(s) => s.type_name,
            Value::Files(_) => "engine.files",
            Value::ApiVersions(_) => "common.VersionSet",
            Value::Bytes(_) => "[]uint8",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Reads a YAML or JSON value as Helm does: numbers become float64
    /// (sigs.k8s.io/yaml goes through JSON).
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => Value::map(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
        }
    }

    /// Converts to JSON as `encoding/json` marshals: integral floats print without a fraction.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    serde_json::Value::from(*f as i64)
                } else {
                    serde_json::Number::from_f64(*f).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
                }
            }
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(m.borrow().iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Struct(s) => serde_json::Value::Object(s.fields.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect()),
            Value::Files(_) | Value::ApiVersions(_) => serde_json::Value::Object(Default::default()),
            Value::Bytes(b) => serde_json::Value::String(crate::base64_text::encode(b)),
        }
    }

    /// A deep copy (sprig's `deepCopy`, and values handed to a subchart).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l) => Value::list(l.iter().map(Value::deep_copy).collect()),
            Value::Map(m) => Value::map(m.borrow().iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect()),
            other => other.clone(),
        }
    }

    /// Looks a key up in a map value.
    pub fn get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Map(m) => m.borrow().get(key).cloned(),
            Value::Struct(s) => s.field(key).cloned(),
            _ => None,
        }
    }
}

/// Go's `%v` (and `print`) of a value.
pub fn print(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float_g(*f),
        Value::Str(s) => s.to_string(),
        Value::List(l) => format!("[{}]", l.iter().map(print).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!("map[{}]", m.borrow().iter().map(|(k, v)| format!("{k}:{}", print(v))).collect::<Vec<_>>().join(" ")),
        Value::Struct(s) => format!("{{{}}}", s.fields.iter().map(|(_, v)| print(v)).collect::<Vec<_>>().join(" ")),
        Value::Files(f) => format!("map[{}]", f.iter().map(|(k, v)| format!("{k}:{v:?}")).collect::<Vec<_>>().join(" ")),
        Value::ApiVersions(a) => format!("[{}]", a.join(" ")),
        Value::Bytes(b) => format!("[{}]", b.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ")),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` uses: the shortest digits,
/// in exponent form when the exponent is below -4 or at least 6 (so a value of
/// 1000000 prints `1e+06`, a known Helm surprise).
pub fn format_float_g(f: f64) -> String {
    format_float_shortest(f, 6)
}

/// Shortest-digit formatting with Go's rule for when to switch to an exponent.
pub fn format_float_shortest(f: f64, eprec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{:e}", f);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { "-" } else { "+" };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    if exp < 0 {
        format!("{sign}0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..point], &digits[point..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        assert_eq!(format_float_g(3.0), "3");
        assert_eq!(format_float_g(1.5), "1.5");
        assert_eq!(format_float_g(1e6), "1e+06");
        assert_eq!(format_float_g(123456.0), "123456");
        assert_eq!(format_float_g(1234567.0), "1.234567e+06");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_g(-2.25), "-2.25");
    }
}
