//! Which pages the site has and what each template sees: pure, from the archive alone.
//!
//! The view structs here are what templates receive; their field names are documented in
//! README ("Template variables") and change only with a changelog entry. Every `href` is
//! relative to the site's root: templates put `{{ root }}` before it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::archive::{Archive, Config};
use crate::error::{Error, Result};
use crate::hash::Fingerprint;
use crate::markdown::{self, Heading};
use crate::model::{ActionStatus, ActionType, Postmortem, Priority, Status};
use crate::stats;
use crate::views::DocumentView;

/// One page: where it goes, its template, and what the template will see.
#[derive(Debug, Clone)]
pub struct Page {
    /// The file, `/`-separated, inside the site.
    pub path: String,
    /// The template's file name in `templates/site/`.
    pub template: &'static str,
    /// The way back to the site's root from the page: `""` or `../`.
    root: &'static str,
    content: Content,
}

/// What a page shows. Pages of postmortems and groups are many and large: their variables are
/// made when they are rendered ([`Site::context`]), from values made once per postmortem and
/// action, so that no more than a page per core is held at a time.
#[derive(Debug, Clone)]
enum Content {
    /// Variables made while planning (pages that exist once), and their fingerprint.
    Ready(Box<tera::Context>, Option<u64>),
    /// The postmortem at this position of the site.
    Postmortem(usize),
    /// The follow-up action board (every action: made only when it is rendered).
    Board,
    /// The figures and charts of the whole archive (made only when rendered).
    Stats,
    /// The group at this position of its kind.
    Group(GroupKind, usize),
}

/// Everything a site holds.
pub struct Site<'a> {
    /// The pages, in a fixed order.
    pub pages: Vec<Page>,
    /// The postmortems the site shows, newest first, with their pages.
    docs: Vec<(&'a Postmortem, String)>,
    config: &'a Config,
    /// The day overdue is counted on.
    today: NaiveDate,
    /// The follow-through of each team's actions, for team pages.
    follow_through: Vec<stats::TeamFollowThrough>,
    /// `site`, what every page sees, as a template value.
    shared: tera::Value,
    views: Vec<DocView<'a>>,
    actions: Vec<ActionView<'a>>,
    /// Each of `views` as a template value, made the first time a page shows it and shared by
    /// every list it is in (a build that keeps most pages makes few).
    doc_values: Vec<OnceLock<tera::Value>>,
    /// Each action as a template value, likewise.
    action_values: Vec<OnceLock<tera::Value>>,
    /// Positions in `action_values` of each postmortem's actions.
    actions_of: Vec<Vec<usize>>,
    /// A fingerprint of each postmortem's view.
    view_inputs: Vec<Option<u64>>,
    /// A fingerprint of each action's view.
    action_inputs: Vec<Option<u64>>,
    /// The position of each postmortem by id.
    position: HashMap<&'a str, usize>,
    groups: Groups<'a>,
}

/// What a site is built for.
#[derive(Debug, Clone, Copy)]
pub struct Edition<'a> {
    /// Only public, published postmortems, and nothing about the others.
    pub public: bool,
    /// The day overdue actions are counted on.
    pub today: NaiveDate,
    /// Where the site will live, ending in `/`, for the feed and the sitemap.
    pub base_url: Option<&'a str>,
}

/// What every page sees as `site`: what holds for the whole edition. Nothing here depends on
/// the postmortems, so that adding one leaves the pages it is not on as they were.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView<'a> {
    /// The archive's title.
    pub title: &'a str,
    /// Whether this is the public edition.
    pub public: bool,
    /// Where the site will live (ending in `/`), when known.
    pub base_url: Option<&'a str>,
}

/// A team, service, tag, severity or year as a link.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its page.
    pub href: String,
}

/// A postmortem as templates see it: the JSON view of `pm list` and links.
#[derive(Debug, Clone, Serialize)]
pub struct DocView<'a> {
    /// Everything `pm list --format json` shows (`teams`, `services`, `tags` are ids).
    #[serde(flatten)]
    pub meta: DocumentView<'a>,
    /// Its page.
    pub href: String,
    /// Position of its severity in `pm.yaml` (1 = most severe), for styling.
    pub severity_rank: usize,
    /// What its severity means.
    pub severity_description: Option<&'a str>,
    /// Its severity's page.
    pub severity_href: String,
    /// Its teams as links.
    pub team_links: Vec<Link>,
    /// Its services as links.
    pub service_links: Vec<Link>,
    /// Its tags as links.
    pub tag_links: Vec<Link>,
}

/// A follow-up action as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView<'a> {
    /// `<doc id>#<n>` or its own id.
    pub id: String,
    /// What will be done.
    pub title: &'a str,
    /// What kind of action it is.
    #[serde(rename = "type")]
    pub kind: Option<ActionType>,
    /// Who does it.
    pub owner: Option<&'a str>,
    /// The owning team (the document's first team when the action names none).
    pub team: Option<Link>,
    /// When it is due.
    pub due: Option<NaiveDate>,
    /// How urgent (`P0`…`P3`).
    pub priority: Option<Priority>,
    /// Where it stands.
    pub status: ActionStatus,
    /// Open and past due.
    pub overdue: bool,
    /// The day it was done or dropped.
    pub closed: Option<NaiveDate>,
    /// The ticket as written.
    pub ticket: Option<&'a str>,
    /// The ticket's URL, when it is a web link.
    pub ticket_url: Option<&'a str>,
    /// The postmortem it came from.
    pub doc_id: &'a str,
    /// That postmortem's title.
    pub doc_title: &'a str,
    /// That postmortem's page.
    pub doc_href: String,
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

