//! Labs as content: the lab definition (`lab.yaml` plus `repo/`), parsed with
//! errors that name file, line and field, and the world a lab starts from.

mod check;
mod check_more;
mod command_shape;
mod event_match;
pub mod fleet;
mod incident;
mod journal_memo;
mod observed;
pub mod sandbox;
mod tracker;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use check::{Check, CheckOutcome};
pub use event_match::EventMatch;
pub use observed::Observed;
pub use incident::{FollowUp, IncidentSpec};
pub use journal_memo::JournalMemo;
pub use tracker::{Score, StepReport, Tracker};

use crate::argo::AgentConfig;
use crate::cli::Shell;
use crate::controllers::{ImageBehaviour, ImageCatalog};
use crate::git::{Signature, Snapshot};
use crate::model::{Bootstrap, CommitParts};
use crate::time::{SimDuration, SimTime};

/// A lab: its story, starting world, steps and closing quiz.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lab {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub minutes: u32,
    /// The course section this lab teaches.
    pub course_section: String,
    /// Markdown shown before the first step.
    pub story: String,
    pub world: WorldSpec,
    pub steps: Vec<Step>,
    /// Question ids from the quiz banks, asked when the lab ends.
    #[serde(default)]
    pub quiz: Vec<String>,
    /// Incidents the lab (at their time) or an instructor (on demand) can set off.
    #[serde(default)]
    pub incidents: Vec<IncidentSpec>,
    /// Markdown shown when the last step passes: the takeaways, the OpenGitOps principle the lab
    /// showed, and what differs in production.
    #[serde(default)]
    pub debrief: Option<String>,
    /// What a trainee will be able to do after the lab, shown before the first step.
    #[serde(default)]
    pub objectives: Vec<String>,
    /// The lab's place in the course's learning path (1 is where to start); labs list in this order.
    #[serde(default)]
    pub order: Option<u32>,
    /// How far along the path the lab is.
    #[serde(default)]
    pub level: Option<Level>,
    /// The files of `repo/`, filled in by the loader.
    #[serde(skip)]
    pub repo_files: Snapshot,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorldSpec {
    /// The simulated time the lab starts at (RFC 3339).
    pub start: String,
    /// When the cluster was installed and the apps first synced; defaults to five minutes after the last commit.
    #[serde(default)]
    pub installed_at: Option<String>,
    pub repo: RepoSpec,
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Paths in the repo of Application manifests installed into the cluster.
    pub applications: Vec<String>,
    #[serde(default)]
    pub agent: AgentConfig,
    #[serde(default)]
    pub images: BTreeMap<String, ImageBehaviour>,
    #[serde(default = "default_trainee")]
    pub trainee: String,
    /// The namespace kubectl uses when `-n` is not given.
    #[serde(default = "default_namespace")]
    pub kube_namespace: String,
    /// Argo CD's RBAC settings and local users; the trainee starts logged in as `admin`.
    #[serde(default)]
    pub rbac: crate::argo::rbac::RbacConfig,
    /// The container registry's tags (for `az acr` and Argo CD Image Updater).
    #[serde(default)]
    pub registry: crate::registry::Registry,
    /// Run Argo CD Image Updater (every two minutes) beside the agent.
    #[serde(default)]
    pub image_updater: bool,
    /// Paths in the repo of Flux objects (GitRepository, Kustomization) installed into `flux-system`.
    #[serde(default)]
    pub flux: Vec<String>,
    /// A push pipeline that deploys on every push (the traditional CI/CD model).
    #[serde(default)]
    pub pipeline: Option<crate::pipeline::PipelineSpec>,
    /// For a comparison lab: a twin of this world with its Applications replaced by this push
    /// pipeline; every input goes to both, and checks can look at it with `inPushWorld`.
    #[serde(default)]
    pub push_twin: Option<crate::pipeline::PipelineSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepoSpec {
    pub url: String,
    /// Where the trainee's clone lives.
    pub dir: String,
    /// The repo's history, oldest first; the last commit must equal `repo/`.
    pub history: Vec<CommitSpec>,
    /// Other branches, each growing from the last commit of `history` (files given in full).
    #[serde(default)]
    pub branches: BTreeMap<String, Vec<CommitSpec>>,
    /// Branches the Git server protects: changes only through an approved pull request.
    #[serde(default)]
    pub protected_branches: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommitSpec {
    /// `Name <email>`.
    pub author: String,
    pub date: String,
    pub message: String,
    /// Files this commit sets: literal content, `@repo` for the file in `repo/`, or null to delete.
    pub files: BTreeMap<String, Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// Markdown instructions.
    pub text: String,
    pub check: Check,
    /// Graduated hints: a nudge, a pointer, the command.
    #[serde(default)]
    pub hints: Vec<String>,
    /// The reference solution, as terminal commands.
    pub solution: Vec<String>,
    /// An incident (by id) that happens 30 simulated seconds after this step becomes active.
    #[serde(default)]
    pub incident: Option<String>,
}

fn default_trainee() -> String {
    "On-call Engineer <oncall@civica.example>".into()
}

fn default_namespace() -> String {
    "default".into()
}

/// How far along the learning path a lab is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// The first labs: what GitOps is and the loop, with every command given.
    Foundations,
    /// Day-to-day GitOps: drift, rollback, promotion, repositories.
    Practitioner,
    /// Running a platform: security, scale, other agents, the change flow end to end.
    Advanced,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Foundations => "Foundations",
            Level::Practitioner => "Practitioner",
            Level::Advanced => "Advanced",
        }
    }
}

