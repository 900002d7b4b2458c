//! The lab site: an askama catalog, and the built frontend as static files.

use simulator::content::ContentFiles;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(_addr: &str, _site: Option<PathBuf>, _files: ContentFiles) -> ExitCode {
    ExitCode::FAILURE
}
