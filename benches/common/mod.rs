//! What the benchmarks share.

use std::path::Path;

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
