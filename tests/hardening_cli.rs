//! Issue 12's reproductions against the binary and the server: files that are not regular,
//! kustomize on folders without a kustomization, edits that must not lose data, bad input on
//! stdin, lab content that would have panicked `check`, and slow clients of `serve`.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn gitops_lab(args: &[&str], dir: Option<&std::path::Path>) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gitops-lab"));
    command.args(args).stdin(Stdio::null());
    if let Some(d) = dir {
        command.current_dir(d);
    }
    let out = command.output().expect("the binary runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gitops-lab-hardening-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn health_refuses_a_fifo_and_dev_zero_instead_of_blocking_or_filling_memory() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let (code, _, err) = gitops_lab(&["health", fifo.to_str().unwrap(), "/dev/zero"], None);
    assert_eq!(code, 2);
    assert!(err.contains("pipe.yaml: not a regular file") && err.contains("/dev/zero: not a regular file"), "{err}");
}

#[test]
fn a_sandbox_skips_a_fifo_in_its_folder() {
    let dir = temp_dir("sandbox-fifo");
    std::fs::write(dir.join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n").unwrap();
    assert!(Command::new("mkfifo").arg(dir.join("blocked.yaml")).status().unwrap().success());
    let script = dir.join("script.txt");
    std::fs::write(&script, "kubectl get configmap x\n").unwrap();
    let (code, out, err) =
        gitops_lab(&["sandbox", "--repo", dir.to_str().unwrap(), "--script", script.to_str().unwrap(), "--seed", "1"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("x "), "{out}");
}

#[test]
fn sandbox_folders_named_like_yaml_scalars_load() {
    for name in ["2024", "true", "a: b"] {
        let dir = temp_dir("names").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n").unwrap();
        let script = dir.join("script.txt");
        std::fs::write(&script, "argocd app list\n").unwrap();
        let (code, out, err) =
            gitops_lab(&["sandbox", "--repo", dir.to_str().unwrap(), "--script", script.to_str().unwrap(), "--seed", "1"], None);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert!(out.contains("Synced"), "{name}: {out}");
    }
}

#[test]
fn kustomize_build_of_a_folder_without_a_kustomization_names_it_at_once() {
    let dir = temp_dir("no-kustomization");
    std::fs::create_dir_all(dir.join("deep/deeper")).unwrap();
    std::fs::write(dir.join("deep/deeper/x.yaml"), "a: b\n").unwrap();
    let (code, out, err) = gitops_lab(&["kustomize", "build", dir.to_str().unwrap()], None);
    assert_eq!((code, out.as_str()), (1, ""));
    let canonical = dir.canonicalize().unwrap();
    assert_eq!(
        err,
        format!(
            "Error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'\n",
            canonical.display()
        )
    );
}

#[test]
fn kustomize_edit_set_image_leaves_a_file_it_cannot_read_or_that_is_a_list() {
    let dir = temp_dir("edit");
    let path = dir.join("kustomization.yaml");
    let mut bytes = b"resources:\n- deployment.yaml\nnamePrefix: prod-\n# caf\xe9\n".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let (code, _, err) = gitops_lab(&["kustomize", "edit", "set", "image", "nginx=nginx:1.28"], Some(&dir));
    assert_eq!(code, 1);
    assert!(err.starts_with("Error: kustomization.yaml: "), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    bytes = b"- resources\n- deployment.yaml\n".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let (code, _, err) = gitops_lab(&["kustomize", "edit", "set", "image", "nginx=nginx:1.28"], Some(&dir));
    assert_eq!(code, 1);
    assert_eq!(err, "Error: invalid Kustomization: json: cannot unmarshal array into Go value of type types.Kustomization\n");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn play_says_when_stdin_is_not_utf8_and_fails() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["play", "drift-2am", "--seed", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"kubectl get pods\n\xff\xfe\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error: cannot read the next command: "), "{err}");
}

#[test]
fn quiz_record_checks_its_path_before_the_first_question() {
    let (code, out, err) = gitops_lab(&["quiz", "rollback", "--seed", "1", "--record", "/no/such/folder/result.json"], None);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: cannot write /no/such/folder/result.json: "), "{err}");
    assert!(!out.contains("Question"), "{out}");
}

#[test]
fn check_reports_a_flux_file_that_does_not_exist_with_file_and_field() {
    let mut files = simulator::content::builtin();
    let lab = files.get_mut("labs/flux-vs-argo/lab.yaml").expect("flux-vs-argo exists");
    *lab = lab.replace("flux: [clusters/prod/payment-service-flux.yaml]", "flux: [clusters/prod/missing.yaml]");
    let errors = gitops_lab::check::validate(&files).unwrap_err();
    assert!(
        errors.iter().any(|e| e.contains("labs/flux-vs-argo/lab.yaml") && e.contains("world.flux[0]") && e.contains("missing.yaml")),
        "{errors:?}"
    );
}

/// Reads until the server closes the connection, or `limit` passes.
fn closed_within(stream: &mut std::net::TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_drops_half_sent_requests_and_bounds_its_connections() {
    use gitops_lab::server::listen::{Limits, serve};
    // The site, and a route that reads a body (as the classroom's posts do).
    let router = gitops_lab::server::router(&simulator::content::builtin(), gitops_lab::server::Site::Dir(temp_dir("site")))
        .unwrap()
        .route("/echo", axum::routing::post(|body: String| async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Limits { max_connections: 4, header_timeout: Duration::from_secs(1), request_timeout: Duration::from_secs(2) };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    let outcome = tokio::task::spawn_blocking(move || {
        // Four half-sent requests take every slot; a fifth connection is closed at once.
        let mut slow: Vec<std::net::TcpStream> = (0..4)
            .map(|_| {
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
                s
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let mut extra = std::net::TcpStream::connect(addr).unwrap();
        let fifth_closed = closed_within(&mut extra, Duration::from_millis(900));
        // The header deadline closes the slow ones, which frees the slots for a whole request.
        let all_closed = slow.iter_mut().all(|s| closed_within(s, Duration::from_secs(5)));
        let mut whole = std::net::TcpStream::connect(addr).unwrap();
        whole.write_all(b"GET /api/labs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        whole.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = whole.read_to_string(&mut answer);
        // A body promised but never sent gets 408 at the request deadline.
        let mut stalled = std::net::TcpStream::connect(addr).unwrap();
        stalled.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{").unwrap();
        let mut timed_out = String::new();
        stalled.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 256];
        if let Ok(n) = stalled.read(&mut buf) {
            timed_out = String::from_utf8_lossy(&buf[..n]).into();
        }
        (fifth_closed, all_closed, answer, timed_out)
    })
    .await
    .unwrap();
    let _ = stop.send(());
    let _ = server.await;
    let (fifth_closed, all_closed, answer, timed_out) = outcome;
    assert!(fifth_closed, "a connection over the limit is closed");
    assert!(all_closed, "half-sent requests are closed at the header deadline");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(timed_out.starts_with("HTTP/1.1 408"), "{timed_out}");
}
