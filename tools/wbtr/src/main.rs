//! The wasm-bindgen test runner, built from the workspace lockfile so that its
//! version always matches the `wasm-bindgen` the frontend and simulator link.

fn main() {
    if let Err(e) = wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os()) {
        eprintln!("error: {e:?}");
        std::process::exit(1);
    }
}
