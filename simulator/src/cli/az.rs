//! `az acr`: the registry's tags (`repository show-tags`) and `import`, as the
//! Azure CLI prints them.

use super::Host;
use super::{CommandOutput, take_flag, take_switch};

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let output = take_flag(&mut args, &["-o", "--output"]).unwrap_or_else(|| "json".into());
    let name = take_flag(&mut args, &["-n", "--name"]);
    let repository = take_flag(&mut args, &["--repository"]);
    let image = take_flag(&mut args, &["-t", "--image"]);
    let source = take_flag(&mut args, &["--source"]);
    let _ = take_flag(&mut args, &["--orderby"]);
    let _ = take_switch(&mut args, &["--only-show-errors"]);
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let registry_name = world.model().registry().name().to_string();
    if name.as_ref().is_some_and(|n| *n != registry_name) && matches!(words.as_slice(), ["acr", ..]) {
        let n = name.clone().unwrap_or_default();
        return CommandOutput::err(
            format!(
                "ERROR: The resource with name '{n}' and type 'Microsoft.ContainerRegistry/registries' could not be found in subscription 'Civica Platform'.\n"
            ),
            3,
        );
    }
    match words.as_slice() {
        ["acr", "repository", "show-tags"] => {
            let Some(repo) = repository else { return missing("--repository") };
            if name.is_none() {
                return missing("--name -n");
            }
            let Some(tags) = world.model().registry().repositories.get(&repo) else {
                return CommandOutput::err(format!("ERROR: repository {repo} is not found\n"), 1);
            };
            let mut tags = tags.clone();
            tags.sort();
            CommandOutput::ok(match output.as_str() {
                "table" => format!(
                    "Result\n{}\n{}",
                    "-".repeat(tags.iter().map(String::len).max().unwrap_or(6).max(6)),
                    tags.iter().map(|t| format!("{t}\n")).collect::<String>()
                ),
                "tsv" => tags.iter().map(|t| format!("{t}\n")).collect(),
                _ => format!("{}\n", serde_json::to_string_pretty(&tags).unwrap_or_default()),
            })
        }
        ["acr", "repository", "list"] => {
            let repos: Vec<&String> = world.model().registry().repositories.keys().collect();
            CommandOutput::ok(format!("{}\n", serde_json::to_string_pretty(&repos).unwrap_or_default()))
        }
        ["acr", "import"] => {
            let (Some(_), Some(image)) = (source, image) else { return missing("--source --image -t") };
            let Some((repo, tag)) = image.rsplit_once(':') else {
                return CommandOutput::err("ERROR: the image needs a tag, such as repo:1.2.3\n", 1);
            };
            world.model_mut().registry_mut().push(repo, tag);
            CommandOutput::default()
        }
        ["acr", ..] => {
            CommandOutput::err("ERROR: this simulator's az acr knows `repository show-tags`, `repository list` and `import`.\n", 2)
        }
        _ => CommandOutput::err(format!("ERROR: this lab's az has only `az acr`; `az {}` is not simulated.\n", words.join(" ")), 2),
    }
}

fn missing(flags: &str) -> CommandOutput {
    CommandOutput::err(format!("ERROR: the following arguments are required: {flags}\n"), 2)
}
