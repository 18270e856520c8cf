//! `pm check`: the example archive is clean, and every rule finds what it should, where it is.

use serde_json::Value;

use crate::sandbox::{Sandbox, pm_in, repo, stderr, stdout};

/// Checks the sandbox and returns (exit code, `[(line, level, code)]` of `file`'s diagnostics).
fn findings(sandbox: &Sandbox, file: &str) -> (i32, Vec<(u64, String, String)>) {
    let output = sandbox
        .pm()
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == file)
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["level"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (output.status.code().unwrap(), found)
}

fn diag(line: u64, level: &str, code: &str) -> (u64, String, String) {
    (line, level.to_owned(), code.to_owned())
}

const PUBLISHED: &str = "\
---
id: 2026-03-14-db-failover
title: Database failover
status: published
visibility: public
severity: SEV2
teams: [platform]
services: [kubernetes]
summary: Writes failed for nine minutes.
started_at: 2026-03-14T09:12:00+01:00
resolved_at: 2026-03-14T10:30:00+01:00
---
## Summary
Writes failed.

## Impact
Nine minutes of failed writes.

## Timeline
| Time | Event |
|---|---|
| 09:12 | Failover |

## Root cause and contributing factors
A slow disk.
";

#[test]
fn the_example_archive_has_no_errors() {
    let output = pm_in(&repo())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files"], 14);
    assert_eq!(report["errors"], 0);
    // As of 2026-11-28, 16 open action items are past due (counted by hand from the files);
    // they are the only warnings.
    assert_eq!(report["warnings"], 16);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.iter().all(|c| *c == "action-overdue"), "{codes:?}");
}

#[test]
fn deny_warnings_fails_on_warnings() {
    pm_in(&repo())
        .args(["check", "--deny-warnings"])
        .assert()
        .code(1);
}

