//! Real kubectl 1.33 and real git drive the simulation: the API host is
//! started in this process and the real tools run against it.
//!
//! kubectl 1.33 is looked for at its Cloud SDK path (or `$KUBECTL_1_33`); when it is
//! missing the tests say so and pass, except with `CI=true`, where its absence fails.

mod common_kubectl;

use gitops_lab::kubeapi::{ApiServer, Options, kubeconfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn scratch_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("gitops-lab-{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

struct Cluster {
    server: ApiServer,
    dir: PathBuf,
    kubeconfig: PathBuf,
    kubectl: PathBuf,
}

impl Cluster {
    fn empty(kubectl: PathBuf, speed: f64) -> Cluster {
        let world = simulator::Session::empty_cluster(7, simulator::SimTime(gitops_lab::kubeapi::clock::wall_millis()));
        Cluster::serve(kubectl, world, speed, "default")
    }

    fn serve(kubectl: PathBuf, world: simulator::World, speed: f64, namespace: &str) -> Cluster {
        let server =
            ApiServer::start(world, Options { addr: "127.0.0.1:0".into(), speed, namespace: namespace.into(), keep_outputs: false })
                .unwrap();
        let dir = scratch_dir("kubectl");
        let path = dir.join("kubeconfig");
        kubeconfig::write(&path, &server.kubeconfig).unwrap();
        Cluster { server, dir, kubeconfig: path, kubectl }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.kubectl);
        c.args(args).env("KUBECONFIG", &self.kubeconfig).env("HOME", &self.dir).env_remove("KUBECTL_EXTERNAL_DIFF");
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = self.command(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "kubectl {}: {}{}", args.join(" "), r.stdout, r.stderr);
        r.stdout
    }

    /// Runs kubectl until its output satisfies `done` (at most `secs` seconds of wall time).
    fn eventually(&self, args: &[&str], secs: u64, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let r = self.run(args);
            if done(&r.stdout) {
                return r.stdout;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl {} never satisfied the condition; last output:\n{}{}",
                args.join(" "),
                r.stdout,
                r.stderr
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n";

fn header(text: &str) -> Vec<String> {
    text.lines().next().unwrap_or_default().split_whitespace().map(String::from).collect()
}

#[test]
fn requests_without_the_sessions_token_are_refused() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 1.0);
    let wrong = std::fs::read_to_string(&cluster.kubeconfig).unwrap().replace("token: ", "token: x");
    let path = cluster.write("wrong-kubeconfig", &wrong);
    let r = cluster.run_with(&["get", "pods"], &[("KUBECONFIG", &path)]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("error: You must be logged in to the server (the server has asked for the client to provide credentials)"),
        "{}",
        r.stderr
    );
}

#[test]
fn get_prints_kubectls_columns_for_nodes_and_namespaces() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 1.0);
    let nodes = cluster.ok(&["get", "nodes"]);
    assert_eq!(header(&nodes), ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
    assert!(nodes.contains("gitops-lab-control-plane   Ready"), "{nodes}");
    let wide = cluster.ok(&["get", "nodes", "-o", "wide"]);
    assert!(header(&wide).contains(&"INTERNAL-IP".to_string()), "{wide}");
    let ns = cluster.ok(&["get", "ns"]);
    assert_eq!(header(&ns), ["NAME", "STATUS", "AGE"]);
    assert!(ns.contains("kube-system") && !ns.contains("<invalid>"), "{ns}");
    let version = cluster.ok(&["version"]);
    assert!(version.contains("Server Version: v1.33.3"), "{version}");
    let missing = cluster.run(&["get", "widgets"]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("the server doesn't have a resource type \"widgets\""), "{}", missing.stderr);
}

#[test]
fn apply_scale_set_image_rollout_undo_edit_describe_logs_delete() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 20.0);
    let file = cluster.write("web.yaml", WEB);
    assert_eq!(cluster.ok(&["apply", "-f", &file]), "deployment.apps/web created\n");
    let deploy = cluster.eventually(&["get", "deploy"], 30, |o| o.contains("web    2/2"));
    assert_eq!(header(&deploy), ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    assert_eq!(cluster.ok(&["apply", "-f", &file]), "deployment.apps/web unchanged\n");
    let pods = cluster.ok(&["get", "pods", "-l", "app=web"]);
    assert_eq!(header(&pods), ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert_eq!(pods.lines().filter(|l| l.starts_with("web-")).count(), 2, "{pods}");

    assert_eq!(cluster.ok(&["scale", "deployment", "web", "--replicas=3"]), "deployment.apps/web scaled\n");
    cluster.eventually(&["get", "deploy", "web"], 30, |o| o.contains("3/3"));

    assert_eq!(cluster.ok(&["set", "image", "deployment/web", "web=nginx:1.28"]), "deployment.apps/web image updated\n");
    cluster.eventually(&["get", "rs"], 30, |o| o.lines().filter(|l| l.starts_with("web-")).count() == 2);
    cluster.eventually(&["rollout", "status", "deployment/web", "--timeout=30s"], 40, |o| o.contains("successfully rolled out"));
    assert_eq!(cluster.ok(&["rollout", "undo", "deployment/web"]), "deployment.apps/web rolled back\n");
    cluster.eventually(&["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"], 30, |o| o == "nginx:1.27");

    let edited = cluster.run_with(&["edit", "deployment/web"], &[("KUBE_EDITOR", "sed -i 's/replicas: 3/replicas: 4/'")]);
    assert_eq!(edited.code, 0, "{}{}", edited.stdout, edited.stderr);
    assert_eq!(edited.stdout, "deployment.apps/web edited\n");
    cluster.eventually(&["get", "deploy", "web"], 30, |o| o.contains("4/4"));

    let described = cluster.ok(&["describe", "deployment", "web"]);
    assert!(described.contains("Name:                   web") && described.contains("Replicas:"), "{described}");
    assert!(!described.contains("<invalid>"), "{described}");
    let logs = cluster.ok(&["logs", "deploy/web"]);
    assert!(logs.contains("starting web"), "{logs}");

    assert_eq!(cluster.ok(&["delete", "deployment", "web"]), "deployment.apps \"web\" deleted\n");
    let gone = cluster.run(&["get", "deployment", "web"]);
    assert_eq!(gone.code, 1);
    assert_eq!(gone.stderr, "Error from server (NotFound): deployments.apps \"web\" not found\n");
}

#[test]
fn create_namespace_and_configmap_send_protobuf_and_work() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 1.0);
    assert_eq!(cluster.ok(&["create", "namespace", "team-a"]), "namespace/team-a created\n");
    assert_eq!(
        cluster.ok(&["create", "configmap", "settings", "-n", "team-a", "--from-literal=color=blue"]),
        "configmap/settings created\n"
    );
    let cm = cluster.ok(&["get", "cm", "settings", "-n", "team-a", "-o", "jsonpath={.data.color}"]);
    assert_eq!(cm, "blue");
    assert_eq!(cluster.ok(&["create", "deployment", "api", "-n", "team-a", "--image=nginx:1.27"]), "deployment.apps/api created\n");
    let again = cluster.run(&["create", "namespace", "team-a"]);
    assert_eq!(again.code, 1);
    assert_eq!(again.stderr, "Error from server (AlreadyExists): namespaces \"team-a\" already exists\n");
    assert_eq!(cluster.ok(&["auth", "can-i", "create", "pods"]), "yes\n");
}

