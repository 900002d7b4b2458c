//! The classroom end to end on SQLite: a real server on 127.0.0.1, HTTP and WebSockets.

mod common_classroom;

use common_classroom::*;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn an_instructor_creates_a_class_and_trainees_join_with_its_code() {
    let server = start(&sqlite_url("create")).await;
    let addr = server.addr;
    let body = json!({ "name": "Tuesday", "labs": ["drift-2am"] });
    assert_eq!(post(addr, "/api/classes", None, &body).await.status, 401, "no token");
    let wrong = post(addr, "/api/classes", Some("not-the-token"), &body).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.json()["error"].as_str().unwrap().contains("not valid"));

    let class = create_class(addr, "Tuesday").await;
    let code = class["joinCode"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| "ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(c)), "{code}");
    assert_eq!(class["joinUrl"], format!("/join?code={code}"));

    let ada = join(addr, &code.to_lowercase(), "Ada").await;
    assert_eq!(ada["classId"], class["id"]);
    assert_eq!(ada["token"].as_str().unwrap().len(), 64);
    assert!(ada["traineeId"].is_string());

    let missing = post(addr, "/api/join", None, &json!({ "code": "ZZZZZZ", "name": "Bob" })).await;
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].as_str().unwrap().contains("ZZZZZZ"));
    assert_eq!(post(addr, "/api/join", None, &json!({ "code": "no", "name": "Bob" })).await.status, 404);
    assert_eq!(post(addr, "/api/join", None, &json!({ "code": code, "name": "  " })).await.status, 400);

    // A trainee's token is no instructor's.
    let as_trainee = post(addr, "/api/classes", ada["token"].as_str(), &body).await;
    assert_eq!(as_trainee.status, 403);
    let unknown_lab = post(addr, "/api/classes", Some(INSTRUCTOR), &json!({ "name": "x", "labs": ["nope"] })).await;
    assert_eq!(unknown_lab.status, 400);
    assert!(unknown_lab.json()["error"].as_str().unwrap().contains("nope"));
    server.stop().await;
}

#[tokio::test]
async fn progress_is_stored_once_and_only_the_instructor_reads_it() {
    let server = start(&sqlite_url("progress")).await;
    let addr = server.addr;
    let class = create_class(addr, "Wednesday").await;
    let id = class["id"].as_str().unwrap();
    let ada = join(addr, class["joinCode"].as_str().unwrap(), "Ada").await;
    let token = ada["token"].as_str().unwrap();
    let mut socket = live(addr, id, token, None).await.expect("the trainee's socket opens");
    let welcome = next_of(&mut socket, "welcome", WAIT).await.expect("a welcome");
    assert_eq!(welcome["traineeId"], ada["traineeId"]);
    assert_eq!(welcome["paused"], false);

    let step = json!({ "type": "step", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 10 });
    send(&mut socket, &step).await;
    let ack = next_of(&mut socket, "ack", WAIT).await.unwrap();
    assert_eq!(ack["duplicate"], serde_json::Value::Null);
    // The same report again (a page that reconnected) is acknowledged and not stored twice.
    send(&mut socket, &step).await;
    assert_eq!(next_of(&mut socket, "ack", WAIT).await.unwrap()["duplicate"], true);
    let hint = json!({ "type": "hint", "id": "h-1", "lab": "drift-2am", "step": "manual-scale", "level": 1 });
    send(&mut socket, &hint).await;
    next_of(&mut socket, "ack", WAIT).await.unwrap();

    let progress = get(addr, &format!("/api/classes/{id}/progress"), Some(INSTRUCTOR)).await;
    assert_eq!(progress.status, 200, "{}", progress.text());
    let p = progress.json();
    let row = &p["trainees"][0];
    assert_eq!(row["name"], "Ada");
    assert_eq!(row["labs"]["drift-2am"]["passed"], json!(["look-around"]));
    assert_eq!(row["labs"]["drift-2am"]["score"], 10);
    assert_eq!(row["labs"]["drift-2am"]["hints"], 1);
    assert_eq!(row["currentStep"], "manual-scale");
    assert_eq!(row["stuck"], false);

    assert_eq!(get(addr, &format!("/api/classes/{id}/progress"), Some(token)).await.status, 403);
    assert_eq!(get(addr, &format!("/api/classes/{id}/progress"), None).await.status, 401);
    assert_eq!(get(addr, "/api/classes/nope/progress", Some(INSTRUCTOR)).await.status, 404);

    // A trainee of another class may not open this class's socket nor read Ada's timeline.
    let other = create_class(addr, "Other").await;
    let bob = join(addr, other["joinCode"].as_str().unwrap(), "Bob").await;
    assert_eq!(live(addr, id, bob["token"].as_str().unwrap(), None).await.err(), Some(403));
    assert_eq!(live(addr, id, "forged", None).await.err(), Some(401));
    let timeline = format!("/api/classes/{id}/trainees/{}/timeline", ada["traineeId"].as_str().unwrap());
    assert_eq!(get(addr, &timeline, bob["token"].as_str()).await.status, 403);
    let own = get(addr, &timeline, Some(token)).await;
    assert_eq!(own.status, 200);
    let events = own.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2, "the duplicate is stored once: {events:?}");
    assert_eq!(get(addr, &timeline, Some(INSTRUCTOR)).await.json()["events"], json!(events));
    server.stop().await;
}

