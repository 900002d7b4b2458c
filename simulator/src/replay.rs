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

    /// Restores the session as it was saved at `until`: builds the world, applies every
    /// input, then runs the clock on to `until`. What a host needs to redraw its terminal
    /// and timeline comes back in one list, so it renders once rather than after each input.
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
            entries.push(RestoredEntry::Input { prompt: world.prompt(), input: input.clone() });
            world.handle_input(*at, input.clone());
            drain(&mut world, &mut entries);
        }
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
    /// An input, and the prompt the terminal showed when it was typed.
    Input {
        prompt: String,
        input: Input,
    },
    Output(Output),
}
