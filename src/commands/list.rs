//! `pm list`.

use std::io::IsTerminal;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Context, OK, note, note_config_problems, print, printable};
use crate::archive::Archive;
use crate::cli::{DataFormat, FilterArgs, ListArgs};
use crate::error::{Error, Result};
use crate::query::Filter;
use crate::views::DocumentView;

/// Widest table `pm list` prints.
const TABLE_WIDTH: usize = 100;

/// Lists the postmortems that pass the filters.
pub fn run(context: &Context, args: &ListArgs) -> Result<u8> {
    let root = context.root()?;
    let archive = Archive::open(&root)?;
    note_config_problems(&archive.config_diagnostics);
    let filter = Filter::from(&args.filter);
    if let Some(message) = filter.undefined_value(&archive.config) {
        return Err(Error::Usage(message));
    }
    let unreadable = archive.files.len() - archive.documents.len();
    if unreadable > 0 {
        note(&format!(
            "note: {unreadable} file{} could not be read and {} left out; run `pm check` to see why\n",
            if unreadable == 1 { "" } else { "s" },
            if unreadable == 1 { "is" } else { "are" },
        ));
    }
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

/// One RFC 4180 row: fields with commas, quotes or line breaks are quoted, quotes doubled.
fn csv_row(fields: impl IntoIterator<Item = String>) -> String {
    let mut row = fields
        .into_iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

/// A column: its header, the narrowest it may be squeezed to, and its cells.
struct Column {
    header: &'static str,
    min: usize,
    cells: Vec<String>,
}

fn table(views: &[DocumentView<'_>]) -> String {
    if views.is_empty() {
        return String::new();
    }
    let mut columns = [
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
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            c.cells
                .iter()
                .map(|s| s.width())
                .chain([c.header.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Squeeze the widest squeezable columns first, one character at a time, until it fits.
    let gaps = 2 * (columns.len() - 1);
    while widths.iter().sum::<usize>() + gaps > TABLE_WIDTH {
        let Some(widest) = (0..columns.len())
            .filter(|&i| widths[i] > columns[i].min)
            .max_by_key(|&i| widths[i] - columns[i].min)
        else {
            break;
        };
        widths[widest] -= 1;
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let line = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| pad(&truncate(&printable(cell), *width), *width))
            .collect::<Vec<_>>()
            .join("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_row(columns.iter().map(|c| c.header).collect());
    for row in 0..views.len() {
        push_row(columns.iter_mut().map(|c| c.cells[row].as_str()).collect());
    }
    out
}

/// `text` cut to `width` display columns, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            csv_row(["a".into(), "b,c".into(), "say \"hi\"".into()]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
    }
}
