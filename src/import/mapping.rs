//! `--map mapping.yaml`: which front-matter key of another schema becomes which field of ours,
//! and turning their values into our types. Keys no rule maps are kept under `imported:`.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

use crate::diagnostic::suggestion;
use crate::error::{Error, Result};
use crate::model::time::parse_time;
use crate::model::yaml::{self, Value, parse_date};
use crate::model::{Detection, FreeMap, FreeValue, Kind, title_problem};

/// A field of ours that a source key can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `title`.
    Title,
    /// `summary`.
    Summary,
    /// `teams`: names or ids; unknown ones are added to `pm.yaml`.
    Teams,
    /// `services`: names or ids; unknown ones are added to `pm.yaml`.
    Services,
    /// `tags`.
    Tags,
    /// `authors`.
    Authors,
    /// `incident_commander`.
    IncidentCommander,
    /// `started_at`.
    StartedAt,
    /// `detected_at`.
    DetectedAt,
    /// `mitigated_at`.
    MitigatedAt,
    /// `resolved_at`.
    ResolvedAt,
    /// `trigger`.
    Trigger,
    /// `severity`: must be one of `pm.yaml`'s.
    Severity,
    /// `kind`.
    Kind,
    /// `detection`.
    Detection,
    /// The incident date, for the id (not a field of its own).
    Date,
    /// Kept as written under `imported:`.
    Imported,
}

/// Every target, by the name a mapping file uses.
const TARGETS: &[(&str, Target)] = &[
    ("title", Target::Title),
    ("summary", Target::Summary),
    ("teams", Target::Teams),
    ("services", Target::Services),
    ("tags", Target::Tags),
    ("authors", Target::Authors),
    ("incident_commander", Target::IncidentCommander),
    ("started_at", Target::StartedAt),
    ("detected_at", Target::DetectedAt),
    ("mitigated_at", Target::MitigatedAt),
    ("resolved_at", Target::ResolvedAt),
    ("trigger", Target::Trigger),
    ("severity", Target::Severity),
    ("kind", Target::Kind),
    ("detection", Target::Detection),
    ("date", Target::Date),
    ("imported", Target::Imported),
];

/// Source keys understood without a mapping file: our own field names, and the usual names
/// of other schemas for start and end times and keywords. `teams` and `services` are here only
/// by their own names: what a `company` or `product` means is for the user to say.
const BUILT_IN: &[(&str, Target)] = &[
    ("start_time", Target::StartedAt),
    ("end_time", Target::ResolvedAt),
    ("categories", Target::Tags),
    ("keywords", Target::Tags),
];

/// The rules of a mapping file, in its order, before the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    rules: Vec<(String, Target)>,
}

impl Mapping {
    /// Reads the mapping file at `path`.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read the mapping file {}: {e}",
                path.display()
            ))
        })?;
        Mapping::parse(path, &text)
    }

    /// Parses a mapping file: a YAML mapping from their key to our field.
    pub fn parse(path: &Path, text: &str) -> Result<Mapping> {
        let shown = path.display();
        let root = yaml::parse(text, 1)
            .map_err(|p| Error::Usage(format!("{shown}:{}: {}", p.pos.line, p.message)))?;
        let entries = match root.value {
            Value::Map(entries) => entries,
            Value::Null => Vec::new(),
            _ => {
                return Err(Error::Usage(format!(
                    "{shown}: a mapping file is a YAML mapping from their key to our field\n  hint: write one `their_key: our_field` per line, e.g. `company: teams`"
                )));
            }
        };
        let mut rules = Vec::new();
        for entry in entries {
            let Value::Scalar(name) = &entry.value.value else {
                return Err(Error::Usage(format!(
                    "{shown}:{}: `{}` must map to one field name, not {}",
                    entry.value.pos.line,
                    entry.key,
                    entry.value.value.kind()
                )));
            };
            let Some(target) = target_named(name) else {
                let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
                let hint = suggestion(name, names.iter().copied())
                    .unwrap_or_else(|| format!("fields: {}", names.join(", ")));
                return Err(Error::Usage(format!(
                    "{shown}:{}: `{name}` is not a field pm import can fill\n  hint: {hint}",
                    entry.value.pos.line
                )));
            };
            rules.push((entry.key, target));
        }
        Ok(Mapping { rules })
    }

    /// The field the source key `key` fills.
    pub fn target(&self, key: &str) -> Target {
        if let Some((_, target)) = self.rules.iter().find(|(k, _)| k == key) {
            return *target;
        }
        if let Some((_, target)) = BUILT_IN.iter().find(|(k, _)| *k == key) {
            return *target;
        }
        target_named(key).unwrap_or(Target::Imported)
    }
}

