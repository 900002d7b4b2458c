//! `gitops-lab play LAB --real-tools DIR`: the lab's world in this process,
//! driven by the trainee's own kubectl and git. The world's Kubernetes API is
//! served by `kubeapi` (DIR/kubeconfig); the lab's repository becomes a real
//! bare repository in DIR (the simulated agents read it) and the trainee's
//! clone beside it, with the lab's history, authors and dates, so commit ids
//! equal the simulator's. The terminal shows the guide, steps, timeline and
//! clock, and takes `hint`, `skip`, `steps`, `pause`, `speed N`, `next`.

use git2::{ObjectType, Oid, Repository, Signature, Time};
use simulator::git::import::ImportedCommit;
use simulator::git::{Signature as SimSignature, Snapshot};
use simulator::lab::Lab;
use simulator::{Input, Output, SimTime, World};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::kubeapi::{ApiServer, Host, Options, kubeconfig};

/// How often the bare repositories are compared with the world's remotes.
const GIT_POLL: Duration = Duration::from_millis(500);

/// One lab repository made real: the simulated remote's URL, the bare repository, the clone.
pub struct RealRepo {
    pub url: String,
    pub bare: PathBuf,
    pub clone: Option<PathBuf>,
    /// The branch tips last seen on both sides.
    synced: BTreeMap<String, String>,
}

fn git_err(e: git2::Error) -> String {
    e.message().to_string()
}

fn signature(s: &SimSignature) -> Result<Signature<'static>, String> {
    Signature::new(&s.name, &s.email, &Time::new(s.time.as_secs() as i64, 0)).map_err(git_err)
}

/// Writes a snapshot's files as Git trees; returns the root tree's id.
fn write_tree(repo: &Repository, files: &Snapshot) -> Result<Oid, String> {
    fn write_dir(repo: &Repository, files: &[(&str, &str)]) -> Result<Oid, String> {
        let mut builder = repo.treebuilder(None).map_err(git_err)?;
        let mut subdirs: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for (path, content) in files {
            match path.split_once('/') {
                Some((dir, rest)) => subdirs.entry(dir).or_default().push((rest, content)),
                None => {
                    let blob = repo.blob(content.as_bytes()).map_err(git_err)?;
                    builder.insert(path, blob, 0o100644).map_err(git_err)?;
                }
            }
        }
        for (dir, children) in subdirs {
            let oid = write_dir(repo, &children)?;
            builder.insert(dir, oid, 0o040000).map_err(git_err)?;
        }
        builder.write().map_err(git_err)
    }
    let list: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    write_dir(repo, &list)
}

/// Writes a simulated commit and its ancestors into a real repository (parents first).
fn export_commit(repo: &Repository, world: &World, tip: &str) -> Result<(), String> {
    let db = &world.git().db;
    let mut stack = vec![(tip.to_string(), false)];
    while let Some((oid, parents_done)) = stack.pop() {
        let id = Oid::from_str(&oid).map_err(git_err)?;
        if repo.find_commit(id).is_ok() {
            continue;
        }
        let commit = db.commit(&oid).ok_or_else(|| format!("the world has no commit {oid}"))?;
        if !parents_done {
            stack.push((oid.clone(), true));
            for p in &commit.parents {
                stack.push((p.clone(), false));
            }
            continue;
        }
        let tree = repo.find_tree(write_tree(repo, &db.snapshot(&oid))?).map_err(git_err)?;
        let parents: Vec<git2::Commit> = commit
            .parents
            .iter()
            .map(|p| repo.find_commit(Oid::from_str(p).map_err(git_err)?).map_err(git_err))
            .collect::<Result<_, _>>()?;
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let written = repo
            .commit(None, &signature(&commit.author)?, &signature(&commit.committer)?, &commit.message, &tree, &parent_refs)
            .map_err(git_err)?;
        if written != id {
            return Err(format!("commit {oid} was written as {written}: the simulator's encoding and Git's differ"));
        }
    }
    Ok(())
}

/// The text files of a real commit.
fn read_files(repo: &Repository, tree: &git2::Tree, prefix: &str, out: &mut Snapshot) -> Result<(), String> {
    for entry in tree.iter() {
        let name = format!("{prefix}{}", entry.name().unwrap_or_default());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let sub = repo.find_tree(entry.id()).map_err(git_err)?;
                read_files(repo, &sub, &format!("{name}/"), out)?;
            }
            Some(ObjectType::Blob) => {
                let blob = repo.find_blob(entry.id()).map_err(git_err)?;
                out.insert(name, String::from_utf8_lossy(blob.content()).into_owned());
            }
            _ => {}
        }
    }
    Ok(())
}