#[test]
fn get_watch_streams_changes_until_stopped() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 20.0);
    let mut child = cluster.command(&["get", "deploy", "-w"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let file = cluster.write("web.yaml", WEB);
    cluster.ok(&["apply", "-f", &file]);
    cluster.eventually(&["get", "deploy", "web"], 30, |o| o.contains("2/2"));
    std::thread::sleep(Duration::from_millis(500));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("web ")).collect();
    assert!(rows.len() >= 2, "get -w printed:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(rows.iter().any(|r| r.contains("2/2")), "{text}");
}

#[test]
fn errors_carry_the_api_servers_codes() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 1.0);
    let file = cluster.write("web.yaml", WEB);
    cluster.ok(&["apply", "-f", &file]);
    // 422: a negative replica count.
    let bad = cluster.write("bad.yaml", &WEB.replace("replicas: 2", "replicas: -1").replace("name: web\n  labels", "name: bad\n  labels"));
    let r = cluster.run(&["create", "-f", &bad]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"), "{}", r.stderr);
    // 400: a field of the wrong type, refused by the store as the API server's decoder does.
    let typed =
        cluster.write("typed.yaml", &WEB.replace("replicas: 2", "replicas: two").replace("name: web\n  labels", "name: typed\n  labels"));
    let r = cluster.run(&["create", "-f", &typed]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        ),
        "{}",
        r.stderr
    );
    // 409: a replace with a stale resourceVersion.
    let live = cluster.ok(&["get", "deploy", "web", "-o", "json"]);
    let mut obj: serde_json::Value = serde_json::from_str(&live).unwrap();
    obj["metadata"]["resourceVersion"] = serde_json::json!("1");
    let stale = cluster.write("stale.json", &obj.to_string());
    let r = cluster.run(&["replace", "-f", &stale]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified"), "{}", r.stderr);
    // dryRun=All stores nothing.
    let other = cluster.write("other.yaml", &WEB.replace("name: web\n  labels", "name: other\n  labels"));
    assert_eq!(cluster.ok(&["apply", "-f", &other, "--dry-run=server"]), "deployment.apps/other created (server dry run)\n");
    assert_eq!(cluster.run(&["get", "deploy", "other"]).code, 1);
    // Server-side apply.
    assert_eq!(cluster.ok(&["apply", "--server-side", "-f", &other]), "deployment.apps/other serverside-applied\n");
}

