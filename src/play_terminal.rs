//! The terminal player's terminal: line editing, history and Tab completion
//! (rustyline, completing from the simulator's own completer), and a clock
//! thread that moves simulated time with the wall clock and prints what
//! happens as it happens, above the line being typed.

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, ExternalPrinter, Helper};
use simulator::cli::complete::{CompletionData, complete};
use simulator::{SimDuration, SimTime, World};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Completes the line from a snapshot of the world, refreshed after every command.
pub struct LabHelper {
    pub data: Arc<Mutex<CompletionData>>,
}

impl Completer for LabHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = &line[..pos];
        let start = typed.rfind(' ').map(|i| i + 1).unwrap_or(0);
        let data = self.data.lock().map(|d| d.clone()).unwrap_or_default();
        let pairs = complete(&data, typed)
            .into_iter()
            .map(|whole| {
                let word = whole.rsplit(' ').next().unwrap_or(&whole).to_string();
                let done = word.ends_with('/') || word.ends_with('=');
                Pair { display: word.clone(), replacement: if done { word } else { format!("{word} ") } }
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for LabHelper {
    type Hint = String;
}
impl Highlighter for LabHelper {}
impl Validator for LabHelper {}
impl Helper for LabHelper {}

/// The world and the moment its clock was last matched to the wall clock.
pub struct Clocked {
    pub world: World,
    synced_sim: SimTime,
    synced_at: Instant,
}

impl Clocked {
    pub fn new(world: World) -> Clocked {
        Clocked { synced_sim: world.now(), synced_at: Instant::now(), world }
    }

    /// Simulated time now: the last match plus the wall-clock time since (never before the world's time).
    pub fn now(&self) -> SimTime {
        let wall = self.synced_sim + SimDuration::millis(self.synced_at.elapsed().as_millis() as u64);
        if wall > self.world.now() { wall } else { self.world.now() }
    }

    /// After a command (`sleep 60` moves the world on): the wall clock runs on from the world's time.
    pub fn resync(&mut self) {
        self.synced_sim = self.world.now();
        self.synced_at = Instant::now();
    }
}

pub fn lock(shared: &Mutex<Clocked>) -> MutexGuard<'_, Clocked> {
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Moves the clock every 200 ms and prints the events (and any output) `drain` returns, above the prompt.
pub struct ClockThread {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl ClockThread {
    pub fn start(
        shared: Arc<Mutex<Clocked>>,
        mut printer: impl ExternalPrinter + Send + 'static,
        drain: impl Fn(&mut World) -> String + Send + 'static,
    ) -> ClockThread {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let handle = std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let text = {
                    let mut clocked = lock(&shared);
                    let now = clocked.now();
                    clocked.world.advance_to(now);
                    drain(&mut clocked.world)
                };
                if !text.is_empty() {
                    let _ = printer.print(text);
                }
            }
        });
        ClockThread { stop, handle: Some(handle) }
    }
}

impl Drop for ClockThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