/// The kinds of groups, each with an index page and a page per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupKind {
    /// Teams of `pm.yaml` and of documents.
    Team,
    /// Services.
    Service,
    /// Tags.
    Tag,
    /// Severities.
    Severity,
    /// Years of the incident date.
    Year,
}

impl GroupKind {
    /// Every kind, in the order the home page lists them.
    pub const ALL: [GroupKind; 5] = [
        GroupKind::Team,
        GroupKind::Service,
        GroupKind::Tag,
        GroupKind::Severity,
        GroupKind::Year,
    ];

    /// The folder of its pages.
    pub fn folder(self) -> &'static str {
        match self {
            GroupKind::Team => "teams",
            GroupKind::Service => "services",
            GroupKind::Tag => "tags",
            GroupKind::Severity => "severities",
            GroupKind::Year => "years",
        }
    }

    /// Its name in a heading: `Teams`.
    pub fn label(self) -> &'static str {
        match self {
            GroupKind::Team => "Teams",
            GroupKind::Service => "Services",
            GroupKind::Tag => "Tags",
            GroupKind::Severity => "Severities",
            GroupKind::Year => "Years",
        }
    }

    /// Its name for one: `Team`.
    pub fn singular(self) -> &'static str {
        match self {
            GroupKind::Team => "Team",
            GroupKind::Service => "Service",
            GroupKind::Tag => "Tag",
            GroupKind::Severity => "Severity",
            GroupKind::Year => "Year",
        }
    }
}

/// A group in an index page, and at the top of its own page.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView<'a> {
    /// What kind of group.
    pub kind: GroupKind,
    /// Its id (the year for years).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its page.
    pub href: String,
    /// What a severity means; a team's chat channel.
    pub description: Option<&'a str>,
    /// Its rank, for severities (1 = most severe).
    pub rank: Option<usize>,
    /// Its postmortems in the site.
    pub documents: usize,
    /// Its open follow-up actions.
    pub open_actions: usize,
    /// Those past due.
    pub overdue_actions: usize,
}

/// Medians of a group's postmortems, as text (`42 min`, `3 h 05 min`, `n/a`).
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Median time from start to detection.
    pub median_detect: String,
    /// Median time from start to resolution.
    pub median_resolve: String,
}

/// One row of a postmortem's times.
#[derive(Debug, Clone, Serialize)]
pub struct TimeRow {
    /// `Started`, `Time to detect`…
    pub label: &'static str,
    /// The time in the archive's timezone, or the duration.
    pub value: String,
    /// The time as RFC 3339, for `<time datetime>`; none for durations.
    pub datetime: Option<String>,
}

/// A related postmortem.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedView<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its date.
    pub date: NaiveDate,
    /// Its page.
    pub href: String,
}

/// `postmortem.html`: one postmortem (with `doc` and `actions`, made once for every page).
#[derive(Debug, Serialize)]
struct PostmortemPage<'a> {
    times: Vec<TimeRow>,
    body: String,
    toc: Vec<Heading>,
    related: Vec<RelatedView<'a>>,
}

/// `group.html`: a team, service, tag, severity or year (with `docs` and `actions`, made once
/// for every page).
#[derive(Debug, Serialize)]
struct GroupPage<'v, 'a> {
    group: &'v GroupView<'a>,
    label: &'static str,
    owner: &'v Option<Link>,
    owned: &'v [Link],
    severity_counts: Vec<SeverityCount<'a>>,
    figures: Figures,
}

/// `groups.html`: the index of one kind of group.
#[derive(Debug, Serialize)]
struct GroupsPage<'v, 'a> {
    kind: GroupKind,
    label: &'static str,
    singular: &'static str,
    groups: Vec<&'v GroupView<'a>>,
}

/// A kind of group on the home page.
#[derive(Debug, Serialize)]
struct GroupingView {
    kind: GroupKind,
    label: &'static str,
    href: String,
    count: usize,
}

/// `index.html`: the home page (with `docs` and `overdue` from the values of every page).
#[derive(Debug, Serialize)]
struct HomePage<'a> {
    documents: usize,
    severity_counts: Vec<SeverityCount<'a>>,
    open_actions: usize,
    overdue_actions: usize,
    groupings: Vec<GroupingView>,
}

/// A team's actions in one column of the board: their positions among the site's actions.
#[derive(Debug)]
struct TeamActions<'v> {
    team: Option<&'v Link>,
    actions: Vec<usize>,
}

/// A column of the board.
#[derive(Debug)]
struct Column<'v> {
    key: &'static str,
    label: &'static str,
    teams: Vec<TeamActions<'v>>,
}

/// A team's counts at the top of the board, one per column.
#[derive(Debug, Serialize)]
struct TeamCounts<'v> {
    team: Option<&'v Link>,
    counts: [usize; BOARD.len()],
}

/// `board.html`: every follow-up action (with `board`, the columns, made from the values of
/// the actions that every page shares).
#[derive(Debug, Serialize)]
struct BoardPage<'v> {
    columns: Vec<&'static str>,
    per_team: Vec<TeamCounts<'v>>,
    #[serde(skip)]
    board: Vec<Column<'v>>,
}

/// `feed.xml` (with `docs` from the values of every page).
#[derive(Debug, Serialize)]
struct FeedPage {
    /// The date of the newest postmortem.
    updated: Option<NaiveDate>,
}

/// `sitemap.xml`: every page but the 404 page.
#[derive(Debug, Serialize)]
struct SitemapPage<'v> {
    pages: &'v [String],
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
/// Entries in the Atom feed.
const FEED: usize = 50;
/// Sections from which a postmortem gets a table of contents.
const TOC_FROM: usize = 4;