fn sim_signature(s: &Signature) -> SimSignature {
    SimSignature {
        name: s.name().unwrap_or_default().to_string(),
        email: s.email().unwrap_or_default().to_string(),
        time: SimTime((s.when().seconds().max(0) as u64) * 1000),
    }
}

/// The commits from `tip` back to ones the world knows, parents first.
fn commits_to_import(repo: &Repository, world: &World, tip: Oid) -> Result<Vec<ImportedCommit>, String> {
    let mut out = Vec::new();
    let mut stack = vec![(tip, false)];
    let mut seen = std::collections::BTreeSet::new();
    while let Some((id, parents_done)) = stack.pop() {
        if world.git().db.commit(&id.to_string()).is_some() || (!parents_done && !seen.insert(id)) {
            continue;
        }
        let commit = repo.find_commit(id).map_err(git_err)?;
        if !parents_done {
            stack.push((id, true));
            for p in commit.parent_ids() {
                stack.push((p, false));
            }
            continue;
        }
        let mut files = Snapshot::new();
        read_files(repo, &commit.tree().map_err(git_err)?, "", &mut files)?;
        out.push(ImportedCommit {
            oid: id.to_string(),
            parents: commit.parent_ids().map(|p| p.to_string()).collect(),
            author: sim_signature(&commit.author()),
            committer: sim_signature(&commit.committer()),
            message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
            files,
        });
    }
    Ok(out)
}

fn repo_name(url: &str) -> String {
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or("repo");
    let name = last.trim_end_matches(".git");
    if name.is_empty() { "repo".into() } else { name.to_string() }
}

/// Makes every remote of the world a bare repository in `dir`, and the trainee's clone beside it.
pub fn materialize(world: &World, dir: &Path, trainee: &SimSignature) -> Result<Vec<RealRepo>, String> {
    let mut repos = Vec::new();
    for (url, remote) in &world.git().remotes {
        let name = repo_name(url);
        let bare = dir.join(format!("{name}.git"));
        if bare.exists() {
            return Err(format!("{} already exists: give --real-tools an empty or new folder", bare.display()));
        }
        let repo = Repository::init_bare(&bare).map_err(git_err)?;
        let mut synced = BTreeMap::new();
        for (branch, tip) in &remote.branches {
            export_commit(&repo, world, tip)?;
            repo.reference(&format!("refs/heads/{branch}"), Oid::from_str(tip).map_err(git_err)?, true, "gitops-lab: the lab's history")
                .map_err(git_err)?;
            synced.insert(branch.clone(), tip.clone());
        }
        repo.set_head(&format!("refs/heads/{}", remote.default_branch)).map_err(git_err)?;
        let clone = world.git().clones.iter().find(|c| c.remote_url == *url).map(|c| {
            let base = c.dir.trim_end_matches('/').rsplit('/').next().unwrap_or(&name).to_string();
            dir.join(base)
        });
        if let Some(path) = &clone {
            if path.exists() {
                return Err(format!("{} already exists: give --real-tools an empty or new folder", path.display()));
            }
            let bare_url = bare.canonicalize().map_err(|e| e.to_string())?;
            let cloned = git2::build::RepoBuilder::new().clone(&bare_url.to_string_lossy(), path).map_err(git_err)?;
            let mut config = cloned.config().map_err(git_err)?;
            config.set_str("user.name", &trainee.name).map_err(git_err)?;
            config.set_str("user.email", &trainee.email).map_err(git_err)?;
        }
        repos.push(RealRepo { url: url.clone(), bare, clone, synced });
    }
    Ok(repos)
}

