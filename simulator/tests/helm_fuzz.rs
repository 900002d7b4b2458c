//! Random templates, from template-shaped fragments and raw characters, through
//! the parser and the executor: every one ends in output or an error in Go's
//! words, never a panic or a hang. Seeds are fixed, so a failure reproduces.

use simulator::git::Snapshot;
use simulator::helm::render::{Options, render_files};
use simulator::rng::SimRng;

const FRAGMENTS: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    ".",
    ".Values",
    ".Values.a",
    ".Values.m",
    ".Values.l",
    ".Release.Name",
    ".Chart.Name",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "\"s\"",
    "`raw`",
    "'c'",
    "1",
    "-2",
    "3.5",
    "0x1F",
    "true",
    "nil",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"t\"",
    "include",
    "tpl",
    "toYaml",
    "default",
    "quote",
    "nindent 2",
    "printf \"%d %s\"",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "len",
    "index",
    "dict \"a\" 1",
    "list 1 2",
    "required \"r\"",
    "fail \"f\"",
    "fromYaml",
    "toJson",
    "trunc 3",
    "upper",
    "b64enc",
    "sha256sum",
    "semverCompare \">1\"",
    "dig \"a\" 0",
    "merge",
    "until 3",
    "/*",
    "*/",
    ",",
    "$y",
];

fn random_template(rng: &mut SimRng) -> String {
    let mut s = String::new();
    for _ in 0..rng.between(1, 40) {
        if rng.below(8) == 0 {
            s.push(char::from_u32(rng.between(1, 0x7f) as u32).unwrap_or('?'));
        } else {
            s.push_str(FRAGMENTS[rng.below(FRAGMENTS.len() as u64) as usize]);
            if rng.below(2) == 0 {
                s.push(' ');
            }
        }
    }
    s
}

#[test]
fn random_templates_never_panic() {
    let mut outcomes = [0usize; 2];
    for seed in 0..4000u64 {
        let mut rng = SimRng::new(seed);
        let mut files = Snapshot::new();
        files.insert("c/Chart.yaml".into(), "apiVersion: v2\nname: c\nversion: 1.0.0\n".into());
        files.insert("c/values.yaml".into(), "a: {b: 1}\nm: {k: v}\nl: [1, two]\n".into());
        files.insert("c/templates/_h.tpl".into(), random_template(&mut rng));
        files.insert("c/templates/t.yaml".into(), random_template(&mut rng));
        match render_files(&files, "c", &Options::new("r", "ns")) {
            Ok(_) => outcomes[0] += 1,
            Err(e) => {
                assert!(!e.is_empty(), "seed {seed}: an error has words");
                outcomes[1] += 1;
            }
        }
    }
    println!("random templates: {} rendered, {} refused with an error", outcomes[0], outcomes[1]);
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "the generator reaches both outcomes: {outcomes:?}");
}

#[test]
fn deep_nesting_and_recursion_end_in_errors() {
    let mut files = Snapshot::new();
    files.insert("c/Chart.yaml".into(), "apiVersion: v2\nname: c\nversion: 1.0.0\n".into());
    files.insert("c/templates/t.yaml".into(), "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}".into());
    let err = render_files(&files, "c", &Options::new("r", "ns")).unwrap_err();
    assert!(err.contains("nested reference name: loop"), "{err}");
    files.insert("c/templates/t.yaml".into(), format!("{}1{}", "{{ (".repeat(400), ") }}".repeat(400)));
    let _ = render_files(&files, "c", &Options::new("r", "ns"));
    files.insert("c/templates/t.yaml".into(), format!("{}x{}", "{{ if 1 }}".repeat(400), "{{ end }}".repeat(400)));
    let _ = render_files(&files, "c", &Options::new("r", "ns"));
}
