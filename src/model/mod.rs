//! The document model: a postmortem's front matter as plain data, and its parser.
//!
//! Everything here is pure: text in, values and diagnostics out. Reading files is the
//! archive's job; checking documents against `pm.yaml` and each other is `check`'s.

pub mod edit;
mod free;
mod parse;
pub mod split;
pub mod time;
pub mod yaml;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::diagnostic::Pos;
use yaml::keyword_enum;

pub use free::{FreeMap, FreeValue};
pub use parse::{Parsed, is_valid_id, parse};

keyword_enum! {
    /// Where a postmortem is in its life.
    Status {
        /// Being written.
        Draft => "draft",
        /// Written, waiting for review.
        InReview => "in-review",
        /// Reviewed and final.
        Published => "published",
    }
}

keyword_enum! {
    /// Who may read a postmortem. Absent means internal: publishing is opt-in.
    Visibility {
        /// May appear in a `--public` build once published.
        Public => "public",
        /// Never leaves the company.
        Internal => "internal",
    }
}

keyword_enum! {
    /// What sort of event a postmortem is about.
    Kind {
        /// Something broke and people noticed.
        Incident => "incident",
        /// Something almost broke.
        NearMiss => "near-miss",
        /// A security event.
        Security => "security",
    }
}

keyword_enum! {
    /// How the incident was noticed.
    Detection {
        /// Monitoring paged someone.
        Alert => "alert",
        /// A customer told us.
        Customer => "customer",
        /// Someone in the company noticed.
        Internal => "internal",
        /// Anything else.
        Other => "other",
    }
}

keyword_enum! {
    /// What a follow-up action does.
    ActionType {
        /// Stops it from happening again.
        Prevent => "prevent",
        /// Notices it sooner.
        Detect => "detect",
        /// Makes it hurt less or end sooner.
        Mitigate => "mitigate",
        /// Changes how people work.
        Process => "process",
    }
}

keyword_enum! {
    /// Where a follow-up action stands.
    ActionStatus {
        /// Not started.
        Open => "open",
        /// Being worked on.
        InProgress => "in-progress",
        /// Finished.
        Done => "done",
        /// Decided against, with a reason in the ticket or document.
        WontDo => "wont-do",
    }
}

keyword_enum! {
    /// How urgent a follow-up action is.
    Priority {
        /// Drop everything.
        P0 => "P0",
        /// This sprint.
        P1 => "P1",
        /// This quarter.
        P2 => "P2",
        /// When there is time.
        P3 => "P3",
    }
}

impl ActionStatus {
    /// Whether work on the action is still expected.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// A link from a postmortem to something else: a chat channel, a dashboard, a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// What the link is.
    pub title: String,
    /// Where it goes.
    pub url: String,
}

/// A follow-up action promised by a postmortem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    /// A stable id of the action's own; without one it is `<doc id>#<n>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What will be done.
    pub title: String,
    /// What the action does.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ActionType>,
    /// Who does it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The owning team; without one, the document's first team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// How urgent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// When it is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// Where it stands.
    pub status: ActionStatus,
    /// The day it was done or dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<NaiveDate>,
    /// A link to the ticket tracking it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

impl ActionItem {
    /// Whether the action is still open and its due date lies before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due.is_some_and(|due| due < today)
    }

    /// The day it was done or dropped; none while it is open, even when a `closed` date was
    /// left from before it was reopened.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        self.closed.filter(|_| !self.status.is_open())
    }
}

/// The metadata of a postmortem, in the order it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontMatter {
    /// `YYYY-MM-DD-slug`, equal to the file name without `.md`.
    pub id: String,
    /// One line saying what happened.
    pub title: String,
    /// Where the document is in its life.
    pub status: Status,
    /// Who may read it.
    pub visibility: Visibility,
    /// One of the severities in `pm.yaml`.
    pub severity: String,
    /// Incident, near miss or security event.
    pub kind: Kind,
    /// Owning teams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// Services involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Free keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Who led the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_commander: Option<String>,
    /// One paragraph: what happened, who was affected, how it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When impact began.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<FixedOffset>>,
    /// When someone noticed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_at: Option<DateTime<FixedOffset>>,
    /// When impact stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mitigated_at: Option<DateTime<FixedOffset>>,
    /// When the incident was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// What set it off, as a free word (`deploy`, `config-change`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// How it was noticed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detection: Option<Detection>,
    /// Related links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Ids of related postmortems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Follow-up actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_items: Vec<ActionItem>,
    /// What `pm import` kept of a source: its path (`source`) and the fields it could not map,
    /// as written. Any mapping; `pm` reads nothing else from it.
    #[serde(default, skip_serializing_if = "FreeMap::is_empty")]
    pub imported: FreeMap,
}

impl FrontMatter {
    /// Time from impact to detection.
    pub fn time_to_detect(&self) -> Option<TimeDelta> {
        Some(self.detected_at? - self.started_at?)
    }

