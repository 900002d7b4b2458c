//! Helm 3 in the simulator: Go's `text/template` with Helm's and sprig's
//! functions (`template`), charts read from a file tree with their values,
//! subcharts and built-in objects (`chart`), and `helm template`'s output in
//! Helm's install order with hooks apart (`render`).

pub mod template;
pub mod chart;
pub mod hooks;
pub mod render;
pub mod strvals;

pub use chart::is_chart_dir;
pub use render::{Options, Rendered, template};
pub mod argo_source;
pub mod command;