/// kubectl 1.33 sends `fieldValidation=Strict` by default: a misspelt field is refused by the
/// server in its own words, on create (400) and on an apply that patches (422); `--validate=warn`
/// stores the object without the field and prints the server's warning; `--validate=false` drops it.
#[test]
fn unknown_fields_are_refused_under_strict_field_validation() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 1.0);
    let typo = cluster.write("typo.yaml", &WEB.replace("  replicas: 2", "  replicass: 2"));
    let r = cluster.run(&["create", "-f", &typo]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "Error from server (BadRequest): error when creating \"{typo}\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicass\"\n"
        )
    );
    assert_eq!(cluster.run(&["get", "deploy", "web"]).code, 1, "a refused create stores nothing");
    let file = cluster.write("web.yaml", WEB);
    cluster.ok(&["apply", "-f", &file]);
    let container_typo =
        cluster.write("web2.yaml", &WEB.replace("image: nginx:1.27", "image: nginx:1.28\n        imagePullPolicyy: Always"));
    let r = cluster.run(&["apply", "-f", &container_typo]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // kubectl words a kind-less Invalid status (the patch handler's) as "The request is invalid".
    assert!(r.stderr.starts_with("The request is invalid: patch: Invalid value: \"map[metadata:map[annotations:map[kubectl.kubernetes.io/last-applied-configuration:{"), "{}", r.stderr);
    assert!(
        r.stderr.ends_with(" spec:map[template:map[spec:map[$setElementOrder/containers:[map[name:web]] containers:[map[image:nginx:1.28 imagePullPolicyy:Always name:web]]]]]]\": strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"\n"),
        "{}",
        r.stderr
    );
    assert!(
        cluster.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]) == "nginx:1.27",
        "a refused patch changes nothing"
    );
    let r = cluster.run(&["apply", "-f", &container_typo, "--validate=warn"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr, "Warning: unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"\n");
    assert_eq!(r.stdout, "deployment.apps/web configured\n");
    assert_eq!(cluster.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]), "nginx:1.28");
    let other = cluster
        .write("other.yaml", &WEB.replace("name: web\n  labels", "name: other\n  labels").replace("  replicas: 2", "  replicass: 2"));
    let r = cluster.run(&["create", "-f", &other, "--validate=false"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    assert!(!cluster.ok(&["get", "deploy", "other", "-o", "json"]).contains("replicass"), "Ignore drops the unknown field");
}

/// `kubectl logs -f` prints what the container printed, stays open while it runs, and
/// returns when the pod goes (its container stops), as with a real kubelet.
#[test]
fn logs_follow_streams_until_the_container_stops() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let cluster = Cluster::empty(kubectl, 20.0);
    let file = cluster.write("web.yaml", &WEB.replace("replicas: 2", "replicas: 1"));
    cluster.ok(&["apply", "-f", &file]);
    cluster.eventually(&["get", "deploy", "web"], 30, |o| o.contains("1/1"));
    let pod = cluster.ok(&["get", "pods", "-o", "name"]).trim().to_string();
    let mut child = cluster.command(&["logs", "-f", &pod]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        assert!(child.try_wait().unwrap().is_none(), "logs -f returned while the container still runs");
        std::thread::sleep(Duration::from_millis(200));
    }
    cluster.ok(&["delete", &pod, "--wait=false"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "logs -f did not return after the pod was deleted");
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("\"msg\":\"starting web\"") && text.contains("\"msg\":\"ready\""), "{text}");
}

