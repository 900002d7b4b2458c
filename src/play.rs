//! `gitops-lab play` and `gitops-lab labs`: the labs in a terminal.

use simulator::content::{self, ContentFiles};
use simulator::lab::Lab;
use simulator::{Input, Output, World, script};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn list(files: &ContentFiles) -> ExitCode {
    match content::labs(files) {
        Ok(labs) => {
            let rows: Vec<Vec<String>> = std::iter::once(vec!["#".into(), "LEVEL".into(), "ID".into(), "MINUTES".into(), "TITLE".into()])
                .chain(labs.iter().enumerate().map(|(i, l)| {
                    let start = if i == 0 { " (start here)" } else { "" };
                    vec![
                        (i + 1).to_string(),
                        l.level.map_or("-", |v| v.name()).to_string(),
                        l.id.clone(),
                        l.minutes.to_string(),
                        format!("{}{start}", l.title),
                    ]
                }))
                .collect();
            print!("{}", simulator::cli::table::tabwrite(&rows, 0, 3));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The lab after this one in the course's order.
fn next_lab(files: &ContentFiles, lab: &Lab) -> Option<Lab> {
    let labs = content::labs(files).ok()?;
    let at = labs.iter().position(|l| l.id == lab.id)?;
    labs.into_iter().nth(at + 1)
}

/// What the trainee will be able to do, before the first step.
fn print_objectives(lab: &Lab) {
    if !lab.objectives.is_empty() {
        println!(
            "
By the end of this lab you will be able to:"
        );
        for o in &lab.objectives {
            println!("  - {o}");
        }
    }
}

/// The lab's debrief, once every step has passed: the takeaways, its quiz and the next lab.
fn print_debrief(lab: &Lab, files: &ContentFiles) {
    if let Some(debrief) = &lab.debrief {
        println!(
            "
── Debrief ──
{}",
            debrief.trim_end()
        );
    }
    if !lab.quiz.is_empty() {
        println!(
            "
The lab's quiz ({} questions) follows.",
            lab.quiz.len()
        );
    }
    if let Some(next) = next_lab(files, lab) {
        println!("Next lab: {} (gitops-lab play {})", next.title, next.id);
    }
}

fn find(files: &ContentFiles, id: &str) -> Result<Lab, String> {
    let labs = content::labs(files).map_err(|e| e.to_string())?;
    let known: Vec<String> = labs.iter().map(|l| l.id.clone()).collect();
    labs.into_iter().find(|l| l.id == id).ok_or_else(|| format!("no lab `{id}`; the labs are: {}", known.join(", ")))
}

pub fn run(files: &ContentFiles, id: &str, solution: bool, script_file: Option<&Path>, seed: Option<u64>) -> ExitCode {
    let lab = match find(files, id) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = seed.unwrap_or_else(rand::random);
    let lines: Option<Vec<String>> = if solution {
        Some(script::solution(&lab))
    } else if let Some(path) = script_file {
        match crate::regular_file::read_text(path) {
            Ok(text) => Some(text.lines().map(String::from).collect()),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    match lines {
        Some(lines) => scripted(&lab, seed, &lines),
        None => interactive(&lab, files, seed),
    }
}

/// `gitops-lab sandbox --repo DIR`: the folder becomes the lab's Git repo.
pub fn sandbox(files: &ContentFiles, dir: &Path, script_file: Option<&Path>, seed: Option<u64>) -> ExitCode {
    let mut repo = simulator::git::Snapshot::new();
    if let Err(e) = read_tree(dir, dir, &mut repo) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let name =
        dir.canonicalize().ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string())).unwrap_or_else(|| "repo".into());
    let lab = match simulator::lab::sandbox::sandbox_lab(&name, repo) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    let seed = seed.unwrap_or_else(rand::random);
    match script_file {
        Some(path) => match crate::regular_file::read_text(path) {
            Ok(text) => scripted(&lab, seed, &text.lines().map(String::from).collect::<Vec<_>>()),
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                ExitCode::from(2)
            }
        },
        None => interactive(&lab, files, seed),
    }
}

/// The text files under `dir`, by path relative to `root` (at most 5,000).
pub fn read_tree(root: &Path, dir: &Path, out: &mut simulator::git::Snapshot) -> Result<(), String> {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if !simulator::lab::sandbox::wanted_path(&rel) {
            continue;
        }
        // A symbolic link to a folder is not followed: a link to `..` would loop.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            read_tree(root, &path, out)?;
        } else if let Ok(text) = crate::regular_file::read_text(&path) {
            if out.len() >= 5000 {
                return Err(format!("{} holds more than 5,000 files", root.display()));
            }
            out.insert(rel, text);
        }
    }
    Ok(())
}

