//! Helm 3 in the simulator: Go's `text/template` with Helm's and sprig's
//! functions (`template`), charts read from a file tree with their values,
//! subcharts and built-in objects (`chart`), and `helm template`'s output in
//! Helm's install order with hooks apart (`render`).

pub mod bench_chart;
pub mod chart;
pub mod hooks;
pub mod render;
pub mod strvals;
pub mod template;

pub use chart::is_chart_dir;
pub use render::{Options, Rendered, template};
pub mod command;

/// go-yaml's text for a YAML error, as Helm prints it (`yaml: line N: MESSAGE`).
/// go-yaml reports a parser error at the 0-based line of its mark, a scanner
/// error at the 1-based one; the YAML library here reports 1-based lines.
pub fn go_yaml_error(err: &crate::yaml::YamlError) -> String {
    match err.line {
        Some(l) => {
            let parser_error = err.message.starts_with("did not find expected") || err.message.starts_with("expected ");
            let line = if parser_error && l > 1 { l - 1 } else { l };
            format!("error converting YAML to JSON: yaml: line {line}: {}", err.message)
        }
        None => format!("error converting YAML to JSON: yaml: {}", err.message),
    }
}
