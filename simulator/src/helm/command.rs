//! The `helm` command line shared by the terminal and `gitops-lab helm`:
//! `helm template [NAME] CHART [-f FILE]... [--set K=V]... [--set-string K=V]...
//! [-n NS] [--include-crds] [--kube-version V] [--api-versions V] [-s FILE]`,
//! `helm lint [CHART] [-f FILE] [--set K=V]`, `helm version`. Output and exit
//! codes are Helm 3's.

use crate::git::Snapshot;

use super::render::{self, Options};

/// What a `helm` run printed and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Outcome {
    fn err(message: impl AsRef<str>) -> Outcome {
        Outcome { stdout: String::new(), stderr: format!("Error: {}\n", message.as_ref()), code: 1 }
    }
}

/// Where the command reads from: a chart folder as a file tree (and the
/// chart's path in it), and any other file by the path typed.
pub trait Files {
    fn chart(&self, path: &str) -> Option<(Snapshot, String)>;
    fn read(&self, path: &str) -> Option<String>;
}

pub const VERSION: &str = "version.BuildInfo{Version:\"v3.18.4\", GitCommit:\"d80839cf37d860c8aa9a0503fe463278f26cd5e2\", GitTreeState:\"clean\", GoVersion:\"go1.24.4\"}\n";

const USAGE: &str = "The Kubernetes package manager\n\nUsage:\n  helm [command]\n\nAvailable Commands:\n  lint        examine a chart for possible issues\n  template    locally render templates\n  version     print the client version information\n\nUse \"helm [command] --help\" for more information about a command.\n";

pub fn run(fs: &dyn Files, args: &[String], seed: u64) -> Outcome {
    let Some(verb) = args.first() else {
        return Outcome { stdout: USAGE.into(), ..Default::default() };
    };
    match verb.as_str() {
        "template" => template(fs, &args[1..], seed),
        "lint" => lint(fs, &args[1..]),
        "version" => Outcome { stdout: VERSION.into(), ..Default::default() },
        "--help" | "-h" | "help" => Outcome { stdout: USAGE.into(), ..Default::default() },
        "install" | "upgrade" | "uninstall" | "list" | "rollback" | "repo" | "pull" | "dependency" | "package" | "show" | "get"
        | "history" | "status" => Outcome::err(format!(
            "`helm {verb}` is not available here: in GitOps, Argo CD renders the chart with `helm template` and applies the result; try `helm template`"
        )),
        other => Outcome::err(format!("unknown command \"{other}\" for \"helm\"\nRun 'helm --help' for usage.")),
    }
}

struct Parsed {
    positional: Vec<String>,
    values: Vec<String>,
    set: Vec<String>,
    set_string: Vec<String>,
    namespace: String,
    include_crds: bool,
    skip_tests: bool,
    kube_version: Option<String>,
    api_versions: Vec<String>,
    show_only: Vec<String>,
}

fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut p = Parsed {
        positional: Vec::new(),
        values: Vec::new(),
        set: Vec::new(),
        set_string: Vec::new(),
        namespace: "default".into(),
        include_crds: false,
        skip_tests: false,
        kube_version: None,
        api_versions: Vec::new(),
        show_only: Vec::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "-f" | "--values"
                | "--set"
                | "--set-string"
                | "-n"
                | "--namespace"
                | "--kube-version"
                | "--api-versions"
                | "-a"
                | "-s"
                | "--show-only"
                | "--name-template"
                | "--version"
        );
        let value = if takes_value {
            match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    Some(args.get(i).cloned().ok_or_else(|| format!("flag needs an argument: {flag}"))?)
                }
            }
        } else {
            None
        };
        match flag.as_str() {
            "-f" | "--values" => p.values.extend(value.unwrap_or_default().split(',').map(String::from)),
            "--set" => p.set.push(value.unwrap_or_default()),
            "--set-string" => p.set_string.push(value.unwrap_or_default()),
            "-n" | "--namespace" => p.namespace = value.unwrap_or_default(),
            "--kube-version" => p.kube_version = value,
            "--api-versions" | "-a" => p.api_versions.extend(value.unwrap_or_default().split(',').map(String::from)),
            "-s" | "--show-only" => p.show_only.push(value.unwrap_or_default()),
            "--name-template" => p.positional.insert(0, value.unwrap_or_default()),
            "--version" => {}
            "--include-crds" => p.include_crds = true,
            "--skip-tests" => p.skip_tests = true,
            "--skip-crds" | "--debug" | "--dry-run" | "--no-hooks" | "--validate=false" => {}
            f if f.starts_with('-') => return Err(format!("unknown flag: {f}")),
            _ => p.positional.push(a.clone()),
        }
        i += 1;
    }
    Ok(p)
}

