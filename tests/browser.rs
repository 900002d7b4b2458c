//! End to end in a real browser: the server serves the built site, headless
//! Chromium (through chromedriver and WebDriver) opens the drift lab, types
//! into its terminal, and watches the app go OutOfSync and back to Synced.
//!
//! `cargo xtask test` builds the site and turns these tests on; a plain
//! `cargo test` skips them with a message (with CI=true it fails instead).

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
        panic!(
            "CI=true but the browser tests are off: run them with `cargo xtask test`, which installs nothing itself but needs chromium and chromium-driver"
        );
    }
    eprintln!("SKIPPED browser tests: run `cargo xtask test` (needs chromium and chromium-driver) to include them");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free local port")
}

/// Starts the real server on a free port and returns it with its base URL.
fn start_server() -> (Process, String) {
    let site = std::env::var("GITOPS_LAB_TEST_SITE").expect("GITOPS_LAB_TEST_SITE names the built site");
    static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let database = format!("sqlite://{}/gitops-lab-browser-{}-{n}.db", std::env::temp_dir().display(), std::process::id());
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["serve", "--addr", "127.0.0.1:0", "--site", &site, "--database", &database])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("the server prints its address");
    // The server goes on printing (the instructor token at first start): keep reading, so its
    // writes never meet a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url =
        line.split_whitespace().find(|w| w.starts_with("http://")).expect("an address in the first line").trim_end_matches('/').to_string();
    (Process(child), url)
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

async fn browser(webdriver: &str) -> Client {
    static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SESSIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let profile = std::env::temp_dir().join(format!("gitops-lab-chrome-{}-{n}", std::process::id()));
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
        "--window-size=1280,720".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
    ClientBuilder::native().capabilities(caps).connect(webdriver).await.expect("a WebDriver session")
}

