//! `gitops-lab agent` (cargo feature `kube`) against the simulated cluster of
//! `gitops-lab cluster`, over real HTTPS with the real kube-rs client and a real
//! Git repository: apply, self-heal of a scale, a new commit followed, prune,
//! another namespace untouched, a watch ended by 410 Gone, a 409 on the history,
//! cluster-scoped objects refused. Faults the simulated cluster cannot give (403)
//! come from `tower_test::mock::pair`. A live cluster is used only with
//! `KUBECONFIG` set and `GITOPS_LAB_LIVE=1`.
#![cfg(feature = "kube")]

use axum::http;
use gitops_lab::agent::{self, Agent, Options, cluster, history};
use gitops_lab::kubeapi::{ApiServer, Options as ApiOptions, kubeconfig};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long a test waits for something the agent should do within a poll or two.
const PATIENCE: Duration = Duration::from_secs(30);

fn scratch_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("gitops-lab-agent-{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Trainee",
            "-c",
            "user.email=trainee@example.com",
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

fn write(repo: &Path, path: &str, text: &str) {
    let p = repo.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn commit(repo: &Path, message: &str) -> String {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

fn deployment_yaml(replicas: u32, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: {image}\n"
    )
}

fn config_map_yaml(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  greeting: hello\n")
}

/// A simulated cluster served over HTTPS, its kubeconfig, and a Git repository.
struct Fixture {
    server: ApiServer,
    dir: PathBuf,
    kubeconfig: PathBuf,
    repo: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let world = simulator::Session::empty_cluster(11, simulator::SimTime(gitops_lab::kubeapi::clock::wall_millis()));
        let server = ApiServer::start(
            world,
            ApiOptions { addr: "127.0.0.1:0".into(), speed: 1.0, namespace: "default".into(), keep_outputs: false },
        )
        .unwrap();
        let dir = scratch_dir(name);
        let kubeconfig = dir.join("kubeconfig");
        kubeconfig::write(&kubeconfig, &server.kubeconfig).unwrap();
        let repo = dir.join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        Fixture { server, dir, kubeconfig, repo }
    }

    async fn client(&self) -> kube::Client {
        let (config, info) = cluster::read_context(&self.kubeconfig, None).unwrap();
        cluster::connect(config, &info).await.unwrap()
    }

    fn options(&self, namespace: &str, poll: Duration) -> Options {
        Options {
            kubeconfig: self.kubeconfig.clone(),
            context: None,
            app: namespace.to_string(),
            repo: self.repo.to_string_lossy().into_owned(),
            revision: "HEAD".into(),
            path: "app".into(),
            namespace: namespace.into(),
            create_namespace: true,
            poll,
            self_heal: true,
            prune: true,
            cache: self.dir.join("cache"),
            quiet: true,
        }
    }

    async fn agent(&self, options: Options) -> Agent {
        let (config, info) = cluster::read_context(&options.kubeconfig, options.context.as_deref()).unwrap();
        Agent::start(options, config, info).await.unwrap()
    }
}

/// Polls `check` until it gives a value, or fails the test after `PATIENCE` saying what it waited for.
async fn wait_for<T, F, Fut>(what: &str, stats: Option<&agent::Stats>, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            let log = stats.map(|s| s.log_text()).unwrap_or_default();
            panic!("gave up waiting for {what}; the agent's log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn replicas(api: &Api<Deployment>) -> Option<i32> {
    api.get_opt("web").await.ok().flatten().and_then(|d| d.spec).and_then(|s| s.replicas)
}

async fn scale(api: &Api<Deployment>, to: i32) {
    api.patch_scale("web", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": to}}))).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_applies_heals_a_scale_follows_commits_prunes_and_stays_in_its_namespace() {
    let fx = Fixture::new("follow");
    write(&fx.repo, "app/deployment.yaml", &deployment_yaml(2, "nginx:1.27"));
    write(&fx.repo, "app/settings.yaml", &config_map_yaml("settings"));
    write(&fx.repo, "app/old.yaml", &config_map_yaml("old"));
    write(&fx.repo, "README.md", "not in the app's path\n");
    let first = commit(&fx.repo, "first");
    let client = fx.client().await;

    // Another namespace holds an object with the same name and even this app's tracking id.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces.create(&PostParams::default(), &serde_json::from_value(json!({"metadata": {"name": "other"}})).unwrap()).await.unwrap();
    let other: Api<ConfigMap> = Api::namespaced(client.clone(), "other");
    let decoy = json!({"metadata": {"name": "old", "annotations": {"argocd.argoproj.io/tracking-id": "demo:/ConfigMap:other/old"}}, "data": {"k": "v"}});
    other.create(&PostParams::default(), &serde_json::from_value(decoy).unwrap()).await.unwrap();

    let agent = fx.agent(fx.options("demo", Duration::from_secs(1))).await;
    let running = agent.spawn();
    let stats = running.stats.clone();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "demo");
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "demo");

    // Applied: the namespace created, every file's object there, with the tracking id.
    let applied = wait_for("the first revision applied", Some(&stats), || async { deployments.get_opt("web").await.ok().flatten() }).await;
    assert_eq!(applied.spec.as_ref().and_then(|s| s.replicas), Some(2));
    let annotations = applied.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(annotations.get("argocd.argoproj.io/tracking-id").map(String::as_str), Some("demo:apps/Deployment:demo/web"));
    wait_for("the ConfigMaps applied", Some(&stats), || async {
        let names: Vec<String> =
            config_maps.list(&Default::default()).await.ok()?.items.into_iter().filter_map(|c| c.metadata.name).collect();
        (names.contains(&"settings".to_string()) && names.contains(&"old".to_string())).then_some(())
    })
    .await;
    wait_for("the revision recorded", Some(&stats), || async { (stats.revision() == first).then_some(()) }).await;

    // A `kubectl scale` (a merge patch on /scale) is undone by self-heal.
    scale(&deployments, 5).await;
    wait_for("self-heal to undo the scale", Some(&stats), || async { (replicas(&deployments).await == Some(2)).then_some(()) }).await;
    assert!(stats.heals.load(Ordering::Relaxed) >= 1, "{}", stats.log_text());

    // Someone else's object in the agent's namespace, which it does not track.
    config_maps.create(&PostParams::default(), &serde_json::from_value(json!({"metadata": {"name": "stranger"}})).unwrap()).await.unwrap();

    // A new commit is followed within a poll.
    write(&fx.repo, "app/deployment.yaml", &deployment_yaml(3, "nginx:1.28"));
    let second = commit(&fx.repo, "three replicas of 1.28");
    wait_for("the new commit applied", Some(&stats), || async { (replicas(&deployments).await == Some(3)).then_some(()) }).await;
    wait_for("the new revision recorded", Some(&stats), || async { (stats.revision() == second).then_some(()) }).await;

    // A removed file's object is pruned; nothing untracked, nothing elsewhere.
    std::fs::remove_file(fx.repo.join("app/old.yaml")).unwrap();
    let third = commit(&fx.repo, "remove old");
    wait_for("the removed file's ConfigMap pruned", Some(&stats), || async {
        config_maps.get_opt("old").await.ok()?.is_none().then_some(())
    })
    .await;
    assert!(config_maps.get_opt("stranger").await.unwrap().is_some(), "an untracked object was pruned");
    assert!(config_maps.get_opt("settings").await.unwrap().is_some());
    assert!(other.get_opt("old").await.unwrap().is_some(), "an object in another namespace was touched");
    assert!(stats.pruned.load(Ordering::Relaxed) >= 1);

    // The history in the namespace lists the three revisions.
    let revisions = wait_for("the history to list every revision", Some(&stats), || async {
        let cm = history::load(&config_maps, "demo").await.ok()??;
        let revisions: Vec<String> = history::entries(&cm).into_iter().map(|e| e.revision).collect();
        revisions.contains(&third).then_some(revisions)
    })
    .await;
    assert!(revisions.contains(&first) && revisions.contains(&second), "{revisions:?}");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_ended_by_410_gone_lists_again_and_still_sees_drift() {
    let fx = Fixture::new("gone");
    write(&fx.repo, "app/deployment.yaml", &deployment_yaml(2, "nginx:1.27"));
    commit(&fx.repo, "first");
    let client = fx.client().await;
    // An hour between polls: only the watch can notice the drift in this test.
    let agent = fx.agent(fx.options("watched", Duration::from_secs(3600))).await;
    let running = agent.spawn();
    let stats = running.stats.clone();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "watched");
    wait_for("the first revision applied", Some(&stats), || async { (replicas(&deployments).await == Some(2)).then_some(()) }).await;
    // The agent's watch has listed (it watches from that list's resourceVersion on).
    wait_for("the agent's watch to list", Some(&stats), || async { (stats.watch_lists.load(Ordering::Relaxed) >= 1).then_some(()) }).await;

    // Someone scales the Deployment, and the API server's watch cache is compacted before the
    // agent's watch has read that change (as etcd compacts while a client is behind): the watch
    // gets 410 Gone, and only a new list shows the drift.
    fx.server.host.with_session(|s| {
        let rt = simulator::kube::resource_type("deployment").unwrap();
        let mut scale = s.world.api_get_scale(rt, "watched", "web").unwrap();
        scale["spec"]["replicas"] = json!(4);
        let now = s.clock.now().max(s.world.now());
        s.world.api_update_scale(now, rt, "watched", "web", &scale, false).unwrap();
        s.cache.sync(&s.world.cluster().store);
        s.cache.compact();
    });
    wait_for("the watch to meet 410 Gone", Some(&stats), || async { (stats.watch_restarts.load(Ordering::Relaxed) >= 1).then_some(()) })
        .await;
    wait_for("self-heal after the watch listed again", Some(&stats), || async { (replicas(&deployments).await == Some(2)).then_some(()) })
        .await;
    assert_eq!(stats.syncs.load(Ordering::Relaxed), 1, "only the watch, not a poll, could have seen the drift");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_history_write_that_meets_409_conflict_reads_again_and_keeps_both_entries() {
    let fx = Fixture::new("conflict");
    let client = fx.client().await;
    let api: Api<ConfigMap> = Api::namespaced(client, "default");
    let entry =
        |rev: &str| history::Entry { id: 0, revision: rev.into(), deployed_at: String::new(), resources: vec![], reason: "sync".into() };
    assert_eq!(history::record(&api, "app", None, entry("a")).await.unwrap(), 0);
    let stale = history::load(&api, "app").await.unwrap();
    // Someone else writes between the agent's read and its write.
    let fresh = history::load(&api, "app").await.unwrap();
    assert_eq!(history::record(&api, "app", fresh, entry("b")).await.unwrap(), 0);
    assert_eq!(history::record(&api, "app", stale, entry("c")).await.unwrap(), 1, "the stale write met one 409");
    let cm = history::load(&api, "app").await.unwrap().unwrap();
    let got: Vec<(u64, String)> = history::entries(&cm).into_iter().map(|e| (e.id, e.revision)).collect();
    assert_eq!(got, vec![(0, "a".to_string()), (1, "b".to_string()), (2, "c".to_string())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_scoped_and_foreign_namespace_objects_are_refused_before_anything_is_applied() {
    let fx = Fixture::new("scope");
    write(&fx.repo, "app/settings.yaml", &config_map_yaml("settings"));
    write(&fx.repo, "app/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n");
    write(&fx.repo, "app/elsewhere.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: kube-system\n");
    commit(&fx.repo, "too much");
    let client = fx.client().await;
    let agent = fx.agent(fx.options("confined", Duration::from_secs(3600))).await;
    assert!(!agent.pass_once().await, "the pass should fail");
    let error = agent.stats().last_error().unwrap();
    assert!(error.contains("ClusterRole rbac.authorization.k8s.io/reader is cluster-scoped"), "{error}");
    assert!(error.contains("ConfigMap elsewhere names namespace \"kube-system\""), "{error}");
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "confined");
    assert!(config_maps.get_opt("settings").await.unwrap().is_none(), "nothing is applied from a refused revision");
    let roles: Api<k8s_openapi::api::rbac::v1::ClusterRole> = Api::all(client);
    assert!(roles.get_opt("reader").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_allows_bookmarks_gets_one_for_changes_it_does_not_show() {
    use futures_util::{StreamExt, TryStreamExt};
    let fx = Fixture::new("bookmark");
    let client = fx.client().await;
    let quiet: Api<ConfigMap> = Api::namespaced(client.clone(), "quiet");
    let mut params = kube::api::WatchParams::default().timeout(60);
    params.bookmarks = true;
    let mut events = quiet.watch(&params, "0").await.unwrap().boxed();
    let elsewhere: Api<ConfigMap> = Api::namespaced(client, "default");
    let created =
        elsewhere.create(&PostParams::default(), &serde_json::from_value(json!({"metadata": {"name": "noise"}})).unwrap()).await.unwrap();
    let created_rv: u64 = created.metadata.resource_version.unwrap().parse().unwrap();
    let event = tokio::time::timeout(PATIENCE, events.try_next()).await.expect("an event in time").unwrap().expect("the watch is open");
    match event {
        kube::api::WatchEvent::Bookmark(b) => {
            let rv: u64 = b.metadata.resource_version.parse().unwrap();
            assert!(rv >= created_rv, "the bookmark ({rv}) is at or after the change it stands for ({created_rv})");
        }
        other => panic!("expected a BOOKMARK, got {other:?}"),
    }
}

type MockHandle = tower_test::mock::Handle<http::Request<kube::client::Body>, http::Response<kube::client::Body>>;

fn mock_client() -> (kube::Client, MockHandle) {
    let (service, handle) = tower_test::mock::pair::<http::Request<kube::client::Body>, http::Response<kube::client::Body>>();
    (kube::Client::new(service, "default"), handle)
}

fn status_response(code: u16, reason: &str, message: &str) -> http::Response<kube::client::Body> {
    let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code});
    http::Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(kube::client::Body::from(serde_json::to_vec(&status).unwrap()))
        .unwrap()
}

#[tokio::test]
async fn a_403_from_the_api_server_names_the_permission_and_the_fix() {
    // Applying: the API server forbids the patch.
    let (client, mut handle) = mock_client();
    let server = tokio::spawn(async move {
        let (request, send) = handle.next_request().await.expect("the agent's request");
        assert_eq!(request.method(), http::Method::PATCH);
        assert!(request.uri().to_string().starts_with("/api/v1/namespaces/demo/configmaps/settings?"), "{}", request.uri());
        assert!(request.uri().query().unwrap_or("").contains("fieldManager=gitops-lab-agent"), "{}", request.uri());
        assert_eq!(request.headers().get("content-type").unwrap(), "application/apply-patch+yaml");
        send.send_response(status_response(
            403,
            "Forbidden",
            "configmaps \"settings\" is forbidden: User \"system:serviceaccount:demo:agent\" cannot patch resource \"configmaps\" in API group \"\" in the namespace \"demo\"",
        ));
    });
    let ns = cluster::Namespace::new(client, "demo");
    let gvk = kube::core::GroupVersionKind::gvk("", "v1", "ConfigMap");
    let kind = cluster::Kind { resource: kube::discovery::ApiResource::from_gvk_with_plural(&gvk, "configmaps"), namespaced: true };
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "demo"}});
    let error = ns.apply(&kind, &obj).await.unwrap_err();
    server.await.unwrap();
    assert!(error.starts_with("forbidden: the agent may not patch configmaps \"settings\" in namespace \"demo\""), "{error}");
    assert!(error.contains("cannot patch resource \"configmaps\""), "{error}");
    assert!(error.contains("gitops-lab agent --print-rbac --namespace demo"), "{error}");

    // Starting: reading the namespace is forbidden, so the agent stops with the same advice.
    let (client, mut handle) = mock_client();
    let server = tokio::spawn(async move {
        let (request, send) = handle.next_request().await.expect("the agent's request");
        assert_eq!(request.uri().path(), "/api/v1/namespaces/demo");
        send.send_response(status_response(403, "Forbidden", "namespaces \"demo\" is forbidden"));
    });
    let dir = scratch_dir("forbidden");
    let options = Options {
        kubeconfig: dir.join("unused"),
        context: None,
        app: "demo".into(),
        repo: dir.to_string_lossy().into_owned(),
        revision: "HEAD".into(),
        path: ".".into(),
        namespace: "demo".into(),
        create_namespace: false,
        poll: Duration::from_secs(60),
        self_heal: false,
        prune: false,
        cache: dir.join("cache"),
        quiet: true,
    };
    let error = Agent::with_client(options, client).await.err().expect("a refusal");
    server.await.unwrap();
    assert!(error.starts_with("forbidden: the agent may not get namespaces \"demo\""), "{error}");
}

fn gitops_lab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
}

