//! The rules, one function each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::Clock;
use crate::archive::{Archive, Config};
use crate::diagnostic::{Code, Diagnostic, Pos, allowed_values_hint, suggestion, undefined_hint};
use crate::markdown::{self, LineIndex, Outline};
use crate::model::{Postmortem, Status};

/// Applies every single-document rule to `doc`.
pub fn document(doc: &Postmortem, config: &Config, clock: Clock, out: &mut Vec<Diagnostic>) {
    id_matches_file_name(doc, out);
    published_fields(doc, out);
    time_order(doc, clock, out);
    known_to_config(doc, config, out);
    action_items(doc, clock, out);
    let outline = markdown::outline(&doc.body);
    required_sections(doc, &outline, config, out);
    blame_wording(doc, &outline, config, out);
}

/// Applies the rules that compare documents: unique ids, existing `related` ids.
pub fn across_documents(archive: &Archive, out: &mut Vec<Diagnostic>) {
    unique_ids(archive, out);
    related_ids_exist(archive, out);
}

fn at(doc: &Postmortem, field: &str) -> Pos {
    doc.positions.at(field)
}

fn id_matches_file_name(doc: &Postmortem, out: &mut Vec<Diagnostic>) {
    let stem = doc.path.file_stem().map(|s| s.to_string_lossy());
    if stem.as_deref() != Some(doc.id()) {
        out.push(
            Diagnostic::error(
                &doc.path,
                at(doc, "id"),
                Code::InvalidId,
                format!(
                    "`id: {}` does not match the file name `{}`",
                    doc.id(),
                    doc.path.file_name().unwrap_or_default().to_string_lossy()
                ),
            )
            .with_hint(format!(
                "rename the file to `{}.md`, or change `id` to `{}`",
                doc.id(),
                stem.unwrap_or_default()
            )),
        );
    }
}

fn published_fields(doc: &Postmortem, out: &mut Vec<Diagnostic>) {
    if doc.front.status != Status::Published {
        return;
    }
    let f = &doc.front;
    let missing = [
        (
            "summary",
            f.summary.as_ref().is_none_or(|s| s.trim().is_empty()),
        ),
        ("teams", f.teams.is_empty()),
        ("services", f.services.is_empty()),
        ("started_at", f.started_at.is_none()),
        ("resolved_at", f.resolved_at.is_none()),
    ];
    for (field, is_missing) in missing {
        if is_missing {
            out.push(
                Diagnostic::error(
                    &doc.path,
                    at(doc, field),
                    Code::MissingField,
                    format!("a published postmortem needs `{field}`"),
                )
                .with_hint(format!(
                    "add `{field}:`, or set `status: draft` while it is still being written"
                )),
            );
        }
    }
}

fn time_order(doc: &Postmortem, clock: Clock, out: &mut Vec<Diagnostic>) {
    let f = &doc.front;
    let times = [
        ("started_at", f.started_at),
        ("detected_at", f.detected_at),
        ("mitigated_at", f.mitigated_at),
        ("resolved_at", f.resolved_at),
    ];
    let mut previous: Option<(&str, _)> = None;
    for (field, time) in times {
        let Some(time) = time else { continue };
        if let Some((before, earlier)) = previous
            && time < earlier
        {
            out.push(
                Diagnostic::error(
                    &doc.path,
                    at(doc, field),
                    Code::TimeOrder,
                    format!(
                        "`{field}` ({}) is before `{before}` ({})",
                        time.to_rfc3339(),
                        earlier.to_rfc3339()
                    ),
                )
                .with_hint(
                    "times must run started_at <= detected_at <= mitigated_at <= resolved_at; \
                     check the date and the offset",
                ),
            );
        }
        if time > clock.now {
            out.push(
                Diagnostic::error(
                    &doc.path,
                    at(doc, field),
                    Code::FutureTime,
                    format!("`{field}` ({}) is in the future", time.to_rfc3339()),
                )
                .with_hint("check the year, the date and the offset"),
            );
        }
        previous = Some((field, time));
    }
}

fn known_to_config(doc: &Postmortem, config: &Config, out: &mut Vec<Diagnostic>) {
    let f = &doc.front;
    // An empty severity is a missing one, reported when the front matter was read.
    if !f.severity.is_empty() && config.severity(&f.severity).is_none() {
        let allowed: Vec<&str> = config.severities.iter().map(|s| s.id.as_str()).collect();
        out.push(
            Diagnostic::error(
                &doc.path,
                at(doc, "severity"),
                Code::UnknownSeverity,
                format!("`{}` is not a severity defined in pm.yaml", f.severity),
            )
            .with_hint(allowed_values_hint(&f.severity, &allowed)),
        );
    }
    let teams: Vec<&str> = config.teams.iter().map(|t| t.id.as_str()).collect();
    let services: Vec<&str> = config.services.iter().map(|s| s.id.as_str()).collect();
    for (i, team) in f.teams.iter().enumerate() {
        unknown(
            doc,
            &format!("teams.{i}"),
            team,
            "team",
            &teams,
            Code::UnknownTeam,
            out,
        );
    }
    for (i, service) in f.services.iter().enumerate() {
        let field = format!("services.{i}");
        unknown(
            doc,
            &field,
            service,
            "service",
            &services,
            Code::UnknownService,
            out,
        );
    }
    for (i, item) in f.action_items.iter().enumerate() {
        if let Some(team) = &item.team {
            let field = format!("action_items.{i}.team");
            unknown(doc, &field, team, "team", &teams, Code::UnknownTeam, out);
        }
    }
}

