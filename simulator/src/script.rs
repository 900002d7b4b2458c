//! Running a lab from a list of commands, as `gitops-lab play --script` and
//! `--solution` do, with a transcript of prompts, output and step results.

use crate::lab::Lab;
use crate::session::{Input, Output, World};

/// A scripted run's transcript and whether every step passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptRun {
    pub transcript: String,
    pub all_passed: bool,
    pub steps_passed: usize,
}

/// Feeds `lines` to a fresh world of `lab`; each line runs when the previous finished.
pub fn run_script(lab: &Lab, seed: u64, lines: &[String]) -> Result<ScriptRun, String> {
    run_script_streaming(lab, seed, lines, &mut |_| {})
}

/// As `run_script`, handing each piece of the transcript to `emit` as soon as it exists, so a
/// host can print it as the run goes (and still has it all should a later line fail).
pub fn run_script_streaming(lab: &Lab, seed: u64, lines: &[String], emit: &mut dyn FnMut(&str)) -> Result<ScriptRun, String> {
    let mut world = World::new(seed, lab)?;
    let mut transcript = String::new();
    let mut piece = String::new();
    drain(&mut world, &mut piece);
    emit(&piece);
    transcript.push_str(&std::mem::take(&mut piece));
    for line in lines {
        piece.push_str(&format!("[{}] {}{line}\n", world.now().clock(), world.prompt()));
        emit(&piece);
        transcript.push_str(&std::mem::take(&mut piece));
        let now = world.now();
        world.handle_input(now, Input::Command { line: line.clone() });
        drain(&mut world, &mut piece);
        emit(&piece);
        transcript.push_str(&std::mem::take(&mut piece));
    }
    let reports = world.step_reports();
    let passed = reports.iter().filter(|r| r.passed).count();
    Ok(ScriptRun { transcript, all_passed: passed == reports.len(), steps_passed: passed })
}

/// The reference solution of every step, in order.
pub fn solution(lab: &Lab) -> Vec<String> {
    lab.steps.iter().flat_map(|s| s.solution.iter().cloned()).collect()
}

fn drain(world: &mut World, transcript: &mut String) {
    while let Some(o) = world.poll_output() {
        match o {
            Output::Terminal { text, .. } => transcript.push_str(&text.replace("\x1b[H\x1b[2J", "")),
            Output::TwinTerminal { text, .. } => transcript.push_str(&twin_lines(&text)),
            Output::Incident { title, .. } => transcript.push_str(&format!("⚠ incident: {title}\n")),
            Output::Step { report } if report.passed => {
                transcript.push_str(&format!("✔ step {} passed: {}\n", report.index + 1, report.title))
            }
            _ => {}
        }
    }
}

/// What the push-pipeline twin printed, each line marked as the push world's.
pub fn twin_lines(text: &str) -> String {
    text.replace("\x1b[H\x1b[2J", "").lines().map(|l| format!("  push world │ {l}\n")).collect()
}
