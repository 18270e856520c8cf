//! Adding the teams and services imported postmortems name to `pm.yaml`, keeping every byte
//! that was there.
//!
//! YAML forbids a second `teams:` key, so new entries go at the end of the existing list when
//! there is one (written one item per line), else into a block of new keys at the end of the
//! file. Every addition sits between two comment lines that say `pm import` added it.

use std::path::Path;

use crate::archive::Config;
use crate::model::yaml::{self, Entry, Value};

/// A team or service to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// Its id: a slug of the name.
    pub id: String,
    /// The name as the source wrote it.
    pub name: String,
}

/// The first line of every block `pm import` adds.
pub const BEGIN_MARK: &str = "# pm import: added";
/// The last line of every block `pm import` adds.
pub const END_MARK: &str = "# pm import: end of added";

/// `text` (a `pm.yaml`) with `teams` and `services` added; the original text is kept byte for
/// byte around the added lines. `day` is written in the marks. Fails, saying why, when a list
/// cannot be extended without rewriting it, or when the result would not read back.
pub fn add_entries(
    text: &str,
    teams: &[NewEntry],
    services: &[NewEntry],
    day: &str,
) -> Result<String, String> {
    if teams.is_empty() && services.is_empty() {
        return Ok(text.to_owned());
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let root =
        yaml::parse(text, 1).map_err(|p| format!("pm.yaml:{}: {}", p.pos.line, p.message))?;
    let entries: &[Entry] = match &root.value {
        Value::Map(entries) => entries,
        Value::Null => &[],
        _ => return Err("pm.yaml is not a YAML mapping".to_owned()),
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    // Insertions as (line index to insert before, lines), applied from the bottom up.
    let mut inserts: Vec<(usize, Vec<String>)> = Vec::new();
    let mut new_keys: Vec<String> = Vec::new();
    for (key, additions) in [("teams", teams), ("services", services)] {
        if additions.is_empty() {
            continue;
        }
        let item = |e: &NewEntry, indent: &str| {
            format!(
                "{indent}- {{ id: {}, name: {} }}",
                e.id,
                serde_json::to_string(&e.name).unwrap_or_else(|_| format!("\"{}\"", e.id))
            )
        };
        let Some(position) = entries.iter().position(|e| e.key == key) else {
            new_keys.push(format!("{key}:"));
            new_keys.extend(additions.iter().map(|e| item(e, "  ")));
            continue;
        };
        let entry = &entries[position];
        let next_key_line = entries.get(position + 1).map(|e| e.key_pos.line);
        let (indent, after_line) = match &entry.value.value {
            Value::Seq(items) if !items.is_empty() => {
                let first = lines
                    .get(items[0].pos.line - 1)
                    .copied()
                    .unwrap_or_default();
                let prefix: String = first.chars().take(items[0].pos.column - 1).collect();
                if prefix.trim() != "-" {
                    return Err(format!(
                        "`{key}` in pm.yaml is written on one line (`[...]`): pm import can only add to a list written one item per line"
                    ));
                }
                let indent: String = first.chars().take_while(|c| *c == ' ').collect();
                let end = next_key_line.map_or(lines.len(), |l| l - 1);
                (
                    indent,
                    last_content_line(&lines, items[items.len() - 1].pos.line, end),
                )
            }
            Value::Null => {
                let key_line = lines
                    .get(entry.key_pos.line - 1)
                    .copied()
                    .unwrap_or_default();
                let after_colon = key_line.split_once(':').map_or("", |(_, rest)| rest).trim();
                if !(after_colon.is_empty() || after_colon.starts_with('#')) {
                    return Err(format!(
                        "`{key}` in pm.yaml is set to `{after_colon}`: write `{key}:` alone on its line for pm import to add to it"
                    ));
                }
                ("  ".to_owned(), entry.key_pos.line)
            }
            Value::Seq(_) => {
                return Err(format!(
                    "`{key}` in pm.yaml is an empty list (`[]`): write `{key}:` alone on its line for pm import to add to it"
                ));
            }
            other => {
                return Err(format!(
                    "`{key}` in pm.yaml is {}, not a list",
                    other.kind()
                ));
            }
        };
        let mut block = vec![format!(
            "{indent}{BEGIN_MARK} {day}: {key} named by imported postmortems; review their names"
        )];
        block.extend(additions.iter().map(|e| item(e, &indent)));
        block.push(format!("{indent}{END_MARK} {key}"));
        inserts.push((after_line, block));
    }
    if !new_keys.is_empty() {
        let mut block = vec![
            format!("{BEGIN_MARK} {day}: teams and services named by imported postmortems."),
            "# Review their names, and give each service its owner.".to_owned(),
        ];
        block.extend(new_keys);
        block.push(END_MARK.to_owned());
        inserts.push((lines.len(), block));
    }
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    if out.last().is_some_and(|l| !l.ends_with('\n')) {
        // The added lines start on a line of their own; the original bytes are unchanged.
        if let Some(last) = out.last_mut() {
            last.push_str(newline);
        }
    }
    for (at, block) in inserts {
        let block: Vec<String> = block.into_iter().map(|l| format!("{l}{newline}")).collect();
        out.splice(at..at, block);
    }
    let result = out.concat();
    verify(text, &result, teams, services)?;
    Ok(result)
}

/// The 0-based index of the line after the last line of content (not blank, not a comment) in
/// lines `from..=to` (1-based), so that comments heading the next key stay with it.
fn last_content_line(lines: &[&str], from: usize, to: usize) -> usize {
    let mut last = from;
    for number in from..=to.min(lines.len()) {
        let line = lines[number - 1].trim();
        if !line.is_empty() && !line.starts_with('#') {
            last = number;
        }
    }
    last
}

/// Checks that `after` reads as a configuration knowing every new entry, with no new errors.
fn verify(
    before: &str,
    after: &str,
    teams: &[NewEntry],
    services: &[NewEntry],
) -> Result<(), String> {
    let path = Path::new("pm.yaml");
    let old = Config::parse(path, before);
    let new = Config::parse(path, after);
    let errors = |d: &[crate::diagnostic::Diagnostic]| d.iter().filter(|d| d.is_error()).count();
    if !new.readable || errors(&new.diagnostics) > errors(&old.diagnostics) {
        let first = new
            .diagnostics
            .iter()
            .find(|d| d.is_error())
            .map_or_else(|| "it cannot be read".to_owned(), ToString::to_string);
        return Err(format!("the changed pm.yaml would not read back: {first}"));
    }
    let missing = teams
        .iter()
        .filter(|t| new.config.team(&t.id).is_none())
        .chain(
            services
                .iter()
                .filter(|s| new.config.service(&s.id).is_none()),
        )
        .map(|e| e.id.as_str())
        .collect::<Vec<_>>();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the changed pm.yaml would not define {}",
            missing.join(", ")
        ))
    }
}