/// The postmortems a site shows (only public, published ones when `public`), newest first,
/// each with its page. Known before the rest of the site is planned, so that the search index
/// can be made meanwhile.
pub fn documents(archive: &Archive, public: bool) -> Vec<(&Postmortem, String)> {
    let mut docs: Vec<&Postmortem> = archive
        .documents
        .iter()
        .filter(|d| !public || d.is_public())
        .collect();
    // Newest first; the path breaks ties, so the order never depends on the file system.
    docs.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.path.cmp(&b.path)));
    // Pages of postmortems have a folder of their own, so their names depend on no group's.
    let mut names = Names::default();
    docs.into_iter()
        .map(|d| {
            let page = format!("postmortems/{}", names.claim("postmortems", &d.front.id));
            (d, page)
        })
        .collect()
}

/// The pages of the site of `archive` showing `documents` (as [`documents`] gives them).
pub fn plan<'a>(
    archive: &'a Archive,
    documents: &[(&'a Postmortem, String)],
    edition: Edition<'a>,
) -> Site<'a> {
    let config = &archive.config;
    let today = edition.today;
    let docs: Vec<&Postmortem> = documents.iter().map(|(d, _)| *d).collect();
    let mut names = Names::default();
    let mut groups = Groups::new(config, &docs, edition.public, &mut names);
    let shown: HashSet<&str> = docs.iter().map(|d| d.front.id.as_str()).collect();
    let mut views: Vec<DocView<'a>> = documents
        .iter()
        .map(|(d, page)| doc_view(d, config, &groups, page.clone(), today))
        .collect();
    // Related ids may name postmortems this edition leaves out.
    for view in &mut views {
        view.meta.related.retain(|id| shown.contains(id));
    }
    let actions: Vec<ActionView<'a>> = docs
        .iter()
        .zip(&views)
        .flat_map(|(d, v)| action_views(d, &v.href, &groups, today))
        .collect();
    let site = SiteView {
        title: &config.title,
        public: edition.public,
        base_url: edition.base_url,
    };
    let doc_values: Vec<OnceLock<tera::Value>> = views.iter().map(|_| OnceLock::new()).collect();
    let action_values: Vec<OnceLock<tera::Value>> =
        actions.iter().map(|_| OnceLock::new()).collect();
    // What pages are made of, to tell which changed since the last build.
    let view_inputs = parallel_map(&views, |v| Fingerprint::new("doc").json(v).finish());
    let action_inputs = parallel_map(&actions, |a| Fingerprint::new("action").json(a).finish());
    let position: HashMap<&str, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.meta.id, i))
        .collect();
    let mut actions_of: Vec<Vec<usize>> = vec![Vec::new(); docs.len()];
    for (i, action) in actions.iter().enumerate() {
        if let Some(&doc) = position.get(action.doc_id) {
            actions_of[doc].push(i);
        }
    }

    // Home.
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let open: Vec<usize> = (0..actions.len())
        .filter(|&i| actions[i].status.is_open())
        .collect();
    let mut overdue: Vec<usize> = open
        .iter()
        .copied()
        .filter(|&i| actions[i].overdue)
        .collect();
    overdue.sort_by(|&a, &b| {
        let (a, b) = (&actions[a], &actions[b]);
        a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id))
    });
    let home = HomePage {
        documents: docs.len(),
        severity_counts: severity_counts(
            config,
            views
                .iter()
                .filter(|v| v.meta.date > year_ago)
                .map(|v| v.meta.severity),
        ),
        open_actions: open.len(),
        overdue_actions: overdue.len(),
        groupings: GroupKind::ALL
            .iter()
            .map(|&kind| GroupingView {
                kind,
                label: kind.label(),
                href: format!("{}/index.html", kind.folder()),
                count: groups.of(kind).len(),
            })
            .collect(),
    };
    let recent: Vec<usize> = (0..docs.len().min(RECENT)).collect();
    overdue.truncate(HOME_OVERDUE);
    let inputs = Fingerprint::new("index.html")
        .json(&home)
        .picked(&view_inputs, &recent)
        .picked(&action_inputs, &overdue)
        .finish();
    let mut home = context(&home);
    home.insert_value("docs", picked(&views, &doc_values, &recent));
    home.insert_value("overdue", picked(&actions, &action_values, &overdue));
    let mut pages = vec![Page {
        path: "index.html".to_owned(),
        template: "index.html",
        root: "",
        content: Content::Ready(Box::new(home), inputs),
    }];

    // A page per postmortem.
    for (i, view) in views.iter().enumerate() {
        pages.push(Page {
            path: view.href.clone(),
            template: "postmortem.html",
            root: "../",
            content: Content::Postmortem(i),
        });
    }

    // Teams, services, tags, severities and years, each group with its open actions.
    for kind in GroupKind::ALL {
        for (at, group) in groups.by_kind[kind as usize].iter_mut().enumerate() {
            group.open = match kind {
                // A team's actions are those it owns, whichever postmortem they came from.
                GroupKind::Team => open
                    .iter()
                    .copied()
                    .filter(|&i| {
                        actions[i]
                            .team
                            .as_ref()
                            .is_some_and(|t| t.id == group.view.id)
                    })
                    .collect(),
                _ => group
                    .members
                    .iter()
                    .flat_map(|&doc| actions_of[doc].iter().copied())
                    .filter(|&i| actions[i].status.is_open())
                    .collect(),
            };
            group.view.documents = group.members.len();
            group.view.open_actions = group.open.len();
            group.view.overdue_actions = group.open.iter().filter(|&&i| actions[i].overdue).count();
            pages.push(Page {
                path: group.view.href.clone(),
                template: "group.html",
                root: "../",
                content: Content::Group(kind, at),
            });
        }
        let index = GroupsPage {
            kind,
            label: kind.label(),
            singular: kind.singular(),
            groups: groups.of(kind).iter().map(|g| &g.view).collect(),
        };
        let inputs = Fingerprint::new("groups.html").json(&index).finish();
        pages.push(Page {
            path: format!("{}/index.html", kind.folder()),
            template: "groups.html",
            root: "../",
            content: Content::Ready(Box::new(context(&index)), inputs),
        });
    }

    // Figures and charts; each team's follow-through also goes on its page.
    let follow_through = stats::follow_through_by_team(&docs, config, today);
    pages.push(Page {
        path: "stats.html".to_owned(),
        template: "stats.html",
        root: "",
        content: Content::Stats,
    });

    // The follow-up action board, search, and the pages for machines.
    let published: Vec<usize> = (0..views.len())
        .filter(|&i| views[i].meta.status == Status::Published)
        .take(FEED)
        .collect();
    let feed = FeedPage {
        updated: docs.first().map(|d| d.date),
    };
    let feed_inputs = Fingerprint::new("feed.xml")
        .json(&feed)
        .picked(&view_inputs, &published);
    let mut feed = context(&feed);
    feed.insert_value("docs", picked(&views, &doc_values, &published));
    pages.push(Page {
        path: "actions/index.html".to_owned(),
        template: "board.html",
        root: "../",
        content: Content::Board,
    });
    for (path, template, root, context, inputs) in [
        (
            "search.html",
            "search.html",
            "",
            tera::Context::new(),
            Fingerprint::new("search.html"),
        ),
        (
            "404.html",
            "404.html",
            "",
            tera::Context::new(),
            Fingerprint::new("404.html"),
        ),
        ("feed.xml", "feed.xml", "", feed, feed_inputs),
    ] {
        pages.push(Page {
            path: path.to_owned(),
            template,
            root,
            content: Content::Ready(Box::new(context), inputs.finish()),
        });
    }
    if edition.base_url.is_some() {
        // A sitemap names pages by their full URL: only with a base URL.
        let mut listed: Vec<String> = pages
            .iter()
            .filter(|p| {
                p.template != "404.html"
                    && std::path::Path::new(&p.path)
                        .extension()
                        .is_some_and(|e| e == "html")
            })
            .map(|p| p.path.clone())
            .collect();
        listed.sort();
        let sitemap = SitemapPage { pages: &listed };
        pages.push(Page {
            path: "sitemap.xml".to_owned(),
            template: "sitemap.xml",
            root: "",
            content: Content::Ready(
                Box::new(context(&sitemap)),
                Fingerprint::new("sitemap.xml").json(&sitemap).finish(),
            ),
        });
    }

    Site {
        pages,
        docs: documents.to_vec(),
        config,
        today,
        follow_through,
        shared: tera::Value::from_serializable(&site),
        position,
        views,
        actions,
        doc_values,
        action_values,
        actions_of,
        view_inputs,
        action_inputs,
        groups,
    }
}

