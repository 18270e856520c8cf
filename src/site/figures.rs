//! The stats page and the figures of team pages: [`crate::stats`] computed over the site's
//! postmortems, drawn by [`super::charts`], with the same figures as tables beside the charts.

use chrono::NaiveDate;
use serde::Serialize;

use super::charts::{self, Size, Strip};
use super::plan::Link;
use crate::archive::Config;
use crate::model::Postmortem;
use crate::stats::{
    self, Count, Distribution, Figures, FollowThrough, TeamFollowThrough, human_minutes,
};

/// Months in the stats page's chart of postmortems per month.
const MONTHS: u32 = 36;
/// Months in a team page's chart.
const TEAM_MONTHS: u32 = 12;
/// Triggers in the chart of top triggers.
const TRIGGERS: usize = 10;

/// A distribution as text: `count`, and `median`, `p90`, `max` like `3 h 05 min` (or `-`).
#[derive(Debug, Clone, Serialize)]
pub struct DurationRow {
    /// `Time to detect`…
    pub label: &'static str,
    /// How many postmortems have it.
    pub count: usize,
    /// The median.
    pub median: String,
    /// The 90th percentile.
    pub p90: String,
    /// The longest.
    pub max: String,
}

impl DurationRow {
    fn new(label: &'static str, d: &Distribution) -> Self {
        let text = |m: Option<f64>| m.map_or_else(|| "-".to_owned(), human_minutes);
        #[allow(clippy::cast_precision_loss)]
        let max = d.max.map(|m| m as f64);
        DurationRow {
            label,
            count: d.count,
            median: text(d.median),
            p90: text(d.p90),
            max: text(max),
        }
    }

    fn all(f: &Figures) -> Vec<DurationRow> {
        vec![
            DurationRow::new("Time to detect", &f.time_to_detect),
            DurationRow::new("Time to mitigate", &f.time_to_mitigate),
            DurationRow::new("Time to resolve", &f.time_to_resolve),
        ]
    }
}

/// One severity's row of the stats page.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityRow {
    /// The severity id.
    pub severity: String,
    /// Its rank (1 = most severe).
    pub rank: usize,
    /// Postmortems of it.
    pub count: usize,
    /// Time to detect.
    pub detect: DurationRow,
    /// Time to resolve.
    pub resolve: DurationRow,
}

/// One team's follow-through.
#[derive(Debug, Clone, Serialize)]
pub struct TeamRow {
    /// The team (`none`, without a link, for actions of postmortems without a team).
    pub team: Link,
    /// Its actions' figures.
    #[serde(flatten)]
    pub figures: FollowThrough,
    /// Median days to close, as text.
    pub median_days_to_close: String,
    /// The share of its postmortems whose actions are all closed, like `40%`.
    pub share_all_closed: String,
}

/// The charts of the stats page, as SVG.
#[derive(Debug, Clone, Serialize)]
pub struct StatsCharts {
    /// Postmortems per month, stacked by severity.
    pub per_month: String,
    /// Time to resolve per severity.
    pub resolve: String,
    /// Top triggers.
    pub triggers: String,
    /// Follow-through per team.
    pub follow_through: String,
}

/// `stats.html`.
#[derive(Debug, Serialize)]
pub struct StatsPage {
    /// Postmortems counted.
    pub documents: usize,
    /// Months in the chart per month.
    pub months: usize,
    /// The charts.
    pub charts: StatsCharts,
    /// Time to detect, mitigate, resolve over all postmortems.
    pub durations: Vec<DurationRow>,
    /// Per severity.
    pub severities: Vec<SeverityRow>,
    /// Every trigger, most frequent first.
    pub triggers: Vec<Count>,
    /// Detection methods, most frequent first.
    pub detection: Vec<Count>,
    /// Follow-through per team, then `all`.
    pub teams: Vec<TeamRow>,
}

/// The small charts of a team page.
#[derive(Debug, Clone, Serialize)]
pub struct TeamCharts {
    /// Its postmortems per month over the last 12 months.
    pub per_month: String,
    /// Its time to resolve per severity.
    pub resolve: String,
    /// Its actions' follow-through.
    pub follow_through: String,
    /// Time to detect, mitigate, resolve of its postmortems.
    pub durations: Vec<DurationRow>,
}

fn severity_names(config: &Config) -> Vec<&str> {
    config.severities.iter().map(|s| s.id.as_str()).collect()
}

