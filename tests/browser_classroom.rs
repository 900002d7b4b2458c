//! The classroom in a real browser: the instructor's page and two trainees' lab pages in
//! headless Chromium (three sessions, so three separate localStorages). The instructor
//! creates a class, both trainees join with its code and open the drift lab, the
//! instructor broadcasts an incident, and it shows in both trainees' labs.
//!
//! Gated like tests/browser.rs: `cargo xtask test` turns it on; a plain `cargo test`
//! skips it with a message (with CI=true it fails instead).

mod common_classroom;

use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn enabled() -> bool {
    if std::env::var_os("GITOPS_LAB_BROWSER_TESTS").is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
        panic!("CI=true but the browser tests are off: run them with `cargo xtask test` (needs chromium and chromium-driver)");
    }
    eprintln!("SKIPPED the classroom browser test: run `cargo xtask test` (needs chromium and chromium-driver) to include it");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free local port")
}

/// The real server with a fresh SQLite database and a known instructor token.
fn start_server(database: &str) -> (Process, String, std::thread::JoinHandle<()>) {
    let site = std::env::var("GITOPS_LAB_TEST_SITE").expect("GITOPS_LAB_TEST_SITE names the built site");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["serve", "--addr", "127.0.0.1:0", "--site", &site, "--database", database])
        .env("GITOPS_LAB_INSTRUCTOR_TOKEN", common_classroom::INSTRUCTOR)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let first = lines.next().expect("the server prints its address").unwrap();
    let url = first.split_whitespace().find(|w| w.starts_with("http://")).expect("an address").trim_end_matches('/').to_string();
    let reader = std::thread::spawn(move || for _ in lines {});
    (Process(child), url, reader)
}

fn start_chromedriver() -> (Process, String) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Process(child), format!("http://127.0.0.1:{port}"))
}

async fn browser(webdriver: &str, name: &str) -> Client {
    let profile = std::env::temp_dir().join(format!("gitops-lab-classroom-chrome-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
    ClientBuilder::native().capabilities(caps).connect(webdriver).await.expect("a WebDriver session")
}

async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until the element's text contains `needle`.
async fn wait_for_text(client: &Client, css: &str, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let text = text_of(client, css).await;
        if text.contains(needle) {
            return text;
        }
        assert!(Instant::now() < deadline, "{css} did not show `{needle}` within {timeout:?}; it shows `{text}`");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click(client: &Client, css: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css}")).click().await.expect("a click");
}

async fn type_into(client: &Client, css: &str, text: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css}")).send_keys(text).await.expect("typing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broadcast_incident_shows_in_both_trainees_labs() {
    if !enabled() {
        return;
    }
    let database = common_classroom::sqlite_url("browser");
    let (_server, base, _reader) = start_server(&database);
    let (_driver, webdriver) = start_chromedriver();

    let instructor = browser(&webdriver, "instructor").await;
    instructor.goto(&format!("{base}/instructor")).await.unwrap();
    type_into(&instructor, "#instructor-token", common_classroom::INSTRUCTOR).await;
    click(&instructor, "#use-token").await;
    wait_for_text(&instructor, "#classes", "Create a class", Duration::from_secs(10)).await;
    type_into(&instructor, "#class-name", "Browser class").await;
    click(&instructor, "input[name=lab][value=drift-2am]").await;
    click(&instructor, "#create-submit").await;
    let code = loop {
        let code = text_of(&instructor, "#join-code").await;
        if code.len() == 6 {
            break code;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let mut trainees = Vec::new();
    for name in ["Ada", "Bob"] {
        let client = browser(&webdriver, name).await;
        client.goto(&format!("{base}/join?code={code}")).await.unwrap();
        type_into(&client, "#join-name", name).await;
        click(&client, "#join-submit").await;
        wait_for_text(&client, "#joined-title", "Browser class", Duration::from_secs(10)).await;
        click(&client, "#class-lab-drift-2am").await;
        wait_for_text(&client, "#classroom-bar", "● live", Duration::from_secs(30)).await;
        trainees.push(client);
    }
    wait_for_text(&instructor, "#grid tbody", "Bob", Duration::from_secs(10)).await;

    // The first incident of the drift lab is "Someone deletes the payment-service Service".
    click(&instructor, "#broadcast-incident").await;
    wait_for_text(&instructor, "#action-result", "Sent to every trainee", Duration::from_secs(10)).await;
    for client in &trainees {
        let banner =
            wait_for_text(client, ".incident-banner", "Someone deletes the payment-service Service", Duration::from_secs(10)).await;
        assert!(banner.contains("Incident"), "{banner}");
    }
    // Both pages reported the incident back: the instructor's progress shows it per trainee.
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let classes = common_classroom::get(addr, "/api/classes", Some(common_classroom::INSTRUCTOR)).await.json();
        let id = classes[0]["id"].as_str().unwrap().to_string();
        let p = common_classroom::get(addr, &format!("/api/classes/{id}/progress"), Some(common_classroom::INSTRUCTOR)).await.json();
        let seen = p["trainees"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["labs"]["drift-2am"]["incidents"] == serde_json::json!(["service-deleted"]))
            .count();
        if seen == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "both trainees report the incident: {p}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("classroom-instructor.png"), instructor.screenshot().await.unwrap()).unwrap();
    std::fs::write(dir.join("classroom-trainee.png"), trainees[0].screenshot().await.unwrap()).unwrap();
    for client in trainees {
        client.close().await.unwrap();
    }
    instructor.close().await.unwrap();
}
