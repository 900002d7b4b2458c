//! The classroom on PostgreSQL (127.0.0.1:5432, database `test`, each test in its own
//! schema): the same routes, a restart, and two replicas that share progress and
//! broadcasts through LISTEN/NOTIFY. Without a server these skip with a message; with
//! CI=true they fail instead.

mod common_classroom;

use common_classroom::*;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn postgres_keeps_classes_and_progress_across_a_restart() {
    let Some((url, schema)) = postgres_schema("restart").await else { return };
    let server = start(&url).await;
    let addr = server.addr;
    let class = create_class(addr, "On Postgres").await;
    let id = class["id"].as_str().unwrap().to_string();
    assert_eq!(post(addr, "/api/join", None, &json!({ "code": "ZZZZZZ", "name": "X" })).await.status, 404);
    let ada = join(addr, class["joinCode"].as_str().unwrap(), "Ada").await;
    let token = ada["token"].as_str().unwrap().to_string();
    let mut s = live(addr, &id, &token, None).await.unwrap();
    next_of(&mut s, "welcome", WAIT).await.unwrap();
    let step = json!({ "type": "step", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 10 });
    send(&mut s, &step).await;
    assert_eq!(next_of(&mut s, "ack", WAIT).await.unwrap()["duplicate"], serde_json::Value::Null);
    send(&mut s, &step).await;
    assert_eq!(next_of(&mut s, "ack", WAIT).await.unwrap()["duplicate"], true);
    assert_eq!(get(addr, &format!("/api/classes/{id}/progress"), Some(&token)).await.status, 403);
    drop(s);
    server.stop().await;

    let server = start(&url).await;
    let p = get(server.addr, &format!("/api/classes/{id}/progress"), Some(INSTRUCTOR)).await;
    assert_eq!(p.status, 200, "{}", p.text());
    assert_eq!(p.json()["trainees"][0]["labs"]["drift-2am"]["passed"], json!(["look-around"]));
    assert!(live(server.addr, &id, &token, None).await.is_ok(), "the trainee's token survives the restart");
    server.stop().await;
    drop_schema(&schema).await;
}

#[tokio::test]
async fn two_replicas_share_progress_and_broadcasts() {
    let Some((url, schema)) = postgres_schema("replicas").await else { return };
    let one = start(&url).await;
    let two = start(&url).await;
    let class = create_class(one.addr, "Two replicas").await;
    let id = class["id"].as_str().unwrap();
    let code = class["joinCode"].as_str().unwrap();
    let ada = join(one.addr, code, "Ada").await;
    let bob = join(two.addr, code, "Bob").await;
    let mut a = live(one.addr, id, ada["token"].as_str().unwrap(), None).await.unwrap();
    let mut b = live(two.addr, id, bob["token"].as_str().unwrap(), None).await.unwrap();
    next_of(&mut a, "welcome", WAIT).await.unwrap();
    next_of(&mut b, "welcome", WAIT).await.unwrap();
    let mut grid = live(one.addr, id, INSTRUCTOR, None).await.unwrap();
    next_of(&mut grid, "snapshot", WAIT).await.unwrap();
    // Give both replicas' listeners a moment to be subscribed.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // An incident sent through replica two reaches trainees on both.
    let sent = post(
        two.addr,
        &format!("/api/classes/{id}/incidents"),
        Some(INSTRUCTOR),
        &json!({ "lab": "drift-2am", "incident": "service-deleted" }),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.text());
    for s in [&mut a, &mut b] {
        let m = next_of(s, "incident", WAIT).await.expect("the incident reaches both replicas' trainees");
        assert_eq!(m["incident"], "service-deleted");
    }
    // Bob's report, stored through replica two, reaches the grid on replica one.
    send(&mut b, &json!({ "type": "step", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 10 })).await;
    next_of(&mut b, "ack", WAIT).await.unwrap();
    let seen = next_of(&mut grid, "progress", WAIT).await.expect("replica one hears replica two");
    assert_eq!(seen["traineeId"], bob["traineeId"]);
    let p = get(one.addr, &format!("/api/classes/{id}/progress"), Some(INSTRUCTOR)).await.json();
    let names: Vec<&str> = p["trainees"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ada", "Bob"]);
    one.stop().await;
    two.stop().await;
    drop_schema(&schema).await;
}
