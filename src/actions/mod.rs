//! Follow-up actions across the archive: every action item with the postmortem it came from,
//! the filters of `pm actions`, the lookup of one action by its id, and an iCalendar export.

mod ics;

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

pub use ics::calendar;

use crate::archive::Config;
use crate::diagnostic::suggestion;
use crate::model::{ActionItem, ActionStatus, ActionType, Postmortem, Priority};
use crate::query::Defined;

/// One action item and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Action<'a> {
    /// The postmortem that promised it.
    pub doc: &'a Postmortem,
    /// Its position among the document's action items (0-based).
    pub index: usize,
    /// The item.
    pub item: &'a ActionItem,
}

impl<'a> Action<'a> {
    /// Its identity: its own `id`, else `<doc id>#<n>`.
    pub fn id(&self) -> String {
        self.doc.action_id(self.index)
    }

    /// The owning team: the item's, else the document's first team.
    pub fn team(&self) -> Option<&'a str> {
        self.item
            .team
            .as_deref()
            .or(self.doc.front.teams.first().map(String::as_str))
    }

    /// Whether it is open (or in progress) and past due on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.item.is_overdue(today)
    }

    /// Days from the incident to the day the action was closed, when it is done and says when.
    pub fn days_to_close(&self) -> Option<i64> {
        let closed = self.item.closed_on()?;
        Some((closed - self.doc.date).num_days())
    }
}

/// Every action item of `docs`, in document order.
pub fn all<'a>(docs: impl IntoIterator<Item = &'a Postmortem>) -> Vec<Action<'a>> {
    docs.into_iter()
        .flat_map(|doc| {
            doc.front
                .action_items
                .iter()
                .enumerate()
                .map(move |(index, item)| Action { doc, index, item })
        })
        .collect()
}

/// Which actions to keep. Values of one filter are alternatives; different filters must all
/// hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter {
    /// In any of these states.
    pub statuses: Vec<ActionStatus>,
    /// Owned by someone whose name contains any of these (ignoring case).
    pub owners: Vec<String>,
    /// Of any of these teams (the action's team, else its postmortem's first team).
    pub teams: Vec<String>,
    /// From postmortems involving any of these services.
    pub services: Vec<String>,
    /// Of any of these priorities.
    pub priorities: Vec<Priority>,
    /// Of any of these types.
    pub types: Vec<ActionType>,
    /// Only open actions past their due date.
    pub overdue: bool,
    /// Only open actions due within this many days of today (overdue ones included).
    pub due_within: Option<u64>,
    /// From postmortems of incidents on or after this date.
    pub since: Option<NaiveDate>,
    /// From postmortems of incidents on or before this date.
    pub until: Option<NaiveDate>,
}

impl ActionFilter {
    /// Whether `action` passes every filter on `today`.
    pub fn matches(&self, action: &Action<'_>, today: NaiveDate) -> bool {
        let item = action.item;
        let doc = action.doc;
        let owner = item.owner.as_deref().unwrap_or_default().to_lowercase();
        (self.statuses.is_empty() || self.statuses.contains(&item.status))
            && (self.owners.is_empty()
                || self
                    .owners
                    .iter()
                    .any(|o| owner.contains(&o.to_lowercase())))
            && (self.teams.is_empty()
                || action
                    .team()
                    .is_some_and(|t| self.teams.iter().any(|w| w == t)))
            && (self.services.is_empty()
                || self.services.iter().any(|s| doc.front.services.contains(s)))
            && (self.priorities.is_empty()
                || item.priority.is_some_and(|p| self.priorities.contains(&p)))
            && (self.types.is_empty() || item.kind.is_some_and(|k| self.types.contains(&k)))
            && (!self.overdue || action.is_overdue(today))
            && self.due_within.is_none_or(|days| {
                let by = today
                    .checked_add_days(Days::new(days))
                    .unwrap_or(NaiveDate::MAX);
                item.status.is_open() && item.due.is_some_and(|due| due <= by)
            })
            && self.since.is_none_or(|since| doc.date >= since)
            && self.until.is_none_or(|until| doc.date <= until)
    }

