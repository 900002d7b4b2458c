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
}
