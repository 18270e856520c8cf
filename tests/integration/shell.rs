//! `pm completions`, `pm man`, `--help`, `--version`, and output without colour codes.

use crate::sandbox::{Sandbox, repo, stderr, stdout};

/// The subcommands of `pm`, besides clap's `help`.
const SUBCOMMANDS: &[&str] = &[
    "init",
    "new",
    "check",
    "list",
    "search",
    "related",
    "actions",
    "stats",
    "build",
    "index",
    "import",
    "completions",
    "man",
];

/// Runs `pm` with `args` in an empty folder.
fn pm(args: &[&str]) -> std::process::Output {
    Sandbox::empty().pm().args(args).output().unwrap()
}

/// The version in Cargo.toml's `[package]` table.
fn cargo_version() -> String {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let package = manifest
        .split("\n[")
        .find(|table| table.starts_with("[package]") || table.starts_with("package]"))
        .expect("a [package] table");
    package
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .expect("a version")
        .trim_matches('"')
        .to_owned()
}

/// The subcommand names in the `Commands:` section of `pm --help`.
fn listed_subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Asserts `output` holds no ANSI escape sequence, on either stream.
fn assert_no_colour(output: &std::process::Output, what: &str) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("\x1b["),
            "{what}: escape codes on {stream}:\n{text}"
        );
    }
}

#[test]
fn completion_scripts_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef pm"),
        ("fish", "complete -c pm"),
    ] {
        let output = pm(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{shell}");
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: no `{marker}`:\n{script}");
        assert!(script.contains("pm"), "{shell}");
        for sub in ["check", "new", "list", "init"] {
            assert!(script.contains(sub), "{shell}: no `{sub}`");
        }
        // Options of subcommands are completed too.
        assert!(script.contains("deny-warnings"), "{shell}");
        assert!(script.contains("severity"), "{shell}");
    }
}

