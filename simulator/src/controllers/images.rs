//! Which container images are good, slow or broken, as a lab declares them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a container started from an image behaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "behaviour", deny_unknown_fields)]
pub enum ImageBehaviour {
    /// Starts and becomes ready after `startSeconds`.
    Good {
        #[serde(default = "default_start")]
        start_seconds: u64,
    },
    /// Starts, then exits with `exitCode` after `runSeconds`, again and again.
    Crash {
        #[serde(default = "default_exit")]
        exit_code: i64,
        #[serde(default = "default_run")]
        run_seconds: u64,
    },
    /// The registry has no such image.
    PullError,
    /// Runs to completion after `runSeconds` and exits with `exitCode` (jobs, hooks).
    Completes {
        #[serde(default = "default_run")]
        run_seconds: u64,
        #[serde(default)]
        exit_code: i64,
    },
}

fn default_start() -> u64 {
    2
}
fn default_exit() -> i64 {
    1
}
fn default_run() -> u64 {
    3
}

/// The images a lab's world knows; any other image is good.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageCatalog {
    pub images: BTreeMap<String, ImageBehaviour>,
}

impl ImageCatalog {
    pub fn behaviour(&self, image: &str) -> ImageBehaviour {
        self.images.get(image).cloned().unwrap_or(ImageBehaviour::Good { start_seconds: default_start() })
    }

    /// How a pod's container behaves: a good image in a pod that does not restart
    /// (a Job's or a hook's) runs its command to completion.
    pub fn behaviour_for(&self, image: &str, restart_policy: &str) -> ImageBehaviour {
        match (self.behaviour(image), restart_policy) {
            (ImageBehaviour::Good { .. }, "Never" | "OnFailure") => ImageBehaviour::Completes { run_seconds: 5, exit_code: 0 },
            (b, _) => b,
        }
    }

    /// `behaviour_for` a pod: a good image running a recognisable `sleep N` to completion takes N seconds.
    pub fn behaviour_for_pod(&self, pod: &serde_json::Value, image: &str, restart_policy: &str) -> ImageBehaviour {
        match (self.behaviour_for(image, restart_policy), self.images.contains_key(image)) {
            (ImageBehaviour::Completes { exit_code, .. }, false) => match super::sleep_command::sleep_seconds(pod) {
                Some(run_seconds) => ImageBehaviour::Completes { run_seconds, exit_code },
                None => ImageBehaviour::Completes { run_seconds: 5, exit_code },
            },
            (b, _) => b,
        }
    }
}