    /// Time from impact to mitigation.
    pub fn time_to_mitigate(&self) -> Option<TimeDelta> {
        Some(self.mitigated_at? - self.started_at?)
    }

    /// Time from impact to resolution.
    pub fn time_to_resolve(&self) -> Option<TimeDelta> {
        Some(self.resolved_at? - self.started_at?)
    }

    /// The date in the id, `YYYY-MM-DD`.
    pub fn id_date(&self) -> Option<NaiveDate> {
        self.id.get(..10)?.parse().ok()
    }
}

/// Longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 10_000;

/// What is wrong with `title` as the one line of text a title must be, if anything:
/// "is empty", "spans more than one line", "contains control characters", "is longer than…".
pub fn title_problem(title: &str) -> Option<String> {
    if title.trim().is_empty() {
        Some("is empty".to_owned())
    } else if title.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
        Some("spans more than one line".to_owned())
    } else if title.chars().any(char::is_control) {
        Some("contains control characters".to_owned())
    } else if title.chars().count() > MAX_TITLE_CHARS {
        Some(format!("is longer than {MAX_TITLE_CHARS} characters"))
    } else {
        None
    }
}

/// Where each front-matter value was written, by path: `teams`, `teams.1`,
/// `action_items.0.owner`. Lets checks point at the exact line of a value. Kept as a tree
/// shaped like the front matter, made from the parsed YAML without copying its keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Positions {
    pos: Pos,
    inner: Inner,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Inner {
    #[default]
    Leaf,
    Seq(Vec<Positions>),
    Map(Vec<(String, Positions)>),
}

impl Positions {
    /// The positions of a parsed front matter.
    pub fn of(node: yaml::Node) -> Positions {
        let inner = match node.value {
            yaml::Value::Seq(items) => Inner::Seq(items.into_iter().map(Positions::of).collect()),
            yaml::Value::Map(entries) => Inner::Map(
                entries
                    .into_iter()
                    .map(|entry| (entry.key, Positions::of(entry.value)))
                    .collect(),
            ),
            yaml::Value::Null | yaml::Value::Scalar(_) => Inner::Leaf,
        };
        Positions {
            pos: node.pos,
            inner,
        }
    }

    /// Where `path` was written, or its nearest recorded parent (`a.1.b`, `a.1`, `a`), or line 1.
    pub fn at(&self, path: &str) -> Pos {
        let mut node = self;
        let mut found = Pos::START;
        for part in path.split('.') {
            let child = match &node.inner {
                Inner::Map(entries) => entries.iter().find(|(key, _)| key == part).map(|e| &e.1),
                Inner::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                Inner::Leaf => None,
            };
            let Some(child) = child else {
                break;
            };
            node = child;
            found = child.pos;
        }
        found
    }
}

/// A postmortem read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postmortem {
    /// The file, relative to the archive root.
    pub path: PathBuf,
    /// Its metadata.
    pub front: FrontMatter,
    /// The Markdown after the front matter, byte for byte.
    pub body: String,
    /// The file line the body starts on.
    pub body_line: usize,
    /// The incident's date: the day impact began in the archive's timezone, else the id's date.
    pub date: NaiveDate,
    /// Where each front-matter value was written.
    pub positions: Positions,
    /// A stable hash of the text it was read from: the same text, the same document (what
    /// `pm build` goes by to keep pages that did not change).
    pub hash: u64,
}

impl Postmortem {
    /// The document's id.
    pub fn id(&self) -> &str {
        &self.front.id
    }

    /// The identity of its `n`-th action item (0-based): its own id, else `<doc id>#<n+1>`.
    pub fn action_id(&self, index: usize) -> String {
        self.front.action_items[index]
            .id
            .clone()
            .unwrap_or_else(|| format!("{}#{}", self.front.id, index + 1))
    }

    /// Whether it may appear in a public edition: public and published. Everything else is
    /// internal by default.
    pub fn is_public(&self) -> bool {
        self.front.visibility == Visibility::Public && self.front.status == Status::Published
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_fall_back_to_the_nearest_parent() {
        let yaml = "id: x\naction_items:\n  - title: a\n  - title: b\n    owner: c\n";
        let positions = Positions::of(yaml::parse(yaml, 10).unwrap());
        assert_eq!(
            positions.at("id"),
            Pos {
                line: 10,
                column: 5
            }
        );
        assert_eq!(positions.at("action_items.1.owner").line, 14);
        assert_eq!(positions.at("action_items.1.due").line, 13);
        assert_eq!(positions.at("action_items.3").line, 12);
        assert_eq!(positions.at("teams"), Pos::START);
    }

    #[test]
    fn keywords_suggest_the_value_meant() {
        let err = "publshed".parse::<Status>().unwrap_err();
        assert_eq!(err.message, "`publshed` is not a valid status");
        assert!(err.hint.unwrap().starts_with("did you mean `published`?"));
        assert_eq!(
            "wont-do".parse::<ActionStatus>().unwrap(),
            ActionStatus::WontDo
        );
    }
}
