//! `gitops-lab helm`: the simulator's `helm template` and `helm lint` on real
//! folders, so its output can be compared with Helm's on any chart.

use simulator::git::Snapshot;
use simulator::helm::command::{self, Files};
use std::path::Path;
use std::process::ExitCode;

use crate::play::read_tree;

/// Reads charts and value files from the disk.
struct DiskFiles;

impl Files for DiskFiles {
    fn chart(&self, path: &str) -> Option<(Snapshot, String)> {
        let dir = Path::new(path).canonicalize().ok()?;
        if !dir.is_dir() {
            return None;
        }
        let mut files = Snapshot::new();
        read_tree(&dir, &dir, &mut files).ok()?;
        Some((files, String::new()))
    }

    fn read(&self, path: &str) -> Option<String> {
        crate::regular_file::read_text(std::path::Path::new(path)).ok()
    }
}

/// `gitops-lab helm template|lint|version ARGS...`.
pub fn run(args: &[String]) -> ExitCode {
    let out = command::run(&DiskFiles, args, 0);
    print!("{}", out.stdout);
    eprint!("{}", out.stderr);
    ExitCode::from(out.code.clamp(0, 255) as u8)
}