/// A file for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFile {
    /// `api/postmortems.json`: every postmortem's metadata.
    Postmortems,
    /// `api/actions.json`: every action.
    Actions,
}

impl ApiFile {
    /// Every file for programs.
    pub const ALL: [ApiFile; 2] = [ApiFile::Postmortems, ApiFile::Actions];

    /// Its path in the site.
    pub fn path(self) -> &'static str {
        match self {
            ApiFile::Postmortems => "api/postmortems.json",
            ApiFile::Actions => "api/actions.json",
        }
    }
}

impl Site<'_> {
    /// The contents of `file`.
    pub fn api_file(&self, file: ApiFile) -> Result<Vec<u8>> {
        match file {
            ApiFile::Postmortems => api_json("postmortems", &self.views),
            ApiFile::Actions => api_json("actions", &self.actions),
        }
    }

    /// A fingerprint of what `file` is made from (see [`Site::inputs`]).
    pub fn api_inputs(&self, file: ApiFile) -> Option<u64> {
        let items = match file {
            ApiFile::Postmortems => &self.view_inputs,
            ApiFile::Actions => &self.action_inputs,
        };
        Fingerprint::new(file.path()).all(items).finish()
    }

    /// A fingerprint of what `page` is made from, besides what every page shares (the
    /// templates, `pm.yaml`, the edition and the day): a page whose fingerprint did not change
    /// since the last build would be rendered to the same bytes. `None` when it cannot be told.
    pub fn inputs(&self, page: &Page) -> Option<u64> {
        let made_of = match page.content {
            Content::Ready(_, inputs) => inputs,
            // The text covers the body and the times; the views of the postmortem and of its
            // actions what the rest of the archive adds (page names, overdue actions).
            Content::Postmortem(i) => Fingerprint::new("postmortem")
                .u64(self.docs[i].0.hash)
                .option(self.view_inputs[i])
                .picked(&self.action_inputs, &self.actions_of[i])
                .json(&self.related(i))
                .finish(),
            // The board is made from the actions alone.
            Content::Board => Fingerprint::new("board").all(&self.action_inputs).finish(),
            // Figures are made from fields the views hold, and from the actions.
            Content::Stats => Fingerprint::new("stats")
                .all(&self.view_inputs)
                .all(&self.action_inputs)
                .json(&self.follow_through)
                .finish(),
            // Lists, counts, medians and charts show the members' views, which hold every
            // field they are made from (so a change to a body alone leaves group pages be);
            // a team's follow-through is made from its actions.
            Content::Group(kind, at) => {
                let group = &self.groups.of(kind)[at];
                Fingerprint::new("group")
                    .json(&group.view)
                    .json(&group.owner)
                    .json(&group.owned)
                    .picked(&self.view_inputs, &group.members)
                    .picked(&self.action_inputs, &group.open)
                    .json(&self.follow_through(kind, group))
                    .finish()
            }
        };
        Fingerprint::new("page")
            .str(&page.path)
            .str(page.template)
            .str(page.root)
            .option(made_of)
            .finish()
    }

    /// The postmortems related to the `i`th, as its page shows them.
    fn related(&self, i: usize) -> Vec<RelatedView<'_>> {
        self.views[i]
            .meta
            .related
            .iter()
            .filter_map(|id| self.position.get(id))
            .map(|&r| {
                let r = &self.views[r];
                RelatedView {
                    id: r.meta.id,
                    title: r.meta.title,
                    date: r.meta.date,
                    href: r.href.clone(),
                }
            })
            .collect()
    }

    /// The follow-through of a team's actions, for its page; `None` for other groups.
    fn follow_through(&self, kind: GroupKind, group: &Group<'_>) -> Option<stats::FollowThrough> {
        (kind == GroupKind::Team).then(|| {
            self.follow_through
                .iter()
                .find(|t| t.team == group.view.id)
                .map(|t| t.figures.clone())
                .unwrap_or_default()
        })
    }

    /// The variables of `page`'s template. Those of postmortems (whose bodies are rendered
    /// now) and groups are made here, when the page is rendered.
    pub fn context(&self, page: Page) -> tera::Context {
        let mut context = match page.content {
            Content::Ready(context, _) => *context,
            Content::Postmortem(i) => {
                let (doc, _) = self.docs[i];
                let body = markdown::to_html(&doc.body, self.config.allow_html);
                let mut context = context(&PostmortemPage {
                    times: times(doc, self.config.timezone),
                    body: body.html,
                    toc: if body.headings.len() >= TOC_FROM {
                        body.headings
                    } else {
                        Vec::new()
                    },
                    related: self.related(i),
                });
                context.insert_value("doc", value(&self.views, &self.doc_values, i));
                context.insert_value(
                    "actions",
                    picked(&self.actions, &self.action_values, &self.actions_of[i]),
                );
                context
            }
            Content::Board => board_context(&self.actions, &|positions| {
                picked(&self.actions, &self.action_values, positions)
            }),
            Content::Stats => {
                let docs: Vec<&Postmortem> = self.docs.iter().map(|(d, _)| *d).collect();
                context(&super::figures::stats_page(
                    &docs,
                    &self.follow_through,
                    self.config,
                    |team| self.groups.link(GroupKind::Team, team),
                    self.today,
                ))
            }
            Content::Group(kind, at) => {
                let group = &self.groups.of(kind)[at];
                let members = || group.members.iter().map(|&i| &self.views[i].meta);
                let mut context = context(&GroupPage {
                    group: &group.view,
                    label: kind.label(),
                    owner: &group.owner,
                    owned: &group.owned,
                    severity_counts: severity_counts(self.config, members().map(|d| d.severity)),
                    figures: Figures {
                        median_detect: median_minutes(members().map(|d| d.time_to_detect_minutes)),
                        median_resolve: median_minutes(
                            members().map(|d| d.time_to_resolve_minutes),
                        ),
                    },
                });
                if let Some(follow) = self.follow_through(kind, group) {
                    let docs: Vec<&Postmortem> =
                        group.members.iter().map(|&i| self.docs[i].0).collect();
                    let charts =
                        super::figures::team_charts(&docs, &follow, self.config, self.today);
                    context.insert("charts", &charts);
                }
                context.insert_value(
                    "docs",
                    picked(&self.views, &self.doc_values, &group.members),
                );
                context.insert_value(
                    "actions",
                    picked(&self.actions, &self.action_values, &group.open),
                );
                context
            }
        };
        context.insert_value("site", self.shared.clone());
        context.insert("root", page.root);
        context
    }
}

