//! Embeds the built site (the browser bundle) into the binary when
//! `GITOPS_LAB_SITE` names its folder, as `cargo xtask serve` does, so the
//! binary serves the labs with nothing to configure.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=GITOPS_LAB_SITE");
    let mut code = String::from(
        "/// The built site's files: path and bytes (empty when built without a site).\npub static SITE: &[(&str, &[u8])] = &[\n",
    );
    if let Some(dir) = std::env::var_os("GITOPS_LAB_SITE").map(PathBuf::from).filter(|d| d.is_dir()) {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        walk(&dir, &mut files);
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = f.strip_prefix(&dir).expect("walked under dir").to_string_lossy().replace('\\', "/");
            writeln!(code, "    ({rel:?}, include_bytes!({:?})),", f.display().to_string()).expect("writing to a String");
        }
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("site.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
