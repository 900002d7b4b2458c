//! The real-cluster agent (`gitops-lab agent`, feature `kube`) against the
//! simulated cluster, served by a `gitops-lab cluster` child process on
//! 127.0.0.1 so that this process's memory is the agents' alone:
//! - time from `git commit` to the change applied, with a 2 s poll;
//! - self-heal latency: from a scale to the replicas set back;
//! - memory (resident set growth) of the agent for 100 applications, each with
//!   its own namespace, repository mirror and watches, sharing one client.
//!
//! `cargo bench --features kube --bench agent_cluster` (`-- --rounds N --apps N`)

use gitops_lab::agent::{Agent, Options, cluster};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=bench@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write_app(repo: &Path, folder: &str, image: &str) {
    let dir = repo.join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: {image}\n"
    );
    std::fs::write(dir.join("deployment.yaml"), deployment).unwrap();
    std::fs::write(dir.join("settings.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: hello\n")
        .unwrap();
}

fn commit(repo: &Path, message: &str) {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
}

/// `gitops-lab cluster` in a child process, and the kubeconfig it wrote.
struct ClusterProcess {
    child: Child,
}

impl Drop for ClusterProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_cluster(dir: &Path) -> (ClusterProcess, PathBuf) {
    let kubeconfig = dir.join("kubeconfig");
    let child = Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["cluster", "--addr", "127.0.0.1:0", "--seed", "1", "--kubeconfig"])
        .arg(&kubeconfig)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("gitops-lab cluster starts");
    let process = ClusterProcess { child };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !kubeconfig.exists() {
        assert!(Instant::now() < deadline, "gitops-lab cluster wrote no kubeconfig");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    (process, kubeconfig)
}

fn options(kubeconfig: &Path, repo: &Path, cache: PathBuf, app: &str, path: &str, poll: Duration) -> Options {
    Options {
        kubeconfig: kubeconfig.to_path_buf(),
        context: None,
        app: app.into(),
        repo: repo.to_string_lossy().into_owned(),
        revision: "HEAD".into(),
        path: path.into(),
        namespace: app.into(),
        create_namespace: true,
        poll,
        self_heal: true,
        prune: true,
        cache,
        quiet: true,
    }
}

async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(120);
    while !check().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn image(api: &Api<Deployment>) -> Option<String> {
    let d = api.get_opt("web").await.ok()??;
    d.spec?.template.spec?.containers.first()?.image.clone()
}

async fn replicas(api: &Api<Deployment>) -> Option<i32> {
    api.get_opt("web").await.ok()??.spec?.replicas
}

fn summary(name: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len().max(1) as f64;
    println!(
        "{name}: n={} min={:.0} ms median={:.0} ms mean={:.0} ms max={:.0} ms",
        samples.len(),
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        mean,
        ms(samples[samples.len() - 1])
    );
}

fn main() {
    let rounds = arg("--rounds", 6);
    let apps = arg("--apps", 100);
    let dir = std::env::temp_dir().join(format!("gitops-lab-agent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (_cluster, kubeconfig) = start_cluster(&dir);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let (config, info) = cluster::read_context(&kubeconfig, None).unwrap();
        let client = cluster::connect(config, &info).await.unwrap();

        // One app with a 2 s poll: commit to applied, then a scale undone.
        let repo = dir.join("one");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        write_app(&repo, "app", "nginx:1.0.0");
        commit(&repo, "first");
        let agent = Agent::with_client(options(&kubeconfig, &repo, dir.join("cache-one"), "latency", "app", Duration::from_secs(2)), client.clone())
            .await
            .unwrap();
        let running = agent.spawn();
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), "latency");
        until("the first revision", || async { image(&deployments).await.as_deref() == Some("nginx:1.0.0") }).await;
        let mut to_applied = Vec::new();
        let mut to_healed = Vec::new();
        for round in 1..=rounds {
            let tag = format!("nginx:1.0.{round}");
            write_app(&repo, "app", &tag);
            commit(&repo, &format!("round {round}"));
            let start = Instant::now();
            until("the new commit", || async { image(&deployments).await.as_deref() == Some(tag.as_str()) }).await;
            to_applied.push(start.elapsed());
            // A new revision resets self-heal's back-off, so each round's heal is a first one.
            tokio::time::sleep(Duration::from_millis(200)).await;
            deployments.patch_scale("web", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 5}}))).await.unwrap();
            let start = Instant::now();
            until("the scale undone", || async { replicas(&deployments).await == Some(2) }).await;
            to_healed.push(start.elapsed());
        }
        running.stop().await;
        summary("commit to applied (poll 2s)", &mut to_applied);
        summary("self-heal of a scale", &mut to_healed);

        // Many apps: the resident set before and after they have all synced.
        let repo = dir.join("many");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        for i in 0..apps {
            write_app(&repo, &format!("apps/app-{i:03}"), "nginx:1.27");
        }
        commit(&repo, "many apps");
        let before = rss_bytes();
        let mut handles = Vec::new();
        for i in 0..apps {
            let name = format!("app-{i:03}");
            let o = options(&kubeconfig, &repo, dir.join(format!("cache-{name}")), &name, &format!("apps/{name}"), Duration::from_secs(120));
            let agent = Agent::with_client(o, client.clone()).await.unwrap();
            handles.push(agent.spawn());
        }
        let started = Instant::now();
        until("every app synced", || async { handles.iter().all(|h| h.stats.syncs.load(std::sync::atomic::Ordering::Relaxed) >= 1) }).await;
        let synced_in = started.elapsed();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let after = rss_bytes();
        let errors = handles.iter().filter(|h| h.stats.last_error().is_some()).count();
        println!(
            "{apps} apps: all synced in {:.1} s; resident set {:.1} MiB before, {:.1} MiB after: {:.1} MiB for the agents ({:.0} KiB per app); {errors} with an error",
            synced_in.as_secs_f64(),
            before as f64 / 1048576.0,
            after as f64 / 1048576.0,
            after.saturating_sub(before) as f64 / 1048576.0,
            after.saturating_sub(before) as f64 / 1024.0 / apps.max(1) as f64
        );
        for h in handles {
            h.stop().await;
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