fn target_named(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// A value read from a source field, with the key it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// The source key.
    pub key: String,
}

/// Names given for teams or services by one source key, and the value as written, so that it
/// can be kept under `imported:` when some names cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The source key.
    pub key: String,
    /// The value as written.
    pub original: FreeValue,
    /// The names in it.
    pub values: Vec<String>,
}

/// What the source front matter said, in our types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    /// `title`.
    pub title: Option<Sourced<String>>,
    /// `summary`.
    pub summary: Option<Sourced<String>>,
    /// `incident_commander`.
    pub incident_commander: Option<Sourced<String>>,
    /// `trigger`.
    pub trigger: Option<Sourced<String>>,
    /// `severity`, as one of `pm.yaml`'s ids.
    pub severity: Option<Sourced<String>>,
    /// `kind`.
    pub kind: Option<Sourced<Kind>>,
    /// `detection`.
    pub detection: Option<Sourced<Detection>>,
    /// The incident date.
    pub date: Option<Sourced<NaiveDate>>,
    /// `started_at`, `detected_at`, `mitigated_at`, `resolved_at`.
    pub times: [Option<Sourced<DateTime<FixedOffset>>>; 4],
    /// Team names, by source key.
    pub teams: Vec<Names>,
    /// Service names, by source key.
    pub services: Vec<Names>,
    /// `tags`, with the keys they came from.
    pub tags: Vec<Sourced<String>>,
    /// `authors`.
    pub authors: Vec<Sourced<String>>,
    /// Everything not mapped, or whose value could not be used, as written.
    pub rest: FreeMap,
    /// Values that could not be used, and why (each is also in `rest`).
    pub warnings: Vec<String>,
}

/// The names of the four times, in the order of [`Mapped::times`].
pub const TIME_FIELDS: [&str; 4] = ["started_at", "detected_at", "mitigated_at", "resolved_at"];

