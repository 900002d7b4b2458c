//! A bounded soak for CI: seeded random sessions in every built-in lab (commands, incidents,
//! clock jumps, mutated manifests applied and pushed), the invariants checked after every
//! input. A failure prints the lab, the seed and the inputs. The long run is
//! `cargo run --release -p simulator --example soak -- --sessions 10000`.

mod support;

use support::soak::Soak;

/// Sessions per lab in CI, and inputs per session.
const SESSIONS_PER_LAB: u64 = 10;
const INPUTS: usize = 25;

#[test]
fn random_sessions_in_every_lab_keep_the_invariants() {
    let labs = simulator::content::labs(&simulator::content::builtin()).expect("the built-in labs load");
    let mut sessions = 0;
    for lab in &labs {
        for seed in 0..SESSIONS_PER_LAB {
            let mut soak = Soak::new(lab, seed).unwrap_or_else(|e| panic!("{}: {e}", lab.id));
            for _ in 0..INPUTS {
                let step = soak.next_step();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| soak.apply(&step)));
                match outcome {
                    Ok(Ok(())) => {}
                    Ok(Err(problem)) => panic!("{}", soak.report(&lab.id, &problem)),
                    Err(_) => panic!("{}", soak.report(&lab.id, "panicked")),
                }
            }
            sessions += 1;
        }
    }
    assert!(sessions >= 200, "only {sessions} sessions ran");
}
