//! Which pages the site has and what each template sees: pure, from the archive alone.
//!
//! The view structs here are what templates receive; their field names are documented in
//! README ("Template variables") and change only with a changelog entry.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::archive::{Archive, Config};
use crate::markdown;
use crate::model::{ActionStatus, Postmortem, Status, Visibility};
use crate::views::DocumentView;

/// One page: where it goes, its template, and what the template sees.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The file, `/`-separated, inside the site.
    pub path: String,
    /// The template's file name in `templates/site/`.
    #[serde(skip)]
    pub template: &'static str,
    /// The variables.
    pub context: serde_json::Value,
}

/// Every page of a site.
#[derive(Debug, Clone)]
pub struct Site {
    /// The pages, in a fixed order.
    pub pages: Vec<Page>,
    /// How many postmortems the site shows.
    pub documents: usize,
}

/// What every page sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView<'a> {
    /// The archive's title.
    pub title: &'a str,
    /// Whether this is the public edition.
    pub public: bool,
    /// How many postmortems the site shows.
    pub documents: usize,
}

/// A team or service as a link.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its page's file name, relative to its folder (`teams/` or `services/`).
    pub page: String,
}

/// A postmortem as templates see it: the JSON view of `pm list` and links.
#[derive(Debug, Clone, Serialize)]
pub struct DocView<'a> {
    /// Everything `pm list --format json` shows.
    #[serde(flatten)]
    pub meta: DocumentView<'a>,
    /// Its page's file name in `postmortems/`.
    pub page: String,
    /// Position of its severity in `pm.yaml` (1 = most severe), for styling.
    pub severity_rank: usize,
    /// What its severity means.
    pub severity_description: Option<&'a str>,
    /// Its teams as links (replaces the ids of the JSON view).
    pub teams: Vec<Link>,
    /// Its services as links.
    pub services: Vec<Link>,
}

/// A follow-up action as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView<'a> {
    /// `<doc id>#<n>` or its own id.
    pub id: String,
    /// What will be done.
    pub title: &'a str,
    /// Who does it.
    pub owner: Option<&'a str>,
    /// The owning team (the document's first team when the action names none).
    pub team: Option<&'a str>,
    /// When it is due.
    pub due: Option<NaiveDate>,
    /// How urgent (`p1`…).
    pub priority: Option<String>,
    /// Where it stands.
    pub status: ActionStatus,
    /// Open and past due.
    pub overdue: bool,
    /// The ticket's URL, when it is a web link.
    pub ticket: Option<&'a str>,
    /// The postmortem it came from.
    pub doc_id: &'a str,
    /// That postmortem's page in `postmortems/`.
    pub doc_page: String,
}

/// A count of postmortems of one severity.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityCount<'a> {
    /// The severity id.
    pub severity: &'a str,
    /// Its rank (1 = most severe).
    pub rank: usize,
    /// How many.
    pub count: usize,
}

/// A team or service in an index page.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its page, relative to the index page.
    pub page: String,
    /// Its postmortems in the site.
    pub documents: usize,
    /// Its open follow-up actions.
    pub open_actions: usize,
    /// Those past due.
    pub overdue_actions: usize,
}

/// The columns of the action board, in order: key, label.
const BOARD: [(&str, &str); 5] = [
    ("overdue", "Overdue"),
    ("open", "Open"),
    ("in-progress", "In progress"),
    ("done", "Done"),
    ("wont-do", "Won't do"),
];

/// Postmortems on the home page.
const RECENT: usize = 20;
/// Overdue actions on the home page, longest overdue first; the board has them all.
const HOME_OVERDUE: usize = 10;

