//! Serializable views of the model: what JSON output (and later, templates) see.
//!
//! Field names here are a public interface (`pm list --format json`), documented in README;
//! change them only with a changelog entry.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use serde::Serialize;

use crate::actions::Action;
use crate::model::{
    ActionStatus, ActionType, Detection, Kind, Postmortem, Priority, Status, Visibility,
};

/// One postmortem's metadata, with derived figures.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentView<'a> {
    /// The id.
    pub id: &'a str,
    /// The title.
    pub title: &'a str,
    /// The file, relative to the archive root, with `/` separators.
    pub path: String,
    /// The incident date.
    pub date: NaiveDate,
    /// Draft, in review or published.
    pub status: Status,
    /// Public or internal.
    pub visibility: Visibility,
    /// The severity id.
    pub severity: &'a str,
    /// Incident, near miss or security.
    pub kind: Kind,
    /// Owning teams.
    pub teams: &'a [String],
    /// Services involved.
    pub services: &'a [String],
    /// Tags.
    pub tags: &'a [String],
    /// Authors.
    pub authors: &'a [String],
    /// Who led the response.
    pub incident_commander: Option<&'a str>,
    /// The summary paragraph.
    pub summary: Option<&'a str>,
    /// When impact began.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// When it was noticed.
    pub detected_at: Option<DateTime<FixedOffset>>,
    /// When impact stopped.
    pub mitigated_at: Option<DateTime<FixedOffset>>,
    /// When it was closed.
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// Minutes from impact to detection.
    pub time_to_detect_minutes: Option<i64>,
    /// Minutes from impact to mitigation.
    pub time_to_mitigate_minutes: Option<i64>,
    /// Minutes from impact to resolution.
    pub time_to_resolve_minutes: Option<i64>,
    /// What set it off.
    pub trigger: Option<&'a str>,
    /// How it was noticed.
    pub detection: Option<Detection>,
    /// Ids of related postmortems.
    pub related: Vec<&'a str>,
    /// Counts of follow-up actions.
    pub actions: ActionCounts,
}

/// How many follow-up actions a postmortem has, and in which state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionCounts {
    /// All of them.
    pub total: usize,
    /// Open or in progress.
    pub open: usize,
    /// Open or in progress and past due.
    pub overdue: usize,
}

impl<'a> DocumentView<'a> {
    /// The view of `doc`, with overdue counted as of `today`.
    pub fn new(doc: &'a Postmortem, today: NaiveDate) -> Self {
        let f = &doc.front;
        let items = &f.action_items;
        let minutes = |delta: Option<TimeDelta>| delta.map(|d| d.num_minutes());
        DocumentView {
            id: &f.id,
            title: &f.title,
            path: doc.path.to_string_lossy().replace('\\', "/"),
            date: doc.date,
            status: f.status,
            visibility: f.visibility,
            severity: &f.severity,
            kind: f.kind,
            teams: &f.teams,
            services: &f.services,
            tags: &f.tags,
            authors: &f.authors,
            incident_commander: f.incident_commander.as_deref(),
            // A folded `summary: >` ends in a line break that is YAML's, not the writer's.
            summary: f.summary.as_deref().map(str::trim_end),
            started_at: f.started_at,
            detected_at: f.detected_at,
            mitigated_at: f.mitigated_at,
            resolved_at: f.resolved_at,
            time_to_detect_minutes: minutes(f.time_to_detect()),
            time_to_mitigate_minutes: minutes(f.time_to_mitigate()),
            time_to_resolve_minutes: minutes(f.time_to_resolve()),
            trigger: f.trigger.as_deref(),
            detection: f.detection,
            related: f.related.iter().map(String::as_str).collect(),
            actions: ActionCounts {
                total: items.len(),
                open: items.iter().filter(|i| i.status.is_open()).count(),
                overdue: items.iter().filter(|i| i.is_overdue(today)).count(),
            },
        }
    }
}

/// One follow-up action with the postmortem it came from (`pm actions --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct ActionRow<'a> {
    /// Its own id, else `<doc id>#<n>`.
    pub id: String,
    /// What will be done.
    pub title: &'a str,
    /// Prevent, detect, mitigate or process.
    #[serde(rename = "type")]
    pub kind: Option<ActionType>,
    /// Who does it.
    pub owner: Option<&'a str>,
    /// The owning team: the item's, else the postmortem's first team.
    pub team: Option<&'a str>,
    /// `P0`…`P3`.
    pub priority: Option<Priority>,
    /// When it is due.
    pub due: Option<NaiveDate>,
    /// Open, in progress, done or won't do.
    pub status: ActionStatus,
    /// Open and past due.
    pub overdue: bool,
    /// Days past due, when overdue.
    pub days_overdue: Option<i64>,
    /// The day it was done or dropped.
    pub closed: Option<NaiveDate>,
    /// The ticket tracking it.
    pub ticket: Option<&'a str>,
    /// The postmortem's id.
    pub doc_id: &'a str,
    /// The postmortem's title.
    pub doc_title: &'a str,
    /// The postmortem's incident date.
    pub doc_date: NaiveDate,
    /// The postmortem's file, relative to the archive root, with `/` separators.
    pub doc_path: String,
}

impl<'a> ActionRow<'a> {
    /// The row of `action`, with overdue as of `today`.
    pub fn new(action: &Action<'a>, today: NaiveDate) -> Self {
        let item = action.item;
        let doc = action.doc;
        let overdue = action.is_overdue(today);
        ActionRow {
            id: action.id(),
            title: &item.title,
            kind: item.kind,
            owner: item.owner.as_deref(),
            team: action.team(),
            priority: item.priority,
            due: item.due,
            status: item.status,
            overdue,
            days_overdue: item
                .due
                .filter(|_| overdue)
                .map(|due| (today - due).num_days()),
            closed: item.closed_on(),
            ticket: item.ticket.as_deref(),
            doc_id: doc.id(),
            doc_title: &doc.front.title,
            doc_date: doc.date,
            doc_path: doc.path.to_string_lossy().replace('\\', "/"),
        }
    }
}
