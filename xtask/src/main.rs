//! Project tasks: build the browser bundle, run the site, run every test.
//!
//! `cargo xtask serve` builds the site and serves it on 127.0.0.1:8080.
//! `cargo xtask test` runs every test: native, WebAssembly in headless
//! Chromium, and the browser end-to-end tests.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("build-web") => build_web(&root, &site_dir(&root)?),
        Some("serve") => {
            let site = site_dir(&root)?;
            build_web(&root, &site)?;
            let mut cmd = cargo();
            cmd.current_dir(&root)
                .args(["run", "--release", "-p", "gitops-lab", "--", "serve"])
                .args(&args[1..])
                .env("GITOPS_LAB_SITE", &site);
            run(&mut cmd)
        }
        Some("test") => test(&root),
        _ => {
            eprintln!("usage: cargo xtask build-web | serve [--addr ADDR] | test");
            std::process::exit(2);
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Cargo's target directory as cargo itself resolves it (`CARGO_TARGET_DIR`,
/// `build.target-dir` in a config file, or the workspace's `target/`).
fn target_dir(root: &Path) -> Result<PathBuf> {
    let output = cargo()
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .context("could not run cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?;
    let dir = metadata["target_directory"].as_str().context("cargo metadata names no target_directory")?;
    Ok(PathBuf::from(dir))
}

fn site_dir(root: &Path) -> Result<PathBuf> {
    Ok(target_dir(root)?.join("site"))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.status().with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Builds the frontend for wasm32, runs wasm-bindgen (as a library, pinned to
/// the lockfile's version) and copies static/ beside it.
fn build_web(root: &Path, out: &Path) -> Result<()> {
    ensure_wasm_target()?;
    run(cargo().current_dir(root).args(["build", "-p", "frontend", "--profile", "web", "--target", "wasm32-unknown-unknown"]))?;
    let wasm = target_dir(root)?.join("wasm32-unknown-unknown/web/frontend.wasm");
    let pkg = out.join("pkg");
    std::fs::create_dir_all(&pkg)?;
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen.input_path(&wasm).web(true)?.typescript(false).omit_default_module_path(false).remove_name_section(true);
    bindgen.generate(&pkg).context("wasm-bindgen failed")?;
    copy_dir(&root.join("static"), out)?;
    eprintln!("xtask: site written to {}", out.display());
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(true);
    if !installed {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let target = to.join(path.file_name().expect("directory entries have names"));
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(program)).find(|p| p.is_file()))
}

/// Every test: native tests (including the browser end-to-end tests against
/// the built site), then the simulator's tests compiled to WebAssembly and run
/// in headless Chromium.
fn test(root: &Path) -> Result<()> {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    let site = site_dir(root)?;
    build_web(root, &site)?;
    let browser = which("chromedriver").is_some() && (which("chromium").is_some() || which("google-chrome").is_some());
    if !browser && ci {
        bail!(
            "CI=true but chromium and chromedriver are not installed: the browser tests cannot run (apt-get install -y chromium chromium-driver)"
        );
    }
    let mut native = cargo();
    // The real-cluster mode's tests (tests/agent_kube.rs) need the `kube` feature; it is
    // enabled in this one workspace build so that CI compiles the crate once.
    native
        .current_dir(root)
        .args(["test", "--workspace", "--exclude", "xtask", "--exclude", "wbtr", "--features", "gitops-lab/kube"])
        .env("GITOPS_LAB_TEST_SITE", &site);
    if browser {
        native.env("GITOPS_LAB_BROWSER_TESTS", "1");
    }
    run(&mut native)?;
    if browser {
        run(cargo().current_dir(root).args(["build", "-p", "wbtr", "--release"]))?;
        let runner = target_dir(root)?.join("release/wasm-bindgen-test-runner");
        run(cargo()
            .current_dir(root.join("simulator"))
            .args(["test", "-p", "simulator", "--target", "wasm32-unknown-unknown", "--test", "wasm_determinism"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
            .env("CHROMEDRIVER", which("chromedriver").expect("checked above")))?;
    } else {
        eprintln!(
            "xtask: SKIPPED the browser tests: chromium and chromedriver are not installed (apt-get install -y chromium chromium-driver)"
        );
    }
    Ok(())
}
