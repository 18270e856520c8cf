//! `pm new`: scaffolding from templates, defaults, and refusals.

use serde_json::Value;

use crate::sandbox::{Sandbox, stderr, stdout};

/// The `pm list --format json` entry for `id`.
fn listed(sandbox: &Sandbox, id: &str) -> Value {
    let output = sandbox
        .pm()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    let all: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    all.into_iter().find(|d| d["id"] == id).expect("listed")
}

#[test]
fn prints_the_path_of_a_draft_that_checks_clean() {
    let sandbox = Sandbox::init();
    let path = sandbox.new_draft(&[
        "Checkout latency spike",
        "--severity",
        "SEV2",
        "--date",
        "2026-03-14",
    ]);
    assert_eq!(
        path,
        "postmortems/2026/2026-03-14-checkout-latency-spike.md"
    );
    let text = sandbox.read(&path);
    assert!(text.starts_with("---\nid: 2026-03-14-checkout-latency-spike\ntitle: Checkout latency spike\nstatus: draft\nvisibility: internal\nseverity: SEV2\nkind: incident\n"), "{text}");
    assert!(text.contains("\n## Summary\n<!--"));
    sandbox
        .pm()
        .args(["check", "--deny-warnings", &path])
        .assert()
        .code(0);
}

#[test]
fn teams_default_to_the_owners_of_the_services() {
    let sandbox = Sandbox::init();
    sandbox.new_draft(&[
        "Gateway errors",
        "-s",
        "payment-gateway",
        "-s",
        "kubernetes",
        "-s",
        "checkout-api",
        "--severity",
        "SEV1",
        "--date",
        "2026-01-02",
    ]);
    let doc = listed(&sandbox, "2026-01-02-gateway-errors");
    assert_eq!(doc["teams"], serde_json::json!(["payments", "platform"]));
    assert_eq!(
        doc["services"],
        serde_json::json!(["payment-gateway", "kubernetes", "checkout-api"])
    );

    sandbox.new_draft(&[
        "Other",
        "-s",
        "kubernetes",
        "--team",
        "payments",
        "--severity",
        "SEV3",
        "--date",
        "2026-01-02",
    ]);
    assert_eq!(
        listed(&sandbox, "2026-01-02-other")["teams"],
        serde_json::json!(["payments"])
    );
}

