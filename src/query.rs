//! Selecting postmortems: the filters shared by `pm list` and later queries.
//!
//! Values of one filter are alternatives (`--team a --team b`: either team); different filters
//! must all hold.

use chrono::NaiveDate;

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

    /// The documents that pass, newest first (ties by id).
    pub fn select<'a>(&self, documents: &'a [Postmortem]) -> Vec<&'a Postmortem> {
        let mut selected: Vec<&Postmortem> = documents.iter().filter(|d| self.matches(d)).collect();
        selected.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id().cmp(b.id())));
        selected
    }
}

fn any_of(wanted: &[String], have: &[String]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
}
