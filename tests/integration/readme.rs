//! README.md is a promise: its quick start works and its references are complete.

use clap::CommandFactory;
use postmortems::cli::Cli;
use postmortems::diagnostic::Code;

use crate::sandbox::{Sandbox, repo, stdout};

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

/// The commands in the first code block under `## Quick start`.
fn quick_start_commands() -> Vec<String> {
    let readme = readme();
    let section = readme
        .split("## Quick start")
        .nth(1)
        .expect("a quick start section");
    let block = section.split("```").nth(1).expect("a code block");
    block
        .lines()
        .skip(1)
        .map(|line| line.split('#').next().unwrap_or_default().trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_quick_start_is_two_commands_build_and_run_then_test() {
    assert_eq!(
        quick_start_commands(),
        ["cargo run --release -- build", "cargo test"]
    );
}

#[test]
fn the_quick_start_main_command_publishes_the_example_archive() {
    // `cargo run --release -- build` on the example archive, with the binary under test, in
    // a copy so that the repository is left alone.
    let command = &quick_start_commands()[0];
    let args: Vec<&str> = command
        .split(" -- ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    let sandbox = Sandbox::example();
    let output = sandbox.pm().args(&args).output().unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("14 postmortems"),
        "{}",
        stdout(&output)
    );
    assert!(
        output.stderr.is_empty(),
        "every example postmortem is readable"
    );
    let site = sandbox.path().join("site");
    assert!(site.join("index.html").is_file());
    let pages = std::fs::read_dir(site.join("postmortems")).unwrap().count();
    assert_eq!(pages, 14, "a page per example postmortem");
}

#[test]
fn every_diagnostic_code_is_documented() {
    let readme = readme();
    for code in Code::ALL {
        assert!(
            readme.contains(&format!("| `{}` |", code.as_str())),
            "README does not document `{code}`"
        );
    }
}

#[test]
fn every_command_is_documented() {
    let readme = readme();
    for command in Cli::command().get_subcommands() {
        let name = command.get_name();
        assert!(
            readme.contains(&format!("pm {name}")),
            "README does not show `pm {name}`"
        );
    }
}
