//! `gitops-lab agent` (cargo feature `kube`): the simulator's Argo CD-like engine
//! driving a real Kubernetes API through kube-rs. Per app it fetches a real Git
//! repository (`repo`), renders the revision with the simulator's renderer,
//! compares and plans with `simulator::argo::reconcile`, applies server-side with
//! its own field manager, prunes only what carries its tracking id, watches the
//! kinds it manages so drift is seen at once (self-heal with the simulator's
//! back-off), and keeps its history in a ConfigMap (`history`). Everything it
//! reads and writes is in one namespace (`cluster`); `preflight` says what it
//! will do and refuses a production-looking context.

pub mod cluster;
pub mod engine;
pub mod history;
pub mod preflight;
pub mod repo;

pub use engine::{Agent, Stats};

use std::path::PathBuf;
use std::time::Duration;

/// One app the agent follows.
#[derive(Clone, Debug)]
pub struct Options {
    pub kubeconfig: PathBuf,
    pub context: Option<String>,
    /// The app's name: its tracking ids and its history ConfigMap carry it.
    pub app: String,
    /// A local path or a URL.
    pub repo: String,
    pub revision: String,
    pub path: String,
    pub namespace: String,
    pub create_namespace: bool,
    pub poll: Duration,
    pub self_heal: bool,
    pub prune: bool,
    /// Where the bare mirrors of repositories are kept.
    pub cache: PathBuf,
    /// Print nothing (tests and benchmarks read `Stats` instead).
    pub quiet: bool,
}

/// `gitops-lab agent`: preflight, then follow the repository until Ctrl-C or SIGTERM
/// (or, with `once`, one pass). Exit codes: 0 done, 1 a pass failed (`once`), 2 refused.
pub fn run(options: Options, yes: bool, once: bool) -> std::process::ExitCode {
    use std::process::ExitCode;
    let (kubeconfig, info) = match cluster::read_context(&options.kubeconfig, options.context.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!(
        "{}",
        preflight::describe(
            &info,
            &options.namespace,
            options.create_namespace,
            &options.app,
            &options.repo,
            &options.path,
            &options.revision
        )
    );
    if let Some(what) = preflight::looks_like_production(&info) {
        if !yes {
            eprintln!("error: the {what} looks like production: the agent refuses it unless you pass --yes");
            return ExitCode::from(2);
        }
        println!("The {what} looks like production; going on because of --yes.");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async move {
        let agent = match Agent::start(options, kubeconfig, info).await {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        if once {
            return if agent.pass_once().await { ExitCode::SUCCESS } else { ExitCode::from(1) };
        }
        let stop = agent.spawn();
        wait_for_signal().await;
        println!("Stopping the agent.");
        stop.stop().await;
        ExitCode::SUCCESS
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
