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
        /// The classroom's database: sqlite://FILE (created when missing) or postgres://USER@HOST:PORT/DB (for replicas).
        #[arg(long, value_name = "URL", default_value = gitops_lab::classroom::DEFAULT_DATABASE)]
        database: String,
        /// How many times a client address may join a class per minute.
        #[arg(long, value_name = "N", default_value_t = 30)]
        joins_per_minute: u32,
        /// Also host a real-tools session of --lab in DIR (kubeconfig, the lab's repository and
        /// your clone), with its status and timeline at /real-tools.
        #[arg(long, value_name = "DIR", requires = "lab")]
        real_tools: Option<PathBuf>,
        /// With --real-tools: the lab to host.
        #[arg(long, value_name = "LAB", requires = "real_tools")]
        lab: Option<String>,
        /// With --real-tools: simulated time runs at N times wall time.
        #[arg(long, value_name = "N", default_value_t = 1.0)]
        speed: f64,
        /// With --real-tools: the world's seed (a random one when not given).
        #[arg(long)]
        seed: Option<u64>,
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
        /// Serve the lab's world to your own kubectl and git: DIR gets a kubeconfig, the lab's
        /// repository (bare) and your clone of it. Runs until Ctrl-C or SIGTERM.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["solution", "script"])]
        real_tools: Option<PathBuf>,
        /// With --real-tools: simulated time runs at N times wall time.
        #[arg(long, value_name = "N", default_value_t = 1.0, requires = "real_tools")]
        speed: f64,
    },
    /// An empty simulated cluster served as a Kubernetes API for your own kubectl, until Ctrl-C or SIGTERM.
    Cluster {
        /// Where to write the kubeconfig (server, CA, token).
        #[arg(long, value_name = "FILE", default_value = "kubeconfig")]
        kubeconfig: PathBuf,
        /// The address to serve on (127.0.0.1 only; port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:6443")]
        addr: String,
        /// The world's seed (a random one when not given).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Follow a Git repository into one namespace of a real cluster, as Argo CD would (build with `--features kube`).
    Agent(AgentArgs),
    /// List the labs.
    Labs,
    /// Take a quiz in this terminal (`--list` shows the topics; `final` mixes them all).
    Quiz {
        /// The topic, as `--list` shows it, or `final`.
        topic: Option<String>,
        /// List the topics with their number of questions.
        #[arg(long)]
        list: bool,
        /// The seed for the draw and the order of questions and options (a random one when not given).
        #[arg(long)]
        seed: Option<u64>,
        /// Which attempt this is: a retake with the same seed draws again.
        #[arg(long, default_value_t = 1)]
        attempt: u32,
        /// Write the result (score, time, answers) to FILE as JSON.
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
    },
    /// Free play on a folder of manifests and Argo CD Applications (your own repo).
    Sandbox {
        /// The folder to load as the lab's Git repository.
        #[arg(long, value_name = "DIR")]
        repo: PathBuf,
        /// Run the commands in FILE (one a line) instead of reading the keyboard.
        #[arg(long, value_name = "FILE")]
        script: Option<PathBuf>,
        /// The world's seed (a random one when not given).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Validate every lab and quiz bank, and replay every lab's solution.
    Check,
    /// `kustomize build DIR` and `kustomize edit set image NAME=IMAGE:TAG...` on real folders, as kustomize v5.6 does.
    Kustomize {
        /// `build DIR`, or `edit set image ARGS...` (in the current folder).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        args: Vec<String>,
    },
    /// `helm template [NAME] CHART [-f VALUES] [--set K=V]` and `helm lint CHART` on real folders, as Helm 3 does.
    Helm {
        /// `template [NAME] CHART [flags]`, `lint [CHART]` or `version`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        args: Vec<String>,
    },
    /// Print each object's health as Argo CD assesses it (like `argocd admin settings resource-overrides health`).
    Health {
        /// YAML files holding live objects (several documents per file are fine).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct AgentArgs {
    /// The kubeconfig to use (default: the first file in $KUBECONFIG, else ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig's context (its current one when not given).
    #[arg(long)]
    context: Option<String>,
    /// The Git repository: a local path or a URL.
    #[arg(long, value_name = "PATH_OR_URL", required_unless_present = "print_rbac")]
    repo: Option<String>,
    /// The branch, tag or commit to follow.
    #[arg(long, value_name = "REF", default_value = "HEAD")]
    revision: String,
    /// The folder in the repository (plain manifests, a kustomization or a Helm chart).
    #[arg(long, value_name = "DIR", default_value = ".")]
    path: String,
    /// The namespace the agent applies into; it reads and writes nothing outside it.
    #[arg(long, value_name = "NS")]
    namespace: String,
    /// The app's name, carried by its tracking ids and its history ConfigMap (default: the namespace).
    #[arg(long)]
    app: Option<String>,
    /// Create the namespace when it does not exist.
    #[arg(long)]
    create_namespace: bool,
    /// How often to fetch the repository (Go duration: 2s, 3m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "120s")]
    poll: String,
    /// Undo changes made in the cluster as soon as a watch sees them (with Argo CD's back-off).
    #[arg(long)]
    self_heal: bool,
    /// Delete objects the agent applied whose files were removed from Git.
    #[arg(long)]
    prune: bool,
    /// Go on even when the context looks like production.
    #[arg(long)]
    yes: bool,
    /// One pass (fetch, compare, sync), then exit: 0 when it succeeded, 1 when it failed.
    #[arg(long)]
    once: bool,
    /// Print the Role and RoleBinding the agent needs in --namespace, then exit.
    #[arg(long)]
    print_rbac: bool,
    /// With --print-rbac: who gets the Role (User/NAME or ServiceAccount/NAME).
    #[arg(long, value_name = "KIND/NAME", default_value = "ServiceAccount/gitops-lab-agent")]
    subject: String,
    /// Where the agent keeps its mirrors of repositories.
    #[arg(long, value_name = "DIR", default_value = ".gitops-lab-agent")]
    cache: PathBuf,
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
    let command = cli.command.unwrap_or_else(|| Command::Serve {
        addr: "127.0.0.1:8080".into(),
        site: None,
        database: gitops_lab::classroom::DEFAULT_DATABASE.into(),
        joins_per_minute: 30,
        real_tools: None,
        lab: None,
        speed: 1.0,
        seed: None,
    });
    if !matches!(command, Command::Serve { .. }) {
        stop_quietly_on_closed_pipe();
    }
    match command {
        Command::Serve { addr, site, database, joins_per_minute, real_tools, lab, speed, seed } => {
            let classroom = gitops_lab::classroom::Options { joins_per_minute, ..gitops_lab::classroom::Options::new(&database) };
            let hosted = match (real_tools, lab) {
                (Some(dir), Some(lab)) => match gitops_lab::real_tools_page::Hosted::start(&files, &lab, &dir, speed, seed) {
                    Ok(h) => Some(std::sync::Arc::new(h)),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                _ => None,
            };
            server::run(&addr, site, files, classroom, hosted)
        }
        Command::Play { lab, real_tools: Some(dir), speed, seed, .. } => gitops_lab::real_tools::run(&files, &lab, &dir, speed, seed),
        Command::Play { lab, solution, script, seed, .. } => play::run(&files, &lab, solution, script.as_deref(), seed),
        Command::Cluster { kubeconfig, addr, seed } => gitops_lab::kubeapi::run_cluster(&kubeconfig, &addr, seed),
        Command::Agent(args) => agent(args),
        Command::Labs => play::list(&files),
        Command::Quiz { topic, list, seed, attempt, record } => gitops_lab::quiz_cmd::run(
            &files,
            &gitops_lab::quiz_cmd::QuizArgs { topic: topic.as_deref(), list, seed, attempt, record: record.as_deref() },
        ),
        Command::Sandbox { repo, script, seed } => play::sandbox(&files, &repo, script.as_deref(), seed),
        Command::Check => check::run(&files),
        Command::Health { files: paths } => health(&paths),
        Command::Kustomize { args } => gitops_lab::kustomize_cmd::run(&args),
        Command::Helm { args } => gitops_lab::helm_cmd::run(&args),
    }
}

#[cfg(feature = "kube")]
fn agent(args: AgentArgs) -> ExitCode {
    use gitops_lab::agent;
    if args.print_rbac {
        print!("{}", agent::preflight::rbac_manifest(&args.namespace, &args.subject));
        return ExitCode::SUCCESS;
    }
    let Some(poll) = simulator::time::parse_duration(&args.poll, simulator::time::DurationSyntax::Go).filter(|d| d.0 > 0) else {
        eprintln!("error: --poll {}: not a duration (examples: 2s, 3m, 1h)", args.poll);
        return ExitCode::from(2);
    };
    let from_env = std::env::var("KUBECONFIG").ok().and_then(|v| v.split(':').find(|p| !p.is_empty()).map(PathBuf::from));
    let Some(kubeconfig) = args.kubeconfig.or(from_env).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config")))
    else {
        eprintln!("error: no kubeconfig: give --kubeconfig or set KUBECONFIG");
        return ExitCode::from(2);
    };
    let options = agent::Options {
        kubeconfig,
        context: args.context,
        app: args.app.unwrap_or_else(|| args.namespace.clone()),
        repo: args.repo.unwrap_or_default(),
        revision: args.revision,
        path: args.path,
        namespace: args.namespace,
        create_namespace: args.create_namespace,
        poll: std::time::Duration::from_millis(poll.0),
        self_heal: args.self_heal,
        prune: args.prune,
        cache: args.cache,
        quiet: false,
    };
    agent::run(options, args.yes, args.once)
}

#[cfg(not(feature = "kube"))]
fn agent(_args: AgentArgs) -> ExitCode {
    eprintln!("error: this gitops-lab was built without the real-cluster mode: build it with `cargo build --release --features kube`");
    ExitCode::from(2)
}

fn health(paths: &[PathBuf]) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for path in paths {
        let text = match gitops_lab::regular_file::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                code = ExitCode::from(2);
                continue;
            }
        };
        let docs = match simulator::yaml::parse_documents(&text, &path.display().to_string()) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: {e}");
                code = ExitCode::from(2);
                continue;
            }
        };
        for obj in docs {
            let name = simulator::kube::ObjectKey::of(&obj).map(|k| k.kubectl_ref()).unwrap_or_else(|| "(unnamed object)".into());
            if paths.len() > 1 || text.matches("\nkind:").count() > 1 {
                println!("{}: {name}", path.display());
            }
            match simulator::argo::health::health(&obj) {
                Some(a) => println!("STATUS: {}\nMESSAGE: {}", a.status.word(), a.message),
                None => println!("Health script is not configured"),
            }
        }
    }
    code
}

/// Lets `gitops-lab quiz | head` end quietly, as Unix tools do, instead of
/// panicking on a closed stdout. The server keeps Rust's default (ignore
/// SIGPIPE), so a closed connection never stops it.
fn stop_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
