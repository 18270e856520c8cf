//! README.md is a promise: its quick start works and its references are complete.

use clap::CommandFactory;
use postmortems::cli::Cli;
use postmortems::diagnostic::Code;

use crate::sandbox::{pm_in, repo, stdout};

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
        ["cargo run --release -- list", "cargo test"]
    );
}

#[test]
fn the_quick_start_main_command_lists_the_example_archive() {
    // `cargo run --release -- list` in the repository root, with the binary under test.
    let command = &quick_start_commands()[0];
    let args: Vec<&str> = command
        .split(" -- ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    let output = pm_in(&repo()).args(&args).output().unwrap();
    assert!(output.status.success());
    let listed = stdout(&output);
    assert_eq!(
        listed.lines().count(),
        1 + 14,
        "a header and the fourteen example postmortems:\n{listed}"
    );
    assert!(
        output.stderr.is_empty(),
        "every example postmortem is readable"
    );
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