#[test]
fn unknown_services_teams_and_severities_are_usage_errors_with_a_suggestion() {
    let sandbox = Sandbox::init();
    let before = sandbox.snapshot();
    for (args, expected) in [
        (
            vec!["-s", "checkout-apii", "--severity", "SEV2"],
            "did you mean `checkout-api`?",
        ),
        (
            vec!["--team", "payment", "--severity", "SEV2"],
            "did you mean `payments`?",
        ),
        (
            vec!["--severity", "SEV9"],
            "allowed: `SEV1`, `SEV2`, `SEV3`, `SEV4`",
        ),
        (vec![], "no severity given"),
        (
            vec!["--severity", "SEV2", "--template", "standrd"],
            "did you mean `standard`?",
        ),
    ] {
        let output = sandbox
            .pm()
            .args(["new", "Title"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(sandbox.snapshot(), before, "nothing was created");
}

#[test]
fn without_a_title_off_a_terminal_it_is_a_usage_error() {
    let sandbox = Sandbox::init();
    let output = sandbox
        .pm()
        .args(["new", "--severity", "SEV2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no title given"));
}

#[test]
fn templates_set_kind_severity_and_tags() {
    let sandbox = Sandbox::init();
    sandbox.new_draft(&[
        "Expired cert caught in staging",
        "--template",
        "near-miss",
        "--date",
        "2026-02-01",
    ]);
    let doc = listed(&sandbox, "2026-02-01-expired-cert-caught-in-staging");
    assert_eq!(doc["kind"], "near-miss");
    assert_eq!(doc["severity"], "SEV4");
    assert_eq!(doc["tags"], serde_json::json!(["near-miss"]));

    sandbox.new_draft(&[
        "Leaked token",
        "--template",
        "security",
        "--severity",
        "SEV2",
        "--date",
        "2026-02-01",
    ]);
    assert_eq!(
        listed(&sandbox, "2026-02-01-leaked-token")["kind"],
        "security"
    );
}

#[test]
fn every_built_in_template_gives_a_document_that_checks_clean() {
    let sandbox = Sandbox::init();
    for template in ["standard", "brief", "near-miss", "security"] {
        let path = sandbox.new_draft(&[
            &format!("From {template}"),
            "--template",
            template,
            "--severity",
            "SEV3",
        ]);
        sandbox
            .pm()
            .args(["check", "--deny-warnings", &path])
            .assert()
            .code(0);
    }
}

#[test]
fn the_date_picks_the_year_folder() {
    let sandbox = Sandbox::init();
    let path = sandbox.new_draft(&["Old one", "--severity", "SEV3", "--date", "2019-12-31"]);
    assert_eq!(path, "postmortems/2019/2019-12-31-old-one.md");
}

#[test]
fn the_author_comes_from_git() {
    let sandbox = Sandbox::init();
    let config = sandbox.write("gitconfig", "[user]\n\tname = Ana Díaz\n");
    let output = sandbox
        .pm()
        .env("GIT_CONFIG_GLOBAL", &config)
        .args([
            "new",
            "Authored",
            "--severity",
            "SEV3",
            "--date",
            "2026-01-05",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        listed(&sandbox, "2026-01-05-authored")["authors"],
        serde_json::json!(["Ana Díaz"])
    );
}

#[test]
fn finds_the_archive_from_a_subfolder_or_by_flag_or_environment() {
    let sandbox = Sandbox::init();
    let output = sandbox
        .pm()
        .current_dir(sandbox.path().join("postmortems"))
        .args([
            "new",
            "From below",
            "--severity",
            "SEV3",
            "--date",
            "2026-01-05",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(stdout(&output).trim(), "2026/2026-01-05-from-below.md");

    let elsewhere = Sandbox::empty();
    let archive = sandbox.path().to_str().unwrap();
    elsewhere
        .pm()
        .args(["--archive", archive, "list"])
        .assert()
        .success();
    let listed = elsewhere
        .pm()
        .env("PM_ARCHIVE", archive)
        .arg("list")
        .output()
        .unwrap();
    assert!(stdout(&listed).contains("From below"));
}

#[cfg(unix)]
#[test]
fn edit_opens_the_editor_on_the_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::init();
    let editor = sandbox.write(
        "editor.sh",
        "#!/bin/sh\nprintf 'edited by %s\\n' \"$1\" >> \"$1\"\n",
    );
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = sandbox
        .pm()
        .env("EDITOR", &editor)
        .args([
            "new",
            "Edit me",
            "--severity",
            "SEV3",
            "--date",
            "2026-01-05",
            "--edit",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = sandbox.read("postmortems/2026/2026-01-05-edit-me.md");
    assert!(text.trim_end().ends_with("2026-01-05-edit-me.md"), "{text}");

    let output = sandbox
        .pm()
        .args([
            "new",
            "No editor",
            "--severity",
            "SEV3",
            "--date",
            "2026-01-05",
            "--edit",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("$EDITOR"));
    assert!(
        sandbox
            .path()
            .join("postmortems/2026/2026-01-05-no-editor.md")
            .is_file(),
        "the file is kept"
    );
}

/// On a terminal, `pm new` without a title asks for the title, the services and the severity.
/// `script` (util-linux) gives `pm` a pseudo-terminal; the keys are typed into it one answer
/// at a time.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_it_asks_for_title_services_and_severity() {
    use std::io::Write;
    use std::process::Stdio;
    use std::time::Duration;

    let sandbox = Sandbox::init();
    let pm = env!("CARGO_BIN_EXE_pm");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &format!("'{pm}' new"), "/dev/null"])
        .current_dir(sandbox.path())
        .env("PM_TODAY", "2026-04-01")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`script` from util-linux is installed");
    let mut keys = child.stdin.take().unwrap();
    // Title; then the services list: down to payment-gateway, select, confirm; then the
    // severity list: down once from SEV1 to SEV2, confirm.
    for answer in ["Card payments fail: \"503\"\r", "\x1b[B \r", "\x1b[B\r"] {
        std::thread::sleep(Duration::from_millis(700));
        keys.write_all(answer.as_bytes()).unwrap();
        keys.flush().unwrap();
    }
    std::thread::sleep(Duration::from_millis(700));
    drop(keys);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    let doc = listed(&sandbox, "2026-04-01-card-payments-fail-503");
    assert_eq!(doc["title"], "Card payments fail: \"503\"");
    assert_eq!(doc["services"], serde_json::json!(["payment-gateway"]));
    assert_eq!(doc["teams"], serde_json::json!(["payments"]));
    assert_eq!(doc["severity"], "SEV2");
}

#[cfg(unix)]
#[test]
fn new_files_are_readable_like_any_other_file() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::init();
    let path = sandbox.new_draft(&["Mode", "--severity", "SEV3"]);
    for file in [path.as_str(), "pm.yaml", ".gitignore"] {
        let mode = std::fs::metadata(sandbox.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(mode & 0o777, 0o600, "{file} is not private to its owner");
    }
}