fn unknown(
    doc: &Postmortem,
    field: &str,
    value: &str,
    what: &str,
    known: &[&str],
    code: Code,
    out: &mut Vec<Diagnostic>,
) {
    if known.contains(&value) {
        return;
    }
    let hint = undefined_hint(what, value, known);
    out.push(
        Diagnostic::error(
            &doc.path,
            at(doc, field),
            code,
            format!("`{value}` is not a {what} defined in pm.yaml"),
        )
        .with_hint(hint),
    );
}

fn action_items(doc: &Postmortem, clock: Clock, out: &mut Vec<Diagnostic>) {
    let published = doc.front.status == Status::Published;
    for (i, item) in doc.front.action_items.iter().enumerate() {
        let pos = at(doc, &format!("action_items.{i}"));
        let id = doc.action_id(i);
        let make = |code, message: String| {
            if published {
                Diagnostic::error(&doc.path, pos, code, message)
            } else {
                Diagnostic::warning(&doc.path, pos, code, message)
            }
        };
        if item.owner.is_none() {
            out.push(
                make(
                    Code::ActionOwner,
                    format!("action item `{id}` has no owner"),
                )
                .with_hint("add `owner:` naming the person who will do it"),
            );
        }
        if item.due.is_none() {
            out.push(
                make(
                    Code::ActionDue,
                    format!("action item `{id}` has no due date"),
                )
                .with_hint("add `due: YYYY-MM-DD`"),
            );
        }
        if let Some(due) = item.due.filter(|_| item.is_overdue(clock.today)) {
            let days = (clock.today - due).num_days();
            out.push(
                Diagnostic::warning(
                    &doc.path,
                    at(doc, &format!("action_items.{i}.due")),
                    Code::ActionOverdue,
                    format!(
                        "action item `{id}` was due {due} ({days} day{} ago) and is still {}",
                        if days == 1 { "" } else { "s" },
                        item.status
                    ),
                )
                .with_hint("finish it, move `due` with a reason, or set `status: wont-do`"),
            );
        }
    }
}

fn required_sections(
    doc: &Postmortem,
    outline: &Outline,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    if doc.front.status != Status::Published {
        return;
    }
    let sections = &outline.sections;
    let body_line = |line: usize| Pos::line(doc.body_line + line - 1);
    for required in &config.required_sections {
        let found = sections
            .iter()
            .find(|s| s.title.eq_ignore_ascii_case(&required.name));
        match found {
            None if !required.optional => out.push(
                Diagnostic::error(
                    &doc.path,
                    Pos::line(doc.body_line),
                    Code::MissingSection,
                    format!(
                        "a published postmortem needs a `## {}` section",
                        required.name
                    ),
                )
                .with_hint(format!(
                    "add a `## {}` heading with its content (pm.yaml `required_sections`)",
                    required.name
                )),
            ),
            Some(section) if !section.has_content => out.push(
                Diagnostic::error(
                    &doc.path,
                    body_line(section.line),
                    Code::EmptySection,
                    format!("section `## {}` is empty", section.title),
                )
                .with_hint(if required.optional {
                    "write it, or remove the heading (the section is optional)"
                } else {
                    "write it; template comments (`<!-- -->`) do not count"
                }),
            ),
            _ => {}
        }
    }
}

fn blame_wording(doc: &Postmortem, outline: &Outline, config: &Config, out: &mut Vec<Diagnostic>) {
    if config.blame_words.is_empty() {
        return;
    }
    // ASCII lower-casing keeps every byte where it was, so offsets stay valid in the body.
    let body = doc.body.to_ascii_lowercase();
    let phrases: Vec<String> = config
        .blame_words
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let mut first_bytes = [false; 256];
    for phrase in &phrases {
        if let Some(&b) = phrase.as_bytes().first() {
            first_bytes[usize::from(b)] = true;
        }
    }
    let mut lines = None;
    // One pass over the words of the prose, trying each phrase where a word starts: much
    // cheaper than searching the whole body once per phrase.
    for run in &outline.prose {
        let mut previous_is_word = false;
        for (at, c) in body[run.clone()].char_indices() {
            let at = run.start + at;
            let starts_word = c.is_alphanumeric() && !previous_is_word;
            previous_is_word = c.is_alphanumeric();
            if !starts_word || !first_bytes[usize::from(body.as_bytes()[at])] {
                continue;
            }
            let rest = &body[at..run.end];
            for phrase in &phrases {
                let Some(len) = phrase_at(rest, phrase) else {
                    continue;
                };
                if !is_whole_word(&body, at, len) {
                    continue;
                }
                let lines = lines.get_or_insert_with(|| LineIndex::new(&doc.body));
                let pos = Pos {
                    line: doc.body_line + lines.line(at) - 1,
                    column: lines.column(at),
                };
                out.push(
                    Diagnostic::warning(
                        &doc.path,
                        pos,
                        Code::BlameWording,
                        format!("\"{phrase}\" points at people rather than at the system"),
                    )
                    .with_hint(
                        "describe what made the action possible or likely (missing guard rails, \
                         unclear signals) instead of who erred",
                    ),
                );
            }
        }
    }
}

