//! GitOps Lab's simulator: a pure, deterministic, sans-IO world of a
//! Kubernetes cluster, Git repositories and an Argo CD-like agent, driven by
//! terminal commands, with labs and quizzes on top.
//!
//! Nothing here reads a clock, touches the file system or the network, or
//! uses unseeded randomness: the same seed and inputs give the same bytes on
//! every platform, natively and in WebAssembly.

pub mod argo;
pub mod base64_text;
pub mod cli;
pub mod content;
pub mod controllers;
pub mod events;
pub mod flux;
pub mod git;
pub mod helm;
pub mod kube;
pub mod kustomize;
pub mod lab;
pub mod model;
pub mod pipeline;
pub mod quiz;
pub mod registry;
pub mod replay;
pub mod rng;
pub mod script;
pub mod sealed_secrets;
pub mod session;
pub mod session_api;
pub mod time;
pub mod yaml;
pub mod yaml_key_order;

pub use lab::Lab;
pub use model::Model;
pub use session::{Input, Output, Session, World};
pub use time::{SimDuration, SimTime};