/// A content file that failed to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    pub file: String,
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ContentError {
    /// An error about `field` (a path such as `questions[3].answer`), with the line it is on in `text`.
    pub fn at(file: &str, text: &str, field: &str, message: String) -> ContentError {
        let line = crate::yaml::line_of(text, &crate::yaml::parse_field_path(field));
        ContentError { file: file.into(), line, field: Some(field.into()), message }
    }
}

/// Parses YAML into `T`, naming the line and field path of any error.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, ContentError> {
    let docs = crate::yaml::parse_documents(text, file).map_err(|e| ContentError {
        file: file.into(),
        line: e.line,
        field: None,
        message: e.message,
    })?;
    let value = docs.into_iter().next().unwrap_or(serde_json::Value::Null);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let segs = crate::yaml::parse_field_path(&path);
        ContentError { file: file.into(), line: crate::yaml::line_of(text, &segs), field: (path != ".").then_some(path), message }
    })
}

impl Lab {
    /// Loads a lab from its `lab.yaml` text and its `repo/` files.
    pub fn load(lab_yaml: &str, file: &str, repo_files: Snapshot) -> Result<Lab, ContentError> {
        let mut lab: Lab = parse_yaml(lab_yaml, file)?;
        lab.repo_files = repo_files;
        lab.validate(file)?;
        Ok(lab)
    }

    pub(crate) fn validate(&self, file: &str) -> Result<(), ContentError> {
        let err =
            |field: &str, message: String| ContentError { file: file.to_string(), line: None, field: Some(field.to_string()), message };
        let start = SimTime::parse_rfc3339(&self.world.start).unwrap_or_default();
        for (i, incident) in self.incidents.iter().enumerate() {
            if incident.at.is_some() && incident.fires_at(start).is_none() {
                return Err(err(&format!("incidents[{i}].at"), "give a time as HH:MM, HH:MM:SS or +10m".into()));
            }
            if incident.actor.as_deref().is_some_and(|a| parse_signature(a, start).is_none()) {
                return Err(err(&format!("incidents[{i}].actor"), "give the actor as `Name <email>`".into()));
            }
            if incident.commands.is_empty()
                && incident.push_commands.is_empty()
                && incident.repo_unreachable.is_none()
                && incident.node_down.is_none()
                && incident.node_up.is_none()
            {
                return Err(err(&format!("incidents[{i}].commands"), "an incident needs at least one command".into()));
            }
            if let Some(next) = &incident.followed_by {
                if !self.incidents.iter().any(|inc| inc.id == next.incident) {
                    return Err(err(
                        &format!("incidents[{i}].followedBy.incident"),
                        format!("the lab declares no incident `{}`", next.incident),
                    ));
                }
            }
        }
        for (branch, commits) in &self.world.repo.branches {
            for (i, c) in commits.iter().enumerate() {
                if c.files.values().any(|v| v.as_deref() == Some("@repo")) {
                    return Err(err(
                        &format!("world.repo.branches.{branch}[{i}].files"),
                        "a branch's files are given in full (`@repo` is main's last commit)".into(),
                    ));
                }
            }
        }
        for (i, step) in self.steps.iter().enumerate() {
            if let Some(id) = &step.incident {
                if !self.incidents.iter().any(|inc| &inc.id == id) {
                    return Err(err(&format!("steps[{i}].incident"), format!("the lab declares no incident `{id}`")));
                }
            }
        }
        if SimTime::parse_rfc3339(&self.world.start).is_none() {
            return Err(err("world.start", format!("`{}` is not an RFC 3339 UTC time such as 2026-03-12T01:58:00Z", self.world.start)));
        }
        if self.world.repo.history.is_empty() {
            return Err(err("world.repo.history", "a lab repo needs at least one commit".into()));
        }
        for (i, c) in self.world.repo.history.iter().enumerate() {
            if SimTime::parse_rfc3339(&c.date).is_none() {
                return Err(err(&format!("world.repo.history[{i}].date"), format!("`{}` is not an RFC 3339 UTC time", c.date)));
            }
            if parse_signature(&c.author, SimTime(0)).is_none() {
                return Err(err(&format!("world.repo.history[{i}].author"), format!("`{}` is not of the form `Name <email>`", c.author)));
            }
            for (path, content) in &c.files {
                if content.as_deref() == Some("@repo") && !self.repo_files.contains_key(path) {
                    return Err(err(
                        &format!("world.repo.history[{i}].files.{path}"),
                        format!("`@repo` names {path}, which is not in the lab's repo/ folder"),
                    ));
                }
            }
        }
        let tip = self.history_snapshots().pop().unwrap_or_default();
        if tip != self.repo_files {
            let differing: Vec<&String> =
                tip.keys().chain(self.repo_files.keys()).filter(|p| tip.get(*p) != self.repo_files.get(*p)).collect();
            return Err(err(
                "world.repo.history",
                format!("the last commit must equal the repo/ folder; these files differ: {differing:?}"),
            ));
        }
        for (i, app) in self.world.applications.iter().enumerate() {
            if !self.repo_files.contains_key(app) {
                return Err(err(&format!("world.applications[{i}]"), format!("{app} is not in the lab's repo/ folder")));
            }
        }
        if let Err(e) = crate::argo::rbac::Enforcer::new(&self.world.rbac) {
            return Err(err("world.rbac.policy", e));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, s) in self.steps.iter().enumerate() {
            if !ids.insert(&s.id) {
                return Err(err(&format!("steps[{i}].id"), format!("duplicate step id `{}`", s.id)));
            }
            if s.solution.is_empty() {
                return Err(err(&format!("steps[{i}].solution"), "every step needs a reference solution".into()));
            }
        }
        Ok(())
    }

