//! `kustomize build` and `kustomize edit set image` in the lab's repository,
//! and `kubectl kustomize` / `kubectl apply -k`.

use super::Host;
use super::{CommandOutput, files};
use crate::git::Snapshot;

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    match args {
        ["build", rest @ ..] => build(world, rest.iter().find(|a| !a.starts_with('-')).copied().unwrap_or(".")),
        ["edit", "set", "image", images @ ..] => set_image(world, images),
        ["edit", ..] => CommandOutput::err("Error: only `kustomize edit set image` is available in this lab\n", 1),
        ["version", ..] => CommandOutput::ok("v5.6.0\n"),
        [] => CommandOutput::ok(
            "Manages declarative configuration of Kubernetes.\n\nUsage:\n  kustomize [command]\n\nAvailable Commands:\n  build       Build a kustomization target from a directory or URL\n  edit        Edits a kustomization file\n  version     Prints the kustomize version\n",
        ),
        [other, ..] => {
            CommandOutput::err(format!("Error: unknown command \"{other}\" for \"kustomize\"\nRun 'kustomize --help' for usage.\n"), 1)
        }
    }
}

/// The working tree of the clone holding `dir`, and `dir` relative to it.
fn tree(world: &dyn Host, dir: &str) -> Option<(Snapshot, String)> {
    let abs = files::absolute(world, dir);
    let (i, rel) = files::locate(world, &abs)?;
    Some((world.model().git().clones[i].worktree.clone(), rel))
}

/// Builds `dir` and returns the YAML stream, or kustomize's error.
pub fn build_text(world: &dyn Host, dir: &str) -> Result<String, String> {
    let Some((snapshot, rel)) = tree(world, dir) else {
        return Err(format!(
            "Error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
            files::absolute(world, dir)
        ));
    };
    crate::kustomize::build(&snapshot, &rel).map(|objs| crate::kustomize::render(&objs)).map_err(|e| e.to_string())
}

pub fn build(world: &dyn Host, dir: &str) -> CommandOutput {
    match build_text(world, dir) {
        Ok(text) => CommandOutput::ok(text),
        Err(e) => CommandOutput::err(format!("{e}\n"), 1),
    }
}

fn set_image(world: &mut dyn Host, images: &[&str]) -> CommandOutput {
    let path = crate::kustomize::KUSTOMIZATION_FILES.into_iter().find(|f| files::read(world, f).is_ok());
    let Some(path) = path else {
        return CommandOutput::err("Error: Missing kustomization file 'kustomization.yaml'.\n", 1);
    };
    let text = files::read(world, path).unwrap_or_default();
    let args: Vec<String> = images.iter().map(|s| s.to_string()).collect();
    match crate::kustomize::edit::set_image(&text, &args) {
        Ok(updated) => {
            let _ = files::write(world, path, updated);
            CommandOutput::default()
        }
        Err(e) => CommandOutput::err(format!("Error: {e}\n"), 1),
    }
}