impl RealRepo {
    /// Brings the bare repository and the world's remote together: a push made with real git
    /// goes into the world (as a push, which the agents notice), and a commit the world made
    /// (a bot, an incident, `skip`) goes into the bare repository. Returns what happened.
    pub fn sync(&mut self, host: &Host) -> Result<Vec<String>, String> {
        let repo = Repository::open_bare(&self.bare).map_err(git_err)?;
        let mut notes = Vec::new();
        let real: BTreeMap<String, String> = repo
            .branches(Some(git2::BranchType::Local))
            .map_err(git_err)?
            .filter_map(Result::ok)
            .filter_map(|(b, _)| Some((b.name().ok()??.to_string(), b.get().target()?.to_string())))
            .collect();
        host.with_session(|s| -> Result<(), String> {
            let simulated = s.world.git().remotes.get(&self.url).map(|r| r.branches.clone()).unwrap_or_default();
            for (branch, tip) in &real {
                let last = self.synced.get(branch);
                if Some(tip) != last && simulated.get(branch) != Some(tip) {
                    let commits = commits_to_import(&repo, &s.world, Oid::from_str(tip).map_err(git_err)?)?;
                    let now = s.clock.now().max(s.world.now());
                    s.world.receive_push(now, &self.url, branch, commits, tip)?;
                    notes.push(format!("received a push to {branch}: {}", &tip[..7]));
                    self.synced.insert(branch.clone(), tip.clone());
                }
            }
            // What the world holds now, the pushes just received included.
            let simulated = s.world.git().remotes.get(&self.url).map(|r| r.branches.clone()).unwrap_or_default();
            for (branch, tip) in &simulated {
                if real.get(branch) != Some(tip) && self.synced.get(branch) != Some(tip) {
                    export_commit(&repo, &s.world, tip)?;
                    repo.reference(
                        &format!("refs/heads/{branch}"),
                        Oid::from_str(tip).map_err(git_err)?,
                        true,
                        "gitops-lab: a commit made in the simulation",
                    )
                    .map_err(git_err)?;
                    notes.push(format!("{branch} moved in the simulation to {} (run `git pull` in your clone)", &tip[..7]));
                    self.synced.insert(branch.clone(), tip.clone());
                }
            }
            Ok(())
        })?;
        Ok(notes)
    }
}

fn find_lab(files: &simulator::content::ContentFiles, id: &str) -> Result<Lab, String> {
    let labs = simulator::content::labs(files).map_err(|e| e.to_string())?;
    let known: Vec<String> = labs.iter().map(|l| l.id.clone()).collect();
    labs.into_iter().find(|l| l.id == id).ok_or_else(|| format!("no lab `{id}`; the labs are: {}", known.join(", ")))
}

fn print_step(lab: &Lab, world: &World) {
    let Some(tracker) = world.tracker() else { return };
    match lab.steps.get(tracker.active()) {
        Some(step) => println!("\n── Step {} of {}: {} ──\n{}", tracker.active() + 1, lab.steps.len(), step.title, step.text.trim_end()),
        None if !lab.steps.is_empty() => {
            let s = tracker.score();
            println!("\n── All {} steps passed. Score: {} of {} points. ──", lab.steps.len(), s.points, s.max_points)
        }
        None => {}
    }
}

fn print_outputs(world: &mut World) {
    while let Some(o) = world.poll_output() {
        match o {
            Output::Terminal { text, .. } => print!("{text}"),
            Output::Incident { title, .. } => println!("⚠ Incident: {title}"),
            Output::Event { event } if event.kind.timeline_label().is_some() => {
                println!("  · {} {}", event.at.clock(), event.kind.describe())
            }
            Output::Step { report } if report.passed => println!("✔ Step {} passed: {}", report.index + 1, report.title),
            Output::Hint { level, text, .. } => println!("Hint {level}: {text}"),
            Output::Edit { .. } => println!("(kubectl edit in this terminal needs an editor: use your own kubectl edit)"),
            _ => {}
        }
    }
}

fn print_steps(world: &World) {
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
}

/// Handles one line typed into the player's terminal.
fn handle_line(host: &Host, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    host.with_session(|s| {
        let now = s.clock.now().max(s.world.now());
        match line {
            "steps" => print_steps(&s.world),
            "pause" => {
                let paused = !s.clock.paused();
                s.clock.set_paused(paused);
                println!("{}", if paused { "Clock paused (`pause` again resumes)." } else { "Clock running." });
            }
            "next" => match s.world.poll_timeout() {
                Some(t) => {
                    s.clock.jump_to(t);
                    s.world.advance_to(t);
                    println!("Clock moved to {}.", t.clock());
                }
                None => println!("Nothing is scheduled."),
            },
            "hint" => s.world.handle_input(now, Input::Hint),
            "skip" => {
                s.world.handle_input(now, Input::SkipStep);
                println!("(The step's solution ran in the simulation; `git pull` brings any commit it made into your clone.)");
            }
            "incidents" => {
                for i in s.world.incidents() {
                    println!("  incident {:<22} {}", i.id, i.title);
                }
            }
            other if other.starts_with("incident ") => {
                s.world.handle_input(now, Input::Incident { id: other["incident ".len()..].trim().into() })
            }
            other if other.starts_with("speed ") => match other["speed ".len()..].trim().parse::<f64>() {
                Ok(speed) if speed > 0.0 && speed <= 3600.0 => {
                    s.clock.set_speed(speed);
                    println!("Simulated time now runs at {speed}× wall time.");
                }
                _ => println!("error: `speed N` takes a number between 0 and 3600"),
            },
            other => s.world.handle_input(now, Input::Command { line: other.to_string() }),
        }
        print_outputs(&mut s.world);
    });
}