/// The drift-2am lab's done-when, with the real tools: a real `kubectl scale` is undone by
/// self-heal, a real `git commit` and `git push` reach the agent, and the steps pass.
#[test]
fn drift_2am_steps_pass_from_what_real_kubectl_and_git_did() {
    let Some(kubectl) = common_kubectl::required_for("this test") else { return };
    let files = gitops_lab::content_dir::load(None).unwrap();
    let dir = scratch_dir("drift");
    let (server, mut repos) = gitops_lab::real_tools::start(&files, "drift-2am", &dir, 60.0, Some(3)).unwrap();
    let cluster = Cluster { kubeconfig: dir.join("kubeconfig"), dir: dir.clone(), kubectl, server };
    let host = cluster.server.host.clone();
    let step = || host.lock().world.tracker().map(|t| t.active()).unwrap_or(0);
    let sync = |repos: &mut Vec<gitops_lab::real_tools::RealRepo>| {
        for r in repos.iter_mut() {
            r.sync(&host).unwrap();
        }
    };
    let wait_step = |n: usize, repos: &mut Vec<gitops_lab::real_tools::RealRepo>| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while step() < n {
            assert!(Instant::now() < deadline, "step {} never passed: {:?}", n, host.lock().world.step_reports());
            sync(repos);
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let emulated = |line: &str| {
        host.with_session(|s| {
            let now = s.clock.now().max(s.world.now());
            s.world.handle_input(now, simulator::Input::Command { line: line.into() });
        })
    };

    // Step 1: look around (real kubectl; argocd and git log in the lab's terminal).
    let deploy = cluster.ok(&["get", "deploy", "-n", "payments"]);
    assert!(deploy.contains("payment-service   3/3"), "{deploy}");
    cluster.ok(&["get", "pods", "-n", "payments"]);
    emulated("argocd app get payment-service");
    emulated("git log --oneline");
    wait_step(1, &mut repos);

    // Steps 2 and 3: a real scale, undone by self-heal.
    assert_eq!(
        cluster.ok(&["scale", "deployment", "payment-service", "--replicas=5", "-n", "payments"]),
        "deployment.apps/payment-service scaled\n"
    );
    wait_step(3, &mut repos);
    cluster.eventually(&["get", "deploy", "payment-service", "-n", "payments"], 30, |o| o.contains("3/3"));

    // Step 4: without self-heal the real scale stays.
    emulated("argocd app set payment-service --self-heal=false");
    cluster.ok(&["scale", "deployment", "payment-service", "-n", "payments", "--replicas=5"]);
    wait_step(4, &mut repos);

    // Step 5: the GitOps way, with real git in the real clone.
    let clone = repos[0].clone.clone().unwrap();
    let manifest = clone.join("apps/payment-service/deployment.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("replicas: 3", "replicas: 5")).unwrap();
    git(&clone, &["commit", "-am", "Scale payment-service to 5 replicas for the traffic spike"]);
    git(&clone, &["push"]);
    wait_step(5, &mut repos);
    let deploy = cluster.ok(&["get", "deploy", "-n", "payments"]);
    assert!(deploy.contains("payment-service   5/5"), "{deploy}");
    // The commit the agent deployed is the real one.
    let head = git(&clone, &["rev-parse", "HEAD"]);
    let app = host.lock().world.agent().app("payment-service").map(|a| a.status.revision.clone()).unwrap();
    assert_eq!(app, head.trim());
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).env("TZ", "UTC").output().unwrap();
    assert!(out.status.success(), "git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
