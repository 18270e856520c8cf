//! What the benchmarks share.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;

/// The allocator `pm` itself uses (see `src/main.rs`), so that the benchmarks time what the
/// command does, and measure tantivy alone beside it on equal terms.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Appends the `n`th edit, a line of text, to the postmortem at `file`: a change the next
/// load must notice.
pub fn edit(file: &Path, n: u64) {
    let mut f = OpenOptions::new().append(true).open(file).expect("opens");
    writeln!(f, "\nEdit {n}: one more line about the incident.").expect("writes");
}

/// The bytes and the number of files under `dir`.
pub fn size_of(dir: &Path) -> (u64, usize) {
    std::fs::read_dir(dir)
        .expect("lists")
        .map(|entry| {
            let entry = entry.expect("lists");
            let meta = entry.metadata().expect("stats");
            if meta.is_dir() {
                size_of(&entry.path())
            } else {
                (meta.len(), 1)
            }
        })
        .fold((0, 0), |(bytes, files), (b, f)| (bytes + b, files + f))
}