#[test]
fn a_clean_published_document_passes() {
    let sandbox = Sandbox::init();
    sandbox.write("postmortems/2026/2026-03-14-db-failover.md", PUBLISHED);
    let (code, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn published_documents_need_their_fields_and_sections() {
    let sandbox = Sandbox::init();
    let text = PUBLISHED
        .replace("summary: Writes failed for nine minutes.\n", "")
        .replace("services: [kubernetes]\n", "")
        .replace(
            "## Impact\nNine minutes of failed writes.\n",
            "## Impact\n<!-- to be written -->\n",
        )
        .replace("## Root cause and contributing factors\nA slow disk.\n", "");
    sandbox.write("postmortems/2026/2026-03-14-db-failover.md", &text);
    let (code, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            diag(1, "error", "missing-field"),
            diag(1, "error", "missing-field"),
            diag(11, "error", "missing-section"),
            diag(14, "error", "empty-section"),
        ]
    );

    // The same document as a draft is fine: it is still being written.
    sandbox.write(
        "postmortems/2026/2026-03-14-db-failover.md",
        text.replace("status: published", "status: draft"),
    );
    assert_eq!(
        findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md"),
        (0, vec![])
    );
}

#[test]
fn times_must_be_in_order_and_in_the_past() {
    let sandbox = Sandbox::init();
    let text = PUBLISHED.replace(
        "resolved_at: 2026-03-14T10:30:00+01:00\n",
        "detected_at: 2026-03-14T09:00:00+01:00\nresolved_at: 2027-01-01T10:30:00+01:00\n",
    );
    sandbox.write("postmortems/2026/2026-03-14-db-failover.md", text);
    let (_, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!(
        found,
        [
            diag(11, "error", "time-order"),
            diag(12, "error", "future-time")
        ]
    );
}

#[test]
fn teams_services_and_severities_must_be_known() {
    let sandbox = Sandbox::init();
    let text = PUBLISHED
        .replace("teams: [platform]", "teams: [platform, paymnts]")
        .replace(
            "services: [kubernetes]",
            "services:\n  - kubernetes\n  - kubernets",
        )
        .replace("severity: SEV2", "severity: SEV9");
    sandbox.write("postmortems/2026/2026-03-14-db-failover.md", &text);
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let path = "postmortems/2026/2026-03-14-db-failover.md";
    assert!(out.contains(&format!("{path}:6:11: error[unknown-severity]: `SEV9` is not a severity defined in pm.yaml\n  hint: allowed: `SEV1`, `SEV2`, `SEV3`, `SEV4`")), "{out}");
    assert!(
        out.contains(&format!("{path}:7:19: error[unknown-team]")),
        "{out}"
    );
    assert!(out.contains("hint: did you mean `payments`?"), "{out}");
    assert!(
        out.contains(&format!("{path}:10:5: error[unknown-service]")),
        "{out}"
    );
    assert!(out.contains("hint: did you mean `kubernetes`?"), "{out}");
}

#[test]
fn action_items_need_owner_and_due_date_once_published_and_are_flagged_when_overdue() {
    let sandbox = Sandbox::init();
    let items = "action_items:\n  - title: Alert on write errors\n    due: 2026-04-01\n  - title: Faster failover\n    owner: Ana\n    due: 2026-04-01\n    status: done\n  - title: Runbook\n    owner: Bo\n    status: wont-do\n";
    let text = PUBLISHED.replace("---\n## Summary", &format!("{items}---\n## Summary"));
    sandbox.write("postmortems/2026/2026-03-14-db-failover.md", &text);
    let (code, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            diag(13, "error", "action-owner"),
            diag(14, "warning", "action-overdue"),
            diag(19, "error", "action-due"),
        ]
    );
    // In a draft, the missing owner and due date are warnings.
    sandbox.write(
        "postmortems/2026/2026-03-14-db-failover.md",
        text.replace("status: published", "status: draft"),
    );
    let (code, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!(code, 0);
    assert!(
        found.iter().all(|(_, level, _)| level == "warning"),
        "{found:?}"
    );
}

#[test]
fn ids_must_be_unique_and_related_ids_must_exist() {
    let sandbox = Sandbox::init();
    sandbox.write(
        "postmortems/2026/2026-03-14-db-failover.md",
        PUBLISHED.replace(
            "summary:",
            "related: [2026-03-14-db-failover-2, 2025-01-01-nope]\nsummary:",
        ),
    );
    sandbox.write("postmortems/archive/2026-03-14-db-failover.md", PUBLISHED);
    let (code, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            diag(9, "error", "unknown-related"),
            diag(9, "error", "unknown-related")
        ]
    );
    let (_, found) = findings(&sandbox, "postmortems/archive/2026-03-14-db-failover.md");
    assert_eq!(found, [diag(2, "error", "duplicate-id")]);
}

#[test]
fn blame_wording_is_a_warning_at_its_position_but_not_in_code() {
    let sandbox = Sandbox::init();
    let text = PUBLISHED.replace(
        "A slow disk.\n",
        "A slow disk. The operator was careless.\n\n```\ncareless = true\n```\n",
    );
    sandbox.write("postmortems/2026/2026-03-14-db-failover.md", &text);
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    assert_eq!(out.matches("blame-wording").count(), 1, "{out}");
    assert!(
        out.contains("2026-03-14-db-failover.md:25:31: warning[blame-wording]: \"careless\""),
        "{out}"
    );

    sandbox.write("pm.yaml", sandbox.read("pm.yaml") + "blame_words: []\n");
    assert!(!stdout(&sandbox.pm().arg("check").output().unwrap()).contains("blame-wording"));
}

#[test]
fn reports_every_problem_of_every_file_and_keeps_going() {
    let sandbox = Sandbox::init();
    sandbox.write("postmortems/a/2026-01-01-a.md", "no front matter\n");
    sandbox.write("postmortems/b/2026-01-02-b.md", "---\nid: 2026-01-02-b\ntitle: B\nstatus: draft\nseverity: SEV3\nserverity: SEV2\nkind: accident\n---\n");
    sandbox.write(
        "postmortems/c/2026-01-03-c.md",
        PUBLISHED.replace("2026-03-14-db-failover", "2026-01-03-c"),
    );
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
    assert!(stderr(&output).contains("checked 3 files: 3 errors, 0 warnings"));
}

#[test]
fn paths_narrow_the_report_and_files_outside_the_archive_can_be_checked() {
    let sandbox = Sandbox::init();
    sandbox.write("postmortems/a/2026-01-01-a.md", "no front matter\n");
    sandbox.write("postmortems/c/2026-03-14-db-failover.md", PUBLISHED);
    let output = sandbox
        .pm()
        .args(["check", "postmortems/c"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("checked 1 file: 0 errors"));

    sandbox.write(
        "drafts/2026-02-02-outside.md",
        "---\nid: 2026-02-02-outside\ntitle: T\nstatus: draft\nseverity: SEV7\n---\n",
    );
    let output = sandbox
        .pm()
        .args(["check", "drafts/2026-02-02-outside.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("drafts/2026-02-02-outside.md:5:11: error[unknown-severity]"),
        "{}",
        stdout(&output)
    );

    let output = sandbox.pm().args(["check", "nope.md"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot check nope.md"));
}

#[test]
fn problems_in_pm_yaml_are_reported_with_their_line() {
    let sandbox = Sandbox::init();
    let config = sandbox
        .read("pm.yaml")
        .replace("owner: platform, tier: 1 }", "owner: platfrom, tier: 1 }");
    sandbox.write("pm.yaml", config + "serverities: []\n");
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains(
            "pm.yaml:27:5: error[unknown-team]: service `kubernetes` is owned by `platfrom`"
        ),
        "{out}"
    );
    assert!(out.contains("hint: did you mean `platform`?"), "{out}");
    assert!(out.contains("error[unknown-key]: unknown key `serverities` in the pm.yaml\n  hint: did you mean `severities`?"), "{out}");
}

#[test]
fn unreadable_pm_yaml_stops_every_command_with_its_line() {
    let sandbox = Sandbox::init();
    sandbox.write("pm.yaml", "title: x\nteams:\n\t- id: a\n");
    for command in ["check", "list"] {
        let output = sandbox.pm().arg(command).output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        let err = stderr(&output);
        assert!(
            err.contains("pm.yaml:3:") && err.contains("error[yaml]"),
            "{err}"
        );
        assert!(err.contains("hint: indent with spaces"), "{err}");
    }
}

#[test]
fn naming_pm_yaml_or_a_stray_file_checks_each_as_what_it_is() {
    let sandbox = Sandbox::init();
    let output = sandbox.pm().args(["check", "pm.yaml"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "pm.yaml is not read as a postmortem: {}",
        stdout(&output)
    );

    sandbox.write("postmortems/notes.txt", "some notes\n");
    let output = sandbox
        .pm()
        .args(["check", "postmortems/notes.txt"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).starts_with("postmortems/notes.txt:1:1: error[front-matter]"),
        "{}",
        stdout(&output)
    );
    // Without naming it, only `.md` files are postmortems.
    sandbox.pm().arg("check").assert().code(0);
}

#[test]
fn a_folder_outside_postmortems_is_checked_file_by_file_and_once() {
    let sandbox = Sandbox::init();
    let bad = "---\nid: 2026-02-02-outside\ntitle: T\nstatus: draft\nseverity: SEV7\n---\n";
    sandbox.write("drafts/2026-02-02-outside.md", bad);
    sandbox.write("drafts/notes.txt", "not a postmortem\n");
    let output = sandbox.pm().args(["check", "drafts"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a folder with an error is not a green check"
    );
    assert!(stdout(&output).contains("drafts/2026-02-02-outside.md:5:11: error[unknown-severity]"));
    assert!(
        stderr(&output).contains("checked 1 file: 1 error"),
        "{}",
        stderr(&output)
    );

    let output = sandbox
        .pm()
        .args([
            "check",
            "drafts/2026-02-02-outside.md",
            "./drafts/2026-02-02-outside.md",
            "drafts",
        ])
        .output()
        .unwrap();
    assert!(
        !stdout(&output).contains("duplicate-id"),
        "one file named three ways is one file"
    );
    assert!(
        stderr(&output).contains("checked 1 file: 1 error"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_identity_field_does_not_hide_the_other_problems() {
    let sandbox = Sandbox::init();
    sandbox.write(
        "postmortems/2026/2026-01-01-x.md",
        "---\nid: 2026-01-01-x\ntitle: T\nstatus: publshed\nseverity: SEV9\nteams: [nobody]\nstarted_at: 2030-01-01T00:00:00Z\n---\nIt was careless.\n",
    );
    let (code, found) = findings(&sandbox, "postmortems/2026/2026-01-01-x.md");
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            diag(4, "error", "invalid-value"),
            diag(5, "error", "unknown-severity"),
            diag(6, "error", "unknown-team"),
            diag(7, "error", "future-time"),
            diag(9, "warning", "blame-wording"),
        ]
    );
    // Incomplete documents are checked, never listed.
    let listed = sandbox
        .pm()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&listed).trim(), "[]");
}

#[test]
fn pm_yaml_problems_point_at_their_own_entries_after_a_broken_one() {
    let sandbox = Sandbox::init();
    sandbox.write(
        "pm.yaml",
        "teams:\n  - { name: No id }\n  - { id: ops }\n  - { id: ops }\nservices:\n  - { name: x }\n  - { id: a, owner: nobody }\n  - { id: b }\n",
    );
    let (_, found) = findings(&sandbox, "pm.yaml");
    assert_eq!(
        found,
        [
            diag(2, "error", "missing-field"),
            diag(4, "error", "config"),
            diag(6, "error", "missing-field"),
            diag(7, "error", "unknown-team"),
            diag(8, "warning", "unowned-service"),
        ]
    );
}

#[test]
fn wrapped_blame_phrases_are_found() {
    let sandbox = Sandbox::init();
    sandbox.write(
        "postmortems/2026/2026-03-14-db-failover.md",
        PUBLISHED.replace(
            "A slow disk.\n",
            "A slow disk. It was not human\nerror: the operator *should\nhave* been warned.\n",
        ),
    );
    let (_, found) = findings(&sandbox, "postmortems/2026/2026-03-14-db-failover.md");
    assert_eq!(
        found,
        [
            diag(25, "warning", "blame-wording"),
            diag(26, "warning", "blame-wording")
        ]
    );
}

#[cfg(unix)]
#[test]
fn linked_folders_are_followed_once_and_broken_links_reported() {
    let sandbox = Sandbox::init();
    let outside = Sandbox::empty();
    outside.write(
        "2024/2024-05-05-linked.md",
        PUBLISHED.replace("2026-03-14-db-failover", "2024-05-05-linked"),
    );
    std::os::unix::fs::symlink(
        outside.path().join("2024"),
        sandbox.path().join("postmortems/2024"),
    )
    .unwrap();
    // A loop back to the archive's own folder must not trap the walk.
    std::os::unix::fs::symlink(
        sandbox.path().join("postmortems"),
        sandbox.path().join("postmortems/loop"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        "/nonexistent/x.md",
        sandbox.path().join("postmortems/dangling.md"),
    )
    .unwrap();
    let output = sandbox
        .pm()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], "2024-05-05-linked");

    // A folder reached by several paths is always listed under the same one: its real path
    // when it is in the archive, else the first link in path order.
    sandbox.write(
        "postmortems/2025/2025-01-01-real.md",
        PUBLISHED.replace("2026-03-14-db-failover", "2025-01-01-real"),
    );
    for (target, link) in [
        (outside.path().join("2024"), "postmortems/zz-again"),
        (
            sandbox.path().join("postmortems/2025"),
            "postmortems/0-shortcut",
        ),
    ] {
        std::os::unix::fs::symlink(target, sandbox.path().join(link)).unwrap();
    }
    for _ in 0..5 {
        let output = sandbox
            .pm()
            .args(["list", "--format", "json"])
            .output()
            .unwrap();
        let listed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        let mut paths: Vec<&str> = listed.iter().map(|d| d["path"].as_str().unwrap()).collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            [
                "postmortems/2024/2024-05-05-linked.md",
                "postmortems/2025/2025-01-01-real.md"
            ]
        );
    }
    let output = sandbox.pm().arg("check").output().unwrap();
    assert!(
        stdout(&output).contains("postmortems/dangling.md:1:1: error[unreadable]"),
        "{}",
        stdout(&output)
    );
}
