//! The native shell of GitOps Lab: the lab server, the terminal player and
//! the content checker. The simulation itself is the `simulator` crate.

#[cfg(feature = "kube")]
pub mod agent;
pub mod check;
pub mod classroom;
pub mod content_dir;
pub mod helm_cmd;
pub mod kubeapi;
pub mod kustomize_cmd;
pub mod play;
mod play_terminal;
pub mod quiz_cmd;
pub mod real_tools;
pub mod real_tools_page;
pub mod regular_file;
pub mod server;
mod term_markdown;