    /// The snapshot after each commit of the history.
    fn history_snapshots(&self) -> Vec<Snapshot> {
        let mut snap = Snapshot::new();
        let mut out = Vec::new();
        for c in &self.world.repo.history {
            for (path, content) in &c.files {
                match content.as_deref() {
                    None => {
                        snap.remove(path);
                    }
                    Some("@repo") => {
                        if let Some(c) = self.repo_files.get(path) {
                            snap.insert(path.clone(), c.clone());
                        }
                    }
                    Some(text) => {
                        snap.insert(path.clone(), text.to_string());
                    }
                }
            }
            out.push(snap.clone());
        }
        out
    }

    pub fn start_time(&self) -> SimTime {
        SimTime::parse_rfc3339(&self.world.start).unwrap_or_default()
    }
}

/// Parses `Name <email>`.
pub fn parse_signature(text: &str, time: SimTime) -> Option<Signature> {
    let (name, rest) = text.split_once('<')?;
    let email = rest.strip_suffix('>')?;
    (!name.trim().is_empty() && email.contains('@')).then(|| Signature { name: name.trim().to_string(), email: email.to_string(), time })
}

/// The starting world a lab describes, as the model builds it.
pub fn bootstrap(lab: &Lab) -> Result<Bootstrap, String> {
    let history: Vec<CommitParts> = lab
        .world
        .repo
        .history
        .iter()
        .zip(lab.history_snapshots())
        .map(|(c, snap)| {
            let t = SimTime::parse_rfc3339(&c.date).unwrap_or_default();
            let sig = parse_signature(&c.author, t).ok_or_else(|| format!("world.repo.history: `{}` is not `Name <email>`", c.author))?;
            Ok((sig, c.message.clone(), snap))
        })
        .collect::<Result<_, String>>()?;
    let last_commit = history.last().map(|h| h.0.time).ok_or("the lab has no history")?;
    let mut branches = Vec::new();
    for (branch, commits) in &lab.world.repo.branches {
        let mut snap = history.last().map(|h| h.2.clone()).unwrap_or_default();
        let mut branch_history = Vec::new();
        for c in commits {
            for (path, content) in &c.files {
                match content.as_deref() {
                    None => snap.remove(path),
                    Some(text) => snap.insert(path.clone(), text.to_string()),
                };
            }
            let t = SimTime::parse_rfc3339(&c.date).unwrap_or_default();
            let sig =
                parse_signature(&c.author, t).ok_or_else(|| format!("world.repo.branches.{branch}: an author is not `Name <email>`"))?;
            branch_history.push((sig, c.message.clone(), snap.clone()));
        }
        branches.push((branch.clone(), branch_history));
    }
    let installed = lab.world.installed_at.as_deref().and_then(SimTime::parse_rfc3339).unwrap_or(last_commit + SimDuration::mins(5));
    Ok(Bootstrap {
        repo_url: lab.world.repo.url.clone(),
        repo_dir: lab.world.repo.dir.clone(),
        history,
        branches,
        protected_branches: lab.world.repo.protected_branches.clone(),
        images: ImageCatalog { images: lab.world.images.clone() },
        namespaces: lab.world.namespaces.clone(),
        applications: lab.world.applications.clone(),
        flux: lab.world.flux.clone(),
        agent: lab.world.agent.clone(),
        rbac: lab.world.rbac.clone(),
        registry: lab.world.registry.clone(),
        image_updater: lab.world.image_updater,
        pipeline: lab.world.pipeline.clone(),
        installed,
        start: lab.start_time(),
    })
}

/// The trainee's terminal at the lab's start: in the repository's folder, logged in to Argo CD as `admin`.
pub fn shell(lab: &Lab) -> Result<Shell, String> {
    let start = lab.start_time();
    let user = parse_signature(&lab.world.trainee, start).ok_or("world.trainee is not of the form `Name <email>`")?;
    Ok(Shell {
        cwd: lab.world.repo.dir.clone(),
        home: "/home/trainee".into(),
        user,
        kube_namespace: lab.world.kube_namespace.clone(),
        argocd_user: "admin".into(),
        argocd_login_at: start,
    })
}