/// The pages of the site of `archive`; only public, published postmortems when `public`.
pub fn plan(archive: &Archive, public: bool, today: NaiveDate) -> Site {
    let config = &archive.config;
    let mut docs: Vec<&Postmortem> = archive
        .documents
        .iter()
        .filter(|d| !public || is_public(d))
        .collect();
    // Newest first; the path breaks ties, so the order never depends on the file system.
    docs.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.path.cmp(&b.path)));
    let mut views: Vec<DocView<'_>> = docs.iter().map(|d| doc_view(d, config, today)).collect();
    if public {
        // Related ids may name internal postmortems: templates get the published ones as
        // `related`, and no ids at all in `doc`.
        for view in &mut views {
            view.meta.related = &[];
        }
    }
    let actions: Vec<ActionView<'_>> = docs.iter().flat_map(|d| action_views(d, today)).collect();
    let site = SiteView {
        title: &config.title,
        public,
        documents: docs.len(),
    };
    let mut pages = Vec::new();
    let page = |path: String, template, root: &str, context: serde_json::Value| {
        let mut context = context;
        if let serde_json::Value::Object(map) = &mut context {
            map.insert("site".to_owned(), json(&site));
            map.insert("root".to_owned(), root.into());
        }
        Page {
            path,
            template,
            context,
        }
    };

    // Home.
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let open: Vec<&ActionView<'_>> = actions.iter().filter(|a| a.status.is_open()).collect();
    let mut overdue: Vec<&ActionView<'_>> = open.iter().copied().filter(|a| a.overdue).collect();
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
    pages.push(page(
        "index.html".to_owned(),
        "index.html",
        "",
        serde_json::json!({
            "docs": views.iter().take(RECENT).collect::<Vec<_>>(),
            "severity_counts": severity_counts(config, views.iter().filter(|v| v.meta.date > year_ago)),
            "open_actions": open.len(),
            "overdue_actions": overdue.len(),
            "overdue": overdue.iter().take(HOME_OVERDUE).collect::<Vec<_>>(),
        }),
    ));

    // A page per postmortem.
    let by_id: BTreeMap<&str, &DocView<'_>> = views.iter().map(|v| (v.meta.id, v)).collect();
    for (doc, view) in docs.iter().zip(&views) {
        let rendered = markdown::to_html(&doc.body, false);
        let related: Vec<serde_json::Value> = doc
            .front
            .related
            .iter()
            .filter_map(|id| by_id.get(id.as_str()))
            .map(|r| serde_json::json!({ "title": r.meta.title, "date": r.meta.date, "page": r.page }))
            .collect();
        let own: Vec<&ActionView<'_>> = actions
            .iter()
            .filter(|a| a.doc_id == view.meta.id)
            .collect();
        pages.push(page(
            format!("postmortems/{}", view.page),
            "postmortem.html",
            "../",
            serde_json::json!({
                "doc": view,
                "times": times(doc, config.timezone),
                "body": rendered.html,
                // A table of contents helps from four sections on.
                "toc": if rendered.headings.len() >= 4 { rendered.headings } else { Vec::new() },
                "actions": own,
                "related": related,
            }),
        ));
    }

    // Teams and services.
    let team_link = |id: &str| link(id, config.team(id).map(|t| t.name.as_str()));
    let service_link = |id: &str| link(id, config.service(id).map(|s| s.name.as_str()));
    let mut team_ids: BTreeSet<&str> = config.teams.iter().map(|t| t.id.as_str()).collect();
    team_ids.extend(
        docs.iter()
            .flat_map(|d| d.front.teams.iter().map(String::as_str)),
    );
    let mut team_rows = Vec::new();
    for id in team_ids {
        let team = team_link(id);
        let team_docs: Vec<&DocView<'_>> = views
            .iter()
            .filter(|v| v.teams.iter().any(|t| t.id == id))
            .collect();
        let team_open: Vec<&ActionView<'_>> = open
            .iter()
            .copied()
            .filter(|a| a.team == Some(id))
            .collect();
        let owned: Vec<Link> = config
            .services
            .iter()
            .filter(|s| s.owner.as_deref() == Some(id))
            .map(|s| service_link(&s.id))
            .collect();
        let row = group(&team, team_docs.len(), &team_open);
        pages.push(page(
            format!("teams/{}", team.page),
            "team.html",
            "../",
            serde_json::json!({
                "group": row,
                "owned": owned,
                "docs": team_docs,
                "actions": team_open,
                "severity_counts": severity_counts(config, team_docs.iter().copied()),
                "figures": {
                    "median_detect": median_minutes(team_docs.iter().map(|d| d.meta.time_to_detect_minutes)),
                    "median_resolve": median_minutes(team_docs.iter().map(|d| d.meta.time_to_resolve_minutes)),
                },
            }),
        ));
        team_rows.push(row);
    }
    pages.push(page(
        "teams/index.html".to_owned(),
        "teams.html",
        "../",
        serde_json::json!({ "groups": team_rows }),
    ));
    let mut service_ids: BTreeSet<&str> = config.services.iter().map(|s| s.id.as_str()).collect();
    service_ids.extend(
        docs.iter()
            .flat_map(|d| d.front.services.iter().map(String::as_str)),
    );
    let mut service_rows = Vec::new();
    for id in service_ids {
        let service = service_link(id);
        let service_docs: Vec<&DocView<'_>> = views
            .iter()
            .filter(|v| v.services.iter().any(|s| s.id == id))
            .collect();
        let ids: BTreeSet<&str> = service_docs.iter().map(|d| d.meta.id).collect();
        let service_open: Vec<&ActionView<'_>> = open
            .iter()
            .copied()
            .filter(|a| ids.contains(a.doc_id))
            .collect();
        let owner = config
            .service(id)
            .and_then(|s| s.owner.as_deref())
            .map(team_link);
        let row = group(&service, service_docs.len(), &service_open);
        pages.push(page(
            format!("services/{}", service.page),
            "service.html",
            "../",
            serde_json::json!({
                "group": row,
                "owner": owner,
                "docs": service_docs,
                "actions": service_open,
            }),
        ));
        service_rows.push(row);
    }
    pages.push(page(
        "services/index.html".to_owned(),
        "services.html",
        "../",
        serde_json::json!({ "groups": service_rows }),
    ));

    // The follow-up action board.
    pages.push(page(
        "actions/index.html".to_owned(),
        "board.html",
        "../",
        board(&actions),
    ));
    pages.push(page(
        "404.html".to_owned(),
        "404.html",
        "",
        serde_json::json!({}),
    ));
    Site {
        pages,
        documents: docs.len(),
    }
}