#[tokio::test]
async fn a_broadcast_incident_reaches_every_connected_trainee_and_the_grid() {
    let server = start(&sqlite_url("broadcast")).await;
    let addr = server.addr;
    let class = create_class(addr, "Thursday").await;
    let id = class["id"].as_str().unwrap();
    let code = class["joinCode"].as_str().unwrap();
    let mut sockets = Vec::new();
    for name in ["Ada", "Bob", "Cy"] {
        let t = join(addr, code, name).await;
        let mut s = live(addr, id, t["token"].as_str().unwrap(), None).await.unwrap();
        next_of(&mut s, "welcome", WAIT).await.unwrap();
        sockets.push(s);
    }
    let mut grid = live(addr, id, INSTRUCTOR, None).await.expect("the instructor's socket opens");
    let snapshot = next_of(&mut grid, "snapshot", WAIT).await.unwrap();
    assert_eq!(snapshot["class"]["trainees"].as_array().unwrap().len(), 3);

    let sent =
        post(addr, &format!("/api/classes/{id}/incidents"), Some(INSTRUCTOR), &json!({ "lab": "drift-2am", "incident": "node-down" }))
            .await;
    assert_eq!(sent.status, 202, "{}", sent.text());
    for s in &mut sockets {
        let incident = next_of(s, "incident", WAIT).await.expect("every trainee receives the incident");
        assert_eq!(incident["lab"], "drift-2am");
        assert_eq!(incident["incident"], "node-down");
        assert_eq!(incident["commandId"], sent.json()["commandId"]);
    }
    assert_eq!(next_of(&mut grid, "command", WAIT).await.unwrap()["command"]["incident"], "node-down");

    // A report reaches the grid live.
    send(&mut sockets[1], &json!({ "type": "incident", "lab": "drift-2am", "incident": "node-down" })).await;
    let seen = next_of(&mut grid, "progress", WAIT).await.unwrap();
    assert_eq!(seen["kind"], "incident");

    let bad =
        post(addr, &format!("/api/classes/{id}/incidents"), Some(INSTRUCTOR), &json!({ "lab": "drift-2am", "incident": "meteor" })).await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("node-down"), "the error lists the lab's incidents");
    let not_in_class =
        post(addr, &format!("/api/classes/{id}/incidents"), Some(INSTRUCTOR), &json!({ "lab": "bad-release", "incident": "x" })).await;
    assert_eq!(not_in_class.status, 400);
    server.stop().await;
}

