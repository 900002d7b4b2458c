//! Embeds the lab and quiz content (../labs, ../quizzes) into the simulator,
//! so the browser bundle and the binary carry it with no file access.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("the simulator lives in the workspace").to_path_buf();
    let mut files = Vec::new();
    for dir in ["labs", "quizzes"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
        walk(&root.join(dir), &mut files);
    }
    let mut code =
        String::from("/// Every content file: path relative to the workspace, and its text.\npub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        let rel = f.strip_prefix(&root).expect("walked under root").to_string_lossy().replace('\\', "/");
        if std::fs::read_to_string(f).is_err() {
            continue;
        }
        writeln!(code, "    ({rel:?}, include_str!({:?})),", f.display().to_string()).expect("writing to a String");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("content.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
