//! `kubeseal`: seals a Secret manifest with the cluster's Sealed Secrets key, so that only the
//! controller in that cluster can open it and the sealed form can be committed to Git.

use super::files::{self, FsError};
use super::{CommandOutput, Host, take_flag};

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if args.iter().any(|a| a == "--version") {
        return CommandOutput::ok("kubeseal version: 0.30.0\n");
    }
    let input = take_flag(&mut args, &["-f", "--secret-file"]);
    let output = take_flag(&mut args, &["-w", "--sealed-secret-file"]);
    let format = take_flag(&mut args, &["--format", "-o"]).unwrap_or_else(|| "json".into());
    let namespace = take_flag(&mut args, &["-n", "--namespace"]);
    if let Some(flag) = args.first() {
        return CommandOutput::err(format!("error: unknown flag: {flag}\n"), 1);
    }
    if format != "yaml" && format != "json" {
        return CommandOutput::err(format!("error: unsupported output format: {format}\n"), 1);
    }
    let Some(input) = input else {
        return CommandOutput::err(
            "error: reading a Secret from standard input is not supported in this terminal; give it with -f FILE\n",
            1,
        );
    };
    let text = match files::read(world, &input) {
        Ok(t) => t,
        Err(FsError::IsDirectory) => return CommandOutput::err(format!("error: read {input}: is a directory\n"), 1),
        Err(_) => return CommandOutput::err(format!("error: open {input}: no such file or directory\n"), 1),
    };
    let docs = match crate::yaml::parse_documents(&text, &input) {
        Ok(d) => d,
        Err(e) => return CommandOutput::err(format!("error: {input}: {}\n", e.message), 1),
    };
    let Some(secret) = docs.into_iter().next() else {
        return CommandOutput::err(format!("error: {input} holds no Secret\n"), 1);
    };
    let ns = namespace
        .or_else(|| secret["metadata"]["namespace"].as_str().map(String::from))
        .unwrap_or_else(|| world.shell().kube_namespace.clone());
    let sealed = match crate::sealed_secrets::seal_secret(&secret, &ns) {
        Ok(s) => s,
        Err(e) => return CommandOutput::err(format!("{e}\n"), 1),
    };
    let rendered = if format == "yaml" {
        format!("---\n{}", crate::yaml::to_yaml(&sealed))
    } else {
        format!("{}\n", serde_json::to_string_pretty(&sealed).unwrap_or_default())
    };
    match output {
        None => CommandOutput::ok(rendered),
        Some(path) => match files::write(world, &path, rendered) {
            Ok(()) => CommandOutput::default(),
            Err(_) => CommandOutput::err(format!("error: open {path}: no such file or directory\n"), 1),
        },
    }
}
