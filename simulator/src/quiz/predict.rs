//! "Predict the outcome": a question sets up a short simulation, and the
//! simulator, not the author, decides which outcomes happened.

use serde::{Deserialize, Serialize};

use super::bank::{Question, Simulation};
use crate::lab::Lab;
use crate::session::{Input, Output, World};

/// What a simulation produced: the outcomes that hold, and the output of the commands to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prediction {
    /// Indexes of the outcomes whose check holds after the commands ran.
    pub key: Vec<usize>,
    /// Each command of the simulation's `show`, with the prompt and clock, and what it printed.
    pub shown: Vec<ShownCommand>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownCommand {
    pub clock: String,
    pub line: String,
    pub output: String,
}

/// The seeds every prediction must give the same key with: a question's answer may not depend
/// on the luck of a poll's jitter or a pod's start-up time.
pub const CHECKED_SEEDS: std::ops::RangeInclusive<u64> = 1..=8;

/// Runs a prediction question's simulation in its lab's starting world.
pub fn simulate(question: &Question, labs: &[Lab]) -> Result<Prediction, String> {
    let seed = question.simulation.as_ref().map_or(1, |s| s.seed);
    simulate_with_seed(question, labs, seed)
}

/// Runs a prediction question's simulation with another seed, to show its key does not depend on it.
pub fn simulate_with_seed(question: &Question, labs: &[Lab], seed: u64) -> Result<Prediction, String> {
    let Some(sim) = &question.simulation else {
        return Err(format!("question `{}` has no simulation", question.id));
    };
    let sim = Simulation { seed, ..sim.clone() };
    let sim = &sim;
    let mut world = run(sim, labs)?;
    let key = question.outcomes.iter().enumerate().filter(|(_, o)| o.check.evaluate(&world).passed).map(|(i, _)| i).collect();
    let mut shown = Vec::new();
    for line in &sim.show {
        let clock = world.now().clock();
        let output = command(&mut world, line);
        shown.push(ShownCommand { clock, line: line.clone(), output });
    }
    Ok(Prediction { key, shown })
}

/// The world after the simulation's commands, each run when the previous one finished.
fn run(sim: &Simulation, labs: &[Lab]) -> Result<World, String> {
    let lab = labs.iter().find(|l| l.id == sim.lab).ok_or_else(|| format!("there is no lab `{}` to simulate", sim.lab))?;
    let mut world = World::new(sim.seed, lab)?;
    for line in &sim.commands {
        command(&mut world, line);
    }
    if world.stuck_loops() > 0 {
        return Err(format!("the simulation in lab `{}` got stuck", sim.lab));
    }
    Ok(world)
}

/// Runs one command and returns what it printed.
fn command(world: &mut World, line: &str) -> String {
    let now = world.now();
    world.handle_input(now, Input::Command { line: line.to_string() });
    let mut printed = String::new();
    while let Some(out) = world.poll_output() {
        if let Output::Terminal { text, .. } = out {
            printed.push_str(&text);
        }
    }
    printed
}
