//! `?bench=reconcile`: measures the simulator in this browser on the course's
//! estate (12 services × dev, staging, prod = 36 Applications): one full
//! reconcile pass, and one tick at x60 speed (12 simulated seconds). The
//! browser tests read the figures from `#bench-result`.

use simulator::lab::fleet::fleet_lab;
use simulator::{SimDuration, World};

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
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
    let result = serde_json::json!({
        "applications": world.agent().apps().count(),
        "build_ms": (build_ms * 100.0).round() / 100.0,
        "reconcile_pass": summary(reconcile),
        "tick_at_x60": summary(tick),
        "stuck_loops": world.stuck_loops(),
    });
    root.set_inner_html(&format!(
        "<main class=\"catalog\"><h1>Simulator benchmark</h1><p>36 Applications (12 services × dev, staging, prod), measured in this browser.</p><pre id=\"bench-result\">{}</pre></main>",
        serde_json::to_string_pretty(&result).unwrap_or_default()
    ));
}
