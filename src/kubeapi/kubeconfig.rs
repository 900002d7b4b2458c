//! The kubeconfig a session writes: its server, its CA and its bearer token.

use std::path::Path;

/// The kubeconfig text for a server at `server` (`https://127.0.0.1:PORT`).
pub fn render(server: &str, ca_pem: &str, token: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: {server}\n  name: gitops-lab\ncontexts:\n- context:\n    cluster: gitops-lab\n    namespace: {namespace}\n    user: trainee\n  name: gitops-lab\ncurrent-context: gitops-lab\npreferences: {{}}\nusers:\n- name: trainee\n  user:\n    token: {token}\n",
        ca = simulator::base64_text::encode(ca_pem.as_bytes())
    )
}

/// Writes the kubeconfig readable by its owner only (it holds the session's token).
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}