fn month_chart(
    id: &str,
    docs: &[&Postmortem],
    config: &Config,
    today: NaiveDate,
    limit: u32,
    size: Size,
) -> (String, usize) {
    let last = docs
        .iter()
        .map(|d| d.date)
        .max()
        .unwrap_or(today)
        .max(today);
    let ranked = docs
        .iter()
        .filter(|d| config.severity(&d.front.severity).is_some())
        .map(|d| (d.date, config.severity_rank(&d.front.severity)));
    let months = charts::months(ranked, config.severities.len(), last, limit);
    (
        charts::per_month(id, &months, &severity_names(config), size),
        months.len(),
    )
}

fn resolve_chart(id: &str, docs: &[&Postmortem], config: &Config, size: Size) -> String {
    let rows: Vec<Strip<'_>> = config
        .severities
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut minutes: Vec<i64> = docs
                .iter()
                .filter(|d| d.front.severity == s.id)
                .filter_map(|d| d.front.time_to_resolve())
                .map(|t| t.num_minutes())
                .collect();
            minutes.sort_unstable();
            Strip {
                label: &s.id,
                rank: i + 1,
                median: stats::percentile(&minutes, 50.0),
                minutes,
            }
        })
        .collect();
    charts::strips(id, "Time to resolve, by severity", &rows, size)
}

/// The stats page of `docs` (the site's postmortems) and `teams` (their follow-through per
/// team), with `team_link` naming a team's page.
pub fn stats_page(
    docs: &[&Postmortem],
    teams: &[TeamFollowThrough],
    config: &Config,
    team_link: impl Fn(&str) -> Link,
    today: NaiveDate,
) -> StatsPage {
    let all = Figures::of(docs, config, today);
    let per_severity = stats::breakdown(docs, stats::By::Severity, config, today);
    let severities = config
        .severities
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let figures = per_severity
                .iter()
                .find(|g| g.key == s.id)
                .map(|g| &g.figures);
            let empty = Distribution::default();
            SeverityRow {
                severity: s.id.clone(),
                rank: i + 1,
                count: figures.map_or(0, |f| f.postmortems),
                detect: DurationRow::new(
                    "Time to detect",
                    figures.map_or(&empty, |f| &f.time_to_detect),
                ),
                resolve: DurationRow::new(
                    "Time to resolve",
                    figures.map_or(&empty, |f| &f.time_to_resolve),
                ),
            }
        })
        .collect();
    let mut teams: Vec<TeamRow> = teams
        .iter()
        .map(|t| TeamRow {
            team: if t.team == "none" {
                Link {
                    id: "none".to_owned(),
                    name: "No team".to_owned(),
                    href: String::new(),
                }
            } else {
                team_link(&t.team)
            },
            median_days_to_close: t
                .figures
                .median_days_to_close
                .map_or_else(|| "-".to_owned(), |d| format!("{d}")),
            share_all_closed: t.figures.share_text(),
            figures: t.figures.clone(),
        })
        .collect();
    let names: Vec<(String, &FollowThrough)> = teams
        .iter()
        .map(|t| (t.team.name.clone(), &t.figures))
        .collect();
    let follow_through = charts::follow_through(
        "ft",
        &names
            .iter()
            .map(|(n, f)| (n.as_str(), *f))
            .collect::<Vec<_>>(),
        Size::Large,
    );
    teams.push(TeamRow {
        team: Link {
            id: "all".to_owned(),
            name: "All teams".to_owned(),
            href: String::new(),
        },
        median_days_to_close: all
            .follow_through
            .median_days_to_close
            .map_or_else(|| "-".to_owned(), |d| format!("{d}")),
        share_all_closed: all.follow_through.share_text(),
        figures: all.follow_through.clone(),
    });
    let top: Vec<(&str, usize)> = all
        .by_trigger
        .iter()
        .take(TRIGGERS)
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    let (per_month, months) = month_chart("pm", docs, config, today, MONTHS, Size::Large);
    StatsPage {
        documents: docs.len(),
        months,
        charts: StatsCharts {
            per_month,
            resolve: resolve_chart("ttr", docs, config, Size::Large),
            triggers: charts::bars("tr", "Top triggers", &top),
            follow_through,
        },
        durations: DurationRow::all(&all),
        severities,
        triggers: all.by_trigger,
        detection: all.by_detection,
        teams,
    }
}

/// The small charts of a team's page, over its postmortems `docs` and `follow`, the
/// follow-through of the actions it owns.
pub fn team_charts(
    docs: &[&Postmortem],
    follow: &FollowThrough,
    config: &Config,
    today: NaiveDate,
) -> TeamCharts {
    let figures = Figures::of(docs, config, today);
    TeamCharts {
        per_month: month_chart("pm", docs, config, today, TEAM_MONTHS, Size::Small).0,
        resolve: resolve_chart("ttr", docs, config, Size::Small),
        follow_through: charts::follow_through("ft", &[("Its actions", follow)], Size::Small),
        durations: DurationRow::all(&figures),
    }
}