/// Whether a postmortem may appear in the public edition.
pub fn is_public(doc: &Postmortem) -> bool {
    doc.front.visibility == Visibility::Public && doc.front.status == Status::Published
}

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A file name for an id: ids of documents are already safe; team and service ids from
/// `pm.yaml` may hold anything, so other characters become `-`.
pub fn page_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    // `index.html` is the folder's own page.
    match safe {
        "" => "-.html".to_owned(),
        "index" => "index-.html".to_owned(),
        _ => format!("{safe}.html"),
    }
}

fn link(id: &str, name: Option<&str>) -> Link {
    Link {
        id: id.to_owned(),
        name: name.unwrap_or(id).to_owned(),
        page: page_name(id),
    }
}

fn doc_view<'a>(doc: &'a Postmortem, config: &'a Config, today: NaiveDate) -> DocView<'a> {
    let f = &doc.front;
    let rank = config
        .severities
        .iter()
        .position(|s| s.id == f.severity)
        .map_or(config.severities.len() + 1, |i| i + 1);
    DocView {
        meta: DocumentView::new(doc, today),
        page: page_name(&f.id),
        severity_rank: rank,
        severity_description: config.severity(&f.severity).map(|s| s.description.as_str()),
        teams: f
            .teams
            .iter()
            .map(|t| link(t, config.team(t).map(|t| t.name.as_str())))
            .collect(),
        services: f
            .services
            .iter()
            .map(|s| link(s, config.service(s).map(|s| s.name.as_str())))
            .collect(),
    }
}

fn action_views(doc: &Postmortem, today: NaiveDate) -> Vec<ActionView<'_>> {
    let f = &doc.front;
    f.action_items
        .iter()
        .enumerate()
        .map(|(i, item)| ActionView {
            id: doc.action_id(i),
            title: &item.title,
            owner: item.owner.as_deref(),
            team: item.team.as_deref().or(f.teams.first().map(String::as_str)),
            due: item.due,
            priority: item.priority.map(|p| p.as_str().to_owned()),
            status: item.status,
            overdue: item.is_overdue(today),
            // Only web links become links: a ticket is written by hand.
            ticket: item
                .ticket
                .as_deref()
                .filter(|t| t.starts_with("https://") || t.starts_with("http://")),
            doc_id: &f.id,
            doc_page: page_name(&f.id),
        })
        .collect()
}

