//! Finding the real kubectl 1.33 the fidelity tests compare with: `KUBECTL_1_33`, then
//! `kubectl.1.33` on PATH, then where the Google Cloud SDK installs it. With `CI=true` a
//! missing kubectl fails the test; elsewhere the test says it was skipped and passes.

use std::path::PathBuf;

/// Where the Google Cloud SDK installs kubectl 1.33.
pub const USUAL_PLACE: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The real kubectl 1.33 if it is installed.
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KUBECTL_1_33") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let on_path = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("kubectl.1.33")).find(|p| p.is_file()));
    on_path.or_else(|| Some(PathBuf::from(USUAL_PLACE)).filter(|p| p.is_file()))
}

/// The real kubectl 1.33, or `None` with a message saying that `what` did not run. Under
/// `CI=true` a missing kubectl is a failure.
pub fn required_for(what: &str) -> Option<PathBuf> {
    if let Some(path) = find() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but kubectl 1.33 is neither in KUBECTL_1_33, on PATH as kubectl.1.33, nor at {USUAL_PLACE}: {what} cannot be skipped in CI"
        );
    }
    eprintln!(
        "SKIPPED: kubectl 1.33 is not installed (set KUBECTL_1_33 or install the Google Cloud SDK's kubectl.1.33); {what} did not run"
    );
    None
}
