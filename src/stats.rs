//! Figures over a set of postmortems: counts, durations as distributions, and follow-through
//! of their actions. `pm stats` prints them and the site's stats page draws them.
//!
//! Durations are heavy-tailed (most incidents end in an hour, a few take days), so they are
//! given as count, median, 90th percentile and maximum, never as a mean. Percentiles
//! interpolate linearly between the two nearest values (`NumPy`'s default, spreadsheets'
//! `PERCENTILE.INC`): with the values sorted as `v[0..n]`, percentile `p` is at position
//! `h = (n − 1)·p/100`, and is `v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋])`. The median of an
//! even count is therefore the mean of the middle two.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::actions::{self, Action};
use crate::archive::Config;
use crate::model::{ActionStatus, Detection, Kind, Postmortem};

/// Minutes as people read a duration: `42 min`, `3 h 05 min`, from two days on `2 d 04 h`.
#[allow(clippy::cast_possible_truncation)]
pub fn human_minutes(minutes: f64) -> String {
    let m = minutes.round() as i64;
    let sign = if m < 0 { "-" } else { "" };
    let m = m.unsigned_abs();
    if m < 60 {
        format!("{sign}{m} min")
    } else if m < 48 * 60 {
        format!("{sign}{} h {:02} min", m / 60, m % 60)
    } else {
        format!("{sign}{} d {:02} h", m / (24 * 60), m % (24 * 60) / 60)
    }
}

/// A distribution of durations, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// How many postmortems have the duration.
    pub count: usize,
    /// The shortest.
    pub min: Option<i64>,
    /// The median.
    pub median: Option<f64>,
    /// The 90th percentile.
    pub p90: Option<f64>,
    /// The longest.
    pub max: Option<i64>,
}

impl Distribution {
    /// The distribution of `values`.
    pub fn of(mut values: Vec<i64>) -> Self {
        values.sort_unstable();
        Distribution {
            count: values.len(),
            min: values.first().copied(),
            median: percentile(&values, 50.0),
            p90: percentile(&values, 90.0),
            max: values.last().copied(),
        }
    }
}

/// Percentile `p` (0–100) of `sorted` by linear interpolation between the nearest values; `None`
/// when there are none.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 100.0) / 100.0;
    let below = h.floor() as usize;
    let above = (below + 1).min(last);
    let (low, high) = (sorted[below] as f64, sorted[above] as f64);
    Some(low + (h - h.floor()) * (high - low))
}

/// How a set of postmortems' follow-up actions are going.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FollowThrough {
    /// Action items promised.
    pub actions: usize,
    /// Done.
    pub done: usize,
    /// Decided against.
    pub wont_do: usize,
    /// Open or in progress.
    pub open: usize,
    /// Open and past due.
    pub overdue: usize,
    /// Median days from the incident to closing, over done and dropped actions that say when.
    pub median_days_to_close: Option<f64>,
    /// Postmortems with at least one action item.
    pub postmortems_with_actions: usize,
    /// Those whose actions are all closed (done or won't do).
    pub postmortems_all_closed: usize,
    /// `postmortems_all_closed / postmortems_with_actions`, 0–1; none without actions.
    pub share_all_closed: Option<f64>,
}

impl FollowThrough {
    /// `share_all_closed` as people read it: `40%`, or `-` without actions.
    pub fn share_text(&self) -> String {
        self.share_all_closed
            .map_or_else(|| "-".to_owned(), |s| format!("{:.0}%", s * 100.0))
    }

    /// The follow-through of `actions` on `today`.
    pub fn of(actions: &[Action<'_>], today: NaiveDate) -> Self {
        let mut f = FollowThrough {
            actions: actions.len(),
            ..FollowThrough::default()
        };
        let mut days = Vec::new();
        let mut per_doc: BTreeMap<&str, bool> = BTreeMap::new();
        for action in actions {
            match action.item.status {
                ActionStatus::Done => f.done += 1,
                ActionStatus::WontDo => f.wont_do += 1,
                ActionStatus::Open | ActionStatus::InProgress => f.open += 1,
            }
            f.overdue += usize::from(action.is_overdue(today));
            days.extend(action.days_to_close());
            let all_closed = per_doc.entry(action.doc.id()).or_insert(true);
            *all_closed &= !action.item.status.is_open();
        }
        days.sort_unstable();
        f.median_days_to_close = percentile(&days, 50.0);
        f.postmortems_with_actions = per_doc.len();
        f.postmortems_all_closed = per_doc.values().filter(|closed| **closed).count();
        #[allow(clippy::cast_precision_loss)]
        {
            f.share_all_closed = (f.postmortems_with_actions > 0)
                .then(|| f.postmortems_all_closed as f64 / f.postmortems_with_actions as f64);
        }
        f
    }
}

/// A value and how many postmortems have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The value (`SEV1`, `deploy`, `alert`; `none` where a postmortem gives none).
    pub value: String,
    /// How many.
    pub count: usize,
}

