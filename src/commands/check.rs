//! `pm check`.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Context, FINDINGS, OK, note, plural, print, printable, style};
use crate::archive::Archive;
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
    let selection = archive.select(&context.cwd, &args.paths)?;
    let clock = context.clock(archive.config.timezone);
    let mut diagnostics: Vec<Diagnostic> = check::check(&archive, clock)
        .into_iter()
        .filter(|d| selection.includes(&root, &d.path))
        .collect();
    for d in &mut diagnostics {
        d.path = context.shown(&root, &d.path);
    }
    let files = selection.files;
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
                    printable(&d.message)
                );
                if let Some(hint) = d.hint.as_deref().map(printable) {
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
