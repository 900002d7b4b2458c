//! The replay record: everything needed to reproduce a session byte for byte.

use serde::{Deserialize, Serialize};

use crate::lab::Lab;
use crate::session::{Input, Output, World};
use crate::time::SimTime;

/// The format version of replay records.
pub const REPLAY_VERSION: u32 = 1;

/// A lab session: version, seed, lab and timed inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replay {
    pub version: u32,
    pub seed: u64,
    pub lab: String,
    pub inputs: Vec<(SimTime, Input)>,
}

impl Replay {
    pub fn new(seed: u64, lab: &str) -> Self {
        Replay { version: REPLAY_VERSION, seed, lab: lab.to_string(), inputs: Vec::new() }
    }

    /// Rebuilds the world this record describes, with every output it produced.
    pub fn run(&self, lab: &Lab) -> Result<(World, Vec<Output>), String> {
        let mut world = World::new(self.seed, lab)?;
        let mut outputs = Vec::new();
        while let Some(o) = world.poll_output() {
            outputs.push(o);
        }
        for (at, input) in &self.inputs {
            world.handle_input(*at, input.clone());
            while let Some(o) = world.poll_output() {
                outputs.push(o);
            }
        }
        Ok((world, outputs))
    }

    /// Restores the session as it was saved at `until`: builds the world, runs its clock to
    /// each input's time and applies the input, then runs the clock on to `until`, as the
    /// page does when it resumes saved progress (so a restored world is the world the page
    /// rebuilt before). What a host needs to redraw its terminal and timeline comes back in
    /// one list, so it renders once rather than after each input.
    pub fn restore(&self, lab: &Lab, until: SimTime) -> Result<Restored, String> {
        let mut world = World::new(self.seed, lab)?;
        let mut entries = Vec::new();
        let drain = |world: &mut World, entries: &mut Vec<RestoredEntry>| {
            while let Some(o) = world.poll_output() {
                entries.push(RestoredEntry::Output(o));
            }
        };
        drain(&mut world, &mut entries);
        for (at, input) in &self.inputs {
            entries.push(RestoredEntry::ClockMoved { to: *at });
            world.advance_to(*at);
            drain(&mut world, &mut entries);
            entries.push(RestoredEntry::Input { prompt: world.prompt(), input: input.clone() });
            world.handle_input(*at, input.clone());
            drain(&mut world, &mut entries);
        }
        entries.push(RestoredEntry::ClockMoved { to: until });
        world.advance_to(until);
        drain(&mut world, &mut entries);
        Ok(Restored { world, entries })
    }
}

/// A session restored from its record.
#[derive(Debug)]
pub struct Restored {
    pub world: World,
    /// Every input with the prompt it was given at, and every output, in order.
    pub entries: Vec<RestoredEntry>,
}

/// One line of a restored session's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestoredEntry {
    /// The clock was run on to `to`: the outputs that follow, up to the next input, are what
    /// happened by itself in the meantime (pods starting, polls, incidents, steps passing).
    ClockMoved {
        to: SimTime,
    },
    /// An input, and the prompt the terminal showed when it was typed.
    Input {
        prompt: String,
        input: Input,
    },
    Output(Output),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    /// A saved session of drift-2am: commands, a hint and a skipped step, some seconds apart.
    fn saved(lab: &Lab) -> Replay {
        let start = World::new(3, lab).unwrap().now();
        let mut replay = Replay::new(3, "drift-2am");
        let inputs = [
            Input::Command { line: "kubectl get pods -n payments".into() },
            Input::Hint,
            Input::SkipStep,
            Input::Command { line: "cd apps".into() },
            Input::Command { line: "argocd app get payment-service".into() },
            Input::SkipStep,
        ];
        for (i, input) in inputs.into_iter().enumerate() {
            replay.inputs.push((start + SimDuration::secs(20 * (i as u64 + 1)), input));
        }
        replay
    }

    #[test]
    fn restore_rebuilds_the_world_the_page_rebuilt_input_by_input() {
        let lab = crate::content::builtin_lab("drift-2am").expect("drift-2am is built in");
        let replay = saved(&lab);
        let until = replay.inputs.last().unwrap().0 + SimDuration::mins(5);
        // The page's own resume, before it used `restore`: run the clock to each input, then apply it.
        let mut world = World::new(replay.seed, &lab).unwrap();
        let mut outputs = Vec::new();
        let mut prompts = Vec::new();
        for (at, input) in &replay.inputs {
            world.advance_to(*at);
            outputs.extend(std::iter::from_fn(|| world.poll_output()));
            prompts.push(world.prompt());
            world.handle_input(*at, input.clone());
            outputs.extend(std::iter::from_fn(|| world.poll_output()));
        }
        world.advance_to(until);
        outputs.extend(std::iter::from_fn(|| world.poll_output()));

        let restored = replay.restore(&lab, until).unwrap();
        let restored_outputs: Vec<Output> =
            restored.entries.iter().filter_map(|e| if let RestoredEntry::Output(o) = e { Some(o.clone()) } else { None }).collect();
        assert_eq!(restored_outputs, outputs, "the same outputs in the same order");
        let restored_prompts: Vec<&str> = restored
            .entries
            .iter()
            .filter_map(|e| if let RestoredEntry::Input { prompt, .. } = e { Some(prompt.as_str()) } else { None })
            .collect();
        assert_eq!(restored_prompts, prompts);
        assert!(prompts.last().unwrap().contains("/apps"), "the prompt follows `cd`: {prompts:?}");
        assert_eq!(restored.world.now(), until);
        assert_eq!(format!("{:?}", restored.world), format!("{world:?}"), "the same world, byte for byte");
        assert!(restored.world.step_reports().iter().filter(|r| r.passed).count() >= 2, "the skipped steps passed");
    }

    #[test]
    fn restore_marks_what_the_clock_did_between_inputs() {
        let lab = crate::content::builtin_lab("drift-2am").expect("drift-2am is built in");
        let replay = saved(&lab);
        let until = replay.inputs.last().unwrap().0 + SimDuration::mins(5);
        let restored = replay.restore(&lab, until).unwrap();
        let marks: Vec<SimTime> =
            restored.entries.iter().filter_map(|e| if let RestoredEntry::ClockMoved { to } = e { Some(*to) } else { None }).collect();
        let mut expected: Vec<SimTime> = replay.inputs.iter().map(|(at, _)| *at).collect();
        expected.push(until);
        assert_eq!(marks, expected);
        // Each input follows its clock mark, and a command's answer follows its input.
        for (i, entry) in restored.entries.iter().enumerate() {
            if let RestoredEntry::Input { input: Input::Command { line }, .. } = entry {
                let answer = restored.entries[i + 1..].iter().find_map(|e| match e {
                    RestoredEntry::Output(Output::Terminal { command, .. }) => Some(command.clone()),
                    RestoredEntry::Input { .. } => Some(String::new()),
                    _ => None,
                });
                assert_eq!(answer.as_deref(), Some(line.as_str()), "the answer to `{line}` comes before the next input");
            }
        }
        // Nothing the trainee typed answers after the clock moved on by itself.
        let last_mark = restored.entries.iter().rposition(|e| matches!(e, RestoredEntry::ClockMoved { .. })).unwrap();
        assert!(!restored.entries[last_mark..].iter().any(|e| matches!(e, RestoredEntry::Output(Output::Terminal { .. }))));
    }
}
