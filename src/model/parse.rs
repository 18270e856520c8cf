//! Parsing a postmortem: split, read the YAML, read every field, derive the date.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

use super::split::split;
use super::time::parse_time;
use super::yaml::{self, Fields, Invalid, Node, Problem, Value};
use super::{
    ActionItem, ActionStatus, FrontMatter, Kind, Link, Positions, Postmortem, Status, Visibility,
};
use crate::diagnostic::{Code, Diagnostic, Level, Pos};

/// What parsing one file gave: the document, as far as it could be read, and every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The document; `None` only when the front matter could not be read as a YAML mapping.
    pub document: Option<Postmortem>,
    /// Whether `id`, `title`, `status` and `severity` could all be read. An incomplete
    /// document stands in for the file in checks (fallbacks: the file name as id, draft status)
    /// but must not be listed or published.
    pub complete: bool,
    /// Every problem found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of the postmortem at `path` (used in messages and kept in the document);
/// naive times are read in `tz`.
pub fn parse(path: &Path, text: &str, tz: Tz) -> Parsed {
    let failed = |problem: Problem| Parsed {
        document: None,
        complete: false,
        diagnostics: vec![problem.into_diagnostic(path, Level::Error)],
    };
    let parts = match split(text) {
        Ok(parts) => parts,
        Err(problem) => return failed(problem),
    };
    let root = match yaml::parse(parts.yaml, parts.yaml_line) {
        Ok(root) => root,
        Err(problem) => return failed(problem),
    };
    if root.value == Value::Null {
        return failed(Problem {
            pos: Pos::START,
            code: Code::FrontMatter,
            message: "the front matter is empty".to_owned(),
            hint: Some("add at least `id`, `title`, `status` and `severity`".to_owned()),
        });
    }

    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let (front, complete, problems) = read_front_matter(&root, tz, stem);
    let diagnostics = problems
        .into_iter()
        .map(|p| p.into_diagnostic(path, Level::Error))
        .collect();
    let positions = Positions::of(root);
    let document = Postmortem {
        path: path.to_path_buf(),
        date: incident_date(&front, tz),
        front,
        body: parts.body.to_owned(),
        body_line: parts.body_line,
        positions,
        hash: crate::hash::content_hash(text.as_bytes()),
    };
    Parsed {
        document: Some(document),
        complete,
        diagnostics,
    }
}

/// The day impact began in the archive's timezone, else the date in the id.
fn incident_date(front: &FrontMatter, tz: Tz) -> NaiveDate {
    front
        .started_at
        .map(|at| at.with_timezone(&tz).date_naive())
        .or_else(|| front.id_date())
        .unwrap_or_default()
}