/// Builds the lab's world, makes its repositories real in `dir` and serves its API, with
/// `dir/kubeconfig` written. The caller runs `RealRepo::sync` to carry pushes across.
pub fn start(
    files: &simulator::content::ContentFiles,
    id: &str,
    dir: &Path,
    speed: f64,
    seed: Option<u64>,
) -> Result<(ApiServer, Vec<RealRepo>), String> {
    let (_, server, repos, _) = start_lab(files, id, dir, speed, seed)?;
    Ok((server, repos))
}

fn start_lab(
    files: &simulator::content::ContentFiles,
    id: &str,
    dir: &Path,
    speed: f64,
    seed: Option<u64>,
) -> Result<(Lab, ApiServer, Vec<RealRepo>, u64), String> {
    if !(speed > 0.0 && speed <= 3600.0) {
        return Err(format!("--speed {speed}: give a number between 0 and 3600"));
    }
    let lab = find_lab(files, id)?;
    let seed = seed.unwrap_or_else(rand::random);
    let world = World::new(seed, &lab)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let trainee = world.shell().user.clone();
    let repos = materialize(&world, &dir, &trainee)?;
    let namespace = lab.world.kube_namespace.clone();
    let server = ApiServer::start(world, Options { addr: "127.0.0.1:0".into(), speed, namespace, keep_outputs: true })?;
    kubeconfig::write(&dir.join("kubeconfig"), &server.kubeconfig)?;
    Ok((lab, server, repos, seed))
}

/// `gitops-lab play LAB --real-tools DIR`.
pub fn run(files: &simulator::content::ContentFiles, id: &str, dir: &Path, speed: f64, seed: Option<u64>) -> ExitCode {
    let (lab, server, repos, seed) = match start_lab(files, id, dir, speed, seed) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let kubeconfig_path = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()).join("kubeconfig");
    println!("{}\n\n{}", lab.title, lab.story.trim_end());
    println!("\nThe lab's cluster is serving the Kubernetes API on https://{} (simulated time runs at {speed}× wall time).", server.addr);
    println!("In another terminal, use your own kubectl and git:\n\n  export KUBECONFIG={}", kubeconfig_path.display());
    for r in &repos {
        if let Some(c) = &r.clone {
            println!("  cd {}        # your clone; origin is {}", c.display(), r.bare.display());
        }
    }
    println!(
        "\nHere: `hint`, `skip`, `steps`, `pause`, `speed N`, `next`, `incidents`, `incident ID`; any other line runs in the lab's emulated terminal (argocd, say). Ctrl-C or SIGTERM ends the lab. (seed {seed})"
    );
    {
        let s = server.host.lock();
        print_step(&lab, &s.world);
    }
    run_loop(&server.host, &lab, repos);
    let passed = server.host.lock().world.step_reports().iter().filter(|r| r.passed).count();
    println!("\n{passed} of {} steps passed.", lab.steps.len());
    server.stop();
    ExitCode::SUCCESS
}

/// Reads the terminal, syncs Git and prints what happens until Ctrl-C or SIGTERM.
fn run_loop(host: &Arc<Host>, lab: &Lab, mut repos: Vec<RealRepo>) {
    let stop = Arc::new(AtomicBool::new(false));
    let signalled = stop.clone();
    std::thread::spawn(move || {
        crate::kubeapi::wait_for_signal();
        signalled.store(true, Ordering::SeqCst);
    });
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
        // Stdin closing does not end the lab: only a signal does.
    });
    let mut last_git = Instant::now();
    let mut last_step = host.lock().world.tracker().map(|t| t.active());
    while !stop.load(Ordering::SeqCst) {
        if let Ok(line) = lines_rx.recv_timeout(Duration::from_millis(200)) {
            handle_line(host, &line);
        }
        if last_git.elapsed() >= GIT_POLL {
            last_git = Instant::now();
            for r in &mut repos {
                match r.sync(host) {
                    Ok(notes) => notes.iter().for_each(|n| println!("  git · {n}")),
                    Err(e) => eprintln!("error: syncing {}: {e}", r.bare.display()),
                }
            }
        }
        host.with_session(|s| {
            print_outputs(&mut s.world);
            let active = s.world.tracker().map(|t| t.active());
            if active != last_step {
                last_step = active;
                print_step(lab, &s.world);
            }
        });
    }
}