/// The figures of a set of postmortems.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// How many postmortems.
    pub postmortems: usize,
    /// By severity, in `pm.yaml`'s order (every severity, zeros included).
    pub by_severity: Vec<Count>,
    /// By kind (every kind).
    pub by_kind: Vec<Count>,
    /// By trigger, most frequent first.
    pub by_trigger: Vec<Count>,
    /// By detection method, most frequent first.
    pub by_detection: Vec<Count>,
    /// Minutes from impact to detection.
    pub time_to_detect: Distribution,
    /// Minutes from impact to mitigation.
    pub time_to_mitigate: Distribution,
    /// Minutes from impact to resolution.
    pub time_to_resolve: Distribution,
    /// Their follow-up actions.
    pub follow_through: FollowThrough,
}

impl Figures {
    /// The figures of `docs`, with overdue as of `today`.
    pub fn of(docs: &[&Postmortem], config: &Config, today: NaiveDate) -> Self {
        let minutes = |f: fn(&Postmortem) -> Option<chrono::TimeDelta>| {
            Distribution::of(
                docs.iter()
                    .filter_map(|d| f(d))
                    .map(|t| t.num_minutes())
                    .collect(),
            )
        };
        let mut severities: Vec<Count> = config
            .severities
            .iter()
            .map(|s| Count {
                value: s.id.clone(),
                count: docs.iter().filter(|d| d.front.severity == s.id).count(),
            })
            .collect();
        // A severity pm.yaml does not define still counts, after the defined ones.
        severities.extend(ranked(
            docs.iter()
                .filter(|d| config.severity(&d.front.severity).is_none())
                .map(|d| Some(d.front.severity.as_str())),
        ));
        Figures {
            postmortems: docs.len(),
            by_severity: severities,
            by_kind: Kind::ALL
                .iter()
                .map(|k| Count {
                    value: k.to_string(),
                    count: docs.iter().filter(|d| d.front.kind == *k).count(),
                })
                .collect(),
            by_trigger: ranked(docs.iter().map(|d| d.front.trigger.as_deref())),
            by_detection: ranked(
                docs.iter()
                    .map(|d| d.front.detection.map(Detection::as_str)),
            ),
            time_to_detect: minutes(|d| d.front.time_to_detect()),
            time_to_mitigate: minutes(|d| d.front.time_to_mitigate()),
            time_to_resolve: minutes(|d| d.front.time_to_resolve()),
            follow_through: FollowThrough::of(&actions::all(docs.iter().copied()), today),
        }
    }
}

/// Counts of `values`, most frequent first, then by value; a missing value counts as `none`.
fn ranked<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<Count> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value.unwrap_or("none")).or_default() += 1;
    }
    let mut counts: Vec<Count> = counts
        .into_iter()
        .map(|(value, count)| Count {
            value: value.to_owned(),
            count,
        })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts
}

/// What figures can be broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Each owning team (a postmortem of two teams counts for both).
    Team,
    /// Each service involved.
    Service,
    /// Severity.
    Severity,
    /// Quarter of the incident date: `2026-Q1`.
    Quarter,
    /// Month of the incident date: `2026-03`.
    Month,
}

impl By {
    /// Its name: `team`, `service`, `severity`, `quarter`, `month`.
    pub fn name(self) -> &'static str {
        match self {
            By::Team => "team",
            By::Service => "service",
            By::Severity => "severity",
            By::Quarter => "quarter",
            By::Month => "month",
        }
    }
}

/// One group of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The team, service or severity id, or the period (`2026-Q1`, `2026-03`); `none` for
    /// postmortems without a team or service.
    pub key: String,
    /// Its figures.
    pub figures: Figures,
}