#[test]
fn a_production_looking_context_is_refused_without_yes_and_the_rbac_prints() {
    let dir = scratch_dir("prod");
    let config = "apiVersion: v1\nkind: Config\nclusters:\n- name: aks-prod-westeurope\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: aks-prod-westeurope\n  context:\n    cluster: aks-prod-westeurope\n    user: admin\ncurrent-context: aks-prod-westeurope\nusers:\n- name: admin\n  user:\n    token: x\n";
    std::fs::write(dir.join("kubeconfig"), config).unwrap();
    let out = gitops_lab()
        .args(["agent", "--kubeconfig"])
        .arg(dir.join("kubeconfig"))
        .args(["--repo", ".", "--path", "app", "--namespace", "demo"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("context \"aks-prod-westeurope\" looks like production: the agent refuses it unless you pass --yes"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("configmap/gitops-lab-agent-demo in demo"), "the preflight says what it creates:\n{stdout}");

    let rbac = gitops_lab().args(["agent", "--print-rbac", "--namespace", "team-a", "--subject", "User/alice"]).output().unwrap();
    assert!(rbac.status.success());
    let docs = simulator::yaml::parse_documents(&String::from_utf8_lossy(&rbac.stdout), "rbac").unwrap();
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert_eq!(kinds, vec!["Role", "RoleBinding"]);
    assert_eq!(docs[1]["subjects"][0]["name"], "alice");
}

#[test]
fn the_agent_command_runs_once_against_the_simulated_cluster() {
    let fx = Fixture::new("once");
    write(&fx.repo, "app/settings.yaml", &config_map_yaml("settings"));
    commit(&fx.repo, "first");
    let out = gitops_lab()
        .args(["agent", "--once", "--create-namespace", "--namespace", "cli", "--path", "app", "--kubeconfig"])
        .arg(&fx.kubeconfig)
        .arg("--repo")
        .arg(&fx.repo)
        .arg("--cache")
        .arg(fx.dir.join("cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("namespace/cli created"), "{stdout}");
    assert!(stdout.contains("configmap/settings serverside-applied"), "{stdout}");
    let world_has_it = fx.server.host.with_session(|s| {
        let cm = simulator::kube::resource_type("configmap").unwrap();
        s.world.api_get(cm, "cli", "settings").is_ok()
    });
    assert!(world_has_it);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_cluster_apply_and_prune_when_asked_for() {
    let (Some(kubeconfig), Ok("1")) = (std::env::var_os("KUBECONFIG"), std::env::var("GITOPS_LAB_LIVE").as_deref()) else {
        eprintln!(
            "SKIPPED: set KUBECONFIG and GITOPS_LAB_LIVE=1 to run the agent against a real cluster (kind, AKS); this test did not run"
        );
        return;
    };
    let dir = scratch_dir("live");
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&repo, "app/settings.yaml", &config_map_yaml("settings"));
    write(&repo, "app/old.yaml", &config_map_yaml("old"));
    commit(&repo, "first");
    let namespace = format!("gitops-lab-live-{}", std::process::id());
    let kubeconfig = PathBuf::from(kubeconfig.to_string_lossy().split(':').next().unwrap_or_default());
    let options = Options {
        kubeconfig: kubeconfig.clone(),
        context: None,
        app: namespace.clone(),
        repo: repo.to_string_lossy().into_owned(),
        revision: "HEAD".into(),
        path: "app".into(),
        namespace: namespace.clone(),
        create_namespace: true,
        poll: Duration::from_secs(2),
        self_heal: true,
        prune: true,
        cache: dir.join("cache"),
        quiet: true,
    };
    let (config, info) = cluster::read_context(&kubeconfig, None).unwrap();
    let client = cluster::connect(config.clone(), &info).await.unwrap();
    let agent = Agent::start(options, config, info).await.unwrap();
    assert!(agent.pass_once().await, "{}", agent.stats().log_text());
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), &namespace);
    assert!(config_maps.get_opt("old").await.unwrap().is_some());
    std::fs::remove_file(repo.join("app/old.yaml")).unwrap();
    commit(&repo, "remove old");
    assert!(agent.pass_once().await, "{}", agent.stats().log_text());
    let gone = config_maps.get_opt("old").await.unwrap().is_none_or(|c| c.metadata.deletion_timestamp.is_some());
    assert!(gone, "the removed file's ConfigMap was not pruned");
    let namespaces: Api<Namespace> = Api::all(client);
    let _ = namespaces.delete(&namespace, &Default::default()).await;
}
