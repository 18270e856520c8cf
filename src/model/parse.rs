//! Parsing a postmortem: split, read the YAML, read every field, derive the date.

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

use super::split::split;
use super::time::parse_time;
use super::yaml::{self, Fields, Invalid, Node, Problem, Value};
use super::{ActionItem, ActionStatus, FrontMatter, Kind, Link, Positions, Postmortem, Visibility};
use crate::diagnostic::{Code, Diagnostic, Level, Pos};

/// What parsing one file gave: the document when its identity could be read, and every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The document, unless `id`, `title`, `status` or `severity` could not be read.
    pub document: Option<Postmortem>,
    /// Every problem found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of the postmortem at `path` (used in messages and kept in the document);
/// naive times are read in `tz`.
pub fn parse(path: &Path, text: &str, tz: Tz) -> Parsed {
    let failed = |problem: Problem| Parsed {
        document: None,
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

    let (front, problems) = read_front_matter(&root, tz);
    let diagnostics = problems
        .into_iter()
        .map(|p| p.into_diagnostic(path, Level::Error))
        .collect();
    let document = front.map(|front| {
        let mut positions = Positions::default();
        record_positions(&root, String::new(), &mut positions);
        Postmortem {
            path: path.to_path_buf(),
            date: incident_date(&front, tz),
            front,
            body: parts.body.to_owned(),
            body_line: parts.body_line,
            positions,
        }
    });
    Parsed {
        document,
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

fn read_front_matter(root: &Node, tz: Tz) -> (Option<FrontMatter>, Vec<Problem>) {
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
    let title = title.filter(|title| {
        let one_line = !title.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']);
        if !one_line {
            let pos = f.node("title").map_or(f.pos(), |n| n.pos);
            f.report(
                pos,
                Invalid::value(
                    "the title spans more than one line",
                    Some("write the title on one line; details belong in `summary`".to_owned()),
                ),
            );
        }
        one_line
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
    let problems = f.finish();

    let front = match (id, title, status, severity) {
        (Some(id), Some(title), Some(status), Some(severity)) => Some(FrontMatter {
            id,
            title,
            status,
            visibility,
            severity,
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
            links,
            related,
            action_items,
        }),
        _ => None,
    };
    (front, problems)
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

fn read_link(f: &mut Fields<'_>) -> Option<Link> {
    let title = f.required("title");
    let url = f.required("url");
    Some(Link {
        title: title?,
        url: url?,
    })
}

fn read_action_item(f: &mut Fields<'_>) -> Option<ActionItem> {
    let id = f.optional("id");
    let title = f.required("title");
    let kind = f.optional("type");
    let owner = f.optional("owner");
    let team = f.optional("team");
    let priority = f.optional("priority");
    let due = f.optional("due");
    let status = f.optional("status").unwrap_or(ActionStatus::Open);
    let closed = f.optional("closed");
    let ticket = f.optional("ticket");
    Some(ActionItem {
        id,
        title: title?,
        kind,
        owner,
        team,
        priority,
        due,
        status,
        closed,
        ticket,
    })
}

/// Records the position of every value under `node`, keyed by its dotted path.
fn record_positions(node: &Node, path: String, positions: &mut Positions) {
    let child = |name: &str| {
        if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    match &node.value {
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                record_positions(item, child(&i.to_string()), positions);
            }
        }
        Value::Map(entries) => {
            for entry in entries {
                record_positions(&entry.value, child(&entry.key), positions);
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
    positions.insert(path, node.pos);
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
    fn missing_identity_fields_leave_no_document() {
        let parsed = parse(
            Path::new("a.md"),
            &doc("id: 2026-03-14-x\ntitle: T\n"),
            berlin(),
        );
        assert!(parsed.document.is_none());
        let messages: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "the front matter has no `status`",
                "the front matter has no `severity`"
            ]
        );
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
