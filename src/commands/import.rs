//! `pm import`.

use std::fmt::Write as _;

use super::{Context, FINDINGS, OK, plural, print, printable, style};
use crate::archive;
use crate::cli::ImportArgs;
use crate::error::Result;
use crate::import::{self, NewEntry, Options, Outcome, Report};

/// Imports a folder and prints every file's outcome, every inference and a summary.
pub fn run(context: &Context, args: &ImportArgs) -> Result<u8> {
    let root = context.root()?;
    let config = archive::load_config(&root)?.config;
    let clock = context.clock(config.timezone);
    let options = Options {
        source: context.cwd.join(&args.source),
        dry_run: args.dry_run,
        map: args.map.as_ref().map(|m| context.cwd.join(m)),
        teams: args.teams.clone(),
        services: args.services.clone(),
        severity: args.severity.clone(),
        status: args.status,
        visibility: args.visibility,
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        config_changes: !args.no_config_changes,
        now: clock.now,
    };
    let report = import::import(&root, &options)?;
    print(&render(context, &root, &report, args.no_config_changes))?;
    let (.., failed) = report.counts();
    Ok(if failed > 0 { FINDINGS } else { OK })
}

fn render(
    context: &Context,
    root: &std::path::Path,
    report: &Report,
    no_config_changes: bool,
) -> String {
    let mut out = String::new();
    if report.dry_run {
        let _ = writeln!(
            out,
            "{}Dry run: nothing is written.{}\n",
            style::BOLD,
            style::BOLD.render_reset()
        );
    }
    let mut warnings = 0;
    for file in &report.files {
        let source = printable(&file.source.display().to_string());
        match &file.outcome {
            Outcome::Imported(imported) => {
                let verb = if report.dry_run {
                    "would import"
                } else {
                    "imported"
                };
                let _ = writeln!(
                    out,
                    "{}{verb}{} {source}\n  -> {}",
                    style::BOLD,
                    style::BOLD.render_reset(),
                    context.shown(root, &imported.path).display()
                );
                for inference in &imported.inferences {
                    let _ = writeln!(
                        out,
                        "     {:<13} {}  {}({}){}",
                        inference.field,
                        printable(&inference.value),
                        style::DIM,
                        printable(&inference.from),
                        style::DIM.render_reset()
                    );
                }
                for warning in &imported.warnings {
                    warnings += 1;
                    let _ = writeln!(
                        out,
                        "     {}warning:{} {}",
                        style::WARNING,
                        style::WARNING.render_reset(),
                        printable(warning)
                    );
                }
            }
            Outcome::AlreadyImported { id, path } => {
                let _ = writeln!(
                    out,
                    "already imported {source}: {id} ({})",
                    context.shown(root, path).display()
                );
            }
            Outcome::Skipped(reason) => {
                let _ = writeln!(out, "skipped {source}: {}", printable(reason));
            }
            Outcome::Failed(reason) => {
                let _ = writeln!(
                    out,
                    "{}failed{} {source}: {}",
                    style::ERROR,
                    style::ERROR.render_reset(),
                    printable(reason)
                );
            }
        }
    }
    let (imported, already, skipped, failed) = report.counts();
    let _ = writeln!(
        out,
        "\n{}{} {imported} postmortem{}{}, skipped {skipped} file{}, {already} imported before, {failed} failed; {warnings} warning{}.",
        style::BOLD,
        if report.dry_run {
            "Would import"
        } else {
            "Imported"
        },
        plural(imported),
        style::BOLD.render_reset(),
        plural(skipped),
        plural(warnings),
    );
    if imported > 0 {
        let _ = writeln!(
            out,
            "Severity {} where the source gave none (--severity sets another).",
            report.default_severity
        );
    }
    let new = |entries: &[NewEntry]| {
        entries
            .iter()
            .map(|e| format!("{} ({})", e.id, printable(&e.name)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !report.new_teams.is_empty() || !report.new_services.is_empty() {
        let what = if no_config_changes {
            "Not in pm.yaml, left out of the documents (--no-config-changes), kept under `imported`:"
        } else if report.config_written {
            "Added to pm.yaml, between `# pm import` comment lines; review the names and give services owners:"
        } else {
            "Would be added to pm.yaml, between `# pm import` comment lines:"
        };
        let _ = writeln!(out, "{what}");
        if !report.new_teams.is_empty() {
            let _ = writeln!(out, "  teams: {}", new(&report.new_teams));
        }
        if !report.new_services.is_empty() {
            let _ = writeln!(out, "  services: {}", new(&report.new_services));
        }
    }
    if imported > 0 && report.status == crate::model::Status::Published {
        let _ = writeln!(
            out,
            "Published postmortems need a summary, teams, services, started_at, resolved_at, the\nrequired sections and owners and due dates of action items: `pm check` lists what is missing."
        );
    }
    if imported > 0 && !report.dry_run {
        let _ = writeln!(
            out,
            "Next: `pm check`, then review the drafts (`pm list --status draft`)."
        );
    }
    out
}