/// A running server, chromedriver and browser session on `path` of the site.
async fn open(path: &str) -> (Process, Process, Client, String) {
    let (server, base) = start_server();
    let (driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;
    client.goto(&format!("{base}{path}")).await.unwrap();
    (server, driver, client, base)
}

async fn text_of(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn wait_for(client: &Client, css: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while client.find(Locator::Css(css)).await.is_err() {
        assert!(Instant::now() < deadline, "{css} did not appear within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn type_command(client: &Client, line: &str) {
    let input = client.find(Locator::Css("#term-input")).await.expect("the terminal input");
    input.send_keys(&format!("{line}\u{E007}")).await.expect("typing into the terminal");
}

/// Clicks "Next event" until the app badge shows `word` (at most 50 events).
async fn step_until(client: &Client, word: &str) -> usize {
    for n in 0..50 {
        let badges = text_of(client, "#app-payment-service").await;
        if badges.split_whitespace().any(|w| w == word) {
            return n;
        }
        client.find(Locator::Css("#next-event")).await.expect("the next-event button").click().await.expect("a click");
    }
    panic!("the app never showed {word}");
}

fn screenshot_path(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir.join(name)
}

#[tokio::test(flavor = "multi_thread")]
async fn drift_lab_goes_out_of_sync_and_heals_in_the_browser() {
    if !enabled() {
        return;
    }
    let (_server, base) = start_server();
    let (_driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;

    let started = Instant::now();
    client.goto(&format!("{base}/")).await.unwrap();
    let catalog = text_of(&client, "main").await;
    assert!(catalog.contains("It's 2 AM: the manual scale"), "the catalog lists the lab: {catalog}");
    println!("catalog page loaded: {} ms", started.elapsed().as_millis());
    let clicked = Instant::now();
    client.find(Locator::Css("#lab-drift-2am a")).await.unwrap().click().await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    println!("lab page load (from the click) to interactive terminal: {} ms", clicked.elapsed().as_millis());
    // The bundle as the browser received it: gzip-compressed by the server.
    let sizes = client
        .execute(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes('/pkg/')).map(e => [e.name, e.encodedBodySize, e.decodedBodySize]);",
            vec![],
        )
        .await
        .unwrap();
    let (mut sent, mut unpacked) = (0.0, 0.0);
    for entry in sizes.as_array().unwrap() {
        sent += entry[1].as_f64().unwrap_or(0.0);
        unpacked += entry[2].as_f64().unwrap_or(0.0);
    }
    println!("bundle over the wire: {:.2} MB compressed ({:.2} MB unpacked)", sent / 1e6, unpacked / 1e6);
    assert!(sent > 0.0 && sent < 1.5e6, "the bundle stays under 1.5 MB compressed: {sizes}");

    assert!(text_of(&client, "#app-payment-service").await.contains("Synced"));
    for line in ["kubectl get deploy -n payments", "kubectl get pods -n payments", "argocd app get payment-service", "git log --oneline"] {
        type_command(&client, line).await;
    }
    wait_for(&client, "#step-look-around.passed", Duration::from_secs(5)).await;
    // Pause the clock so each step of the loop can be watched, one event at a time.
    client.find(Locator::Css("#speed-0")).await.unwrap().click().await.unwrap();
    type_command(&client, "kubectl scale deployment payment-service --replicas=5 -n payments").await;
    let events = step_until(&client, "OutOfSync").await;
    println!("OutOfSync after {events} simulated events");
    step_until(&client, "Synced").await;
    let terminal = text_of(&client, ".scrollback").await;
    assert!(terminal.contains("deployment.apps/payment-service scaled"), "{terminal}");
    let timeline = text_of(&client, ".timeline").await;
    assert!(timeline.contains("self-heal sync"), "the timeline shows the self-heal: {timeline}");

    type_command(&client, "kubectl get deploy -n payments").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let terminal = text_of(&client, ".scrollback").await;
    assert!(terminal.contains("payment-service   3/3     3            3"), "{terminal}");
    let steps = text_of(&client, "#step-manual-scale").await;
    assert!(steps.contains("passed"), "the scale step shows as passed: {steps}");

    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshot_path("drift-2am.png"), png).unwrap();
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_shows_the_recovery_screen() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    type_command(&client, "kubectl get pods").await;
    type_command(&client, "gitops-lab debug panic").await;
    wait_for(&client, "#recovery-reset", Duration::from_secs(5)).await;
    // A saved input can be undone, and the reset is this lab's only.
    wait_for(&client, "#recovery-back", Duration::from_secs(5)).await;
    let body = text_of(&client, "body").await;
    assert!(body.contains("Something went wrong in this lab"), "{body}");
    assert!(body.contains("a panic was requested from the terminal"), "{body}");
    std::fs::write(screenshot_path("recovery.png"), client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_opens_as_a_sandbox_in_the_browser() {
    if !enabled() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("gitops-lab-upload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("team-repo/web")).unwrap();
    std::fs::write(
        dir.join("team-repo/web/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {colour: blue}\n",
    )
    .unwrap();
    let (_server, base) = start_server();
    let (_driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;
    client.goto(&format!("{base}/")).await.unwrap();
    client.find(Locator::Css("#open-sandbox")).await.unwrap().click().await.unwrap();
    wait_for(&client, "#sandbox-folder", Duration::from_secs(20)).await;
    let input = client.find(Locator::Css("#sandbox-folder")).await.unwrap();
    input.send_keys(dir.join("team-repo").to_str().unwrap()).await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    type_command(&client, "kubectl get cm settings -o jsonpath='{.data.colour}'").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let terminal = text_of(&client, ".scrollback").await;
    assert!(terminal.contains("blue"), "{terminal}");
    assert!(text_of(&client, ".status").await.contains("Application team-repo"));
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_survives_a_reload_and_reset_clears_it() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    for line in ["kubectl get deploy -n payments", "kubectl get pods -n payments", "argocd app get payment-service", "git log --oneline"] {
        type_command(&client, line).await;
    }
    wait_for(&client, "#step-look-around.passed", Duration::from_secs(5)).await;
    client.refresh().await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    wait_for(&client, "#step-look-around.passed", Duration::from_secs(5)).await;
    let terminal = text_of(&client, ".scrollback").await;
    assert!(terminal.contains("Resumed your progress (4 inputs replayed)."), "{terminal}");
    assert!(terminal.contains("db98345 (HEAD -> main, origin/main, origin/HEAD)"), "the terminal is rebuilt: {terminal}");
    client.find(Locator::Css("#reset-lab")).await.unwrap().click().await.unwrap();
    client.find(Locator::Css("#reset-confirm")).await.unwrap().click().await.unwrap();
    client.refresh().await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    assert!(client.find(Locator::Css("#step-look-around.passed")).await.is_err(), "reset forgets the progress");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tree_shows_live_desired_and_diff_and_history_shows_commits() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    client.find(Locator::Css("#speed-0")).await.unwrap().click().await.unwrap();
    // With the clock paused, the agent has not looked yet: the drift is there to inspect.
    type_command(&client, "kubectl scale deployment payment-service --replicas=5 -n payments").await;
    let nodes = client.find_all(Locator::Css(".app-tree .tree-node")).await.unwrap();
    let mut clicked = false;
    for node in nodes {
        if node.text().await.unwrap_or_default().starts_with("Deployment/payment-service") {
            node.click().await.unwrap();
            clicked = true;
            break;
        }
    }
    assert!(clicked, "the tree lists the Deployment");
    wait_for(&client, ".detail .diff", Duration::from_secs(5)).await;
    let diff = text_of(&client, ".detail .diff").await;
    assert!(diff.contains("<   replicas: 5") && diff.contains(">   replicas: 3"), "{diff}");
    client.find(Locator::Css(".detail .close")).await.unwrap().click().await.unwrap();
    client.find(Locator::Css(".git-history .tree-node")).await.unwrap().click().await.unwrap();
    wait_for(&client, ".detail .patch", Duration::from_secs(5)).await;
    let patch = text_of(&client, ".detail .patch").await;
    assert!(patch.contains("diff --git a/apps/payment-service/deployment.yaml"), "{patch}");
    assert!(text_of(&client, ".git-history").await.contains("deployed here: payment-service"));
    std::fs::write(screenshot_path("tree-and-diff.png"), client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}

/// Answers every question of a drawn quiz in the page with the keyboard alone
/// (Space on a choice, Enter on a button, typing into a select), right or wrong.
async fn answer_quiz_by_keyboard(client: &Client, attempt: &simulator::quiz::Attempt, right: bool) {
    use simulator::quiz::{Feedback, QuestionKind};
    const ENTER: &str = "\u{E007}";
    for p in &attempt.questions {
        let q = format!("#question-{}", p.question.id);
        let shown_of = |written: usize| p.order.iter().position(|o| *o == written).unwrap();
        match p.question.kind {
            QuestionKind::Ordering => {
                // Bring each written item to its place with "Move up" (already-right items stay).
                let mut current: Vec<usize> = (0..p.order.len()).map(|k| p.order[k]).collect();
                let targets: Vec<usize> = if right { (0..current.len()).collect() } else { (0..current.len()).rev().collect() };
                for (place, want) in targets.iter().enumerate() {
                    let mut at = current.iter().position(|w| w == want).unwrap();
                    while at > place {
                        let css = format!("{q} .order-item:nth-child({}) button:first-of-type", at + 1);
                        client.find(Locator::Css(&css)).await.unwrap().send_keys(ENTER).await.unwrap();
                        current.swap(at, at - 1);
                        at -= 1;
                    }
                }
            }
            QuestionKind::Matching => {
                let shown = p.shown();
                for row in 0..p.question.pairs.len() {
                    let written = if right { row } else { (row + 1) % p.question.pairs.len() };
                    let select = client.find(Locator::Css(&format!("{q} tr:nth-child({}) select", row + 1))).await.unwrap();
                    // Type-ahead: typing an option's text into a focused select chooses it.
                    select.send_keys(&shown[shown_of(written)]).await.unwrap();
                    assert_eq!(select.prop("value").await.unwrap().unwrap(), shown_of(written).to_string(), "{}", shown[shown_of(written)]);
                }
            }
            _ => {
                let key: Vec<usize> =
                    if right { p.key.clone() } else { (0..p.question.len()).filter(|k| !p.key.contains(k)).take(1).collect() };
                let inputs = client.find_all(Locator::Css(&format!("{q} .option input"))).await.unwrap();
                for written in key {
                    inputs[shown_of(written)].send_keys(" ").await.unwrap();
                }
            }
        }
        if attempt.feedback == Feedback::EachQuestion {
            client.find(Locator::Css(&format!("{q} button.check"))).await.unwrap().send_keys(ENTER).await.unwrap();
            wait_for(client, &format!("{q} .feedback"), Duration::from_secs(5)).await;
            let feedback = text_of(client, &format!("{q} .feedback")).await;
            assert_eq!(feedback.starts_with("✔ Correct."), right, "{}: {feedback}", p.question.id);
            assert!(feedback.contains("(Course: "), "{feedback}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quiz_is_taken_by_keyboard_kept_across_reloads_and_retaken() {
    if !enabled() {
        return;
    }
    let files = simulator::content::builtin();
    let banks = simulator::content::banks(&files).unwrap();
    let labs = simulator::content::labs(&files).unwrap();
    let selection = simulator::quiz::Selection::named("rollback");
    let attempt = simulator::quiz::Attempt::new(&selection, &banks, &labs, 4, 1).unwrap();
    let (_server, _driver, client, base) = open("/quizzes/rollback?seed=4").await;
    wait_for(&client, "#quiz-rollback .question", Duration::from_secs(20)).await;
    answer_quiz_by_keyboard(&client, &attempt, true).await;
    wait_for(&client, ".quiz-result", Duration::from_secs(5)).await;
    let result = text_of(&client, ".quiz-result .score").await;
    let drawn = attempt.questions.len();
    assert!(result.starts_with(&format!("Score: 100% ({drawn} of {drawn} fully right) · Passed")), "{result}");
    // A prediction shows what the simulator printed.
    assert!(
        text_of(&client, "#question-rollback-undo-predict .feedback")
            .await
            .contains("$ kubectl get deploy payment-service -n payments -o wide")
    );
    client.execute("document.querySelector('#question-rollback-undo-predict').scrollIntoView()", vec![]).await.unwrap();
    std::fs::write(screenshot_path("quiz-rollback.png"), client.screenshot().await.unwrap()).unwrap();
    client.refresh().await.unwrap();
    wait_for(&client, ".quiz-result", Duration::from_secs(20)).await;
    assert!(text_of(&client, ".quiz-result .score").await.starts_with("Score: 100%"), "the result survives a reload");
    client.goto(&format!("{base}/")).await.unwrap();
    wait_for(&client, "[data-progress='quiz:rollback']", Duration::from_secs(5)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_of(&client, "[data-progress='quiz:rollback']").await.starts_with("✔ Passed: best 100%") {
        assert!(
            Instant::now() < deadline,
            "the catalog shows the quiz passed: {}",
            text_of(&client, "[data-progress='quiz:rollback']").await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(text_of(&client, "[data-progress='quiz:tools']").await, "Not taken");
    // A retake draws again; answering it wrongly keeps the best score.
    client.goto(&format!("{base}/quizzes/rollback")).await.unwrap();
    wait_for(&client, ".quiz-result .retake", Duration::from_secs(20)).await;
    client.find(Locator::Css(".quiz-result .retake")).await.unwrap().send_keys("\u{E007}").await.unwrap();
    wait_for(&client, "#quiz-rollback .quiz-meta", Duration::from_secs(5)).await;
    assert!(text_of(&client, "#quiz-rollback .quiz-meta").await.starts_with("Attempt 2"));
    let retake = simulator::quiz::Attempt::new(&selection, &banks, &labs, 4, 2).unwrap();
    answer_quiz_by_keyboard(&client, &retake, false).await;
    wait_for(&client, ".quiz-result", Duration::from_secs(5)).await;
    let result = text_of(&client, ".quiz-result").await;
    assert!(result.contains("Not passed yet") && result.contains("Best of 2 attempts: 100%."), "{result}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_final_check_gives_feedback_at_the_end() {
    if !enabled() {
        return;
    }
    let files = simulator::content::builtin();
    let banks = simulator::content::banks(&files).unwrap();
    let labs = simulator::content::labs(&files).unwrap();
    let attempt = simulator::quiz::Attempt::new(&simulator::quiz::Selection::Final, &banks, &labs, 12, 1).unwrap();
    let (_server, _driver, client, _base) = open("/quizzes/final?seed=12").await;
    wait_for(&client, "#quiz-final .question", Duration::from_secs(20)).await;
    assert_eq!(client.find_all(Locator::Css("#quiz-final .question")).await.unwrap().len(), 20);
    answer_quiz_by_keyboard(&client, &attempt, true).await;
    assert!(client.find(Locator::Css("#quiz-final .feedback")).await.is_err(), "no feedback before the end");
    client.find(Locator::Css("#quiz-final button.finish")).await.unwrap().send_keys("\u{E007}").await.unwrap();
    wait_for(&client, ".quiz-result", Duration::from_secs(5)).await;
    assert!(text_of(&client, ".quiz-result .score").await.starts_with("Score: 100% (20 of 20 fully right) · Passed"));
    assert_eq!(client.find_all(Locator::Css("#quiz-final .feedback.right")).await.unwrap().len(), 20);
    client.close().await.unwrap();
}

/// Presses Shift+Tab (backwards) until the element with `id` has the focus.
async fn shift_tab_to(client: &Client, id: &str) -> usize {
    press_until(client, id, "\u{E008}\u{E004}\u{E000}").await
}

async fn press_until(client: &Client, id: &str, keys: &str) -> usize {
    for presses in 0..200 {
        let active = client.active_element().await.unwrap();
        let here = active.attr("id").await.unwrap().unwrap_or_default();
        // `name*` matches any id that starts with `name`.
        if here == id || id.strip_suffix('*').is_some_and(|prefix| here.starts_with(prefix)) {
            return presses;
        }
        if std::env::var_os("GITOPS_LAB_DEBUG_FOCUS").is_some() {
            println!("focus {presses}: {} #{:?}", active.tag_name().await.unwrap(), active.attr("id").await.unwrap());
        }
        active.send_keys(keys).await.unwrap();
    }
    panic!("the keyboard never reached #{id}");
}

/// Types a line into whatever has the focus, then Enter.
async fn type_focused(client: &Client, line: &str) {
    client.active_element().await.unwrap().send_keys(&format!("{line}\u{E007}")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_drift_lab_can_be_finished_with_the_keyboard_alone() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    // The terminal has the keyboard from the start; the skip link comes back to it from anywhere.
    assert_eq!(client.active_element().await.unwrap().attr("id").await.unwrap().as_deref(), Some("term-input"));
    for line in ["kubectl get deploy -n payments", "kubectl get pods -n payments", "argocd app get payment-service", "git log --oneline"] {
        type_focused(&client, line).await;
    }
    wait_for(&client, "#step-look-around.passed", Duration::from_secs(5)).await;
    type_focused(&client, "kubectl scale deployment payment-service -n payments --replicas=5").await;
    // The clock stops itself at the drift (the lab's key moment); then speed it up from the keyboard:
    // Shift+Tab back to the header's controls.
    wait_for(&client, "#moment-banner", Duration::from_secs(10)).await;
    let x60 = shift_tab_to(&client, "speed-60").await;
    println!("Tab presses from the terminal to the x60 button: {x60}");
    client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
    wait_for(&client, "#step-self-heal.passed", Duration::from_secs(20)).await;
    // Back to the terminal through the skip link.
    shift_tab_to(&client, "skip-to-terminal").await;
    client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
    for line in ["argocd app set payment-service --self-heal=false", "kubectl scale deployment payment-service -n payments --replicas=5"] {
        type_focused(&client, line).await;
    }
    wait_for(&client, "#step-without-self-heal.passed", Duration::from_secs(30)).await;
    for line in [
        "yq -i '.spec.replicas = 5' apps/payment-service/deployment.yaml",
        "git commit -am \"Scale payment-service to 5 replicas\"",
        "git push",
        "argocd app sync payment-service",
    ] {
        type_focused(&client, line).await;
    }
    wait_for(&client, "#step-gitops-way.passed", Duration::from_secs(30)).await;
    // The closing quiz, still by keyboard: Shift+Tab from the terminal reaches its first question's choices,
    // and the arrow keys choose among them.
    shift_tab_to(&client, "q0-drift-selfheal-on-choice*").await;
    client.active_element().await.unwrap().send_keys("\u{E015}").await.unwrap();
    let chosen = client.find_all(Locator::Css("#question-drift-selfheal-on input:checked")).await.unwrap();
    assert_eq!(chosen.len(), 1, "an arrow key chose an answer");
    std::fs::write(screenshot_path("keyboard-walkthrough.png"), client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn push_and_pull_worlds_run_side_by_side() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/push-vs-pull").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    assert!(text_of(&client, "#push-deployments").await.contains("payment-service: 3/3 ready"));
    assert!(text_of(&client, "#pipeline-runs").await.contains("Succeeded Run 3 replicas of payment-service"));
    type_command(&client, "kubectl scale deployment payment-service -n payments --replicas=1").await;
    client.find(Locator::Css("#speed-60")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let push = text_of(&client, "#push-deployments").await;
        let pull = text_of(&client, ".app-status .deployments").await;
        if push.contains("1/1 ready") && pull.contains("3/3 ready") && text_of(&client, ".timeline").await.contains("self-heal sync") {
            break;
        }
        // The clock stops once at the drift (the lab's key moment): go on at x60.
        if client.find(Locator::Css("#moment-banner")).await.is_ok() {
            client.find(Locator::Css("#speed-60")).await.unwrap().click().await.unwrap();
        }
        assert!(Instant::now() < deadline, "push: {push}; pull: {pull}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    type_command(&client, "kubectl get deploy -n payments").await;
    type_command(&client, "gh run list").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let terminal = text_of(&client, ".scrollback").await;
    assert!(terminal.contains("push world │ payment-service   1/1"), "{terminal}");
    assert!(terminal.contains("STATUS  TITLE"), "{terminal}");
    std::fs::write(screenshot_path("push-vs-pull.png"), client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}

/// Serves the built site as plain files, as any static web server would: no lab server behind it.
async fn static_server() -> String {
    let site = std::env::var("GITOPS_LAB_TEST_SITE").expect("GITOPS_LAB_TEST_SITE names the built site");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(site));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_site_works_as_plain_static_files() {
    if !enabled() {
        return;
    }
    let base = static_server().await;
    let (_driver, webdriver) = start_chromedriver();
    let client = browser(&webdriver).await;
    client.goto(&format!("{base}/")).await.unwrap();
    wait_for(&client, "#lab-drift-2am a", Duration::from_secs(20)).await;
    assert!(text_of(&client, "#quiz-card-final").await.contains("20 questions"));
    client.find(Locator::Css("#lab-drift-2am a")).await.unwrap().click().await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    type_command(&client, "kubectl get deploy -n payments").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(text_of(&client, ".scrollback").await.contains("payment-service   3/3"));
    client.find(Locator::Css(".lab-header .home")).await.unwrap().click().await.unwrap();
    wait_for(&client, "#lab-drift-2am .progress", Duration::from_secs(20)).await;
    assert!(
        text_of(&client, "#lab-drift-2am .progress").await.starts_with("◐ In progress: 0 of 5 steps"),
        "the static catalog shows saved progress"
    );
    client.goto(&format!("{base}/?quiz=principles")).await.unwrap();
    wait_for(&client, "#quiz-principles .question", Duration::from_secs(20)).await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_of_36_applications_measured_in_the_browser() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/?bench=reconcile").await;
    wait_for(&client, "#bench-result", Duration::from_secs(60)).await;
    let result: serde_json::Value = serde_json::from_str(&text_of(&client, "#bench-result").await).unwrap();
    println!("in headless Chromium: {result}");
    println!(
        "in headless Chromium: 24 simulated hours of the 36-app fleet in {} ms; a reload of drift-2am with {} saved inputs in {} ms",
        result["fast_forward_24h_ms"], result["reload"]["saved_inputs"], result["reload"]["ms"]
    );
    println!("in headless Chromium: helm template of a 30-template chart, median {} ms", result["helm_template_30"]["render"]["median_ms"]);
    assert_eq!(result["applications"], 36);
    assert_eq!(result["stuck_loops"], 0);
    assert!(result["reconcile_pass"]["median_ms"].as_f64().unwrap() > 0.0, "a measurement was taken: {result}");
    assert!(result["fast_forward_24h_ms"].as_f64().unwrap() > 0.0, "the fleet was fast-forwarded: {result}");
    assert_eq!(result["reload"]["terminal_lines"], 2_000, "the reload filled the scrollback: {result}");
    assert_eq!(result["helm_template_30"]["manifests"], 29, "the chart rendered every manifest: {result}");
    assert!(result["helm_template_30"]["render"]["median_ms"].as_f64().unwrap() > 0.0, "the render was timed: {result}");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_is_edited_committed_and_pushed_from_the_editor() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    client.find(Locator::Css("#file-select")).await.unwrap().select_by_value("apps/payment-service/deployment.yaml").await.unwrap();
    wait_for(&client, ".editor textarea", Duration::from_secs(5)).await;
    let textarea = client.find(Locator::Css(".editor textarea")).await.unwrap();
    let text = textarea.prop("value").await.unwrap().unwrap();
    assert!(text.contains("replicas: 3"), "{text}");
    // A broken edit shows its YAML error inline before anything is saved.
    // Select all and delete, as a user does (WebDriver's clear() fires no input event).
    textarea.send_keys("\u{E009}a\u{E000}\u{E017}").await.unwrap();
    textarea.send_keys("spec: [unclosed").await.unwrap();
    wait_for(&client, ".editor .parse-error", Duration::from_secs(5)).await;
    assert!(text_of(&client, ".editor .parse-error").await.contains("apps/payment-service/deployment.yaml"));
    // Select all and delete, as a user does (WebDriver's clear() fires no input event).
    textarea.send_keys("\u{E009}a\u{E000}\u{E017}").await.unwrap();
    textarea.send_keys(&text.replace("replicas: 3", "replicas: 4")).await.unwrap();
    client.find(Locator::Css("#save-file")).await.unwrap().click().await.unwrap();
    client.find(Locator::Css("#commit-message")).await.unwrap().send_keys("Run 4 replicas, from the editor").await.unwrap();
    client.find(Locator::Css("#commit-push")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_of(&client, ".scrollback").await.contains("main -> main") {
        assert!(Instant::now() < deadline, "{}", text_of(&client, ".scrollback").await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let terminal = text_of(&client, ".scrollback").await;
    assert!(terminal.contains("$ git commit -m \"Run 4 replicas, from the editor\""), "{terminal}");
    assert!(terminal.contains("1 file changed, 1 insertion(+), 1 deletion(-)"), "{terminal}");
    assert!(text_of(&client, ".git-history").await.contains("Run 4 replicas, from the editor"));
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_edit_opens_the_object_in_the_editor_and_saving_applies_it() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    client.find(Locator::Css("#speed-0")).await.unwrap().click().await.unwrap();
    type_command(&client, "kubectl edit deploy/payment-service -n payments").await;
    wait_for(&client, ".kubectl-edit textarea", Duration::from_secs(5)).await;
    let textarea = client.find(Locator::Css(".kubectl-edit textarea")).await.unwrap();
    let yaml = textarea.prop("value").await.unwrap().unwrap();
    assert!(yaml.contains("  replicas: 3\n"), "{yaml}");
    textarea.send_keys("\u{E009}a\u{E000}\u{E017}").await.unwrap();
    textarea.send_keys(&yaml.replace("  replicas: 3\n", "  replicas: 4\n")).await.unwrap();
    client.find(Locator::Css(".kubectl-edit #save-file")).await.unwrap().click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !text_of(&client, ".scrollback").await.contains("deployment.apps/payment-service edited") {
        assert!(Instant::now() < deadline, "{}", text_of(&client, ".scrollback").await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(client.find(Locator::Css(".kubectl-edit")).await.is_err(), "the editor closes after saving");
    // The agent sees the edit as drift, like any manual change.
    step_until(&client, "OutOfSync").await;
    client.close().await.unwrap();
}

// ---- Issue 19: the walkthrough's bugs, the visible lesson and the Argo CD view. ----

/// Clicks the element `css`.
async fn click(client: &Client, css: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("{css} is on the page")).click().await.unwrap();
}

/// Waits until the terminal's scroll-back contains `text`.
async fn wait_for_terminal(client: &Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let terminal = text_of(client, ".scrollback").await;
        if terminal.contains(text) {
            return terminal;
        }
        assert!(Instant::now() < deadline, "the terminal never showed {text:?}:\n{terminal}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn js(client: &Client, script: &str) -> serde_json::Value {
    client.execute(script, vec![]).await.unwrap()
}

/// B1: the detail pane keeps Diff, Live and Desired inside its width, the diff first.
#[tokio::test(flavor = "multi_thread")]
async fn b1_the_detail_pane_keeps_the_diff_on_screen() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    click(&client, "#speed-0").await;
    type_command(&client, "kubectl scale deployment payment-service --replicas=5 -n payments").await;
    for node in client.find_all(Locator::Css(".app-tree .tree-node")).await.unwrap() {
        if node.text().await.unwrap_or_default().starts_with("Deployment/payment-service") {
            node.click().await.unwrap();
            break;
        }
    }
    wait_for(&client, ".detail .diff", Duration::from_secs(5)).await;
    let geometry = js(
        &client,
        "const d = document.querySelector('.detail'); const r = document.querySelector('.detail .diff').getBoundingClientRect(); \
         return [d.scrollWidth, d.clientWidth, r.left, r.right, window.innerWidth];",
    )
    .await;
    let g: Vec<f64> = geometry.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    println!("detail pane: scrollWidth {} of clientWidth {}; diff from x={} to x={}", g[0], g[1], g[2], g[3]);
    assert!(g[0] <= g[1] + 2.0, "the pane does not scroll sideways: {g:?}");
    assert!(g[2] >= 0.0 && g[3] <= g[4], "the diff is within the window: {g:?}");
    assert!(text_of(&client, ".detail .diff .del").await.contains("replicas: 5"), "removed lines are marked");
    client.close().await.unwrap();
}

/// B2 and B12: jumps made while paused, the speed and the command history survive a reload;
/// Tab completes a name wherever the flags stand.
#[tokio::test(flavor = "multi_thread")]
async fn b2_b12_clock_jumps_speed_and_history_survive_a_reload() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    let focused = client.active_element().await.unwrap().attr("id").await.unwrap();
    assert_eq!(focused.as_deref(), Some("term-input"), "the terminal has the keyboard on load (U10)");
    type_command(&client, "kubectl get deploy -n payments").await;
    click(&client, "#speed-0").await;
    click(&client, "#next-reconcile").await;
    click(&client, "#next-reconcile").await;
    let before = text_of(&client, "#sim-time").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    client.refresh().await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    assert_eq!(text_of(&client, "#sim-time").await, before, "the clock is where it was");
    assert_eq!(client.find(Locator::Css("#speed-0")).await.unwrap().attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
    let input = client.find(Locator::Css("#term-input")).await.unwrap();
    input.send_keys("\u{E013}").await.unwrap();
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("kubectl get deploy -n payments"), "Up recalls the history");
    input.send_keys("\u{E009}a\u{E000}\u{E017}").await.unwrap();
    input.send_keys("kubectl -n payments get deploy pay\u{E004}").await.unwrap();
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("kubectl -n payments get deploy payment-service "));
    let icon = js(&client, "return document.querySelector('link[rel=icon]').href").await;
    assert!(icon.as_str().unwrap().ends_with("/favicon.svg"), "{icon}");
    client.close().await.unwrap();
}

/// B3: Reset asks first, then clears the banner, the speed and the pane, shows the welcome line, and
/// keeps the lab's completed record. Also the completion screen (U6) and Skip's echoed commands (B8).
#[tokio::test(flavor = "multi_thread")]
async fn b3_b8_reset_asks_starts_clean_and_keeps_the_completed_record() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    click(&client, "#skip").await;
    let terminal = wait_for_terminal(&client, "✔ Step 1").await;
    assert!(terminal.contains("$ kubectl get deploy -n payments"), "Skip shows the commands it runs: {terminal}");
    for n in 2..=5 {
        click(&client, "#skip").await;
        wait_for_terminal(&client, &format!("Step {n}")).await;
    }
    wait_for(&client, "#lab-complete", Duration::from_secs(10)).await;
    let complete = text_of(&client, "#lab-complete").await;
    assert!(complete.contains("Lab complete") && complete.contains("Score:"), "{complete}");
    assert!(client.find(Locator::Css("#next-lab")).await.is_ok(), "the completion screen points to the next lab");
    std::fs::write(screenshot_path("lab-complete.png"), client.screenshot().await.unwrap()).unwrap();

    click(&client, "#incident-service-deleted").await;
    wait_for(&client, ".incident-banner", Duration::from_secs(5)).await;
    click(&client, "#speed-10").await;
    click(&client, ".git-history .tree-node").await;
    wait_for(&client, ".detail", Duration::from_secs(5)).await;
    click(&client, "#reset-lab").await;
    wait_for(&client, "#reset-confirm", Duration::from_secs(5)).await;
    assert!(text_of(&client, ".reset-group").await.contains("Start this lab again?"));
    click(&client, "#reset-cancel").await;
    assert!(client.find(Locator::Css("#lab-complete")).await.is_ok(), "Cancel keeps the run");
    click(&client, "#reset-lab").await;
    click(&client, "#reset-confirm").await;
    wait_for(&client, "#step-look-around.active", Duration::from_secs(5)).await;
    assert!(client.find(Locator::Css(".incident-banner")).await.is_err(), "the old banner is gone");
    assert!(client.find(Locator::Css(".detail")).await.is_err(), "the pane is closed");
    assert_eq!(client.find(Locator::Css("#speed-1")).await.unwrap().attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
    assert!(text_of(&client, ".scrollback").await.starts_with("Type commands as in a real terminal"));
    client.goto(&format!("{base}/")).await.unwrap();
    wait_for(&client, "[data-progress='lab:drift-2am']", Duration::from_secs(5)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text_of(&client, "[data-progress='lab:drift-2am']").await.starts_with("✔ Completed before") {
        assert!(Instant::now() < deadline, "{}", text_of(&client, "[data-progress='lab:drift-2am']").await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.close().await.unwrap();
}

/// B4: the static site's query addresses work on the served site.
#[tokio::test(flavor = "multi_thread")]
async fn b4_query_addresses_open_the_quiz_and_the_lab_on_the_served_site() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, base) = open("/?quiz=final&seed=7").await;
    wait_for(&client, "#quiz-final .question", Duration::from_secs(20)).await;
    assert!(client.current_url().await.unwrap().as_str().ends_with("/quizzes/final?seed=7"));
    client.goto(&format!("{base}/?lab=drift-2am")).await.unwrap();
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    client.close().await.unwrap();
}

/// B7: moving an ordering item by keyboard keeps the focus on that item, so Enter moves it on.
#[tokio::test(flavor = "multi_thread")]
async fn b7_an_ordering_item_keeps_the_focus_as_it_moves() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/quizzes/promotion?seed=3").await;
    wait_for(&client, "#question-promotion-order .order-item", Duration::from_secs(20)).await;
    let items = client.find_all(Locator::Css("#question-promotion-order .order-item span")).await.unwrap();
    let mut before = Vec::new();
    for i in &items {
        before.push(i.text().await.unwrap());
    }
    let last = before.len() - 1;
    let css = format!("#question-promotion-order .order-item:nth-child({}) button:first-of-type", last + 1);
    client.find(Locator::Css(&css)).await.unwrap().send_keys("\u{E007}").await.unwrap();
    for _ in 0..2 {
        client.active_element().await.unwrap().send_keys("\u{E007}").await.unwrap();
    }
    let mut after = Vec::new();
    for i in client.find_all(Locator::Css("#question-promotion-order .order-item span")).await.unwrap() {
        after.push(i.text().await.unwrap());
    }
    assert_eq!(after[last - 3], before[last], "three presses of Enter moved the item up three places: {after:?}");
    let label = client.active_element().await.unwrap().attr("aria-label").await.unwrap().unwrap_or_default();
    assert!(label.ends_with(&before[last]), "the focus is still on the moved item: {label}");
    client.close().await.unwrap();
}

/// B9 and B11: a comparison lab says when the push world answers the same; pipes filter output.
#[tokio::test(flavor = "multi_thread")]
async fn b9_b11_the_same_answer_is_said_and_pipes_filter() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/push-vs-pull").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    type_command(&client, "kubectl get deploy -n payments").await;
    wait_for_terminal(&client, "push world │ (the same answer)").await;
    type_command(&client, "cat apps/payment-service/deployment.yaml | grep replicas").await;
    let terminal = wait_for_terminal(&client, "replicas: 3").await;
    assert!(!terminal.contains("No such file or directory"), "{terminal}");
    type_command(&client, "git log --oneline | wc -l").await;
    type_command(&client, "kubectl get pods -n payments | sort").await;
    wait_for_terminal(&client, "this terminal's pipes support only").await;
    client.close().await.unwrap();
}

/// U1: the clock stops itself when the app first turns OutOfSync, and says so; measured in real time.
#[tokio::test(flavor = "multi_thread")]
async fn u1_the_drift_stays_visible_until_the_trainee_goes_on() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    type_command(&client, "kubectl scale deployment payment-service --replicas=5 -n payments").await;
    wait_for(&client, "#moment-banner", Duration::from_secs(10)).await;
    let shown = Instant::now();
    assert!(text_of(&client, "#moment-banner").await.contains("OutOfSync"));
    // At x1 the drift used to last about a second; now it waits for the trainee.
    while shown.elapsed() < Duration::from_secs(3) {
        assert!(text_of(&client, "#app-payment-service").await.contains("OutOfSync"), "still OutOfSync while paused");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("OutOfSync visible for at least {} ms at x1 (the clock paused at the moment)", shown.elapsed().as_millis());
    type_command(&client, "argocd app get payment-service").await;
    wait_for_terminal(&client, "OutOfSync").await;
    click(&client, "#resume-clock").await;
    step_until(&client, "Synced").await;
    client.close().await.unwrap();
}

/// U2, U3, U7, U9: the guide follows the active step, commands run with a click, hints sit beside the
/// step, and the status panel shows the sync policy in full and the next poll.
#[tokio::test(flavor = "multi_thread")]
async fn u2_u3_u7_the_guide_follows_the_step_and_runs_its_commands() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    assert!(text_of(&client, "#policy-payment-service").await.contains("self-heal on"));
    assert!(text_of(&client, "#next-poll").await.starts_with("next poll in"));
    let runs = client.find_all(Locator::Css("#step-look-around .step-text .run-cmd")).await.unwrap();
    assert_eq!(runs.len(), 4, "each of the step's commands has a Run button");
    for r in runs {
        r.click().await.unwrap();
    }
    wait_for(&client, "#step-look-around.passed", Duration::from_secs(5)).await;
    wait_for_terminal(&client, "$ argocd app get payment-service").await;
    // The new active step is scrolled into the guide's view.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let visible = js(
            &client,
            "const g = document.querySelector('.guide').getBoundingClientRect(); const s = document.querySelector('.step.active').getBoundingClientRect(); \
             return s.top >= g.top - 1 && s.top < g.bottom;",
        )
        .await;
        if visible == serde_json::json!(true) {
            break;
        }
        assert!(Instant::now() < deadline, "the active step is scrolled into view");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click(&client, "#hint").await;
    wait_for(&client, ".step.active .hints .hint-text", Duration::from_secs(5)).await;
    type_command(&client, "argocd app set payment-service --self-heal=false").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while !text_of(&client, "#policy-payment-service").await.contains("self-heal off") {
        assert!(Instant::now() < deadline, "{}", text_of(&client, "#policy-payment-service").await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    std::fs::write(screenshot_path("guide-active-step.png"), client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}

/// The Argo CD view: the resource tree, and every button runs its CLI command in the terminal.
/// Screenshots at 1280x720 go to target/screenshots/argo-*.png.
#[tokio::test(flavor = "multi_thread")]
async fn the_argo_cd_view_draws_the_tree_and_its_buttons_run_the_cli() {
    if !enabled() {
        return;
    }
    let (_server, _driver, client, _base) = open("/labs/drift-2am").await;
    wait_for(&client, "#term-input", Duration::from_secs(20)).await;
    click(&client, "#speed-0").await;
    click(&client, "#view-argocd").await;
    wait_for(&client, "#argo-tree .argo-node", Duration::from_secs(5)).await;
    let nodes = client.find_all(Locator::Css("#argo-tree .argo-node")).await.unwrap();
    let mut labels = Vec::new();
    for n in &nodes {
        labels.push(n.attr("aria-label").await.unwrap().unwrap_or_default());
    }
    assert!(labels.iter().any(|l| l.starts_with("Deployment payment-service, Healthy, Synced")), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with("ReplicaSet payment-service-")), "{labels:?}");
    assert_eq!(labels.iter().filter(|l| l.starts_with("Pod ")).count(), 3, "{labels:?}");
    let arrows = client.find_all(Locator::Css("#argo-tree path.arrow")).await.unwrap().len();
    assert_eq!(arrows, nodes.len() - 1, "an arrow from each owner to each owned object");
    std::fs::write(screenshot_path("argo-app.png"), client.screenshot().await.unwrap()).unwrap();

    click(&client, "#argo-sync").await;
    click(&client, "#argo-dry-run").await;
    click(&client, "#argo-prune").await;
    std::fs::write(screenshot_path("argo-sync-panel.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#argo-synchronize").await;
    wait_for_terminal(&client, "$ argocd app sync payment-service --prune --dry-run").await;
    click(&client, "#argo-refresh").await;
    wait_for_terminal(&client, "$ argocd app get payment-service --refresh").await;
    click(&client, "#argo-hard-refresh").await;
    wait_for_terminal(&client, "$ argocd app get payment-service --hard-refresh").await;
    click(&client, "#argo-history").await;
    wait_for_terminal(&client, "$ argocd app history payment-service").await;
    wait_for(&client, ".argo-history .history-entry", Duration::from_secs(5)).await;
    std::fs::write(screenshot_path("argo-history.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#argo-details").await;
    wait_for_terminal(&client, "$ argocd app get payment-service\n").await;
    assert!(text_of(&client, "#argo-panel").await.contains("self-heal on"));

    // Without self-heal the drift stays, so the diff has something to show.
    type_command(&client, "argocd app set payment-service --self-heal=false").await;
    type_command(&client, "kubectl scale deployment payment-service --replicas=5 -n payments").await;
    step_until_out_of_sync_in_argo_view(&client).await;
    click(&client, "#argo-diff").await;
    wait_for_terminal(&client, "$ argocd app diff payment-service").await;
    wait_for(&client, ".side-diff td.old", Duration::from_secs(5)).await;
    assert!(text_of(&client, ".side-diff td.old").await.contains("replicas: 5"));
    assert!(text_of(&client, ".side-diff td.new").await.contains("replicas: 3"));
    std::fs::write(screenshot_path("argo-diff.png"), client.screenshot().await.unwrap()).unwrap();
    click(&client, "#argo-close").await;

    for node in client.find_all(Locator::Css("#argo-tree .argo-node")).await.unwrap() {
        if node.attr("aria-label").await.unwrap().unwrap_or_default().starts_with("Pod ") {
            node.click().await.unwrap();
            break;
        }
    }
    click(&client, "#argo-tab-logs").await;
    wait_for_terminal(&client, "$ kubectl logs payment-service-").await;
    wait_for(&client, "#argo-panel pre.logs", Duration::from_secs(5)).await;
    click(&client, "#argo-tab-events").await;
    wait_for_terminal(&client, "$ kubectl events --for pod/payment-service-").await;
    std::fs::write(screenshot_path("argo-pod-events.png"), client.screenshot().await.unwrap()).unwrap();
    client.close().await.unwrap();
}

/// Clicks "Next event" until the Argo CD view's sync card says OutOfSync.
async fn step_until_out_of_sync_in_argo_view(client: &Client) {
    for _ in 0..50 {
        if text_of(client, "#argo-sync-status").await.contains("OutOfSync") {
            return;
        }
        click(client, "#next-event").await;
    }
    panic!("the Argo CD view never showed OutOfSync");
}
