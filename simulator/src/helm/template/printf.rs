//! Go's `fmt`: `printf`'s verbs, flags, width and precision, and the `%!v(...)`
//! texts Go writes for a wrong type or a missing argument.

use super::value::{Value, format_float_shortest, print};

/// `strconv.Quote`: a double-quoted Go string literal.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// `strconv.QuoteRune`.
pub fn go_quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push(c),
    }
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    let mut argi = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut spec = Spec::default();
        while i < chars.len() {
            match chars[i] {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let num = |i: &mut usize, argi: &mut usize| -> Option<usize> {
            if *i < chars.len() && chars[*i] == '*' {
                *i += 1;
                let v = args.get(*argi).and_then(|a| if let Value::Int(n) = a { Some(*n as usize) } else { None });
                *argi += 1;
                return v;
            }
            let start = *i;
            while *i < chars.len() && chars[*i].is_ascii_digit() {
                *i += 1;
            }
            (start != *i).then(|| chars[start..*i].iter().collect::<String>().parse().unwrap_or(0))
        };
        spec.width = num(&mut i, &mut argi);
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            spec.prec = Some(num(&mut i, &mut argi).unwrap_or(0));
        }
        let Some(&verb) = chars.get(i) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argi) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        let body = format_one(verb, arg, spec);
        out.push_str(&pad(&body, spec));
    }
    if argi < args.len() {
        let extra: Vec<String> = args[argi..].iter().map(|a| format!("{}={}", a.type_name(), print(a))).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn pad(body: &str, spec: Spec) -> String {
    let Some(w) = spec.width else { return body.to_string() };
    let n = body.chars().count();
    if n >= w {
        return body.to_string();
    }
    let fill = w - n;
    if spec.minus {
        format!("{body}{}", " ".repeat(fill))
    } else if spec.zero && body.starts_with(['-', '+']) && body[1..].starts_with(|c: char| c.is_ascii_digit()) {
        format!("{}{}{}", &body[..1], "0".repeat(fill), &body[1..])
    } else if spec.zero && body.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{}{body}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn bad(verb: char, arg: &Value) -> String {
    match arg {
        Value::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", arg.type_name(), print(arg)),
    }
}

fn format_one(verb: char, arg: &Value, spec: Spec) -> String {
    match (verb, arg) {
        (_, Value::List(items)) if verb != 'T' && !(verb == 'v' && spec.sharp) => {
            format!("[{}]", items.iter().map(|v| format_one(verb, v, Spec { width: None, ..spec })).collect::<Vec<_>>().join(" "))
        }
        (_, Value::Map(m)) if verb != 'T' => format!(
            "map[{}]",
            m.borrow()
                .iter()
                .map(|(k, v)| format!(
                    "{}:{}",
                    format_one(verb, &Value::str(k), Spec { width: None, ..spec }),
                    format_one(verb, v, Spec { width: None, ..spec })
                ))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ('T', v) => match v {
            Value::Nil => "<nil>".into(),
            v => v.type_name().into(),
        },
        ('v', Value::Str(s)) if spec.sharp => go_quote(s),
        ('v', Value::Nil) => "<nil>".into(),
        ('v', Value::Float(f)) => float(*f, 'g', spec),
        ('v', Value::Int(n)) => int(*n, 10, spec),
        ('v', v) => print(v),
        ('s', Value::Str(s)) => truncate(s, spec.prec),
        ('s', Value::Bytes(b)) => truncate(&String::from_utf8_lossy(b), spec.prec),
        ('q', Value::Str(s)) => {
            if spec.sharp && !s.contains('`') {
                format!("`{s}`")
            } else {
                go_quote(s)
            }
        }
        ('q', Value::Int(n)) => char::from_u32(*n as u32).map(go_quote_rune).unwrap_or_else(|| bad(verb, arg)),
        ('x' | 'X', Value::Str(s)) => {
            let h: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            if verb == 'X' { h.to_uppercase() } else { h }
        }
        ('d', Value::Int(n)) => int(*n, 10, spec),
        ('b', Value::Int(n)) => int(*n, 2, spec),
        ('o', Value::Int(n)) => int(*n, 8, spec),
        ('x', Value::Int(n)) => int(*n, 16, spec),
        ('X', Value::Int(n)) => int(*n, 16, spec).to_uppercase(),
        ('c', Value::Int(n)) => char::from_u32(*n as u32).map(String::from).unwrap_or_default(),
        ('e' | 'E' | 'f' | 'F' | 'g' | 'G', Value::Float(f)) => float(*f, verb, spec),
        ('t', Value::Bool(b)) => b.to_string(),
        _ => bad(verb, arg),
    }
}

fn truncate(s: &str, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

fn int(n: i64, base: u32, spec: Spec) -> String {
    let digits = match base {
        2 => format!("{:b}", n.unsigned_abs()),
        8 => format!("{:o}", n.unsigned_abs()),
        16 => format!("{:x}", n.unsigned_abs()),
        _ => n.unsigned_abs().to_string(),
    };
    let digits = match spec.prec {
        Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
        _ => digits,
    };
    let prefix = if spec.sharp {
        match base {
            16 => "0x",
            8 => "0",
            2 => "0b",
            _ => "",
        }
    } else {
        ""
    };
    let sign = if n < 0 {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    format!("{sign}{prefix}{digits}")
}

fn float(f: f64, verb: char, spec: Spec) -> String {
    let sign = if f.is_sign_negative() || f.is_nan() {
        ""
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let body = match verb {
        'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), f),
        'e' | 'E' => {
            let s = format!("{:.*e}", spec.prec.unwrap_or(6), f);
            let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
            let e: i32 = e.parse().unwrap_or(0);
            let t = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
            if verb == 'E' { t.to_uppercase() } else { t }
        }
        _ => match spec.prec {
            None => format_float_shortest(f, 6),
            Some(p) => {
                let p = p.max(1);
                let s = format!("{:.*e}", p - 1, f);
                let (_, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                if e < -4 || e >= p as i32 {
                    let (m, _) = s.split_once('e').unwrap_or((&s, ""));
                    let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
                    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
                } else {
                    let t = format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, f);
                    if t.contains('.') { t.trim_end_matches('0').trim_end_matches('.').to_string() } else { t }
                }
            }
        },
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_bad_arguments_read_as_go_writes_them() {
        let l = Value::list(vec![Value::Int(1), Value::str("b")]);
        assert_eq!(sprintf("%v %d %q %s", &[Value::Float(3.0), Value::Int(3), Value::str("a"), l]), "3 3 \"a\" [%!s(int=1) b]");
        assert_eq!(sprintf("%d", &[Value::Float(3.0)]), "%!d(float64=3)");
        assert_eq!(sprintf("%s-%s", &[Value::str("a")]), "a-%!s(MISSING)");
        assert_eq!(sprintf("%05d|%-4s|%.2f", &[Value::Int(42), Value::str("x"), Value::Float(1.5)]), "00042|x   |1.50");
        assert_eq!(sprintf("a", &[Value::Int(1)]), "a%!(EXTRA int=1)");
    }
}
