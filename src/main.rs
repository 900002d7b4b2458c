//! `gitops-lab`: the lab site (`serve`, the default), labs in a terminal
//! (`play`), the lab list (`labs`) and the content validator (`check`).

use gitops_lab::{check, content_dir, play, server};

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "gitops-lab", version, about = "A GitOps training simulator and interactive lab")]
struct Cli {
    /// Load labs and quizzes from this folder (holding labs/ and quizzes/) instead of the built-in ones.
    #[arg(long, global = true)]
    content: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the lab site (the default).
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// The built site (frontend) to serve; defaults to the one `cargo xtask build-web` writes.
        #[arg(long)]
        site: Option<PathBuf>,
    },
    /// Play a lab in this terminal.
    Play {
        /// The lab's id, as `gitops-lab labs` lists it.
        lab: String,
        /// Replay the lab's reference solution and exit 0 only if every step passes.
        #[arg(long, conflicts_with = "script")]
        solution: bool,
        /// Run the commands in FILE (one a line) instead of reading the keyboard.
        #[arg(long, value_name = "FILE")]
        script: Option<PathBuf>,
        /// The world's seed (a random one when not given).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// List the labs.
    Labs,
    /// Validate every lab and quiz bank, and replay every lab's solution.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let files = match content_dir::load(cli.content.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve { addr: "127.0.0.1:8080".into(), site: None }) {
        Command::Serve { addr, site } => server::run(&addr, site, files),
        Command::Play { lab, solution, script, seed } => play::run(&files, &lab, solution, script.as_deref(), seed),
        Command::Labs => play::list(&files),
        Command::Check => check::run(&files),
    }
}
