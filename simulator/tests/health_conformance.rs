//! Argo CD's own health fixtures, every row: status and message.
//! Data in simulator/testdata/argocd-health (Apache-2.0, see its README).

use simulator::argo::health;
use std::path::Path;

fn run_table(table: &str) -> (usize, Vec<String>) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/argocd-health");
    let text = std::fs::read_to_string(base.join(table)).expect("the table exists");
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, status, message) = (cols[0], cols[2], cols.get(3).copied().unwrap_or(""));
        rows += 1;
        let yaml = std::fs::read_to_string(base.join(file)).expect("the fixture exists");
        let obj = simulator::yaml::parse_documents(&yaml, file).expect("fixtures parse").remove(0);
        let got = health::health(&obj);
        let (got_status, got_message) = match &got {
            Some(a) => (a.status.word().to_string(), a.message.clone()),
            None => ("none".to_string(), String::new()),
        };
        if got_status != status || got_message != message {
            failures.push(format!("{file}: want {status} {message:?}, got {got_status} {got_message:?}"));
        }
    }
    (rows, failures)
}

#[test]
fn argocd_health_conformance() {
    let mut all_failures = Vec::new();
    for table in ["expected.tsv", "lua-builtin/expected.tsv"] {
        let (rows, failures) = run_table(table);
        println!("argocd-health {table}: {}/{rows} pass", rows - failures.len());
        all_failures.extend(failures);
    }
    assert!(all_failures.is_empty(), "{} rows fail:\n{}", all_failures.len(), all_failures.join("\n"));
}