/// `text` without the blocks `pm import` added: what was there before, byte for byte.
pub fn without_added_blocks(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim();
        if bare.starts_with(BEGIN_MARK) {
            inside = true;
        } else if inside {
            inside = !bare.starts_with(END_MARK);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::STARTER_CONFIG;

    fn entry(id: &str, name: &str) -> NewEntry {
        NewEntry {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn extends_existing_lists_and_keeps_every_other_byte() {
        let teams = [entry("example-corp-eu", "Example Corp (EU)")];
        let services = [entry("api", "API \"v2\"")];
        let out = add_entries(STARTER_CONFIG, &teams, &services, "2026-11-28").unwrap();
        let parsed = Config::parse(Path::new("pm.yaml"), &out);
        assert_eq!(
            parsed.config.team("example-corp-eu").unwrap().name,
            "Example Corp (EU)"
        );
        assert_eq!(parsed.config.service("api").unwrap().name, "API \"v2\"");
        assert!(
            parsed.diagnostics.iter().all(|d| !d.is_error()),
            "{:?}",
            parsed.diagnostics
        );
        assert_eq!(without_added_blocks(&out), STARTER_CONFIG);
        let team_block = out.find("example-corp-eu").unwrap();
        assert!(
            team_block < out.find("# Every service").unwrap(),
            "inside the teams list:\n{out}"
        );
    }

    #[test]
    fn absent_lists_go_into_one_block_at_the_end() {
        let text = "title: X\ntimezone: UTC";
        let out = add_entries(text, &[entry("a", "A")], &[entry("b", "B")], "2026-11-28").unwrap();
        assert!(
            out.starts_with("title: X\ntimezone: UTC\n# pm import: added"),
            "{out}"
        );
        assert_eq!(out.matches(BEGIN_MARK).count(), 1);
        assert_eq!(without_added_blocks(&out), "title: X\ntimezone: UTC\n");
        let parsed = Config::parse(Path::new("pm.yaml"), &out);
        assert!(parsed.config.team("a").is_some() && parsed.config.service("b").is_some());
    }

    #[test]
    fn a_key_without_value_becomes_a_list_and_crlf_is_kept() {
        let text = "teams:\r\nservices: # none yet\r\ntitle: X\r\n";
        let out = add_entries(text, &[entry("a", "A")], &[entry("b", "B")], "d").unwrap();
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        assert_eq!(without_added_blocks(&out), text);
        let parsed = Config::parse(Path::new("pm.yaml"), &out);
        assert!(parsed.config.team("a").is_some() && parsed.config.service("b").is_some());
    }

    #[test]
    fn extends_lists_of_block_mappings_and_unindented_lists() {
        let text = "teams:\n  - id: a\n    name: A\n\n    # a comment inside\n# about services\nservices:\n- id: s\n  owner: a\n";
        let out = add_entries(text, &[entry("b", "B")], &[entry("t", "T")], "d").unwrap();
        assert_eq!(without_added_blocks(&out), text);
        let parsed = Config::parse(Path::new("pm.yaml"), &out);
        assert!(
            parsed.config.team("b").is_some() && parsed.config.service("t").is_some(),
            "{out}"
        );
        assert_eq!(parsed.config.team("a").unwrap().name, "A");
        assert!(out.contains("\n# about services\nservices:\n"), "{out}");
    }

    #[test]
    fn refuses_lists_it_would_have_to_rewrite() {
        for text in ["teams: [{ id: a }]\n", "teams: []\n", "teams: ~\n"] {
            assert!(
                add_entries(text, &[entry("b", "B")], &[], "d").is_err(),
                "{text}"
            );
        }
    }
}
