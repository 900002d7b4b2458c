//! `?bench=reconcile`: measures the simulator in this browser on the course's
//! estate (12 services × dev, staging, prod = 36 Applications): one full
//! reconcile pass, one tick at x60 speed (12 simulated seconds), and 24
//! simulated hours fast-forwarded; and the reload of a lab with 2,000 saved
//! inputs (restoring its world and history in one pass, as a resumed page does);
//! and `helm template` of a 30-template chart (`helm::bench_chart`).
//! The browser tests read the figures from `#bench-result`.

use simulator::lab::fleet::fleet_lab;
use simulator::replay::{Replay, RestoredEntry};
use simulator::{Input, Output, SimDuration, World};

/// How many saved inputs the reload measurement replays.
const SAVED_INPUTS: usize = 2_000;

/// A saved session of drift-2am: `n` commands a trainee might type, two seconds apart.
fn saved_session(n: usize) -> Option<(simulator::Lab, Replay, simulator::SimTime)> {
    let lab = simulator::content::builtin_lab("drift-2am")?;
    let start = World::new(7, &lab).ok()?.now();
    let lines = ["kubectl get pods -n payments", "git status", "argocd app get payment-service", "pwd", "git log --oneline", "ls"];
    let mut replay = Replay::new(7, "drift-2am");
    let mut at = start;
    for i in 0..n {
        at = at + SimDuration::secs(2);
        replay.inputs.push((at, Input::Command { line: lines[i % lines.len()].into() }));
    }
    Some((lab, replay, at + SimDuration::secs(5)))
}

/// Restores a saved session and lays out its terminal lines once; returns the time and the lines.
fn reload(lab: &simulator::Lab, replay: &Replay, until: simulator::SimTime) -> Option<(f64, usize, usize)> {
    let t = now_ms();
    let restored = replay.restore(lab, until).ok()?;
    let mut lines = Vec::new();
    for entry in &restored.entries {
        match entry {
            RestoredEntry::Input { prompt, input: Input::Command { line } } => lines.push(format!("{prompt}{line}")),
            RestoredEntry::Output(Output::Terminal { text, .. }) => lines.extend(text.lines().map(str::to_string)),
            _ => {}
        }
    }
    let excess = lines.len().saturating_sub(2_000);
    lines.drain(..excess);
    Some((now_ms() - t, lines.len(), restored.world.stuck_loops()))
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

/// Renders the 30-template bench chart `runs` times; the render times, or what went wrong.
fn helm_renders(runs: usize) -> Result<(Vec<f64>, usize), String> {
    use simulator::helm::bench_chart::{CHART_DIR, chart};
    let files = chart();
    let opts = simulator::helm::Options::new("shop", "prod");
    let mut manifests = 0;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = now_ms();
        let out = simulator::helm::template(&files, CHART_DIR, &opts)?;
        samples.push(now_ms() - t);
        manifests = out.manifests.len();
    }
    Ok((samples, manifests))
}

/// The median and the worst of the samples, in milliseconds.
fn summary(mut samples: Vec<f64>) -> serde_json::Value {
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    let max = samples.last().copied().unwrap_or_default();
    serde_json::json!({ "median_ms": (median * 100.0).round() / 100.0, "max_ms": (max * 100.0).round() / 100.0, "samples": samples.len() })
}

/// Runs the measurements and writes them, as JSON, into the page.
pub fn run(root: web_sys::Element) {
    let lab = fleet_lab(12, &["dev", "staging", "prod"]);
    let start = now_ms();
    let Ok(mut world) = World::new(1, &lab) else {
        root.set_text_content(Some("the benchmark world did not build"));
        return;
    };
    let build_ms = now_ms() - start;
    let reconcile: Vec<f64> = (0..40)
        .map(|_| {
            let t = now_ms();
            world.compare_all();
            now_ms() - t
        })
        .collect();
    let tick: Vec<f64> = (0..100)
        .map(|_| {
            let t = now_ms();
            let target = world.now() + SimDuration::secs(12);
            world.advance_to(target);
            now_ms() - t
        })
        .collect();
    let Ok(mut day) = World::new(1, &lab) else { return };
    let t = now_ms();
    let end = day.now() + SimDuration::mins(24 * 60);
    day.advance_to(end);
    let day_ms = now_ms() - t;
    let Some((reload_ms, reload_lines, reload_stuck)) = saved_session(SAVED_INPUTS).and_then(|(l, r, until)| reload(&l, &r, until)) else {
        root.set_text_content(Some("the saved session did not restore"));
        return;
    };
    let (helm_samples, helm_manifests) = match helm_renders(20) {
        Ok(r) => r,
        Err(e) => {
            root.set_text_content(Some(&format!("the bench chart did not render: {e}")));
            return;
        }
    };
    let result = serde_json::json!({
        "applications": world.agent().apps().count(),
        "build_ms": (build_ms * 100.0).round() / 100.0,
        "reconcile_pass": summary(reconcile),
        "tick_at_x60": summary(tick),
        "fast_forward_24h_ms": (day_ms * 100.0).round() / 100.0,
        "reload": { "saved_inputs": SAVED_INPUTS, "ms": (reload_ms * 100.0).round() / 100.0, "terminal_lines": reload_lines },
        "helm_template_30": { "manifests": helm_manifests, "render": summary(helm_samples) },
        "stuck_loops": world.stuck_loops() + day.stuck_loops() + reload_stuck,
    });
    root.set_inner_html(&format!(
        "<main class=\"catalog\"><h1>Simulator benchmark</h1><p>36 Applications (12 services × dev, staging, prod), a reload of drift-2am with 2,000 saved inputs, and `helm template` of a 30-template chart, measured in this browser.</p><pre id=\"bench-result\">{}</pre></main>",
        serde_json::to_string_pretty(&result).unwrap_or_default()
    ));
}