    /// A message for the first team or service that `config` does not define: a filter on it
    /// could only ever match nothing, which is almost always a typo.
    pub fn undefined_value(&self, config: &Config) -> Option<String> {
        crate::query::undefined_value(
            config,
            &[
                (Defined::Team, &self.teams),
                (Defined::Service, &self.services),
            ],
        )
    }

    /// The actions of `docs` that pass on `today`, by due date (none last), then priority
    /// (none last), then id.
    pub fn select<'a>(&self, docs: &'a [Postmortem], today: NaiveDate) -> Vec<Action<'a>> {
        let mut selected: Vec<Action<'a>> = all(docs)
            .into_iter()
            .filter(|a| self.matches(a, today))
            .collect();
        selected.sort_by_cached_key(|a| {
            (
                a.item.due.is_none(),
                a.item.due,
                a.item.priority.is_none(),
                a.item.priority,
                a.doc.date,
                a.id(),
            )
        });
        selected
    }
}

/// Overdue actions per owner: how many, and the earliest due date among them. Most overdue
/// first (then longest overdue, then by name); actions with no owner under `None`.
pub fn overdue_by_owner<'a>(
    actions: &[Action<'a>],
    today: NaiveDate,
) -> Vec<(Option<&'a str>, usize, NaiveDate)> {
    let mut owners: BTreeMap<(bool, Option<&'a str>), (usize, NaiveDate)> = BTreeMap::new();
    for action in actions.iter().filter(|a| a.is_overdue(today)) {
        let Some(due) = action.item.due else { continue };
        let owner = action.item.owner.as_deref();
        let entry = owners.entry((owner.is_none(), owner)).or_insert((0, due));
        entry.0 += 1;
        entry.1 = entry.1.min(due);
    }
    let mut owners: Vec<(Option<&'a str>, usize, NaiveDate)> = owners
        .into_iter()
        .map(|((_, owner), (count, due))| (owner, count, due))
        .collect();
    owners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.2.cmp(&b.2)));
    owners
}

/// Why an action id names no single action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// No action has this id.
    #[error("no action item has the id `{id}`{}", hint.as_ref().map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
    Unknown {
        /// The id asked for.
        id: String,
        /// What was probably meant, or how ids look.
        hint: Option<String>,
    },
    /// Several actions have this id.
    #[error("`{id}` names {count} action items: {}\n  hint: give each action item its own `id`, or name one by `<postmortem id>#<n>`", places.join(", "))]
    Ambiguous {
        /// The id asked for.
        id: String,
        /// How many match.
        count: usize,
        /// Where they are (`<doc id>#<n>`).
        places: Vec<String>,
    },
}

/// The one action `id` names in `docs`: by its own `id`, or by `<doc id>#<n>` (which names the
/// n-th item of that postmortem even when the item has an id of its own).
pub fn find<'a>(docs: &'a [Postmortem], id: &str) -> Result<Action<'a>, LookupError> {
    let actions = all(docs);
    let position = |a: &Action<'_>| format!("{}#{}", a.doc.id(), a.index + 1);
    let matching: Vec<&Action<'a>> = actions
        .iter()
        .filter(|a| a.item.id.as_deref() == Some(id) || position(a) == id)
        .collect();
    match matching.as_slice() {
        [one] => Ok(**one),
        [] => {
            // `<doc id>#<n>` past the last item: say how many there are.
            let of_doc = id.rsplit_once('#').and_then(|(doc, _)| {
                let items = docs
                    .iter()
                    .find(|d| d.id() == doc)?
                    .front
                    .action_items
                    .len();
                Some(match items {
                    0 => format!("`{doc}` has no action items"),
                    1 => format!("`{doc}` has one action item, `{doc}#1`"),
                    n => format!("`{doc}` has {n} action items, `{doc}#1` to `{doc}#{n}`"),
                })
            });
            let ids: Vec<String> = actions.iter().map(Action::id).collect();
            let hint = of_doc
                .or_else(|| suggestion(id, ids.iter().map(String::as_str)))
                .or_else(|| {
                    Some(
                        "an action item is named by its own `id`, or `<postmortem id>#<n>` \
                     (n = its position, from 1); `pm actions` lists them"
                            .to_owned(),
                    )
                });
            Err(LookupError::Unknown {
                id: id.to_owned(),
                hint,
            })
        }
        many => Err(LookupError::Ambiguous {
            id: id.to_owned(),
            count: many.len(),
            places: many.iter().map(|a| position(a)).collect(),
        }),
    }
}