/// The `i`th of `items` as a template value: made the first time it is asked for and kept in
/// `values`, then shared (not copied) by every page that shows it.
fn value<T: Serialize>(items: &[T], values: &[OnceLock<tera::Value>], i: usize) -> tera::Value {
    values[i]
        .get_or_init(|| tera::Value::from_serializable(&items[i]))
        .clone()
}

/// The items at `positions` as a list for a template (see [`value`]).
fn picked<T: Serialize>(
    items: &[T],
    values: &[OnceLock<tera::Value>],
    positions: &[usize],
) -> tera::Value {
    tera::Value::from(
        positions
            .iter()
            .map(|&i| value(items, values, i))
            .collect::<Vec<_>>(),
    )
}

/// A template's variables from a view struct, whose fields become the variables (our view
/// structs always serialize as maps, which is all `from_serialize` asks).
fn context(value: &impl Serialize) -> tera::Context {
    tera::Context::from_serialize(value).unwrap_or_default()
}

/// `{"version": 1, "<key>": [...]}`, compact, ending in a newline. `<`, `>` and `&` are
/// written as `\u` escapes, so no document text reads as markup even where a browser sniffs
/// the file as HTML. Written straight from the views, on every core: these files hold every
/// postmortem and every action.
fn api_json<T: Serialize + Sync>(key: &str, items: &[T]) -> Result<Vec<u8>> {
    let chunks: Vec<&[T]> = items.chunks(API_CHUNK).collect();
    let parts = parallel_map(&chunks, |chunk| {
        let mut json = Vec::new();
        for (i, item) in chunk.iter().enumerate() {
            if i > 0 {
                json.push(b',');
            }
            serde_json::to_writer(&mut json, item)?;
        }
        Ok::<_, serde_json::Error>(escape_markup(&json))
    });
    let mut bytes = format!("{{\"version\":1,{}:[", serde_json::Value::from(key)).into_bytes();
    bytes.reserve(parts.iter().flatten().map(Vec::len).sum::<usize>() + chunks.len() + 3);
    for (i, part) in parts.into_iter().enumerate() {
        let part = part.map_err(|e| Error::Failed(format!("cannot write api/{key}.json: {e}")))?;
        if i > 0 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(&part);
    }
    bytes.extend_from_slice(b"]}\n");
    Ok(bytes)
}

