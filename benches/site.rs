//! How long `pm build` takes on synthetic archives of 1 000 and 10 000 postmortems
//! (`postmortems::synth`): the whole process (loading the archive, then building the site),
//! the build alone on a loaded archive (both into a new empty folder), and a rebuild after one
//! document of the 10 000 was edited (which keeps the pages that did not change). Run with
//! `cargo bench --bench site`.
//!
//! A build of 10 000 postmortems takes seconds, so the samples are few and short; the size of
//! each site (bytes and files) is printed once, to tell a slower build from a bigger site.

mod common;

use common::{edit, size_of};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion};
use postmortems::archive::{self, Archive};
use postmortems::site::{self, BuildOptions, BuildReport};
use postmortems::synth;
use tempfile::TempDir;

/// The options of every build: the full (internal) edition, into `out`, on a fixed day,
/// without a base URL (as `pm build` on the synthetic archive, whose `pm.yaml` has none).
fn options(out: &Path) -> BuildOptions {
    BuildOptions {
        out: out.to_path_buf(),
        public: false,
        force: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date"),
        base_url: None,
    }
}

/// Builds the site of `archive`, without progress reports.
fn build_site(archive: &Archive, options: &BuildOptions) -> BuildReport {
    site::build(archive, options, &|_| {}).expect("builds")
}

/// Loads the archive at `root` and builds its site: what `pm build` does.
fn open_and_build(root: &Path, options: &BuildOptions) -> BuildReport {
    build_site(&Archive::open(root).expect("opens"), options)
}

fn build(c: &mut Criterion, kept: &mut Vec<TempDir>) {
    let mut group = c.benchmark_group("site");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for count in [1_000, 10_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("archive");
        synth::generate(&root, count, 42).expect("generate");
        // Each build writes into a new empty folder of its own; they are all removed at the
        // end. A build over the previous site would keep every page (that is the rebuild
        // below). Removing the previous site just before would time the file system instead:
        // ext4 without a journal skips inodes freed in the last minute one by one when it
        // hands out new ones, which made these builds a quarter slower and twice as noisy.
        let mut builds = 0;
        let mut fresh = || {
            builds += 1;
            options(&dir.path().join(format!("site-{builds}")))
        };
        group.bench_function(format!("open+build/{count}"), |b| {
            b.iter_batched(
                &mut fresh,
                |options| open_and_build(black_box(&root), &options),
                BatchSize::PerIteration,
            );
        });
        let archive = Archive::open(&root).expect("opens");
        group.bench_function(format!("build/{count}"), |b| {
            b.iter_batched(
                &mut fresh,
                |options| build_site(black_box(&archive), &options),
                BatchSize::PerIteration,
            );
        });
        let options = fresh();
        let report = build_site(&archive, &options);
        let (bytes, files) = size_of(&options.out);
        eprintln!(
            "\nsite of {count} postmortems: {} KB in {files} files ({} written by the build); the Markdown: {} KB",
            bytes / 1024,
            report.files,
            size_of(&root.join(archive::DOCUMENTS_DIR)).0 / 1024
        );
        kept.push(dir);
    }
    group.finish();
}

fn rebuild(c: &mut Criterion, kept: &mut Vec<TempDir>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("archive");
    synth::generate(&root, 10_000, 42).expect("generate");
    let options = options(&dir.path().join("site"));
    open_and_build(&root, &options);
    let file = archive::document_files(&root).files[5_000].clone();
    let mut edits = 0_u64;
    let mut group = c.benchmark_group("site");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("rebuild-after-one-edit/10000", |b| {
        b.iter_batched(
            || {
                edits += 1;
                edit(&root.join(&file), edits);
            },
            |()| open_and_build(black_box(&root), &options),
            BatchSize::PerIteration,
        );
    });
    group.finish();
    kept.push(dir);
}

/// Runs the benchmarks, and removes their folders only after the last measurement. Removing
/// tens of thousands of files just before a build would time the file system instead: ext4
/// without a journal (as on the machine these figures come from) skips, one by one, every
/// inode freed in the last minute when it hands out a new one, which made builds here a
/// quarter slower and a rebuild after one edit half again as slow.
fn main() {
    let mut kept = Vec::new();
    let mut c = Criterion::default().configure_from_args();
    build(&mut c, &mut kept);
    rebuild(&mut c, &mut kept);
    c.final_summary();
}