fn options(fs: &dyn Files, p: &Parsed, name: &str, seed: u64) -> Result<Options, String> {
    let mut opts = Options::new(name, &p.namespace);
    for f in &p.values {
        let Some(text) = fs.read(f) else {
            return Err(format!("open {f}: no such file or directory"));
        };
        opts.value_files.push((f.clone(), text));
    }
    opts.set = p.set.clone();
    opts.set_string = p.set_string.clone();
    if let Some(v) = &p.kube_version {
        let t = v.trim_start_matches('v');
        let parts: Vec<&str> = t.split('.').collect();
        if parts.len() < 2 || parts.iter().take(3).any(|x| x.parse::<u64>().is_err()) {
            return Err(format!("invalid kube version '{v}': Invalid Semantic Version"));
        }
        opts.kube_version = format!("v{}.{}.{}", parts[0], parts[1], parts.get(2).unwrap_or(&"0"));
    }
    opts.api_versions = p.api_versions.clone();
    opts.include_crds = p.include_crds;
    opts.seed = seed;
    Ok(opts)
}

fn template(fs: &dyn Files, args: &[String], seed: u64) -> Outcome {
    let p = match parse(args) {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let (name, chart) = match p.positional.as_slice() {
        [] => return Outcome::err("\"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]"),
        [chart] => ("release-name".to_string(), chart.clone()),
        [name, chart] => (name.clone(), chart.clone()),
        more => return Outcome::err(format!("expected at most two arguments, unexpected arguments: {}", more[2..].join(", "))),
    };
    let Some((tree, dir)) = fs.chart(&chart) else {
        return Outcome::err(format!("path \"{chart}\" not found"));
    };
    let opts = match options(fs, &p, &name, seed) {
        Ok(o) => o,
        Err(e) => return Outcome::err(e),
    };
    let rendered = match render::template(&tree, &dir, &opts) {
        Ok(r) => r,
        Err(e) => return Outcome::err(e),
    };
    let mut rendered = rendered;
    if p.skip_tests {
        rendered.hooks.retain(|h| !h.hook.as_ref().is_some_and(|k| k.events.iter().any(|e| e.starts_with("test"))));
    }
    if !p.show_only.is_empty() {
        let root = super::chart::load(&tree, &dir).map(|c| c.name).unwrap_or_default();
        let mut out = String::new();
        for want in &p.show_only {
            let full = format!("{root}/{want}");
            let found: Vec<_> = rendered.manifests.iter().chain(rendered.hooks.iter()).filter(|m| m.source == full).collect();
            if found.is_empty() {
                return Outcome::err(format!("could not find template {want} in chart"));
            }
            for m in found {
                out.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
            }
        }
        return Outcome { stdout: out, ..Default::default() };
    }
    Outcome { stdout: rendered.to_text(), ..Default::default() }
}

fn lint(fs: &dyn Files, args: &[String]) -> Outcome {
    let p = match parse(args) {
        Ok(p) => p,
        Err(e) => return Outcome::err(e),
    };
    let charts = if p.positional.is_empty() { vec![".".to_string()] } else { p.positional.clone() };
    let mut out = String::new();
    let mut failed = 0;
    for chart in &charts {
        out.push_str(&format!("==> Linting {chart}\n"));
        let mut messages: Vec<String> = Vec::new();
        let mut errors = 0;
        match fs.chart(chart) {
            None => {
                messages.push(format!("[ERROR] Chart.yaml: file does not exist"));
                errors += 1;
            }
            Some((tree, dir)) => match super::chart::load(&tree, &dir) {
                Err(e) => {
                    messages.push(format!("[ERROR] Chart.yaml: {e}"));
                    errors += 1;
                }
                Ok(c) => {
                    if c.metadata.get("icon").and_then(|v| v.as_str()).unwrap_or("").is_empty() {
                        messages.push("[INFO] Chart.yaml: icon is recommended".into());
                    }
                    if !tree.contains_key(&super::chart::join(&dir, "values.yaml")) {
                        messages.push("[INFO] values.yaml: file does not exist".into());
                    }
                    match options(fs, &p, "test-release", 0) {
                        Err(e) => {
                            messages.push(format!("[ERROR] values.yaml: {e}"));
                            errors += 1;
                        }
                        Ok(mut opts) => {
                            opts.namespace = "test-namespace".into();
                            if let Err(e) = render::template_with(&tree, &dir, &opts, true) {
                                if let Some(rest) = e.strip_prefix("YAML parse error on ") {
                                    let (file, msg) = rest.split_once(": ").unwrap_or((rest, ""));
                                    let file = file.split_once('/').map(|x| x.1).unwrap_or(file);
                                    messages.push(format!("[ERROR] {file}: unable to parse YAML: {msg}"));
                                } else {
                                    messages.push(format!("[ERROR] templates/: {e}"));
                                }
                                errors += 1;
                            }
                        }
                    }
                }
            },
        }
        for m in &messages {
            out.push_str(m);
            out.push('\n');
        }
        out.push('\n');
        if errors > 0 {
            failed += 1;
        }
    }
    let summary = format!("{} chart(s) linted, {failed} chart(s) failed", charts.len());
    if failed > 0 {
        Outcome { stdout: out, stderr: format!("Error: {summary}\n"), code: 1 }
    } else {
        out.push_str(&summary);
        out.push('\n');
        Outcome { stdout: out, ..Default::default() }
    }
}
