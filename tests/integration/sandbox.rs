//! A temporary archive folder and a `pm` command that runs in it, isolated from the machine:
//! a fixed "today", no colour, no editor, no global git configuration.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The day the tests pretend it is; the example archive's overdue counts are as of this day.
pub const TODAY: &str = "2026-11-28";

/// The repository root: the example archive.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder to run `pm` in.
pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    /// `pm check --format json` of the archive, asserting that it found no errors.
    pub fn check_without_errors(&self) -> serde_json::Value {
        let output = self
            .pm()
            .args(["check", "--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors: Vec<&serde_json::Value> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["level"] == "error")
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(output.status.code(), Some(0));
        report
    }

    /// An empty folder, not an archive.
    pub fn empty() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A fresh archive made by `pm init`.
    pub fn init() -> Self {
        let sandbox = Sandbox::empty();
        sandbox.pm().arg("init").assert().success();
        sandbox
    }

    /// A copy of the example archive: `pm.yaml` and `postmortems/`.
    pub fn example() -> Self {
        let sandbox = Sandbox::empty();
        fs::copy(repo().join("pm.yaml"), sandbox.path().join("pm.yaml")).expect("copy pm.yaml");
        copy_dir(
            &repo().join("postmortems"),
            &sandbox.path().join("postmortems"),
        );
        sandbox
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `pm`, run in the folder.
    pub fn pm(&self) -> Command {
        pm_in(self.path())
    }

    /// Writes `contents` to `relative`, creating folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(relative);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(&path, contents).expect("write");
        path
    }

    /// Reads `relative` as text.
    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path().join(relative)).expect("read")
    }

    /// Runs `pm new` with `args`, expecting success; returns the path it printed.
    pub fn new_draft(&self, args: &[&str]) -> String {
        let output = self.pm().arg("new").args(args).output().expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim_end().to_owned()
    }

    /// Every file under the folder with its bytes, to prove nothing changed.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        files_under(self.path())
    }
}

/// `pm` run in `dir`, isolated from the machine it runs on.
pub fn pm_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pm"));
    cmd.current_dir(dir)
        .env("PM_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("PM_ARCHIVE")
        .env_remove("VISUAL")
        .env_remove("EDITOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Every file under `dir` with its bytes, by path relative to it.
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let relative = path.strip_prefix(root).expect("inside");
                let bytes = fs::read(&path).expect("read");
                files.insert(relative.to_string_lossy().into_owned(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Standard output of a finished command, as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// Standard error of a finished command, as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// The real postmortems of `../shared/corpus` (or `PM_CORPUS`), if this checkout has them
/// beside it; tests that need them say so and stop when it does not.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("PM_CORPUS")
        .map_or_else(|| repo().join("../shared/corpus"), PathBuf::from);
    if dir.join("dfds").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: no corpus at {} (set PM_CORPUS); the test of real postmortems is skipped",
            dir.display()
        );
        None
    }
}
