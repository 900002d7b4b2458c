//! Lab definitions and quiz banks from arbitrary text: an error with file, line and field, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = simulator::lab::Lab::load(text, "lab.yaml", simulator::git::Snapshot::new());
    let _ = simulator::quiz::Bank::load(text, "bank.yaml");
});