#[test]
fn completions_for_an_unknown_shell_is_a_usage_error() {
    let output = pm(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("tcsh"), "{err}");
    // It says which shells there are.
    for shell in ["bash", "zsh", "fish"] {
        assert!(err.contains(shell), "{err}");
    }

    let output = pm(&["completions"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
}

#[test]
fn man_prints_the_page_of_pm() {
    let output = pm(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    let th = page
        .lines()
        .find(|l| l.starts_with(".TH"))
        .unwrap_or_else(|| panic!("no .TH line:\n{page}"));
    assert!(th.starts_with(".TH pm 1"), "{th}");
    assert!(th.contains(&cargo_version()), "{th}");
    // Only roff requests may come before the title.
    for line in page.lines().take_while(|l| !l.starts_with(".TH")) {
        assert!(line.starts_with('.'), "{line}");
    }
    assert!(page.contains(".SH NAME\npm \\- "), "{page}");
    assert!(page.contains(".SH SYNOPSIS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("pm\\-{sub}(1)")), "{sub}:\n{page}");
    }
    assert!(page.contains("Examples:"), "{page}");
}

#[test]
fn man_check_prints_the_page_of_pm_check() {
    let output = pm(&["man", "check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(
        page.lines().any(|l| l.starts_with(".TH pm-check 1")),
        "{page}"
    );
    assert!(
        page.contains(".SH NAME\npm\\-check \\- Validate postmortems"),
        "{page}"
    );
    assert!(page.contains("\\-\\-deny\\-warnings"), "{page}");
    assert!(page.contains("\\-\\-format"), "{page}");
    assert!(page.contains("Examples:"), "{page}");
    // Not another command's options.
    assert!(!page.contains("\\-\\-severity"), "{page}");
}

#[test]
fn man_prints_a_page_for_every_subcommand() {
    for sub in SUBCOMMANDS {
        let output = pm(&["man", sub]);
        assert_eq!(output.status.code(), Some(0), "{sub}: {}", stderr(&output));
        let page = stdout(&output);
        let title = format!(".TH pm-{sub} 1");
        assert!(
            page.lines().any(|l| l.starts_with(&title)),
            "{sub}:\n{page}"
        );
        assert!(page.contains("Examples:"), "{sub}:\n{page}");
    }
}

#[test]
fn man_of_an_unknown_command_is_a_usage_error() {
    let output = pm(&["man", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("nope"), "{err}");
    assert!(err.contains("check"), "{err}");
}

#[test]
fn every_page_the_man_page_of_pm_refers_to_can_be_printed() {
    let page = stdout(&pm(&["man"]));
    let referred: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("pm\\-")?.strip_suffix("(1)"))
        .collect();
    assert!(referred.len() >= SUBCOMMANDS.len(), "{page}");
    for sub in referred {
        let output = pm(&["man", sub]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "`pm man` refers to pm-{sub}(1), but `pm man {sub}` fails: {}",
            stderr(&output)
        );
    }
}

#[test]
fn subcommand_man_pages_document_the_global_options() {
    // `pm check --help` documents --archive (global); its man page should too.
    let help = stdout(&pm(&["check", "--help"]));
    assert!(help.contains("--archive"), "{help}");
    for sub in ["check", "list", "new"] {
        let page = stdout(&pm(&["man", sub]));
        assert!(
            page.contains("\\-\\-archive"),
            "`pm man {sub}` does not document --archive:\n{page}"
        );
    }
}

#[test]
fn help_of_pm_and_of_every_subcommand_shows_examples() {
    let output = pm(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = stdout(&output);
    assert!(help.contains("\nExamples:\n"), "{help}");
    assert!(help.contains("\n  pm init"), "{help}");

    let mut listed = listed_subcommands(&help);
    listed.retain(|s| s != "help");
    assert_eq!(listed, SUBCOMMANDS, "{help}");
    for sub in &listed {
        for flag in ["--help", "-h"] {
            let output = pm(&[sub.as_str(), flag]);
            assert_eq!(output.status.code(), Some(0), "pm {sub} {flag}");
            let help = stdout(&output);
            let examples = help
                .find("\nExamples:\n")
                .or_else(|| help.find("\nExample:\n"))
                .unwrap_or_else(|| panic!("pm {sub} {flag} has no examples:\n{help}"));
            assert!(
                help[examples..].contains(&format!("\n  pm {sub}")),
                "pm {sub} {flag}: the examples do not show `pm {sub}`:\n{help}"
            );
        }
        let output = pm(&["help", sub.as_str()]);
        assert!(stdout(&output).contains("Examples:"), "pm help {sub}");
    }
}

#[test]
fn version_is_the_one_in_cargo_toml() {
    let version = cargo_version();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    for flag in ["--version", "-V"] {
        let output = pm(&[flag]);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(stdout(&output), format!("pm {version}\n"));
    }
}

#[test]
fn no_colour_codes_with_no_color() {
    // The example archive has warnings: overdue action items as of 2026-11-28.
    let sandbox = Sandbox::example();
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("warning["), "{}", stdout(&output));
    assert_no_colour(&output, "pm check");

    // An error, a hint and a note on standard error.
    sandbox.write(
        "postmortems/2026/2026-11-27-broken.md",
        "---\nid: 2026-11-27-broken\ntitle: [unclosed\n---\n",
    );
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("error"), "{}", stdout(&output));
    assert_no_colour(&output, "pm check with an error");
    let output = sandbox.pm().arg("list").output().unwrap();
    assert!(stderr(&output).contains("pm check"));
    assert_no_colour(&output, "pm list with a note");

    // Usage errors and help come from clap.
    let output = sandbox
        .pm()
        .args(["list", "--status", "bogus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_no_colour(&output, "a usage error");
    let output = sandbox.pm().arg("--help").output().unwrap();
    assert_no_colour(&output, "pm --help");
}

#[test]
fn colour_codes_appear_when_forced_so_the_check_above_means_something() {
    let sandbox = Sandbox::example();
    let output = sandbox
        .pm()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .arg("check")
        .output()
        .unwrap();
    assert!(stdout(&output).contains("\x1b["), "{}", stdout(&output));
}
