//! `pm stats`.

use std::fmt::Write as _;

use serde::Serialize;

use super::table::{self, Column, csv_row};
use super::{Context, OK, open_filtered, plural, print};
use crate::cli::{DataFormat, StatsArgs, StatsBy};
use crate::error::{Error, Result};
use crate::model::Postmortem;
use crate::query::Filter;
use crate::stats::{self, By, Distribution, Figures, Group, TeamFollowThrough, human_minutes};

/// What `pm stats --format json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    /// The day overdue is counted on.
    today: chrono::NaiveDate,
    /// The whole selection.
    all: &'a Figures,
    /// What `--by` names, if given.
    by: Option<&'static str>,
    /// One entry per group, with `--by`.
    groups: &'a [Group],
    /// Follow-through per team.
    follow_through_by_team: &'a [TeamFollowThrough],
}

/// Prints figures of the postmortems that pass the filters.
pub fn run(context: &Context, args: &StatsArgs) -> Result<u8> {
    let filter = Filter::from(&args.filter);
    let archive = open_filtered(context, |config| filter.undefined_value(config))?;
    let today = context.clock(archive.config.timezone).today;
    let docs: Vec<&Postmortem> = filter
        .select(&archive.documents)
        .into_iter()
        .filter(|d| !args.public || d.is_public())
        .collect();
    let config = &archive.config;
    let all = Figures::of(&docs, config, today);
    let by = args.by.map(By::from);
    let groups = by.map_or_else(Vec::new, |by| stats::breakdown(&docs, by, config, today));
    let teams = stats::follow_through_by_team(&docs, config, today);
    let out = match args.format {
        DataFormat::Json => {
            let report = Report {
                today,
                all: &all,
                by: by.map(By::name),
                groups: &groups,
                follow_through_by_team: &teams,
            };
            let json =
                serde_json::to_string_pretty(&report).map_err(|e| Error::Failed(e.to_string()))?;
            format!("{json}\n")
        }
        DataFormat::Csv => csv(&all, by, &groups),
        DataFormat::Table => text(&docs, &all, by, &groups, &teams),
    };
    print(&out)?;
    Ok(OK)
}

impl From<StatsBy> for By {
    fn from(by: StatsBy) -> Self {
        match by {
            StatsBy::Team => By::Team,
            StatsBy::Service => By::Service,
            StatsBy::Severity => By::Severity,
            StatsBy::Quarter => By::Quarter,
            StatsBy::Month => By::Month,
        }
    }
}

fn duration(minutes: Option<f64>) -> String {
    minutes.map_or_else(|| "-".to_owned(), human_minutes)
}

#[allow(clippy::cast_precision_loss)]
fn minutes(value: Option<i64>) -> Option<f64> {
    value.map(|v| v as f64)
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| {
        let rounded = (v * 10.0).round() / 10.0;
        format!("{rounded}")
    })
}

fn counts_table(header: &'static str, counts: &[stats::Count]) -> String {
    table::render(&[
        Column {
            header,
            min: 8,
            cells: counts.iter().map(|c| c.value.clone()).collect(),
        },
        Column {
            header: "COUNT",
            min: 5,
            cells: counts.iter().map(|c| c.count.to_string()).collect(),
        },
    ])
}

fn text(
    docs: &[&Postmortem],
    all: &Figures,
    by: Option<By>,
    groups: &[Group],
    teams: &[TeamFollowThrough],
) -> String {
    let mut out = String::new();
    let first = docs.iter().map(|d| d.date).min();
    let last = docs.iter().map(|d| d.date).max();
    let _ = write!(
        out,
        "{} postmortem{}",
        all.postmortems,
        plural(all.postmortems)
    );
    if let (Some(first), Some(last)) = (first, last) {
        let _ = write!(out, ", {first} to {last}");
    }
    out.push_str("\n\n");
    for (header, counts) in [
        ("SEVERITY", &all.by_severity),
        ("KIND", &all.by_kind),
        ("TRIGGER", &all.by_trigger),
        ("DETECTION", &all.by_detection),
    ] {
        out.push_str(&counts_table(header, counts));
        out.push('\n');
    }
    let durations = [
        ("time to detect", &all.time_to_detect),
        ("time to mitigate", &all.time_to_mitigate),
        ("time to resolve", &all.time_to_resolve),
    ];
    let cell = |f: &dyn Fn(&Distribution) -> String| durations.iter().map(|(_, d)| f(d)).collect();
    out.push_str(&table::render(&[
        Column {
            header: "DURATION",
            min: 16,
            cells: durations.iter().map(|(l, _)| (*l).to_owned()).collect(),
        },
        Column {
            header: "COUNT",
            min: 5,
            cells: cell(&|d| d.count.to_string()),
        },
        Column {
            header: "MEDIAN",
            min: 10,
            cells: cell(&|d| duration(d.median)),
        },
        Column {
            header: "P90",
            min: 10,
            cells: cell(&|d| duration(d.p90)),
        },
        Column {
            header: "MAX",
            min: 10,
            cells: cell(&|d| duration(minutes(d.max))),
        },
    ]));
    if let Some(by) = by {
        out.push('\n');
        out.push_str(&breakdown_table(by, groups));
    }
    out.push('\n');
    let mut rows: Vec<(String, &stats::FollowThrough)> =
        teams.iter().map(|t| (t.team.clone(), &t.figures)).collect();
    rows.push(("all".to_owned(), &all.follow_through));
    out.push_str(&follow_through_table(&rows));
    out
}

