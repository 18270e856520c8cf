//! `pm init`: a fresh archive, and never overwriting one.

use std::fs;

use crate::sandbox::{Sandbox, repo, stdout};

#[test]
fn creates_config_documents_folder_and_gitignore() {
    let sandbox = Sandbox::empty();
    let output = sandbox.pm().arg("init").output().unwrap();
    assert!(output.status.success());
    let said = stdout(&output);
    for created in ["pm.yaml", "postmortems/", ".gitignore"] {
        assert!(said.contains(&format!("created {created}")), "{said}");
    }
    assert!(sandbox.path().join("postmortems").is_dir());
    assert_eq!(sandbox.read(".gitignore"), ".pm/\n");
    assert!(sandbox.read("pm.yaml").contains("timezone:"));
}

#[test]
fn a_fresh_archive_checks_clean() {
    let sandbox = Sandbox::init();
    let output = sandbox.pm().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).is_empty());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("checked 0 files: 0 errors, 0 warnings")
    );
}

#[test]
fn creates_a_missing_folder() {
    let sandbox = Sandbox::empty();
    sandbox
        .pm()
        .args(["init", "ops/postmortems"])
        .assert()
        .success();
    assert!(sandbox.path().join("ops/postmortems/pm.yaml").is_file());
}

#[test]
fn never_overwrites_an_existing_config_and_completes_the_rest() {
    let sandbox = Sandbox::empty();
    sandbox.write("pm.yaml", "title: Mine\n");
    let output = sandbox.pm().args(["init", "--templates"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("kept    pm.yaml (already there)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(sandbox.read("pm.yaml"), "title: Mine\n");
    assert!(sandbox.path().join("postmortems").is_dir());
    assert!(
        sandbox
            .path()
            .join("templates/postmortem/standard.md")
            .is_file()
    );

    // Run again, nothing changes: every file is kept as it is.
    let before = sandbox.snapshot();
    sandbox
        .pm()
        .args(["init", "--templates"])
        .assert()
        .success();
    assert_eq!(sandbox.snapshot(), before);
}

#[test]
fn archive_flag_names_the_folder_to_set_up() {
    let sandbox = Sandbox::empty();
    sandbox
        .pm()
        .args(["--archive", "ops", "init"])
        .assert()
        .success();
    assert!(sandbox.path().join("ops/pm.yaml").is_file());
}

#[test]
fn adds_to_an_existing_gitignore_keeping_its_bytes() {
    let sandbox = Sandbox::empty();
    sandbox.write(".gitignore", "target\r\n# no newline at end");
    sandbox.pm().arg("init").assert().success();
    assert_eq!(
        sandbox.read(".gitignore"),
        "target\r\n# no newline at end\n.pm/\n"
    );

    let again = Sandbox::empty();
    again.write(".gitignore", "/.pm/\n");
    again.pm().arg("init").assert().success();
    assert_eq!(again.read(".gitignore"), "/.pm/\n");
}

#[test]
fn templates_flag_copies_the_built_in_templates() {
    let sandbox = Sandbox::empty();
    sandbox
        .pm()
        .args(["init", "--templates"])
        .assert()
        .success();
    for name in ["standard", "brief", "near-miss", "security"] {
        let relative = format!("templates/postmortem/{name}.md");
        let original = fs::read_to_string(repo().join(&relative)).unwrap();
        assert_eq!(sandbox.read(&relative), original, "{name}");
    }
}

#[test]
fn an_edited_template_replaces_the_built_in_one() {
    let sandbox = Sandbox::empty();
    sandbox
        .pm()
        .args(["init", "--templates"])
        .assert()
        .success();
    sandbox.write(
        "templates/postmortem/standard.md",
        "---\ndescription: Ours\n---\n## Summary\nWritten for {{ title }} on {{ date }}.\n",
    );
    sandbox.write(
        "templates/postmortem/database.md",
        "---\ndescription: Database incidents\nseverity: SEV2\n---\n## Summary\n",
    );
    let listed = stdout(
        &sandbox
            .pm()
            .args(["new", "--list-templates"])
            .output()
            .unwrap(),
    );
    assert!(listed.contains("standard   Ours"), "{listed}");
    assert!(listed.contains("database   Database incidents"), "{listed}");

    let output = sandbox
        .pm()
        .args([
            "new",
            "Disk full",
            "--severity",
            "SEV3",
            "--date",
            "2026-05-01",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = sandbox.read(stdout(&output).trim());
    assert!(
        text.ends_with("## Summary\nWritten for Disk full on 2026-05-01.\n"),
        "{text}"
    );
}
