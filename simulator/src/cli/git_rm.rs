//! `git rm`: removes tracked files from the index and the working tree, as git
//! does (`-r` for folders, `--cached` to keep the file on disk, `-q` to say nothing).

use super::CommandOutput;
use crate::git::WorkingCopy;

/// Runs `git rm` with `paths` already made relative to the repository.
pub fn rm(wc: &mut WorkingCopy, mut args: Vec<String>, paths_as_typed: &[String]) -> CommandOutput {
    let recursive = super::take_switch(&mut args, &["-r"]);
    let cached = super::take_switch(&mut args, &["--cached"]);
    let quiet = super::take_switch(&mut args, &["-q", "--quiet"]);
    let _ = super::take_switch(&mut args, &["-f", "--force"]);
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        return CommandOutput::err(
            format!("error: unknown option `{}'\nusage: git rm [<options>] [--] <file>...\n", flag.trim_start_matches('-')),
            129,
        );
    }
    if args.is_empty() {
        return CommandOutput::err("usage: git rm [<options>] [--] <file>...\n", 129);
    }
    let mut removed = Vec::new();
    for (path, typed) in args.iter().zip(paths_as_typed.iter().chain(std::iter::repeat(&String::new()))) {
        let shown = if typed.is_empty() { path } else { typed };
        let prefix = path.trim_end_matches('/');
        let all = prefix == ".";
        let exact = wc.index.contains_key(prefix);
        let matched: Vec<String> =
            wc.index.keys().filter(|p| all || *p == prefix || p.starts_with(&format!("{prefix}/"))).cloned().collect();
        if matched.is_empty() {
            return CommandOutput::err(format!("fatal: pathspec '{shown}' did not match any files\n"), 128);
        }
        if !exact && !recursive {
            return CommandOutput::err(format!("fatal: not removing '{shown}' recursively without -r\n"), 128);
        }
        removed.extend(matched);
    }
    let mut out = String::new();
    for p in removed {
        wc.index.remove(&p);
        if !cached {
            wc.worktree.remove(&p);
        }
        if !quiet {
            out.push_str(&format!("rm '{p}'\n"));
        }
    }
    CommandOutput::ok(out)
}