/// The fields `pm actions set` may change, each `None` when left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// A new status; `done` and `wont-do` also record `closed` (today) when the item was open
    /// or closed without a date.
    pub status: Option<ActionStatus>,
    /// A new ticket.
    pub ticket: Option<String>,
    /// A new owner.
    pub owner: Option<String>,
    /// A new due date.
    pub due: Option<NaiveDate>,
    /// A new priority.
    pub priority: Option<Priority>,
    /// The day it was closed, instead of today.
    pub closed: Option<NaiveDate>,
}

/// One field `set` changed: its key, the value before (if any) and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The front-matter key.
    pub key: &'static str,
    /// The value it had.
    pub before: Option<String>,
    /// The value it has now.
    pub after: String,
}

/// The text of `doc`'s file with the `index`-th action item changed as `change` says, and what
/// changed (nothing when it already was so). `text` is the file as it is on disk now; every byte
/// outside the changed values is kept, and the result is read back to make sure that nothing but
/// those values changed.
pub fn edit(
    doc: &Postmortem,
    text: &str,
    index: usize,
    change: &Change,
    today: NaiveDate,
    tz: chrono_tz::Tz,
) -> crate::Result<(String, Vec<Changed>)> {
    use crate::error::Error;
    let shown = doc.path.display();
    let item = &doc.front.action_items[index];
    let mut expected = item.clone();
    let mut wanted: Vec<Changed> = Vec::new();
    let mut want = |key: &'static str, before: Option<String>, after: String| {
        if before.as_deref() != Some(after.as_str()) {
            wanted.push(Changed { key, before, after });
        }
    };
    if let Some(status) = change.status {
        want("status", Some(item.status.to_string()), status.to_string());
        expected.status = status;
        // Closing an open item records today, over a date left from an earlier close; one
        // closed already keeps its day.
        if !status.is_open() && item.closed_on().is_none() && change.closed.is_none() {
            want(
                "closed",
                item.closed.map(|d| d.to_string()),
                today.to_string(),
            );
            expected.closed = Some(today);
        }
    }
    if let Some(closed) = change.closed {
        want(
            "closed",
            item.closed.map(|d| d.to_string()),
            closed.to_string(),
        );
        expected.closed = Some(closed);
    }
    if let Some(ticket) = &change.ticket {
        want("ticket", item.ticket.clone(), ticket.clone());
        expected.ticket = Some(ticket.clone());
    }
    if let Some(owner) = &change.owner {
        want("owner", item.owner.clone(), owner.clone());
        expected.owner = Some(owner.clone());
    }
    if let Some(due) = change.due {
        want("due", item.due.map(|d| d.to_string()), due.to_string());
        expected.due = Some(due);
    }
    if let Some(priority) = change.priority {
        want(
            "priority",
            item.priority.map(|p| p.to_string()),
            priority.to_string(),
        );
        expected.priority = Some(priority);
    }
    let mut new_text = text.to_owned();
    for changed in &wanted {
        new_text =
            crate::model::edit::set_action_field(&new_text, index, changed.key, &changed.after)
                .map_err(|e| {
                    Error::Failed(format!(
                        "{shown}:{}: {}{}",
                        e.line,
                        e.message,
                        e.hint.map(|h| format!("\n  hint: {h}")).unwrap_or_default()
                    ))
                })?;
    }
    // Read the result back: the item must be what was asked, and everything else as it was.
    let reread = crate::model::parse(&doc.path, &new_text, tz);
    let mut expected_front = doc.front.clone();
    expected_front.action_items[index] = expected;
    let same = reread
        .document
        .as_ref()
        .is_some_and(|d| d.front == expected_front && d.body == doc.body);
    if !same {
        return Err(Error::Failed(format!(
            "{shown}: changing action item {} would have changed more than asked, so the file was left as it was\n  hint: make the change by hand, and please report this",
            index + 1
        )));
    }
    Ok((new_text, wanted))
}
