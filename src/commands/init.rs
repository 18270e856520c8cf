//! `pm init`.

use std::fmt::Write as _;

use super::{Context, OK, print};
use crate::cli::InitArgs;
use crate::error::Result;
use crate::scaffold;

/// Sets up an archive and says what it created.
pub fn run(context: &Context, args: &InitArgs) -> Result<u8> {
    let given = args
        .dir
        .as_deref()
        .or(context.archive.as_deref())
        .unwrap_or(std::path::Path::new("."));
    let report = scaffold::init(&context.cwd.join(given), args.templates)?;
    let mut out = format!("Initialized a postmortem archive in {}\n", given.display());
    for path in &report.created {
        let _ = writeln!(out, "  created {}", path.display());
    }
    if report.gitignore_extended {
        let _ = writeln!(out, "  added   .pm/ to .gitignore");
    }
    for path in &report.kept {
        let _ = writeln!(out, "  kept    {} (already there)", path.display());
    }
    out.push_str("\nNext: edit pm.yaml (teams, services, timezone), then run\n  pm new \"What happened, in one line\" --service <id> --severity SEV2\n");
    print(&out)?;
    Ok(OK)
}
