//! Helm's `--set` and `--set-string` syntax (`a.b=c,list[0]=x,l={a,b}`), with
//! Helm's typing: `true`, `false`, `null` and integers become typed values.

use std::collections::BTreeMap;

use crate::helm::template::Value;

/// Parses one `--set` argument into `into`. `as_string` is `--set-string`.
pub fn parse_into(arg: &str, into: &Value, as_string: bool) -> Result<(), String> {
    for (key, raw) in split_pairs(arg)? {
        let value = if let Some(list) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Value::list(split_unescaped(list, ',').into_iter().map(|v| typed(&v, as_string)).collect())
        } else {
            typed(&raw, as_string)
        };
        set_path(into, &key, value)?;
    }
    Ok(())
}

fn split_pairs(arg: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    let mut parts = Vec::new();
    let mut chars = arg.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '{' => {
                depth += 1;
                cur.push(c);
            }
            '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts {
        if part.is_empty() {
            continue;
        }
        let Some(eq) = find_unescaped(&part, '=') else {
            return Err(format!("key \"{}\" has no value", unescape(&part)));
        };
        out.push((part[..eq].to_string(), unescape(&part[eq + 1..])));
    }
    Ok(out)
}

fn find_unescaped(s: &str, target: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c == target {
            return Some(i);
        }
    }
    None
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn unescape(s: &str) -> String {
    split_unescaped(s, '\u{0}').join("")
}

fn typed(v: &str, as_string: bool) -> Value {
    if as_string {
        return Value::str(v);
    }
    match v.to_ascii_lowercase().as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Nil,
        "0" => return Value::Int(0),
        _ => {}
    }
    if !v.is_empty() && !v.starts_with('0') {
        if let Ok(i) = v.parse::<i64>() {
            return Value::Int(i);
        }
    }
    Value::str(v)
}

enum Step {
    Key(String),
    Index(usize),
}

fn steps(key: &str) -> Result<Vec<Step>, String> {
    let mut out = Vec::new();
    for part in split_unescaped(key, '.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part.as_str(), ""),
        };
        if !name.is_empty() {
            out.push(Step::Key(name.to_string()));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else { return Err(format!("key \"{key}\" has no value")) };
            let idx: usize =
                r[..end].parse().map_err(|_| format!("failed to parse index: strconv.Atoi: parsing {:?}: invalid syntax", &r[..end]))?;
            if idx > 65536 {
                return Err(format!("index of {idx} is greater than maximum supported index value of 65536"));
            }
            out.push(Step::Index(idx));
            rest = &r[end + 1..];
        }
    }
    if out.is_empty() {
        return Err(format!("key \"{key}\" has no value"));
    }
    Ok(out)
}

fn set_path(root: &Value, key: &str, value: Value) -> Result<(), String> {
    let steps = steps(key)?;
    let new = set_in(Some(root.clone()), &steps, value);
    if let (Value::Map(r), Value::Map(n)) = (root, &new) {
        if !std::rc::Rc::ptr_eq(r, n) {
            let items = n.borrow().clone();
            *r.borrow_mut() = items;
        }
    }
    Ok(())
}

fn set_in(cur: Option<Value>, steps: &[Step], value: Value) -> Value {
    let Some((first, rest)) = steps.split_first() else { return value };
    match first {
        Step::Key(k) => {
            let map = match cur {
                Some(m @ Value::Map(_)) => m,
                _ => Value::map(BTreeMap::new()),
            };
            if let Value::Map(m) = &map {
                let existing = m.borrow().get(k).cloned();
                let v = set_in(existing, rest, value);
                m.borrow_mut().insert(k.clone(), v);
            }
            map
        }
        Step::Index(i) => {
            let mut list: Vec<Value> = match cur {
                Some(Value::List(l)) => l.to_vec(),
                _ => Vec::new(),
            };
            while list.len() <= *i {
                list.push(Value::Nil);
            }
            let existing = Some(list[*i].clone()).filter(|v| !matches!(v, Value::Nil));
            list[*i] = set_in(existing, rest, value);
            Value::list(list)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_syntax_and_typing() {
        let v = Value::empty_map();
        parse_into("image.tag=1.2.3,replicas=3,debug=true,list={a,b},ports[1].n=80,zip=0123", &v, false).unwrap();
        assert_eq!(
            v.to_json(),
            serde_json::json!({"image": {"tag": "1.2.3"}, "replicas": 3, "debug": true, "list": ["a", "b"], "ports": [null, {"n": 80}], "zip": "0123"})
        );
        assert!(matches!(v.get("replicas"), Some(Value::Int(3))));
        let s = Value::empty_map();
        parse_into("replicas=3", &s, true).unwrap();
        assert!(matches!(s.get("replicas"), Some(Value::Str(_))));
        assert_eq!(parse_into("novalue", &s, false).unwrap_err(), "key \"novalue\" has no value");
    }
}