#[tokio::test]
async fn clock_commands_reach_everyone_and_a_reset_only_its_trainee() {
    let server = start(&sqlite_url("clock")).await;
    let addr = server.addr;
    let class = create_class(addr, "Friday").await;
    let id = class["id"].as_str().unwrap();
    let ada = join(addr, class["joinCode"].as_str().unwrap(), "Ada").await;
    let bob = join(addr, class["joinCode"].as_str().unwrap(), "Bob").await;
    let mut a = live(addr, id, ada["token"].as_str().unwrap(), None).await.unwrap();
    let mut b = live(addr, id, bob["token"].as_str().unwrap(), None).await.unwrap();
    next_of(&mut a, "welcome", WAIT).await.unwrap();
    next_of(&mut b, "welcome", WAIT).await.unwrap();

    let clock = format!("/api/classes/{id}/clock");
    assert_eq!(post(addr, &clock, Some(INSTRUCTOR), &json!({ "action": "pause" })).await.status, 202);
    for s in [&mut a, &mut b] {
        let m = next_of(s, "clock", WAIT).await.unwrap();
        assert_eq!((m["action"].as_str(), m["paused"].as_bool()), (Some("pause"), Some(true)));
    }
    let extended = post(addr, &clock, Some(INSTRUCTOR), &json!({ "action": "extend", "minutes": 10 })).await;
    assert_eq!(extended.status, 202);
    let ends = next_of(&mut a, "clock", WAIT).await.unwrap()["endsAt"].as_i64().expect("an end time");
    assert!(ends > gitops_lab::classroom::store::now_ms() + 9 * 60_000);
    assert_eq!(post(addr, &clock, Some(INSTRUCTOR), &json!({ "action": "rewind" })).await.status, 400);
    assert_eq!(post(addr, &clock, Some(INSTRUCTOR), &json!({ "action": "extend" })).await.status, 400);

    let reset = format!("/api/classes/{id}/trainees/{}/reset", bob["traineeId"].as_str().unwrap());
    assert_eq!(post(addr, &reset, Some(INSTRUCTOR), &json!({})).await.status, 202);
    assert_eq!(next_of(&mut b, "reset", WAIT).await.unwrap()["traineeId"], bob["traineeId"]);
    assert!(next_of(&mut a, "reset", Duration::from_millis(500)).await.is_none(), "Ada is not reset");
    assert_eq!(post(addr, &reset, ada["token"].as_str(), &json!({})).await.status, 403);
    let nobody = format!("/api/classes/{id}/trainees/nobody/reset");
    assert_eq!(post(addr, &nobody, Some(INSTRUCTOR), &json!({})).await.status, 404);

    // A page that was offline gets what it missed (since its last command), and the state.
    let since = gitops_lab::classroom::store::now_ms() - 60_000;
    let mut again = live(addr, id, ada["token"].as_str().unwrap(), Some(since)).await.unwrap();
    let welcome = next_of(&mut again, "welcome", WAIT).await.unwrap();
    assert_eq!(welcome["paused"], true);
    let kinds: Vec<&str> = welcome["commands"].as_array().unwrap().iter().map(|c| c["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["clock", "clock"], "Bob's reset is not Ada's");
    server.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_classes_trainees_and_progress() {
    let url = sqlite_url("restart");
    let server = start(&url).await;
    let addr = server.addr;
    let class = create_class(addr, "Persistent").await;
    let id = class["id"].as_str().unwrap().to_string();
    let ada = join(addr, class["joinCode"].as_str().unwrap(), "Ada").await;
    let token = ada["token"].as_str().unwrap().to_string();
    let mut s = live(addr, &id, &token, None).await.unwrap();
    next_of(&mut s, "welcome", WAIT).await.unwrap();
    send(&mut s, &json!({ "type": "step", "id": "e1", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 7 })).await;
    next_of(&mut s, "ack", WAIT).await.unwrap();
    drop(s);
    server.stop().await;

    let server = start(&url).await;
    let addr = server.addr;
    let p = get(addr, &format!("/api/classes/{id}/progress"), Some(INSTRUCTOR)).await.json();
    assert_eq!(p["joinCode"], class["joinCode"]);
    assert_eq!(p["trainees"][0]["labs"]["drift-2am"]["passed"], json!(["look-around"]));
    assert_eq!(p["trainees"][0]["score"], 7);
    // The trainee's token still works, and what the page sends again is still a duplicate.
    let mut s = live(addr, &id, &token, None).await.expect("the token survives the restart");
    next_of(&mut s, "welcome", WAIT).await.unwrap();
    send(&mut s, &json!({ "type": "step", "id": "e1", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 7 })).await;
    assert_eq!(next_of(&mut s, "ack", WAIT).await.unwrap()["duplicate"], true);
    server.stop().await;
}

#[tokio::test]
async fn the_instructor_token_is_generated_once_and_kept_only_hashed() {
    let url = sqlite_url("token");
    let files = simulator::content::builtin();
    let options = gitops_lab::classroom::Options { instructor_token: None, ..gitops_lab::classroom::Options::new(&url) };
    let first = gitops_lab::classroom::Classroom::start(&options, &files).await.unwrap();
    let token = first.new_token.clone().expect("a first start makes a token");
    assert!(first.classroom.is_instructor(&token));
    let stored = first.classroom.store.setting("instructor_token_sha256").await.unwrap().unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored, gitops_lab::classroom::tokens::hash(&token));
    first.classroom.store.close().await;

    let second = gitops_lab::classroom::Classroom::start(&options, &files).await.unwrap();
    assert!(second.new_token.is_none(), "printed once only");
    assert!(second.classroom.is_instructor(&token));
    second.classroom.store.close().await;

    // The environment's token replaces it.
    let chosen = gitops_lab::classroom::Options { instructor_token: Some("chosen".into()), ..options };
    let third = gitops_lab::classroom::Classroom::start(&chosen, &files).await.unwrap();
    assert!(third.classroom.is_instructor("chosen") && !third.classroom.is_instructor(&token));
    third.classroom.store.close().await;
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_message() {
    let server = start(&sqlite_url("bad")).await;
    let addr = server.addr;
    let broken = request(addr, "POST", "/api/classes", Some(INSTRUCTOR), Some(b"{not json")).await;
    assert_eq!(broken.status, 400, "{}", broken.text());
    assert!(!broken.json()["error"].as_str().unwrap().is_empty());
    let huge = json!({ "name": "x".repeat(20_000), "labs": ["drift-2am"] });
    assert_eq!(post(addr, "/api/classes", Some(INSTRUCTOR), &huge).await.status, 413);
    let extra = post(addr, "/api/join", None, &json!({ "code": "ABCDEF", "name": "A", "admin": true })).await;
    assert_eq!(extra.status, 422, "{}", extra.text());
    assert_eq!(post(addr, "/api/classes", Some(INSTRUCTOR), &json!({ "name": "x", "labs": [] })).await.status, 400);
    assert_eq!(
        post(addr, "/api/classes", Some(INSTRUCTOR), &json!({ "name": "x", "labs": ["drift-2am"], "minutes": 0 })).await.status,
        400
    );
    assert_eq!(get(addr, "/api/classes/nope/live", Some(INSTRUCTOR)).await.status, 404);

    let class = create_class(addr, "Bad input").await;
    let id = class["id"].as_str().unwrap();
    let plain = get(addr, &format!("/api/classes/{id}/live"), Some(INSTRUCTOR)).await;
    assert!((400..500).contains(&plain.status), "a plain GET of the socket is a 4xx: {}", plain.status);
    let ada = join(addr, class["joinCode"].as_str().unwrap(), "Ada").await;
    let mut s = live(addr, id, ada["token"].as_str().unwrap(), None).await.unwrap();
    next_of(&mut s, "welcome", WAIT).await.unwrap();
    for (report, says) in [
        (json!({ "type": "teleport" }), "not a report"),
        (json!({ "type": "step", "lab": "bad-release", "step": "x", "passed": true }), "not part of this class"),
        (json!({ "type": "step", "lab": "drift-2am", "step": "nope", "passed": true }), "no step `nope`"),
        (json!({ "type": "step", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 1000 }), "score"),
        (json!({ "type": "quiz", "quiz": "security", "score": 50, "passed": false }), "not part of this class"),
    ] {
        send(&mut s, &report).await;
        let error = next_of(&mut s, "error", WAIT).await.expect("an error message");
        assert!(error["message"].as_str().unwrap().contains(says), "{error}");
    }
    // The socket still works after bad reports; a message over the size limit closes it.
    send(&mut s, &json!({ "type": "quiz", "quiz": "tools", "score": 80, "passed": true, "attempt": 1 })).await;
    next_of(&mut s, "ack", WAIT).await.unwrap();
    send(&mut s, &json!({ "type": "command", "lab": "drift-2am", "line": "x".repeat(40_000) })).await;
    assert!(next_json(&mut s, WAIT).await.is_none(), "an oversized message closes the socket");
    server.stop().await;
}

#[tokio::test]
async fn joining_is_rate_limited_per_address() {
    let options = gitops_lab::classroom::Options { joins_per_minute: 3, ..options(&sqlite_url("rate")) };
    let server = start_with(options).await;
    let addr = server.addr;
    let class = create_class(addr, "Busy").await;
    let code = class["joinCode"].as_str().unwrap();
    for n in 0..3 {
        join(addr, code, &format!("T{n}")).await;
    }
    let refused = post(addr, "/api/join", None, &json!({ "code": code, "name": "T4" })).await;
    assert_eq!(refused.status, 429);
    assert!(refused.json()["error"].as_str().unwrap().contains("too many joins"));
    server.stop().await;
}

#[tokio::test]
async fn exports_hold_every_trainee_and_scorm_packages_call_the_lms() {
    let server = start(&sqlite_url("export")).await;
    let addr = server.addr;
    let class = create_class(addr, "Exported, \"quoted\"").await;
    let id = class["id"].as_str().unwrap();
    let ada = join(addr, class["joinCode"].as_str().unwrap(), "Ada, Lovelace").await;
    let mut s = live(addr, id, ada["token"].as_str().unwrap(), None).await.unwrap();
    next_of(&mut s, "welcome", WAIT).await.unwrap();
    for step in ["look-around", "manual-scale", "self-heal", "without-self-heal", "gitops-way"] {
        send(&mut s, &json!({ "type": "step", "lab": "drift-2am", "step": step, "passed": true, "score": 10 })).await;
        next_of(&mut s, "ack", WAIT).await.unwrap();
    }
    send(&mut s, &json!({ "type": "quiz", "quiz": "tools", "score": 40, "passed": false, "attempt": 1 })).await;
    next_of(&mut s, "ack", WAIT).await.unwrap();

    let csv = get(addr, &format!("/api/classes/{id}/export.csv"), Some(INSTRUCTOR)).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("trainee_id,trainee,kind,item,title,status,score,max_score"), "{}", lines[0]);
    assert_eq!(lines.len(), 3, "a header, the lab and the quiz: {text}");
    assert!(lines[1].contains(",\"Ada, Lovelace\",lab,drift-2am,") && lines[1].contains(",passed,50,50,5,0,5,"), "{}", lines[1]);
    assert!(lines[2].contains(",quiz,tools,") && lines[2].contains(",failed,40,100,"), "{}", lines[2]);

    let json_export = get(addr, &format!("/api/classes/{id}/export.json"), Some(INSTRUCTOR)).await.json();
    assert_eq!(json_export["trainees"][0]["labs"]["drift-2am"]["finished"], true);
    assert_eq!(json_export["trainees"][0]["quizzes"]["tools"]["bestScore"], 40);
    assert_eq!(get(addr, &format!("/api/classes/{id}/export.csv"), ada["token"].as_str()).await.status, 403);

    for (path, launch) in [("labs/drift-2am.zip", "/labs/drift-2am?scorm=1"), ("quizzes/tools.zip", "/quizzes/tools?scorm=1")] {
        let zip = get(addr, &format!("/api/classes/{id}/scorm/{path}"), Some(INSTRUCTOR)).await;
        assert_eq!(zip.status, 200, "{}", zip.text());
        assert_eq!(zip.header("content-type"), Some("application/zip"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.clone())).expect("a zip");
        let mut read = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).expect(name), &mut text).unwrap();
            text
        };
        let manifest = read("imsmanifest.xml");
        assert!(manifest.contains("<schemaversion>1.2</schemaversion>") && manifest.contains("adlcp:scormtype=\"sco\""), "{manifest}");
        let page = read("index.html");
        for call in ["LMSInitialize(\"\")", "\"cmi.core.lesson_status\"", "\"cmi.core.score.raw\"", "LMSCommit(\"\")", "LMSFinish(\"\")"] {
            assert!(page.contains(call), "{call} in the launch page");
        }
        assert!(page.contains(&format!("http://{addr}{launch}")), "the page opens {launch} on this server");
    }
    assert_eq!(get(addr, &format!("/api/classes/{id}/scorm/labs/nope.zip"), Some(INSTRUCTOR)).await.status, 404);
    server.stop().await;
}

#[tokio::test]
async fn the_pages_are_served() {
    let server = start(&sqlite_url("pages")).await;
    let instructor = get(server.addr, "/instructor", None).await;
    assert_eq!(instructor.status, 200);
    let page = instructor.text();
    assert!(page.contains("id=\"create-class\"") && page.contains("value=\"drift-2am\"") && page.contains("/classroom/instructor.js"));
    let join = get(server.addr, "/join?code=ABCDEF", None).await.text();
    assert!(join.contains("id=\"join-code\"") && join.contains("/classroom/join.js"));
    let script = get(server.addr, "/classroom/instructor.js", None).await;
    assert_eq!(script.header("content-type"), Some("text/javascript"));
    assert!(script.text().contains("/live?token="));
    server.stop().await;
}