/// Reads `front` (a source's front matter) through `mapping`; naive times are read in `tz`,
/// severities are matched against `severities` (any case).
pub fn apply(mapping: &Mapping, front: &FreeMap, tz: Tz, severities: &[&str]) -> Mapped {
    let mut out = Mapped::default();
    for (key, value) in &front.0 {
        let target = mapping.target(key);
        let warned = out.warnings.len();
        let used = match target {
            Target::Imported => false,
            Target::Title => {
                let title = text(value).filter(|t| title_problem(t).is_none());
                set_once(&mut out.title, title, key, "title", &mut out.warnings)
            }
            Target::Summary => set_once(
                &mut out.summary,
                text(value).filter(|t| !t.trim().is_empty()),
                key,
                "summary",
                &mut out.warnings,
            ),
            Target::IncidentCommander => set_once(
                &mut out.incident_commander,
                text(value).filter(|t| !t.trim().is_empty()),
                key,
                "incident_commander",
                &mut out.warnings,
            ),
            Target::Trigger => set_once(
                &mut out.trigger,
                text(value).filter(|t| !t.trim().is_empty()),
                key,
                "trigger",
                &mut out.warnings,
            ),
            Target::Severity => {
                let severity = text(value).and_then(|t| {
                    severities
                        .iter()
                        .find(|s| s.eq_ignore_ascii_case(t.trim()))
                        .map(|s| (*s).to_owned())
                });
                set_once(
                    &mut out.severity,
                    severity,
                    key,
                    "severity",
                    &mut out.warnings,
                )
            }
            Target::Kind => {
                let kind = text(value).and_then(|t| t.trim().to_lowercase().parse().ok());
                set_once(&mut out.kind, kind, key, "kind", &mut out.warnings)
            }
            Target::Detection => {
                let detection = text(value).and_then(|t| t.trim().to_lowercase().parse().ok());
                set_once(
                    &mut out.detection,
                    detection,
                    key,
                    "detection",
                    &mut out.warnings,
                )
            }
            Target::Date => {
                let date = text(value).and_then(|t| {
                    parse_date(t.trim())
                        .ok()
                        .or_else(|| parse_time(&t, tz).ok().map(|at| at.date_naive()))
                });
                set_once(
                    &mut out.date,
                    date,
                    key,
                    "the incident date",
                    &mut out.warnings,
                )
            }
            Target::StartedAt | Target::DetectedAt | Target::MitigatedAt | Target::ResolvedAt => {
                let i = match target {
                    Target::StartedAt => 0,
                    Target::DetectedAt => 1,
                    Target::MitigatedAt => 2,
                    _ => 3,
                };
                let time = text(value).and_then(|t| parse_time(&t, tz).ok());
                set_once(
                    &mut out.times[i],
                    time,
                    key,
                    TIME_FIELDS[i],
                    &mut out.warnings,
                )
            }
            Target::Teams | Target::Services => {
                let names = list(value);
                let used = !names.is_empty();
                if used {
                    let names = Names {
                        key: key.clone(),
                        original: value.clone(),
                        values: names,
                    };
                    if target == Target::Teams {
                        out.teams.push(names);
                    } else {
                        out.services.push(names);
                    }
                }
                used
            }
            Target::Tags | Target::Authors => {
                let values = list(value);
                let used = !values.is_empty();
                let into = if target == Target::Tags {
                    &mut out.tags
                } else {
                    &mut out.authors
                };
                into.extend(values.into_iter().map(|value| Sourced {
                    value,
                    key: key.clone(),
                }));
                used
            }
        };
        if !used {
            if target != Target::Imported && !is_blank(value) && out.warnings.len() == warned {
                out.warnings.push(format!(
                    "`{key}` could not be read as `{}`: kept under `imported`",
                    TARGETS
                        .iter()
                        .find(|(_, t)| *t == target)
                        .map_or("?", |(n, _)| *n)
                ));
            }
            out.rest.insert(key.clone(), value.clone());
        }
    }
    out
}

/// Sets `slot` to `value` unless it is set already; says whether `value` was used.
fn set_once<T>(
    slot: &mut Option<Sourced<T>>,
    value: Option<T>,
    key: &str,
    field: &str,
    warnings: &mut Vec<String>,
) -> bool {
    let Some(value) = value else { return false };
    if let Some(first) = slot {
        let mut message = String::new();
        let _ = write!(
            message,
            "both `{}` and `{key}` give {field}: `{}` is used, `{key}` is kept under `imported`",
            first.key, first.key
        );
        warnings.push(message);
        return false;
    }
    *slot = Some(Sourced {
        value,
        key: key.to_owned(),
    });
    true
}

fn text(value: &FreeValue) -> Option<String> {
    match value {
        FreeValue::Text(text) => Some(text.trim().to_owned()),
        _ => None,
    }
}