/// The groups of `docs` by `by`: teams and services in `pm.yaml`'s order then others by name,
/// severities in `pm.yaml`'s order, periods in time order. Empty groups are left out.
pub fn breakdown(docs: &[&Postmortem], by: By, config: &Config, today: NaiveDate) -> Vec<Group> {
    let keys_of = |d: &Postmortem| -> Vec<String> {
        let or_none = |ids: &[String]| {
            if ids.is_empty() {
                vec!["none".to_owned()]
            } else {
                ids.to_vec()
            }
        };
        match by {
            By::Team => or_none(&d.front.teams),
            By::Service => or_none(&d.front.services),
            By::Severity => vec![d.front.severity.clone()],
            By::Quarter => vec![format!("{}-Q{}", d.date.year(), d.date.month0() / 3 + 1)],
            By::Month => vec![d.date.format("%Y-%m").to_string()],
        }
    };
    let mut groups: BTreeMap<String, Vec<&Postmortem>> = BTreeMap::new();
    for doc in docs {
        for key in keys_of(doc) {
            groups.entry(key).or_default().push(doc);
        }
    }
    let configured: Vec<&str> = match by {
        By::Team => config.teams.iter().map(|t| t.id.as_str()).collect(),
        By::Service => config.services.iter().map(|s| s.id.as_str()).collect(),
        By::Severity => config.severities.iter().map(|s| s.id.as_str()).collect(),
        By::Quarter | By::Month => Vec::new(),
    };
    let mut groups: Vec<(String, Vec<&Postmortem>)> = groups.into_iter().collect();
    // Configured ones first in their order; the rest (and every period) by key; `none` last.
    groups.sort_by_key(|(key, _)| {
        (
            key == "none",
            configured
                .iter()
                .position(|c| c == key)
                .unwrap_or(usize::MAX),
            key.clone(),
        )
    });
    groups
        .into_iter()
        .map(|(key, docs)| Group {
            figures: Figures::of(&docs, config, today),
            key,
        })
        .collect()
}

/// Follow-through of one team's actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamFollowThrough {
    /// The team id; `none` for actions of postmortems without a team.
    pub team: String,
    /// Its actions' follow-through (postmortem shares: postmortems with actions of this team).
    #[serde(flatten)]
    pub figures: FollowThrough,
}

/// Follow-through per team, by each action's team (its own, else its postmortem's first):
/// teams in `pm.yaml`'s order, then others by name, `none` last.
pub fn follow_through_by_team(
    docs: &[&Postmortem],
    config: &Config,
    today: NaiveDate,
) -> Vec<TeamFollowThrough> {
    let mut teams: BTreeMap<&str, Vec<Action<'_>>> = BTreeMap::new();
    for action in actions::all(docs.iter().copied()) {
        teams
            .entry(action.team().unwrap_or("none"))
            .or_default()
            .push(action);
    }
    let mut teams: Vec<(&str, Vec<Action<'_>>)> = teams.into_iter().collect();
    teams.sort_by_key(|(team, _)| {
        (
            *team == "none",
            config
                .teams
                .iter()
                .position(|t| t.id == *team)
                .unwrap_or(usize::MAX),
            team.to_string(),
        )
    });
    teams
        .into_iter()
        .map(|(team, actions)| TeamFollowThrough {
            team: team.to_owned(),
            figures: FollowThrough::of(&actions, today),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_the_nearest_values() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 90.0), Some(7.0));
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), Some(2.5));
        assert_eq!(percentile(&[1, 2, 3], 50.0), Some(2.0));
        // h = 9 · 0.9 = 8.1: v[8] + 0.1 · (v[9] − v[8]) = 9 + 0.1 · 91.
        let values: Vec<i64> = (1..=9).chain([100]).collect();
        let p90 = percentile(&values, 90.0).unwrap();
        assert!((p90 - 18.1).abs() < 1e-9, "{p90}");
        assert_eq!(percentile(&values, 100.0), Some(100.0));
        assert_eq!(percentile(&values, 0.0), Some(1.0));
    }

    #[test]
    fn durations_read_as_minutes_hours_or_days() {
        assert_eq!(human_minutes(42.4), "42 min");
        assert_eq!(human_minutes(185.0), "3 h 05 min");
        assert_eq!(human_minutes(2669.0), "44 h 29 min");
        assert_eq!(human_minutes(3778.0), "2 d 14 h");
        assert_eq!(human_minutes(-90.0), "-1 h 30 min");
    }

    #[test]
    fn a_distribution_has_its_extremes() {
        let d = Distribution::of(vec![30, 10, 20]);
        assert_eq!(
            (d.count, d.min, d.median, d.max),
            (3, Some(10), Some(20.0), Some(30))
        );
        assert_eq!(Distribution::of(Vec::new()).median, None);
    }
}
