//! `pm check`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Context, FINDINGS, OK, note, print, style};
use crate::archive::{Archive, CONFIG_FILE};
use crate::check;
use crate::cli::{CheckArgs, CheckFormat};
use crate::diagnostic::{Diagnostic, Level};
use crate::error::{Error, Result};

#[derive(Serialize)]
struct Report<'a> {
    files: usize,
    errors: usize,
    warnings: usize,
    diagnostics: &'a [Diagnostic],
}

/// Checks the archive (or the given paths) and prints every problem.
pub fn run(context: &Context, args: &CheckArgs) -> Result<u8> {
    let root = context.root()?;
    let mut archive = Archive::open(&root)?;
    let scope = Scope::new(context, &root, &archive.files, &args.paths)?;
    for extra in &scope.extra_files {
        archive.add_file(extra);
    }
    let clock = context.clock(archive.config.timezone);
    let mut diagnostics: Vec<Diagnostic> = check::check(&archive, clock)
        .into_iter()
        .filter(|d| scope.includes(&root, &d.path))
        .collect();
    for d in &mut diagnostics {
        d.path = context.shown(&root, &d.path);
    }
    let files = scope.count_files(&root, &archive.files);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;

    match args.format {
        CheckFormat::Json => {
            let report = Report {
                files,
                errors,
                warnings,
                diagnostics: &diagnostics,
            };
            let json =
                serde_json::to_string_pretty(&report).map_err(|e| Error::Failed(e.to_string()))?;
            print(&format!("{json}\n"))?;
        }
        CheckFormat::Text => {
            let mut out = String::new();
            for d in &diagnostics {
                let level = match d.level {
                    Level::Error => style::ERROR,
                    Level::Warning => style::WARNING,
                };
                let _ = writeln!(
                    out,
                    "{}{}:{}:{}:{} {level}{}[{}]{level:#}: {}",
                    style::BOLD,
                    d.path.display(),
                    d.pos.line,
                    d.pos.column,
                    style::BOLD.render_reset(),
                    d.level,
                    d.code,
                    d.message
                );
                if let Some(hint) = &d.hint {
                    let _ = writeln!(
                        out,
                        "  {}hint:{} {hint}",
                        style::HINT,
                        style::HINT.render_reset()
                    );
                }
            }
            print(&out)?;
            note(&format!(
                "checked {files} file{}: {errors} error{}, {warnings} warning{}\n",
                plural(files),
                plural(errors),
                plural(warnings)
            ));
        }
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed { FINDINGS } else { OK })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Which files the user asked about: everything, or the given files and folders.
struct Scope {
    /// Absolute paths given; empty means the whole archive.
    paths: Vec<PathBuf>,
    /// Given files that are not among the archive's documents, to read as well
    /// (relative to the root when inside it).
    extra_files: Vec<PathBuf>,
}

impl Scope {
    fn new(context: &Context, root: &Path, files: &[PathBuf], given: &[PathBuf]) -> Result<Scope> {
        let mut scope = Scope {
            paths: Vec::new(),
            extra_files: Vec::new(),
        };
        let canonical_root = root
            .canonicalize()
            .map_err(|e| Error::io("cannot read", root, e))?;
        for path in given {
            let full = context.cwd.join(path);
            let canonical = full
                .canonicalize()
                .map_err(|e| Error::Usage(format!("cannot check {}: {e}", path.display())))?;
            let relative = canonical
                .strip_prefix(&canonical_root)
                .ok()
                .map(Path::to_path_buf);
            let is_config = relative.as_deref() == Some(Path::new(CONFIG_FILE));
            let known = relative.as_ref().is_some_and(|r| files.contains(r));
            if canonical.is_file() && !is_config && !known {
                scope
                    .extra_files
                    .push(relative.clone().unwrap_or_else(|| canonical.clone()));
            }
            scope
                .paths
                .push(relative.map_or(canonical, |r| root.join(r)));
        }
        Ok(scope)
    }

    fn includes(&self, root: &Path, file: &Path) -> bool {
        self.paths.is_empty() || {
            let full = root.join(file);
            self.paths.iter().any(|p| full.starts_with(p))
        }
    }

    fn count_files(&self, root: &Path, files: &[PathBuf]) -> usize {
        files.iter().filter(|f| self.includes(root, f)).count() + self.extra_files.len()
    }
}