/// Items per part of an API file made on its own.
const API_CHUNK: usize = 512;

/// `json` with `<`, `>` and `&` written as `\u` escapes: outside strings JSON has none of
/// them, so each is inside one.
fn escape_markup(json: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(json.len() + json.len() / 64);
    let mut rest = json;
    while let Some(at) = rest.iter().position(|b| matches!(b, b'<' | b'>' | b'&')) {
        bytes.extend_from_slice(&rest[..at]);
        bytes.extend_from_slice(match rest[at] {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            _ => b"\\u0026",
        });
        rest = &rest[at + 1..];
    }
    bytes.extend_from_slice(rest);
    bytes
}

/// `f` of every item, in order, computed on every core: rendering 10 000 bodies or turning
/// 10 000 pages into JSON takes seconds on one.
fn parallel_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A file name for an id, without `.html`: lower-case letters, digits, `-`, `_` and `.`;
/// others become `-`.
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
    match safe.trim_start_matches('.') {
        "" => "-".to_owned(),
        safe => safe.to_owned(),
    }
}

/// The page names given out in each folder: every id gets its own page even when two ids
/// differ only in case or punctuation (`Payments`, `payments` → `payments-2`).
#[derive(Debug, Default)]
struct Names {
    taken: HashSet<(&'static str, String)>,
}

impl Names {
    /// A free file name for `id` in `folder`, now taken.
    fn claim(&mut self, folder: &'static str, id: &str) -> String {
        let base = page_name(id);
        let mut name = base.clone();
        let mut n = 2;
        // `index.html` is the folder's own page.
        while name == "index" || !self.taken.insert((folder, name.clone())) {
            name = format!("{base}-{n}");
            n += 1;
        }
        format!("{name}.html")
    }
}

/// One group: its view, its members and the links that depend on other groups.
#[derive(Debug)]
struct Group<'a> {
    view: GroupView<'a>,
    /// Positions of its postmortems in the site's order.
    members: Vec<usize>,
    /// Positions of its open actions among the site's.
    open: Vec<usize>,
    owner: Option<Link>,
    owned: Vec<Link>,
}

impl Group<'_> {
    fn link(&self) -> Link {
        Link {
            id: self.view.id.clone(),
            name: self.view.name.clone(),
            href: self.view.href.clone(),
        }
    }
}

/// The groups of `kind` a postmortem belongs to.
fn group_ids(kind: GroupKind, doc: &Postmortem) -> Vec<String> {
    let f = &doc.front;
    match kind {
        GroupKind::Team => f.teams.clone(),
        GroupKind::Service => f.services.clone(),
        GroupKind::Tag => f.tags.clone(),
        GroupKind::Severity => vec![f.severity.clone()],
        GroupKind::Year => vec![doc.date.year().to_string()],
    }
}

/// Every group of the site, by kind, with its page and members.
#[derive(Debug)]
struct Groups<'a> {
    /// Indexed by `GroupKind as usize`.
    by_kind: [Vec<Group<'a>>; 5],
    /// Where each group is in `by_kind`.
    index: HashMap<(GroupKind, String), usize>,
}