/// A scalar as a one-element list, a list of scalars as it is; blanks left out.
fn list(value: &FreeValue) -> Vec<String> {
    let items: Vec<&FreeValue> = match value {
        FreeValue::List(items) => items.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(text)
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_blank(value: &FreeValue) -> bool {
    match value {
        FreeValue::Null => true,
        FreeValue::Text(text) => text.trim().is_empty(),
        FreeValue::List(items) => items.iter().all(is_blank),
        FreeValue::Map(map) => map.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(text: &str) -> FreeMap {
        use crate::model::yaml::FromNode;
        FreeMap::from_node(&yaml::parse(text, 1).unwrap()).unwrap()
    }

    #[test]
    fn maps_keys_and_converts_values() {
        let mapping = Mapping::parse(
            Path::new("m.yaml"),
            "company: teams\nproduct: services\ncategories: tags\nstart_time: started_at\nend_time: resolved_at\n",
        )
        .unwrap();
        let mapped = apply(
            &mapping,
            &front(
                "uuid: 1\ncompany: Example Corp (EU)\nproduct: [Api, '']\ncategories: cloud\nstart_time: 2016-08-18T19:00:00Z\nend_time: 2016-08-18 23:30\n",
            ),
            Tz::UTC,
            &["SEV1"],
        );
        assert_eq!(mapped.teams[0].values, ["Example Corp (EU)"]);
        assert_eq!(mapped.services[0].values, ["Api"]);
        assert_eq!(mapped.tags[0].value, "cloud");
        assert_eq!(
            mapped.times[0].as_ref().unwrap().value.to_rfc3339(),
            "2016-08-18T19:00:00+00:00"
        );
        assert_eq!(
            mapped.times[3].as_ref().unwrap().value.to_rfc3339(),
            "2016-08-18T23:30:00+00:00"
        );
        assert_eq!(mapped.rest.text("uuid"), Some("1"));
        assert!(mapped.warnings.is_empty(), "{:?}", mapped.warnings);
    }

    #[test]
    fn built_in_names_work_without_a_mapping_file() {
        let mapped = apply(
            &Mapping::default(),
            &front("title: T\nkeywords: [a, b]\nstart_time: ''\ncompany: X\n"),
            Tz::UTC,
            &[],
        );
        assert_eq!(mapped.title.unwrap().value, "T");
        assert_eq!(mapped.tags.len(), 2);
        assert!(mapped.times[0].is_none());
        assert_eq!(
            mapped
                .rest
                .0
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>(),
            ["start_time", "company"],
            "an empty time and an unmapped key are kept"
        );
        assert!(
            mapped.warnings.is_empty(),
            "a blank value is not worth a warning"
        );
    }

    #[test]
    fn values_that_cannot_be_used_are_kept_and_reported() {
        let mapped = apply(
            &Mapping::default(),
            &front("start_time: last tuesday\nseverity: high\ntitle: \"a\\nb\"\n"),
            Tz::UTC,
            &["SEV1"],
        );
        assert_eq!(mapped.rest.0.len(), 3);
        assert_eq!(mapped.warnings.len(), 3, "{:?}", mapped.warnings);
    }

    #[test]
    fn the_first_of_two_keys_for_one_field_wins() {
        let mapped = apply(
            &Mapping::default(),
            &front("start_time: 2020-01-01T00:00:00Z\nstarted_at: 2020-01-02T00:00:00Z\n"),
            Tz::UTC,
            &[],
        );
        assert_eq!(mapped.times[0].as_ref().unwrap().key, "start_time");
        assert_eq!(mapped.rest.0.len(), 1);
        assert_eq!(mapped.warnings.len(), 1);
    }

    #[test]
    fn a_bad_mapping_file_names_the_line_and_the_field_meant() {
        let err = Mapping::parse(Path::new("m.yaml"), "company: teams\nproduct: servics\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("m.yaml:2:"), "{err}");
        assert!(err.contains("did you mean `services`?"), "{err}");
        assert!(Mapping::parse(Path::new("m.yaml"), "- a\n").is_err());
        assert!(Mapping::parse(Path::new("m.yaml"), "a: [b]\n").is_err());
    }
}