fn scripted(lab: &Lab, seed: u64, lines: &[String]) -> ExitCode {
    // The transcript is printed as it goes: should the simulator fail on a line, what came
    // before it is on the screen, followed by what failed.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        script::run_script_streaming(lab, seed, lines, &mut |piece| {
            print!("{piece}");
            let _ = std::io::stdout().flush();
        })
    }));
    let result = match outcome {
        Ok(result) => result,
        Err(panic) => {
            let why =
                panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            eprintln!(
                "error: the simulator failed on the last command above (lab {}, seed {seed}): {why}\nThis is a bug in GitOps Lab; please report it with the script.",
                lab.id
            );
            return ExitCode::from(101);
        }
    };
    match result {
        Ok(run) => {
            let _ = run.transcript;
            if !lab.steps.is_empty() {
                println!("\n{} of {} steps passed (seed {seed}).", run.steps_passed, lab.steps.len());
            }
            if run.all_passed { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn print_step(lab: &Lab, world: &World) {
    let Some(tracker) = world.tracker() else { return };
    if lab.steps.is_empty() {
        return;
    }
    match lab.steps.get(tracker.active()) {
        Some(step) => println!(
            "\n── Step {} of {}: {} ──\n{}",
            tracker.active() + 1,
            lab.steps.len(),
            step.title,
            crate::term_markdown::render(&step.text, ansi()).trim_end()
        ),
        None => {
            let s = tracker.score();
            println!(
                "\n── All {} steps passed. Score: {} of {} points ({} hints used, {} steps skipped). ──",
                lab.steps.len(),
                s.points,
                s.max_points,
                s.hints_used,
                s.skipped
            );
            if let Some(debrief) = &lab.debrief {
                println!("{}", crate::term_markdown::render(debrief, ansi()).trim_end());
            }
        }
    }
}

/// Whether to style text: only when standard output is a terminal.
fn ansi() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// Everything the world has to say, as the terminal prints it.
fn take_outputs(world: &mut World) -> String {
    let mut out = String::new();
    while let Some(o) = world.poll_output() {
        match o {
            Output::Terminal { text, .. } => out.push_str(&text),
            Output::TwinTerminal { text, .. } => out.push_str(&script::twin_lines(&text)),
            Output::Incident { title, .. } => out.push_str(&format!("⚠ Incident: {title}\n")),
            Output::Edit { .. } => out.push_str(
                "error: kubectl edit needs an editor, which this terminal lab does not have: use the lab page, or kubectl scale, kubectl set image or kubectl apply -f\n",
            ),
            Output::Event { event } if event.kind.timeline_label().is_some() => {
                out.push_str(&format!("  · {} {}\n", event.at.clock(), event.kind.describe()))
            }
            Output::TwinEvent { event } if event.kind.timeline_label().is_some() => {
                out.push_str(&format!("  push world · {} {}\n", event.at.clock(), event.kind.describe()))
            }
            Output::Step { report } if report.passed => out.push_str(&format!("✔ Step {} passed: {}\n", report.index + 1, report.title)),
            Output::Hint { level, text, .. } => out.push_str(&format!("Hint {level}: {text}\n")),
            _ => {}
        }
    }
    out
}

fn interactive(lab: &Lab, files: &ContentFiles, seed: u64) -> ExitCode {
    use crate::play_terminal::{ClockThread, Clocked, LabHelper, lock};
    use std::io::IsTerminal;
    use std::sync::{Arc, Mutex};
    let world = match World::new(seed, lab) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}\n\n{}", lab.title, crate::term_markdown::render(&lab.story, ansi()).trim_end());
    print_objectives(lab);
    println!("\nType commands as in a real terminal. Also: `hint`, `skip`, `steps`, `incidents`, `incident ID`, `quit`. (seed {seed})");
    print_step(lab, &world);
    let completion = Arc::new(Mutex::new(simulator::cli::complete::CompletionData::of(&world)));
    let shared = Arc::new(Mutex::new(Clocked::new(world)));
    let mut editor = match rustyline::Editor::<LabHelper, rustyline::history::DefaultHistory>::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot read the terminal: {e}");
            return ExitCode::from(1);
        }
    };
    editor.set_helper(Some(LabHelper { data: completion.clone() }));
    // In a terminal, simulated time runs on its own and events print as they happen; fed from a pipe,
    // time moves only between lines, so a script's output does not depend on how fast it is read.
    let _clock = if std::io::stdin().is_terminal() {
        editor.create_external_printer().ok().map(|printer| ClockThread::start(shared.clone(), printer, take_outputs))
    } else {
        None
    };
    let stdin = std::io::stdin();
    loop {
        let prompt = {
            let clocked = lock(&shared);
            format!("[{}] {}", clocked.world.now().clock(), clocked.world.prompt())
        };
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => {
                println!();
                break;
            }
            Err(e) => {
                // Invalid UTF-8 or a broken input: say so and fail, rather than end as if finished.
                let why = match e {
                    rustyline::error::ReadlineError::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
                        "the input is not valid UTF-8".to_string()
                    }
                    other => other.to_string(),
                };
                eprintln!("\nerror: cannot read the next command: {why}");
                return ExitCode::from(1);
            }
        };
        if !line.trim().is_empty() {
            let _ = editor.add_history_entry(line.as_str());
        }
        let mut clocked = lock(&shared);
        let now = clocked.now();
        let world = &mut clocked.world;
        let before = world.tracker().map(|t| t.active());
        let input = match line.trim() {
            "quit" | "exit" => break,
            "hint" => Input::Hint,
            "skip" => Input::SkipStep,
            "incidents" => {
                for i in world.incidents() {
                    println!("  incident {:<22} {}", i.id, i.title);
                }
                if world.incidents().is_empty() {
                    println!("This lab declares no incidents.");
                }
                continue;
            }
            other if other.starts_with("incident ") => Input::Incident { id: other["incident ".len()..].trim().to_string() },
            "steps" => {
                for r in world.step_reports() {
                    let mark = if r.passed {
                        "✔ passed "
                    } else if r.active {
                        "▶ not yet"
                    } else {
                        "· later  "
                    };
                    println!("{mark} {}. {}\n           expected: {}\n           found:    {}", r.index + 1, r.title, r.expected, r.found);
                }
                continue;
            }
            other => Input::Command { line: other.to_string() },
        };
        world.handle_input(now, input);
        print!("{}", take_outputs(world));
        let _ = std::io::stdout().flush();
        if let Ok(mut data) = completion.lock() {
            *data = simulator::cli::complete::CompletionData::of(world);
        }
        if world.tracker().map(|t| t.active()) != before {
            print_step(lab, world);
            if world.tracker().is_some_and(|t| t.finished()) {
                print_debrief(lab, files);
                crate::quiz_cmd::closing(lab, files, &mut stdin.lock());
                break;
            }
        }
        clocked.resync();
    }
    let clocked = lock(&shared);
    let passed = clocked.world.step_reports().iter().filter(|r| r.passed).count();
    println!("{passed} of {} steps passed.", lab.steps.len());
    ExitCode::SUCCESS
}