/// The length of the text at the start of `text` that reads as `phrase`, its words separated
/// by any run of spaces, line breaks or emphasis marks (`human\n*error*`).
fn phrase_at(text: &str, phrase: &str) -> Option<usize> {
    let mut at = 0;
    for (i, word) in phrase.split_whitespace().enumerate() {
        if i > 0 {
            let gap = text[at..]
                .find(|c: char| !(c.is_whitespace() || matches!(c, '*' | '_' | '~')))
                .unwrap_or(text.len() - at);
            if gap == 0 {
                return None;
            }
            at += gap;
        }
        if !text[at..].starts_with(word) {
            return None;
        }
        at += word.len();
    }
    Some(at)
}

fn is_whole_word(text: &str, offset: usize, len: usize) -> bool {
    let before = text[..offset].chars().next_back();
    let after = text[offset + len..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

fn unique_ids(archive: &Archive, out: &mut Vec<Diagnostic>) {
    let mut first_doc: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut first_action: BTreeMap<String, &Path> = BTreeMap::new();
    for doc in archive.all_documents() {
        if let Some(other) = first_doc.insert(doc.id(), &doc.path) {
            first_doc.insert(doc.id(), other);
            out.push(
                Diagnostic::error(
                    &doc.path,
                    at(doc, "id"),
                    Code::DuplicateId,
                    format!("id `{}` is also used by {}", doc.id(), other.display()),
                )
                .with_hint(
                    "ids must be unique: change the slug of one of them (and its file name)",
                ),
            );
        }
        for (i, item) in doc.front.action_items.iter().enumerate() {
            let Some(id) = &item.id else { continue };
            if let Some(other) = first_action.get(id) {
                out.push(
                    Diagnostic::error(
                        &doc.path,
                        at(doc, &format!("action_items.{i}.id")),
                        Code::DuplicateId,
                        format!("action item id `{id}` is also used in {}", other.display()),
                    )
                    .with_hint(
                        "give each action item its own id, or remove `id` to use `<doc id>#<n>`",
                    ),
                );
            } else {
                first_action.insert(id.clone(), &doc.path);
            }
        }
    }
}

fn related_ids_exist(archive: &Archive, out: &mut Vec<Diagnostic>) {
    // A file whose front matter is broken still holds its id in its name: do not call a
    // reference to it unknown while the real problem is reported elsewhere.
    let known: BTreeSet<String> = archive
        .all_documents()
        .map(|d| d.id().to_owned())
        .chain(
            archive
                .files
                .iter()
                .filter_map(|f| Some(f.file_stem()?.to_string_lossy().into_owned())),
        )
        .collect();
    let ids: Vec<&str> = known.iter().map(String::as_str).collect();
    for doc in archive.all_documents() {
        for (i, related) in doc.front.related.iter().enumerate() {
            let pos = at(doc, &format!("related.{i}"));
            if related == doc.id() {
                out.push(
                    Diagnostic::warning(
                        &doc.path,
                        pos,
                        Code::UnknownRelated,
                        "a postmortem lists itself as related",
                    )
                    .with_hint("remove it from `related`"),
                );
            } else if !known.contains(related) {
                let hint = suggestion(related, ids.iter().copied()).unwrap_or_else(|| {
                    "use the id of another postmortem in this archive".to_owned()
                });
                out.push(
                    Diagnostic::error(
                        &doc.path,
                        pos,
                        Code::UnknownRelated,
                        format!("related postmortem `{related}` does not exist"),
                    )
                    .with_hint(hint),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_across_line_breaks_and_emphasis() {
        assert_eq!(phrase_at("human error.", "human error"), Some(11));
        assert_eq!(phrase_at("human\n  *error*", "human error"), Some(14));
        assert_eq!(phrase_at("humanerror", "human error"), None);
        assert_eq!(phrase_at("human mistake", "human error"), None);
    }

    #[test]
    fn whole_words_only() {
        assert!(is_whole_word("it was careless.", 7, 8));
        assert!(!is_whole_word("carelessness", 0, 8));
        assert!(!is_whole_word("blameless", 0, 5));
    }
}
