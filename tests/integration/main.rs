//! Integration tests: the real `pm` binary on real files in temporary folders.

mod sandbox;

mod actions;
mod bad_input;
mod build;
mod check;
mod import;
mod init;
mod list;
mod new;
mod readme;
mod rebuild;
mod roundtrip;
mod search;
mod shell;
mod stats;
