//! Shell built-ins: cat, ls, cd, pwd, echo, sleep, clear (`help` is in `tools`, beside the table it reads).

use super::CommandOutput;
use super::Host;
use super::files::{self, FsError};
use crate::time::SimDuration;

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    match args[0] {
        "pwd" => CommandOutput::ok(format!("{}\n", world.shell().cwd)),
        "echo" => CommandOutput::ok(format!("{}\n", args[1..].join(" "))),
        "true" => CommandOutput::default(),
        "false" => CommandOutput::err("", 1),
        "clear" => CommandOutput::ok("\x1b[H\x1b[2J"),
        "cd" => {
            let target = args.get(1).copied().unwrap_or("~");
            let abs = files::absolute(world, target);
            if files::is_dir(world, &abs) {
                world.shell_mut().cwd = abs;
                CommandOutput::default()
            } else if files::read(world, target).is_ok() {
                CommandOutput::err(format!("bash: cd: {target}: Not a directory\n"), 1)
            } else {
                CommandOutput::err(format!("bash: cd: {target}: No such file or directory\n"), 1)
            }
        }
        "cat" => {
            let mut out = CommandOutput::default();
            if args.len() == 1 {
                return CommandOutput::err("cat: reading standard input is not supported in this terminal\n", 1);
            }
            for path in &args[1..] {
                match files::read(world, path) {
                    Ok(c) => out.stdout.push_str(&c),
                    Err(FsError::IsDirectory) => {
                        out.stderr.push_str(&format!("cat: {path}: Is a directory\n"));
                        out.exit_code = 1;
                    }
                    Err(_) => {
                        out.stderr.push_str(&format!("cat: {path}: No such file or directory\n"));
                        out.exit_code = 1;
                    }
                }
            }
            out
        }
        "ls" => {
            let long = args.iter().any(|a| a.starts_with('-') && a.contains('l'));
            let targets: Vec<&str> = args[1..].iter().copied().filter(|a| !a.starts_with('-')).collect();
            let targets = if targets.is_empty() { vec!["."] } else { targets };
            let mut out = CommandOutput::default();
            for t in &targets {
                let abs = files::absolute(world, t);
                match files::list(world, &abs) {
                    Ok(names) => {
                        if targets.len() > 1 {
                            out.stdout.push_str(&format!("{t}:\n"));
                        }
                        let names: Vec<String> = names.into_iter().map(|n| n.trim_end_matches('/').to_string()).collect();
                        if long {
                            for n in names {
                                out.stdout.push_str(&format!("{n}\n"));
                            }
                        } else if !names.is_empty() {
                            out.stdout.push_str(&format!("{}\n", names.join("  ")));
                        }
                    }
                    Err(FsError::NotDirectory) => out.stdout.push_str(&format!("{t}\n")),
                    Err(_) => {
                        out.stderr.push_str(&format!("ls: cannot access '{t}': No such file or directory\n"));
                        out.exit_code = 2;
                    }
                }
            }
            out
        }
        "sleep" => match args.get(1).and_then(|a| parse_duration(a)) {
            Some(d) => {
                let target = world.now() + d;
                world.advance_to(target);
                CommandOutput::default()
            }
            None => CommandOutput::err(
                format!(
                    "sleep: invalid time interval '{}'\nTry 'sleep --help' for more information.\n",
                    args.get(1).copied().unwrap_or("")
                ),
                1,
            ),
        },
        other => CommandOutput::err(format!("bash: {other}: command not found\n"), 127),
    }
}

/// Parses `30`, `30s`, `2m`, `1h` as sleep does (up to a week).
pub fn parse_duration(text: &str) -> Option<SimDuration> {
    crate::time::parse_duration(text, crate::time::DurationSyntax::Sleep).filter(|d| d.0 <= 7 * 86_400_000)
}
