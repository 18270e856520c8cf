//! How long loading and checking an archive takes, on synthetic archives of 1 000 and
//! 10 000 postmortems (`postmortems::synth`). Run with `cargo bench --bench load`.

// For the allocator `pm` uses; the helpers serve the other benchmarks.
#[allow(dead_code)]
mod common;

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use postmortems::archive::Archive;
use postmortems::check::{Clock, check};
use postmortems::synth;

fn load_and_check(c: &mut Criterion) {
    let clock = Clock {
        now: DateTime::parse_from_rfc3339("2026-11-28T12:00:00+01:00").expect("valid time"),
        today: NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date"),
    };
    let mut group = c.benchmark_group("archive");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for count in [1_000, 10_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        synth::generate(dir.path(), count, 42).expect("generate");
        group.bench_function(format!("open/{count}"), |b| {
            b.iter(|| Archive::open(black_box(dir.path())).expect("opens"));
        });
        let archive = Archive::open(dir.path()).expect("opens");
        group.bench_function(format!("check/{count}"), |b| {
            b.iter(|| check(black_box(&archive), clock));
        });
    }
    group.finish();
}

criterion_group!(benches, load_and_check);
criterion_main!(benches);
