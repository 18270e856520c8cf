//! `pm list`.

use std::io::IsTerminal;

use super::table::{self, Column, csv_row};
use super::{Context, OK, note, open_filtered, print};
use crate::cli::{DataFormat, FilterArgs, ListArgs};
use crate::error::{Error, Result};
use crate::query::Filter;
use crate::views::DocumentView;

/// Lists the postmortems that pass the filters.
pub fn run(context: &Context, args: &ListArgs) -> Result<u8> {
    let filter = Filter::from(&args.filter);
    let archive = open_filtered(context, |config| filter.undefined_value(config))?;
    let today = context.clock(archive.config.timezone).today;
    let selected = filter.select(&archive.documents);
    if selected.is_empty() && std::io::stdout().is_terminal() {
        note("no postmortems match\n");
    }
    let views: Vec<DocumentView<'_>> = selected
        .iter()
        .map(|d| DocumentView::new(d, today))
        .collect();
    let out = match args.format {
        DataFormat::Json => {
            let json =
                serde_json::to_string_pretty(&views).map_err(|e| Error::Failed(e.to_string()))?;
            format!("{json}\n")
        }
        DataFormat::Csv => csv(&views),
        DataFormat::Table => table(&views),
    };
    print(&out)?;
    Ok(OK)
}

impl From<&FilterArgs> for Filter {
    fn from(args: &FilterArgs) -> Self {
        Filter {
            teams: args.teams.clone(),
            services: args.services.clone(),
            severities: args.severities.clone(),
            statuses: args.statuses.clone(),
            tags: args.tags.clone(),
            since: args.since,
            until: args.until,
        }
    }
}

const CSV_HEADER: &[&str] = &[
    "id",
    "title",
    "date",
    "status",
    "visibility",
    "severity",
    "kind",
    "teams",
    "services",
    "tags",
    "authors",
    "incident_commander",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "time_to_detect_minutes",
    "time_to_mitigate_minutes",
    "time_to_resolve_minutes",
    "trigger",
    "detection",
    "related",
    "actions_total",
    "actions_open",
    "actions_overdue",
    "path",
    "summary",
];

fn csv(views: &[DocumentView<'_>]) -> String {
    let mut out = csv_row(CSV_HEADER.iter().map(|h| (*h).to_owned()));
    let text = |v: Option<String>| v.unwrap_or_default();
    for v in views {
        out.push_str(&csv_row([
            v.id.to_owned(),
            v.title.to_owned(),
            v.date.to_string(),
            v.status.to_string(),
            v.visibility.to_string(),
            v.severity.to_owned(),
            v.kind.to_string(),
            v.teams.join(";"),
            v.services.join(";"),
            v.tags.join(";"),
            v.authors.join(";"),
            text(v.incident_commander.map(str::to_owned)),
            text(v.started_at.map(|t| t.to_rfc3339())),
            text(v.detected_at.map(|t| t.to_rfc3339())),
            text(v.mitigated_at.map(|t| t.to_rfc3339())),
            text(v.resolved_at.map(|t| t.to_rfc3339())),
            text(v.time_to_detect_minutes.map(|m| m.to_string())),
            text(v.time_to_mitigate_minutes.map(|m| m.to_string())),
            text(v.time_to_resolve_minutes.map(|m| m.to_string())),
            text(v.trigger.map(str::to_owned)),
            text(v.detection.map(|d| d.to_string())),
            v.related.join(";"),
            v.actions.total.to_string(),
            v.actions.open.to_string(),
            v.actions.overdue.to_string(),
            v.path.clone(),
            text(v.summary.map(str::to_owned)),
        ]));
    }
    out
}

fn table(views: &[DocumentView<'_>]) -> String {
    if views.is_empty() {
        return String::new();
    }
    let columns = [
        Column {
            header: "DATE",
            min: 10,
            cells: views.iter().map(|v| v.date.to_string()).collect(),
        },
        Column {
            header: "SEV",
            min: 3,
            cells: views.iter().map(|v| v.severity.to_owned()).collect(),
        },
        Column {
            header: "STATUS",
            min: 6,
            cells: views.iter().map(|v| v.status.to_string()).collect(),
        },
        Column {
            header: "TEAMS",
            min: 8,
            cells: views.iter().map(|v| v.teams.join(",")).collect(),
        },
        Column {
            header: "TITLE",
            min: 20,
            cells: views.iter().map(|v| v.title.to_owned()).collect(),
        },
    ];
    table::render(&columns)
}
