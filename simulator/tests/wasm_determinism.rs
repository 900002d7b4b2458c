//! The same seed and inputs give byte-identical output natively and in
//! WebAssembly: both run this script and compare with one recorded transcript.
//!
//! Natively: `cargo test -p simulator --test wasm_determinism`.
//! In headless Chromium: `cargo xtask test` (wasm-bindgen-test).

use simulator::{content, script};

const SCRIPT: &str = include_str!("data/determinism.script");
const EXPECTED: &str = include_str!("data/determinism.transcript");
const SEED: u64 = 20_260_312;

fn transcript() -> String {
    let lab = content::builtin_lab("drift-2am").expect("the drift lab is built in");
    let lines: Vec<String> = SCRIPT.lines().map(String::from).collect();
    script::run_script(&lab, SEED, &lines).expect("the lab starts").transcript
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn browser_transcript_matches_native() {
        let got = super::transcript();
        assert_eq!(got, super::EXPECTED, "the browser's transcript differs from the recorded native one");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_transcript_matches_recording() {
    let got = transcript();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/determinism.transcript"), &got).expect("write the snapshot");
        return;
    }
    assert_eq!(got, EXPECTED, "run with UPDATE_SNAPSHOTS=1 to record a deliberate change");
    assert_eq!(transcript(), got, "two native runs with one seed differ");
}
