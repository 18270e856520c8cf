//! Writes a synthetic archive for trying `pm` at scale, the same one the benchmarks use:
//! `cargo run --release --example synth -- DIR [COUNT] [SEED]`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: synth DIR [COUNT] [SEED]");
        return ExitCode::from(2);
    };
    let count = args.next().and_then(|n| n.parse().ok()).unwrap_or(1_000);
    let seed = args.next().and_then(|n| n.parse().ok()).unwrap_or(42);
    match postmortems::synth::generate(&dir, count, seed) {
        Ok(()) => {
            println!("{count} postmortems in {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
