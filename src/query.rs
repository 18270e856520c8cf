//! Selecting postmortems: the filters shared by `pm list` and later queries.
//!
//! Values of one filter are alternatives (`--team a --team b`: either team); different filters
//! must all hold.

use chrono::NaiveDate;

use crate::archive::Config;
use crate::diagnostic::undefined_hint;
use crate::model::{Postmortem, Status};

/// Which postmortems to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Owned by any of these teams.
    pub teams: Vec<String>,
    /// Involving any of these services.
    pub services: Vec<String>,
    /// Of any of these severities.
    pub severities: Vec<String>,
    /// In any of these states.
    pub statuses: Vec<Status>,
    /// Tagged with any of these.
    pub tags: Vec<String>,
    /// On or after this date.
    pub since: Option<NaiveDate>,
    /// On or before this date.
    pub until: Option<NaiveDate>,
}

impl Filter {
    /// Whether `doc` passes every filter.
    pub fn matches(&self, doc: &Postmortem) -> bool {
        let f = &doc.front;
        any_of(&self.teams, &f.teams)
            && any_of(&self.services, &f.services)
            && any_of(&self.tags, &f.tags)
            && (self.severities.is_empty()
                || self
                    .severities
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&f.severity)))
            && (self.statuses.is_empty() || self.statuses.contains(&f.status))
            && self.since.is_none_or(|since| doc.date >= since)
            && self.until.is_none_or(|until| doc.date <= until)
    }

    /// A message for the first team, service or severity that `config` does not define:
    /// a filter on it could only ever match nothing, which is almost always a typo.
    pub fn undefined_value(&self, config: &Config) -> Option<String> {
        undefined_value(
            config,
            &[
                (Defined::Team, &self.teams),
                (Defined::Service, &self.services),
                (Defined::Severity, &self.severities),
            ],
        )
    }

    /// The documents that pass, newest first (ties by id).
    pub fn select<'a>(&self, documents: &'a [Postmortem]) -> Vec<&'a Postmortem> {
        let mut selected: Vec<&Postmortem> = documents.iter().filter(|d| self.matches(d)).collect();
        selected.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id().cmp(b.id())));
        selected
    }
}

/// What a filter value names in `pm.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defined {
    /// A team id.
    Team,
    /// A service id.
    Service,
    /// A severity id.
    Severity,
}

/// A message for the first of the `wanted` values that `config` does not define, with what
/// was probably meant.
pub fn undefined_value(config: &Config, wanted: &[(Defined, &Vec<String>)]) -> Option<String> {
    wanted.iter().find_map(|&(kind, values)| {
        let (what, defined): (&str, Vec<&str>) = match kind {
            Defined::Team => ("team", config.teams.iter().map(|t| t.id.as_str()).collect()),
            Defined::Service => (
                "service",
                config.services.iter().map(|s| s.id.as_str()).collect(),
            ),
            Defined::Severity => (
                "severity",
                config.severities.iter().map(|s| s.id.as_str()).collect(),
            ),
        };
        let unknown = values.iter().find(|w| !defined.contains(&w.as_str()))?;
        Some(format!(
            "`{unknown}` is not a {what} defined in pm.yaml\n  hint: {}",
            undefined_hint(what, unknown, &defined)
        ))
    })
}

fn any_of(wanted: &[String], have: &[String]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
}
