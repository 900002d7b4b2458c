//! The long soak: `cargo run --release -p simulator --example soak -- --sessions 10000
//! [--inputs 30] [--seed 0]`. Seeded random sessions across the built-in labs, the world's
//! invariants checked after every input; prints sessions per second and the slowest input.
//! Exits 1 at the first failure, with the lab, the seed and the inputs to replay it.

#[path = "../tests/support/soak.rs"]
mod soak;

use std::time::{Duration, Instant};

fn flag(args: &[String], name: &str, default: u64) -> u64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let sessions = flag(&args, "--sessions", 1000);
    let inputs = flag(&args, "--inputs", 30) as usize;
    let first_seed = flag(&args, "--seed", 0);
    let labs = simulator::content::labs(&simulator::content::builtin()).expect("the built-in labs load");
    let started = Instant::now();
    let mut worst = (Duration::ZERO, String::new());
    let mut total_inputs = 0u64;
    for n in 0..sessions {
        let lab = &labs[(n % labs.len() as u64) as usize];
        let seed = first_seed + n / labs.len() as u64;
        let mut s = match soak::Soak::new(lab, seed) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("lab {}, seed {seed}: the world does not build: {e}", lab.id);
                return std::process::ExitCode::FAILURE;
            }
        };
        for _ in 0..inputs {
            let step = s.next_step();
            let t = Instant::now();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.apply(&step)));
            let took = t.elapsed();
            total_inputs += 1;
            if took > worst.0 {
                worst = (took, format!("lab {}, seed {seed}: {step}", lab.id));
            }
            let problem = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(p)) => p,
                Err(_) => "panicked".to_string(),
            };
            eprintln!("{}", s.report(&lab.id, &problem));
            return std::process::ExitCode::FAILURE;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{sessions} sessions ({total_inputs} inputs) over {} labs in {secs:.1} s: {:.1} sessions/s; slowest input {:.1} ms ({})",
        labs.len(),
        sessions as f64 / secs,
        worst.0.as_secs_f64() * 1000.0,
        worst.1
    );
    std::process::ExitCode::SUCCESS
}