fn breakdown_table(by: By, groups: &[Group]) -> String {
    let cells = |f: &dyn Fn(&Figures) -> String| groups.iter().map(|g| f(&g.figures)).collect();
    let header = match by {
        By::Team => "TEAM",
        By::Service => "SERVICE",
        By::Severity => "SEVERITY",
        By::Quarter => "QUARTER",
        By::Month => "MONTH",
    };
    table::render(&[
        Column {
            header,
            min: 8,
            cells: groups.iter().map(|g| g.key.clone()).collect(),
        },
        Column {
            header: "POSTMORTEMS",
            min: 5,
            cells: cells(&|f| f.postmortems.to_string()),
        },
        Column {
            header: "BY SEVERITY",
            min: 11,
            cells: cells(&|f| {
                f.by_severity
                    .iter()
                    .filter(|c| c.count > 0)
                    .map(|c| format!("{} {}", c.value, c.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        },
        Column {
            header: "TTD MEDIAN",
            min: 10,
            cells: cells(&|f| duration(f.time_to_detect.median)),
        },
        Column {
            header: "TTR MEDIAN",
            min: 10,
            cells: cells(&|f| duration(f.time_to_resolve.median)),
        },
        Column {
            header: "TTR P90",
            min: 10,
            cells: cells(&|f| duration(f.time_to_resolve.p90)),
        },
        Column {
            header: "OPEN",
            min: 4,
            cells: cells(&|f| f.follow_through.open.to_string()),
        },
        Column {
            header: "OVERDUE",
            min: 7,
            cells: cells(&|f| f.follow_through.overdue.to_string()),
        },
    ])
}

fn follow_through_table(rows: &[(String, &stats::FollowThrough)]) -> String {
    let cells =
        |f: &dyn Fn(&stats::FollowThrough) -> String| rows.iter().map(|(_, t)| f(t)).collect();
    table::render(&[
        Column {
            header: "FOLLOW-THROUGH",
            min: 8,
            cells: rows.iter().map(|(team, _)| team.clone()).collect(),
        },
        Column {
            header: "ACTIONS",
            min: 7,
            cells: cells(&|t| t.actions.to_string()),
        },
        Column {
            header: "DONE",
            min: 4,
            cells: cells(&|t| t.done.to_string()),
        },
        Column {
            header: "WONT-DO",
            min: 7,
            cells: cells(&|t| t.wont_do.to_string()),
        },
        Column {
            header: "OPEN",
            min: 4,
            cells: cells(&|t| t.open.to_string()),
        },
        Column {
            header: "OVERDUE",
            min: 7,
            cells: cells(&|t| t.overdue.to_string()),
        },
        Column {
            header: "MEDIAN DAYS TO CLOSE",
            min: 8,
            cells: cells(&|t| {
                t.median_days_to_close
                    .map_or_else(|| "-".to_owned(), |d| number(Some(d)))
            }),
        },
        Column {
            header: "ALL CLOSED",
            min: 10,
            cells: cells(&|t| {
                format!(
                    "{}/{} {}",
                    t.postmortems_all_closed,
                    t.postmortems_with_actions,
                    t.share_text()
                )
            }),
        },
    ])
}

const CSV_HEADER: &[&str] = &[
    "group",
    "postmortems",
    "by_severity",
    "by_kind",
    "ttd_count",
    "ttd_median_minutes",
    "ttd_p90_minutes",
    "ttd_max_minutes",
    "ttm_count",
    "ttm_median_minutes",
    "ttm_p90_minutes",
    "ttm_max_minutes",
    "ttr_count",
    "ttr_median_minutes",
    "ttr_p90_minutes",
    "ttr_max_minutes",
    "actions",
    "actions_done",
    "actions_wont_do",
    "actions_open",
    "actions_overdue",
    "median_days_to_close",
    "postmortems_with_actions",
    "postmortems_all_closed",
];

/// One row per group (`all` first), figures flattened; counts by severity and kind as
/// `SEV1=2;SEV2=0`.
fn csv(all: &Figures, by: Option<By>, groups: &[Group]) -> String {
    let mut header: Vec<String> = CSV_HEADER.iter().map(|h| (*h).to_owned()).collect();
    if let Some(by) = by {
        by.name().clone_into(&mut header[0]);
    }
    let mut out = csv_row(header);
    let rows =
        std::iter::once(("all", all)).chain(groups.iter().map(|g| (g.key.as_str(), &g.figures)));
    for (key, f) in rows {
        let joined = |counts: &[stats::Count]| {
            counts
                .iter()
                .map(|c| format!("{}={}", c.value, c.count))
                .collect::<Vec<_>>()
                .join(";")
        };
        let mut row = vec![
            key.to_owned(),
            f.postmortems.to_string(),
            joined(&f.by_severity),
            joined(&f.by_kind),
        ];
        for d in [&f.time_to_detect, &f.time_to_mitigate, &f.time_to_resolve] {
            row.extend([
                d.count.to_string(),
                number(d.median),
                number(d.p90),
                d.max.map(|m| m.to_string()).unwrap_or_default(),
            ]);
        }
        let t = &f.follow_through;
        row.extend([
            t.actions.to_string(),
            t.done.to_string(),
            t.wont_do.to_string(),
            t.open.to_string(),
            t.overdue.to_string(),
            number(t.median_days_to_close),
            t.postmortems_with_actions.to_string(),
            t.postmortems_all_closed.to_string(),
        ]);
        out.push_str(&csv_row(row));
    }
    out
}
