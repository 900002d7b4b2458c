//! The native shell of GitOps Lab: the lab server, the terminal player and
//! the content checker. The simulation itself is the `simulator` crate.

pub mod check;
pub mod classroom;
pub mod content_dir;
pub mod kustomize_cmd;
pub mod play;
pub mod quiz_cmd;
pub mod server;
