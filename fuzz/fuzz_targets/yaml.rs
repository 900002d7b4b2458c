//! YAML in and out: parsing never panics or hangs, and what parses writes back.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(docs) = simulator::yaml::parse_documents(text, "fuzz.yaml") {
        for doc in &docs {
            let _ = simulator::yaml::to_yaml(doc);
        }
    }
});