impl<'a> Groups<'a> {
    fn new(config: &'a Config, docs: &[&Postmortem], public: bool, pages: &mut Names) -> Self {
        let mut by_kind: [Vec<Group<'a>>; 5] = Default::default();
        let mut index = HashMap::new();
        for kind in GroupKind::ALL {
            // Ids in display order: those of pm.yaml first (teams, services, severities),
            // then those only documents name; a team owning an action has a page for it,
            // even with no postmortem of its own.
            let mut named: HashSet<String> = docs.iter().flat_map(|d| group_ids(kind, d)).collect();
            if kind == GroupKind::Team {
                named.extend(
                    docs.iter()
                        .flat_map(|d| d.front.action_items.iter().filter_map(|a| a.team.clone())),
                );
            }
            let configured: Vec<&String> = match kind {
                GroupKind::Team => config.teams.iter().map(|t| &t.id).collect(),
                GroupKind::Service => config.services.iter().map(|s| &s.id).collect(),
                GroupKind::Severity => config.severities.iter().map(|s| &s.id).collect(),
                GroupKind::Tag | GroupKind::Year => Vec::new(),
            };
            // The public edition has no pages for groups without public postmortems.
            let mut ids: Vec<String> = configured
                .iter()
                .filter(|id| !public || named.contains(id.as_str()))
                .map(|id| (*id).clone())
                .collect();
            let mut extra: Vec<String> = named
                .into_iter()
                .filter(|id| !configured.contains(&id))
                .collect();
            match kind {
                GroupKind::Year => extra.sort_by(|a, b| b.cmp(a)),
                _ => extra.sort(),
            }
            ids.extend(extra);
            let groups = &mut by_kind[kind as usize];
            for id in ids {
                index.insert((kind, id.clone()), groups.len());
                groups.push(group(kind, id, config, pages));
            }
            for (position, doc) in docs.iter().enumerate() {
                for id in group_ids(kind, doc) {
                    if let Some(&at) = index.get(&(kind, id)) {
                        let members = &mut groups[at].members;
                        // A document naming a group twice is one member.
                        if members.last() != Some(&position) {
                            members.push(position);
                        }
                    }
                }
            }
        }
        let mut groups = Groups { by_kind, index };
        // Owners and owned services, now that every page is named.
        let owners: Vec<(Option<Link>, Link)> = groups.by_kind[GroupKind::Service as usize]
            .iter()
            .map(|g| {
                let owner = config
                    .service(&g.view.id)
                    .and_then(|s| s.owner.as_deref())
                    .and_then(|o| groups.get(GroupKind::Team, o))
                    .map(Group::link);
                (owner, g.link())
            })
            .collect();
        for (service, (owner, _)) in groups.by_kind[GroupKind::Service as usize]
            .iter_mut()
            .zip(&owners)
        {
            service.owner.clone_from(owner);
        }
        for team in &mut groups.by_kind[GroupKind::Team as usize] {
            team.owned = owners
                .iter()
                .filter(|(owner, _)| owner.as_ref().is_some_and(|o| o.id == team.view.id))
                .map(|(_, service)| service.clone())
                .collect();
        }
        groups
    }

    fn of(&self, kind: GroupKind) -> &[Group<'a>] {
        &self.by_kind[kind as usize]
    }

    fn get(&self, kind: GroupKind, id: &str) -> Option<&Group<'a>> {
        self.index
            .get(&(kind, id.to_owned()))
            .map(|&at| &self.by_kind[kind as usize][at])
    }

    /// The link to group `id` of `kind`; without a page, one with an empty `href`.
    fn link(&self, kind: GroupKind, id: &str) -> Link {
        self.get(kind, id).map_or_else(
            || Link {
                id: id.to_owned(),
                name: id.to_owned(),
                href: String::new(),
            },
            Group::link,
        )
    }
}

fn group<'a>(kind: GroupKind, id: String, config: &'a Config, names: &mut Names) -> Group<'a> {
    let (name, description, rank) = match kind {
        GroupKind::Team => (config.team(&id).map(|t| t.name.clone()), None, None),
        GroupKind::Service => (config.service(&id).map(|s| s.name.clone()), None, None),
        GroupKind::Severity => (
            None,
            config.severity(&id).map(|s| s.description.as_str()),
            Some(config.severity_rank(&id)),
        ),
        GroupKind::Tag | GroupKind::Year => (None, None, None),
    };
    let href = format!("{}/{}", kind.folder(), names.claim(kind.folder(), &id));
    Group {
        view: GroupView {
            kind,
            name: name.unwrap_or_else(|| id.clone()),
            id,
            href,
            description,
            rank,
            documents: 0,
            open_actions: 0,
            overdue_actions: 0,
        },
        members: Vec::new(),
        open: Vec::new(),
        owner: None,
        owned: Vec::new(),
    }
}

fn doc_view<'a>(
    doc: &'a Postmortem,
    config: &'a Config,
    groups: &Groups<'_>,
    href: String,
    today: NaiveDate,
) -> DocView<'a> {
    let f = &doc.front;
    let severity = groups.link(GroupKind::Severity, &f.severity);
    let links = |kind, ids: &[String]| -> Vec<Link> {
        ids.iter().map(|id| groups.link(kind, id)).collect()
    };
    DocView {
        meta: DocumentView::new(doc, today),
        href,
        severity_rank: config.severity_rank(&f.severity),
        severity_description: config.severity(&f.severity).map(|s| s.description.as_str()),
        severity_href: severity.href,
        team_links: links(GroupKind::Team, &f.teams),
        service_links: links(GroupKind::Service, &f.services),
        tag_links: links(GroupKind::Tag, &f.tags),
    }
}

fn action_views<'a>(
    doc: &'a Postmortem,
    doc_href: &str,
    groups: &Groups<'_>,
    today: NaiveDate,
) -> Vec<ActionView<'a>> {
    let f = &doc.front;
    f.action_items
        .iter()
        .enumerate()
        .map(|(i, item)| ActionView {
            id: doc.action_id(i),
            title: &item.title,
            kind: item.kind,
            owner: item.owner.as_deref(),
            team: item
                .team
                .as_deref()
                .or(f.teams.first().map(String::as_str))
                .map(|t| groups.link(GroupKind::Team, t)),
            due: item.due,
            priority: item.priority,
            status: item.status,
            overdue: item.is_overdue(today),
            closed: item.closed_on(),
            ticket: item.ticket.as_deref(),
            // Only web links become links: a ticket is written by hand.
            ticket_url: item
                .ticket
                .as_deref()
                .filter(|t| t.starts_with("https://") || t.starts_with("http://")),
            doc_id: &f.id,
            doc_title: &f.title,
            doc_href: doc_href.to_owned(),
        })
        .collect()
}

/// How many of `severities` are of each severity of `pm.yaml`.
fn severity_counts<'a, 's>(
    config: &'a Config,
    severities: impl Iterator<Item = &'s str>,
) -> Vec<SeverityCount<'a>> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for severity in severities {
        *counts.entry(severity).or_default() += 1;
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