fn severity_counts<'a, 'b: 'a>(
    config: &'a Config,
    docs: impl Iterator<Item = &'a DocView<'b>>,
) -> Vec<SeverityCount<'a>> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for doc in docs {
        *counts.entry(doc.meta.severity).or_default() += 1;
    }
    config
        .severities
        .iter()
        .enumerate()
        .map(|(i, s)| SeverityCount {
            severity: &s.id,
            rank: i + 1,
            count: counts.get(s.id.as_str()).copied().unwrap_or(0),
        })
        .collect()
}

fn group(link: &Link, documents: usize, open: &[&ActionView<'_>]) -> GroupView {
    GroupView {
        id: link.id.clone(),
        name: link.name.clone(),
        page: link.page.clone(),
        documents,
        open_actions: open.len(),
        overdue_actions: open.iter().filter(|a| a.overdue).count(),
    }
}

/// The median of the known durations, as text (`42 min`, `3 h 05 min`), or `n/a`.
fn median_minutes(values: impl Iterator<Item = Option<i64>>) -> String {
    let mut known: Vec<i64> = values.flatten().collect();
    if known.is_empty() {
        return "n/a".to_owned();
    }
    known.sort_unstable();
    let middle = known.len() / 2;
    let median = if known.len().is_multiple_of(2) {
        i64::midpoint(known[middle - 1], known[middle])
    } else {
        known[middle]
    };
    duration(median)
}

fn duration(minutes: i64) -> String {
    if minutes < 60 {
        format!("{minutes} min")
    } else {
        format!("{} h {:02} min", minutes / 60, minutes % 60)
    }
}

/// The times of the metadata panel, in the archive's timezone, and the derived durations.
fn times(doc: &Postmortem, tz: chrono_tz::Tz) -> Vec<serde_json::Value> {
    let f = &doc.front;
    let mut rows = Vec::new();
    for (label, at) in [
        ("Started", f.started_at),
        ("Detected", f.detected_at),
        ("Mitigated", f.mitigated_at),
        ("Resolved", f.resolved_at),
    ] {
        if let Some(at) = at {
            let local = at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string();
            rows.push(serde_json::json!({ "label": label, "value": local }));
        }
    }
    for (label, delta) in [
        ("Time to detect", f.time_to_detect()),
        ("Time to mitigate", f.time_to_mitigate()),
        ("Time to resolve", f.time_to_resolve()),
    ] {
        if let Some(delta) = delta {
            rows.push(
                serde_json::json!({ "label": label, "value": duration(delta.num_minutes()) }),
            );
        }
    }
    rows
}

/// The board: columns by status, in each the actions by team, then owner and due date;
/// with counts per team at the top.
fn board(actions: &[ActionView<'_>]) -> serde_json::Value {
    let column_of = |a: &ActionView<'_>| -> &'static str {
        if a.overdue {
            return "overdue";
        }
        match a.status {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in-progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont-do",
        }
    };
    let mut per_team: BTreeMap<&str, [usize; BOARD.len()]> = BTreeMap::new();
    let mut columns = Vec::new();
    for (index, (key, label)) in BOARD.iter().enumerate() {
        let mut teams: BTreeMap<&str, Vec<&ActionView<'_>>> = BTreeMap::new();
        for action in actions.iter().filter(|a| column_of(a) == *key) {
            let team = action.team.unwrap_or("no team");
            teams.entry(team).or_default().push(action);
            per_team.entry(team).or_insert([0; BOARD.len()])[index] += 1;
        }
        let count = teams.values().map(Vec::len).sum::<usize>();
        let teams: Vec<serde_json::Value> = teams
            .into_iter()
            .map(|(team, mut list)| {
                list.sort_by(|a, b| {
                    a.owner
                        .cmp(&b.owner)
                        .then_with(|| a.due.cmp(&b.due))
                        .then_with(|| a.id.cmp(&b.id))
                });
                serde_json::json!({ "team": team, "actions": list })
            })
            .collect();
        columns.push(
            serde_json::json!({ "key": key, "label": label, "count": count, "teams": teams }),
        );
    }
    serde_json::json!({
        "columns": BOARD.iter().map(|(_, label)| *label).collect::<Vec<_>>(),
        "per_team": per_team
            .into_iter()
            .map(|(team, counts)| serde_json::json!({ "team": team, "counts": counts }))
            .collect::<Vec<_>>(),
        "board": columns,
    })
}
