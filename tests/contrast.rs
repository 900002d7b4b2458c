//! The page's colours meet WCAG 2.2 AA contrast (4.5:1 for text): every
//! foreground and background pair the stylesheet uses, computed from
//! static/style.css itself, so a colour change that breaks it fails here.

use std::collections::BTreeMap;

const CSS: &str = include_str!("../static/style.css");

fn hex(c: &str) -> (f64, f64, f64) {
    let c = c.trim().trim_start_matches('#');
    let v = |i: usize| u8::from_str_radix(&c[i..i + 2], 16).expect("a hex colour") as f64 / 255.0;
    (v(0), v(2), v(4))
}

/// WCAG's relative luminance and contrast ratio.
fn contrast(a: &str, b: &str) -> f64 {
    let lum = |(r, g, b): (f64, f64, f64)| {
        let f = |c: f64| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    };
    let (la, lb) = (lum(hex(a)), lum(hex(b)));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The custom properties of `:root`, such as `--text: #1b1f24`.
fn variables() -> BTreeMap<String, String> {
    let root = &CSS[CSS.find(":root {").expect("a :root block") + ":root {".len()..];
    let root = &root[..root.find('}').unwrap()];
    root.split(';')
        .filter_map(|decl| decl.trim().strip_prefix("--").and_then(|d| d.split_once(':')))
        .filter(|(_, v)| v.trim().starts_with('#'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn every_text_colour_meets_aa_on_its_background() {
    let v = variables();
    let c = |name: &str| v.get(name).unwrap_or_else(|| panic!("--{name} is defined")).as_str();
    let mut pairs: Vec<(String, &str, &str)> = Vec::new();
    for fg in ["text", "muted", "ok", "warn", "bad", "accent"] {
        for bg in ["bg", "panel"] {
            pairs.push((format!("--{fg} on --{bg}"), c(fg), c(bg)));
        }
    }
    pairs.push(("white on --accent (pressed buttons)".into(), "#ffffff", c("accent")));
    for fg in ["term-text", "term-dim", "term-err", "term-info", "term-twin"] {
        pairs.push((format!("--{fg} on --term-bg"), c(fg), c("term-bg")));
    }
    // Every literal background in the stylesheet carries the page's text colour, or the terminal's.
    for rule in CSS.lines().filter(|l| l.contains("background: #")) {
        let bg = rule.split("background: ").nth(1).unwrap().split([';', ' ']).next().unwrap();
        let fg =
            if rule.contains("color: #") { rule.split("color: ").nth(1).unwrap().split([';', ' ']).next().unwrap() } else { c("text") };
        pairs.push((format!("text on {bg} ({})", rule.trim().split('{').next().unwrap().trim()), fg, bg));
    }
    let failing: Vec<String> = pairs
        .iter()
        .filter_map(|(what, fg, bg)| {
            let ratio = contrast(fg, bg);
            (ratio < 4.5).then(|| format!("{what}: {ratio:.2}:1"))
        })
        .collect();
    assert!(pairs.len() > 20, "the pairs were found");
    assert!(failing.is_empty(), "below 4.5:1: {failing:#?}");
}

#[test]
fn the_contrast_formula_matches_wcag_examples() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
}