/// The median of the known durations, as text (`42 min`, `3 h 05 min`), or `n/a`.
fn median_minutes(values: impl Iterator<Item = Option<i64>>) -> String {
    let mut known: Vec<i64> = values.flatten().collect();
    known.sort_unstable();
    stats::percentile(&known, 50.0).map_or_else(|| "n/a".to_owned(), stats::human_minutes)
}

/// The times of the metadata panel, in the archive's timezone, and the derived durations.
#[allow(clippy::cast_precision_loss)]
fn times(doc: &Postmortem, tz: chrono_tz::Tz) -> Vec<TimeRow> {
    let f = &doc.front;
    let mut rows = Vec::new();
    for (label, at) in [
        ("Started", f.started_at),
        ("Detected", f.detected_at),
        ("Mitigated", f.mitigated_at),
        ("Resolved", f.resolved_at),
    ] {
        if let Some(at) = at {
            rows.push(TimeRow {
                label,
                value: at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M %Z")
                    .to_string(),
                datetime: Some(at.to_rfc3339()),
            });
        }
    }
    for (label, delta) in [
        ("Time to detect", f.time_to_detect()),
        ("Time to mitigate", f.time_to_mitigate()),
        ("Time to resolve", f.time_to_resolve()),
    ] {
        if let Some(delta) = delta {
            rows.push(TimeRow {
                label,
                value: stats::human_minutes(delta.num_minutes() as f64),
                datetime: None,
            });
        }
    }
    rows
}

/// The board's variables: columns by status, in each the actions by team (by name; no team
/// last), then owner and due date; with counts per team at the top. `picked` gives the
/// actions at some positions as a template value.
fn board_context(
    actions: &[ActionView<'_>],
    picked: &dyn Fn(&[usize]) -> tera::Value,
) -> tera::Context {
    let page = board(actions);
    let mut context = context(&page);
    let columns: Vec<tera::Value> = page
        .board
        .iter()
        .map(|column| {
            let teams: Vec<tera::Value> = column
                .teams
                .iter()
                .map(|t| {
                    tera::Value::from(BTreeMap::from([
                        ("team", tera::Value::from_serializable(&t.team)),
                        ("actions", picked(&t.actions)),
                    ]))
                })
                .collect();
            let count: usize = column.teams.iter().map(|t| t.actions.len()).sum();
            tera::Value::from(BTreeMap::from([
                ("key", tera::Value::from(column.key)),
                ("label", tera::Value::from(column.label)),
                ("count", tera::Value::from(count)),
                ("teams", tera::Value::from(teams)),
            ]))
        })
        .collect();
    context.insert_value("board", tera::Value::from(columns));
    context
}

fn board<'v>(actions: &'v [ActionView<'_>]) -> BoardPage<'v> {
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
    // Teams by name, then id; actions without a team last.
    let team_key = |a: &'v ActionView<'_>| {
        (
            a.team.is_none(),
            a.team.as_ref().map(|t| (t.name.as_str(), t.id.as_str())),
        )
    };
    let mut per_team: BTreeMap<_, TeamCounts<'v>> = BTreeMap::new();
    let mut board = Vec::new();
    for (index, (key, label)) in BOARD.iter().enumerate() {
        let mut teams: BTreeMap<_, TeamActions<'v>> = BTreeMap::new();
        for (i, action) in actions
            .iter()
            .enumerate()
            .filter(|(_, a)| column_of(a) == *key)
        {
            teams
                .entry(team_key(action))
                .or_insert_with(|| TeamActions {
                    team: action.team.as_ref(),
                    actions: Vec::new(),
                })
                .actions
                .push(i);
            per_team
                .entry(team_key(action))
                .or_insert_with(|| TeamCounts {
                    team: action.team.as_ref(),
                    counts: [0; BOARD.len()],
                })
                .counts[index] += 1;
        }
        let mut teams: Vec<TeamActions<'v>> = teams.into_values().collect();
        for team in &mut teams {
            team.actions.sort_by(|&a, &b| {
                let (a, b) = (&actions[a], &actions[b]);
                a.owner
                    .cmp(&b.owner)
                    .then_with(|| a.due.cmp(&b.due))
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
        board.push(Column { key, label, teams });
    }
    BoardPage {
        columns: BOARD.iter().map(|(_, label)| *label).collect(),
        per_team: per_team.into_values().collect(),
        board,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_differ_in_case_or_punctuation_get_their_own_pages() {
        let mut names = Names::default();
        assert_eq!(names.claim("teams", "Payments"), "payments.html");
        assert_eq!(names.claim("teams", "payments"), "payments-2.html");
        assert_eq!(names.claim("teams", "pay ments"), "pay-ments.html");
        assert_eq!(names.claim("teams", "pay/ments"), "pay-ments-2.html");
        assert_eq!(names.claim("teams", "index"), "index-2.html");
        assert_eq!(names.claim("teams", "..."), "-.html");
        // Folders are separate.
        assert_eq!(names.claim("services", "payments"), "payments.html");
    }

    #[test]
    fn medians_of_even_and_odd_counts() {
        assert_eq!(
            median_minutes([Some(5), None, Some(7)].into_iter()),
            "6 min"
        );
        assert_eq!(
            median_minutes([Some(5), Some(200), Some(7)].into_iter()),
            "7 min"
        );
        assert_eq!(median_minutes([None].into_iter()), "n/a");
    }

    #[test]
    fn api_files_start_with_their_version_and_escape_markup() {
        let items = [BTreeMap::from([("title", "<b>R&D</b> 1 > 0")])];
        let bytes = api_json("things", &items).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "{\"version\":1,\"things\":[{\"title\":\"\\u003cb\\u003eR\\u0026D\\u003c/b\\u003e 1 \\u003e 0\"}]}\n"
        );
    }
}