/// Whether `id` has the form `YYYY-MM-DD-slug` with a real date and a lowercase ASCII slug.
pub fn is_valid_id(id: &str) -> bool {
    let Some((date, slug)) = id.get(..10).zip(id.get(10..)) else {
        return false;
    };
    let Some(slug) = slug.strip_prefix('-') else {
        return false;
    };
    yaml::parse_date(date).is_ok()
        && !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Reads the front matter. When an identity field cannot be read, the front matter is still
/// returned, with `fallback_id` (the file name) as id, draft status and empty title or
/// severity, and `false` says it is incomplete.
fn read_front_matter(
    root: &Node,
    tz: Tz,
    fallback_id: String,
) -> (FrontMatter, bool, Vec<Problem>) {
    let mut f = Fields::new(root, "front matter");
    let id: Option<String> = f.required("id");
    let id = id.filter(|id| {
        let valid = is_valid_id(id);
        if !valid {
            let pos = f.node("id").map_or(f.pos(), |n| n.pos);
            f.report(
                pos,
                Invalid {
                    code: Code::InvalidId,
                    message: format!("`id: {id}` is not of the form YYYY-MM-DD-slug"),
                    hint: Some(
                        "use the incident date and a lowercase slug of letters, digits and \
                         dashes, e.g. 2026-03-14-checkout-latency-spike; the file name must match"
                            .to_owned(),
                    ),
                },
            );
        }
        valid
    });
    let title: Option<String> = f.required("title");
    let title = title.filter(|title| match super::title_problem(title) {
        None => true,
        Some(problem) => {
            let pos = f.node("title").map_or(f.pos(), |n| n.pos);
            f.report(
                pos,
                Invalid::value(
                    format!("the title {problem}"),
                    Some(
                        "write the title as one line of text; details belong in `summary`"
                            .to_owned(),
                    ),
                ),
            );
            false
        }
    });
    let status = f.required("status");
    let visibility = f.optional("visibility").unwrap_or(Visibility::Internal);
    let severity = f.required("severity");
    let kind = f.optional("kind").unwrap_or(Kind::Incident);
    let teams = f.list("teams");
    let services = f.list("services");
    let tags = f.list("tags");
    let authors = f.list("authors");
    let incident_commander = f.optional("incident_commander");
    let summary = f.optional("summary");
    let mut time = |key| read_time(&mut f, key, tz);
    let started_at = time("started_at");
    let detected_at = time("detected_at");
    let mitigated_at = time("mitigated_at");
    let resolved_at = time("resolved_at");
    let trigger = f.optional("trigger");
    let detection = f.optional("detection");
    let links = f.items("links", "link", read_link);
    let action_items = f.items("action_items", "action item", read_action_item);
    let related = f.list("related");
    let imported = f.optional("imported").unwrap_or_default();
    let problems = f.finish();

    let complete = id.is_some() && title.is_some() && status.is_some() && severity.is_some();
    let front = FrontMatter {
        id: id.unwrap_or(fallback_id),
        title: title.unwrap_or_default(),
        status: status.unwrap_or(Status::Draft),
        visibility,
        severity: severity.unwrap_or_default(),
        kind,
        teams,
        services,
        tags,
        authors,
        incident_commander,
        summary,
        started_at,
        detected_at,
        mitigated_at,
        resolved_at,
        trigger,
        detection,
        links: links.into_iter().map(|(_, link)| link).collect(),
        related,
        action_items: action_items.into_iter().map(|(_, item)| item).collect(),
        imported,
    };
    (front, complete, problems)
}

fn read_time(f: &mut Fields<'_>, key: &'static str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let node = f.node(key)?;
    let text = match yaml::scalar_text(node) {
        Ok(text) => text,
        Err(invalid) => {
            f.report(node.pos, invalid);
            return None;
        }
    };
    parse_time(text, tz)
        .map_err(|invalid| {
            f.report(
                node.pos,
                Invalid {
                    message: format!("`{key}`: {}", invalid.message),
                    ..invalid
                },
            );
        })
        .ok()
}

/// Reads a link; missing fields (reported) are left empty.
fn read_link(f: &mut Fields<'_>) -> Link {
    let title = f.required("title");
    let url = f.required("url");
    Link {
        title: title.unwrap_or_default(),
        url: url.unwrap_or_default(),
    }
}

/// Reads an action item; a missing title (reported) is left empty, so that the item keeps its
/// place and every later item keeps its `<doc id>#<n>`.
fn read_action_item(f: &mut Fields<'_>) -> ActionItem {
    let id = f.optional("id");
    let title: Option<String> = f.required("title");
    if let Some(problem) = title.as_deref().and_then(super::title_problem) {
        let pos = f.node("title").map_or(f.pos(), |n| n.pos);
        f.report(
            pos,
            Invalid::value(
                format!("the action item's title {problem}"),
                Some(
                    "write what will be done as one line; details belong in its ticket".to_owned(),
                ),
            ),
        );
    }
    let kind = f.optional("type");
    let owner = f.optional("owner");
    let team = f.optional("team");
    let priority = f.optional("priority");
    let due = f.optional("due");
    let status = f.optional("status").unwrap_or(ActionStatus::Open);
    let closed = f.optional("closed");
    let ticket = f.optional("ticket");
    ActionItem {
        id,
        title: title.unwrap_or_default(),
        kind,
        owner,
        team,
        priority,
        due,
        status,
        closed,
        ticket,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn berlin() -> Tz {
        "Europe/Berlin".parse().unwrap()
    }

    fn doc(front: &str) -> String {
        format!("---\n{front}---\n## Summary\nText.\n")
    }

    const MINIMAL: &str =
        "id: 2026-03-14-checkout-latency\ntitle: Checkout latency\nstatus: draft\nseverity: SEV2\n";

    #[test]
    fn parses_a_minimal_document_with_defaults() {
        let parsed = parse(Path::new("a.md"), &doc(MINIMAL), berlin());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let d = parsed.document.unwrap();
        assert_eq!(d.front.status, Status::Draft);
        assert_eq!(d.front.visibility, Visibility::Internal);
        assert_eq!(d.front.kind, Kind::Incident);
        assert_eq!(d.date, NaiveDate::from_ymd_opt(2026, 3, 14).unwrap());
        assert_eq!(d.body, "## Summary\nText.\n");
        assert_eq!(d.body_line, 7);
    }

    #[test]
    fn reports_every_bad_field_at_its_line() {
        let text = doc(&format!(
            "{MINIMAL}visibility: publik\nserverity: SEV1\nstarted_at: 2026-13-45T10:00:00Z\naction_items:\n  - title: Fix\n    ownr: Ana\n"
        ));
        let parsed = parse(Path::new("a.md"), &text, berlin());
        let got: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.pos.line, d.code))
            .collect();
        assert_eq!(
            got,
            [
                (6, Code::InvalidValue),
                (7, Code::UnknownKey),
                (8, Code::InvalidTime),
                (11, Code::UnknownKey)
            ]
        );
        assert!(parsed.document.is_some(), "identity fields were fine");
    }

    #[test]
    fn missing_identity_fields_leave_an_incomplete_document() {
        let parsed = parse(
            Path::new("2026-03-14-x.md"),
            &doc("id: Not an id\ntitle: T\nteams: [a]\n"),
            berlin(),
        );
        assert!(!parsed.complete);
        let d = parsed.document.unwrap();
        assert_eq!(
            d.front.id, "2026-03-14-x",
            "the file name stands in for the id"
        );
        assert_eq!(d.front.status, Status::Draft);
        assert_eq!(
            d.front.teams,
            ["a"],
            "the rest is read, so that it can be checked"
        );
        let messages: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "the front matter has no `status`",
                "the front matter has no `severity`",
                "`id: Not an id` is not of the form YYYY-MM-DD-slug",
            ]
        );
    }

    #[test]
    fn a_misspelt_required_key_is_one_problem() {
        let text = doc("id: 2026-03-14-x\ntitle: T\nstatus: draft\nseverty: SEV2\n");
        let parsed = parse(Path::new("a.md"), &text, berlin());
        let messages: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            ["unknown key `severty` in the front matter, and `severity` is missing"]
        );
    }

    #[test]
    fn action_items_keep_their_places_when_one_is_broken() {
        let text = doc(&format!(
            "{MINIMAL}action_items:\n  - owner: Ana\n  - title: Second\n"
        ));
        let parsed = parse(Path::new("a.md"), &text, berlin());
        let d = parsed.document.unwrap();
        assert_eq!(d.front.action_items.len(), 2);
        assert_eq!(d.front.action_items[1].title, "Second");
        assert_eq!(d.action_id(1), "2026-03-14-checkout-latency#2");
        assert_eq!(
            parsed.diagnostics[0].message,
            "the action item has no `title`"
        );
    }

    #[test]
    fn an_action_item_title_is_one_line() {
        let text = doc(&format!(
            "{MINIMAL}action_items:\n  - title: \"Two\\nlines\"\n    owner: Ana\n"
        ));
        let parsed = parse(Path::new("a.md"), &text, berlin());
        let problem = &parsed.diagnostics[0];
        assert_eq!(
            problem.message,
            "the action item's title spans more than one line"
        );
        assert_eq!(problem.pos.line, 7);
        // The item keeps its place and its other fields.
        let d = parsed.document.unwrap();
        assert_eq!(d.front.action_items[0].owner.as_deref(), Some("Ana"));
    }

    #[test]
    fn bad_list_elements_are_reported_each_at_its_place() {
        let text = doc(&format!("{MINIMAL}teams: [a, {{b: c}}, d, [e]]\n"));
        let parsed = parse(Path::new("a.md"), &text, berlin());
        let d = parsed.document.unwrap();
        assert_eq!(d.front.teams, ["a", "d"]);
        let columns: Vec<_> = parsed.diagnostics.iter().map(|d| d.pos.column).collect();
        assert_eq!(columns, [12, 23]);
    }

    #[test]
    fn rejects_malformed_ids_and_multi_line_titles() {
        let text = doc("id: incident-42\ntitle: \"a\\nb\"\nstatus: draft\nseverity: SEV2\n");
        let parsed = parse(Path::new("a.md"), &text, berlin());
        let codes: Vec<_> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::InvalidId, Code::InvalidValue]);
    }

    #[test]
    fn validates_ids() {
        assert!(is_valid_id("2026-03-14-a"));
        assert!(is_valid_id("2026-03-14-checkout-5xx"));
        for bad in [
            "2026-03-14",
            "2026-03-14-",
            "2026-02-30-x",
            "2026-03-14-Up",
            "2026-03-14--x",
            "x",
        ] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn records_positions_of_nested_values() {
        let text = doc(&format!(
            "{MINIMAL}action_items:\n  - title: A\n  - title: B\n    owner: Bo\n"
        ));
        let d = parse(Path::new("a.md"), &text, berlin()).document.unwrap();
        assert_eq!(
            d.positions.at("action_items.1.owner"),
            Pos {
                line: 9,
                column: 12
            }
        );
        assert_eq!(d.positions.at("action_items.1").line, 8);
    }
}
