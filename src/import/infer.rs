//! Reading one source file: its own front matter (another schema), and what can be inferred
//! from its text: title, incident date, times, action items and tags. Pure: text in, a
//! [`Draft`] with every inference and warning out.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use chrono_tz::Tz;

use super::mapping::{self, Mapped, Mapping, Names, TIME_FIELDS};
use crate::markdown::{self, Block};
use crate::model::yaml::{self, FromNode, Value};
use crate::model::{ActionItem, ActionStatus, Detection, FreeMap, Kind, title_problem};

/// One source file, read and decoded.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Its file name, without folders (the path is recorded by the caller).
    pub file_name: &'a str,
    /// Its text, line ends normalized to `\n`, without a byte-order mark.
    pub text: &'a str,
    /// The day it was last modified, the last resort for the incident date.
    pub modified: Option<NaiveDate>,
}

/// Where the inference runs: the archive's timezone, now, the severities and the mapping.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// For times written without an offset or zone.
    pub tz: Tz,
    /// No time may lie after it.
    pub now: DateTime<FixedOffset>,
    /// The severities of `pm.yaml`.
    pub severities: &'a [&'a str],
    /// How the source's front matter maps onto ours.
    pub mapping: &'a Mapping,
}

/// A value inferred, and where it came from, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// Our field.
    pub field: &'static str,
    /// The value, as shown to the user.
    pub value: String,
    /// Where it came from.
    pub from: String,
}

/// What a source becomes, before teams and services are matched with `pm.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// One line.
    pub title: String,
    /// The incident date, for the id.
    pub date: NaiveDate,
    /// `summary`.
    pub summary: Option<String>,
    /// `incident_commander`.
    pub incident_commander: Option<String>,
    /// `trigger`.
    pub trigger: Option<String>,
    /// A severity of `pm.yaml`, when the source gave one.
    pub severity: Option<String>,
    /// `kind`.
    pub kind: Option<Kind>,
    /// `detection`.
    pub detection: Option<Detection>,
    /// `started_at`, `detected_at`, `mitigated_at`, `resolved_at`.
    pub times: [Option<DateTime<FixedOffset>>; 4],
    /// Team names or ids the source gave.
    pub teams: Vec<Names>,
    /// Service names or ids the source gave.
    pub services: Vec<Names>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `authors`.
    pub authors: Vec<String>,
    /// Follow-up actions found in the body.
    pub action_items: Vec<ActionItem>,
    /// Source fields not mapped, as written.
    pub rest: FreeMap,
    /// The body: the whole text, or what follows the source's own front matter.
    pub body: String,
    /// Every value inferred.
    pub inferences: Vec<Inference>,
    /// What could not be read, or was guessed with little to go on.
    pub warnings: Vec<String>,
}

/// The order inferences are reported in: the order of the front matter.
pub const FIELD_ORDER: &[&str] = &[
    "title",
    "date",
    "severity",
    "teams",
    "services",
    "tags",
    "incident_commander",
    "summary",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "trigger",
    "action_items",
];

/// Reads `source` into a draft.
pub fn infer(source: Source<'_>, setting: Setting<'_>) -> Draft {
    let mut warnings = Vec::new();
    let (front, body) = split_front_matter(source.text, &mut warnings);
    let mapped = mapping::apply(setting.mapping, &front, setting.tz, setting.severities);
    let Mapped {
        title: mapped_title,
        summary,
        incident_commander,
        trigger,
        severity,
        kind,
        detection,
        date: mapped_date,
        times: mapped_times,
        teams,
        services,
        tags: mapped_tags,
        authors,
        rest,
        warnings: mapping_warnings,
    } = mapped;
    warnings.extend(mapping_warnings);
    let mut inferences = Vec::new();
    let blocks = markdown::blocks(body);
    let stem = file_stem(source.file_name);

    let title = infer_title(
        &blocks,
        mapped_title.as_ref(),
        stem,
        body,
        &mut inferences,
        &mut warnings,
    );

    let timeline = section_text(body, &blocks, |h| h.contains("timeline"));
    let zone = timeline
        .and_then(|t| times_zone(t, &mut warnings))
        .unwrap_or(setting.tz);
    let first_stamp = timeline.and_then(|t| first_timestamp(t, name_year(stem), setting.now));

    let mut times: [Option<DateTime<FixedOffset>>; 4] = Default::default();
    for (i, mapped) in mapped_times.into_iter().enumerate() {
        if let Some(at) = mapped {
            inferences.push(Inference {
                field: TIME_FIELDS[i],
                value: at.value.to_rfc3339(),
                from: format!("front-matter field `{}`", at.key),
            });
            times[i] = Some(at.value);
        }
    }
    infer_times_from_durations(
        body,
        first_stamp,
        zone,
        &mut times,
        &mut inferences,
        &mut warnings,
    );
    drop_impossible_times(&mut times, setting.now, &mut inferences, &mut warnings);

    let date = infer_date(
        mapped_date.as_ref().map(|d| (d.value, d.key.as_str())),
        times[0].map(|at| at.with_timezone(&setting.tz).date_naive()),
        stem,
        timeline,
        body,
        source.modified,
        setting.now.date_naive(),
        &mut inferences,
        &mut warnings,
    );

    for (field, value) in [
        ("summary", &summary),
        ("incident_commander", &incident_commander),
        ("trigger", &trigger),
        ("severity", &severity),
    ] {
        if let Some(v) = value {
            inferences.push(Inference {
                field,
                value: shorten(&v.value),
                from: format!("front-matter field `{}`", v.key),
            });
        }
    }

    let mut tags: Vec<String> = Vec::new();
    for tag in &mapped_tags {
        push_unique(&mut tags, &tag.value);
    }
    if !mapped_tags.is_empty() {
        let mut keys: Vec<&str> = mapped_tags.iter().map(|t| t.key.as_str()).collect();
        keys.dedup();
        inferences.push(Inference {
            field: "tags",
            value: tags.join(", "),
            from: format!(
                "front-matter field{} `{}`",
                plural(keys.len()),
                keys.join("`, `")
            ),
        });
    }
    let categories = category_lines(body);
    if !categories.is_empty() {
        for category in &categories {
            push_unique(&mut tags, category);
        }
        inferences.push(Inference {
            field: "tags",
            value: categories.join(", "),
            from: "`Category:` line".to_owned(),
        });
    }

    let action_items = infer_action_items(&blocks, &mut inferences);
    inferences.sort_by_key(|i| FIELD_ORDER.iter().position(|f| *f == i.field));

    Draft {
        title,
        date,
        summary: summary.map(|s| s.value),
        incident_commander: incident_commander.map(|s| s.value),
        trigger: trigger.map(|s| s.value),
        severity: severity.map(|s| s.value),
        kind: kind.map(|k| k.value),
        detection: detection.map(|d| d.value),
        times,
        teams,
        services,
        tags,
        authors: authors.into_iter().map(|a| a.value).collect(),
        action_items,
        rest,
        body: body.to_owned(),
        inferences,
        warnings,
    }
}

/// Normalizes line ends to `\n` and drops a leading byte-order mark; says whether it did.
pub fn normalize(text: &str) -> (String, bool) {
    let without_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !without_bom.contains('\r') {
        return (without_bom.to_owned(), without_bom.len() != text.len());
    }
    (without_bom.replace("\r\n", "\n").replace('\r', "\n"), true)
}

/// Splits off a `---` front matter holding a YAML mapping; anything else is all body.
pub fn split_front_matter<'a>(text: &'a str, warnings: &mut Vec<String>) -> (FreeMap, &'a str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return (FreeMap::default(), text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            let yaml_text = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return match yaml::parse(yaml_text, 2) {
                Ok(node) if matches!(node.value, Value::Map(_)) => {
                    (FreeMap::from_node(&node).unwrap_or_default(), body)
                }
                Ok(_) => (FreeMap::default(), text),
                Err(problem) => {
                    warnings.push(format!(
                        "the text opens with `---` but line {} is not YAML ({}): all of it is kept in the body",
                        problem.pos.line, problem.message
                    ));
                    (FreeMap::default(), text)
                }
            };
        }
        offset += line.len();
    }
    (FreeMap::default(), text)
}

fn file_stem(file_name: &str) -> &str {
    match file_name.rfind('.') {
        Some(dot)
            if dot > 0
                && file_name[dot + 1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric())
                && file_name.len() - dot <= 9 =>
        {
            &file_name[..dot]
        }
        _ => file_name,
    }
}

/// Whether a file name says nothing about its content: a UUID, a hash or a number.
fn is_opaque(stem: &str) -> bool {
    stem.len() >= 6
        && stem
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-' || c == '_')
}

fn infer_title(
    blocks: &[Block],
    mapped: Option<&mapping::Sourced<String>>,
    stem: &str,
    body: &str,
    inferences: &mut Vec<Inference>,
    warnings: &mut Vec<String>,
) -> String {
    let heading = blocks.iter().find_map(|b| match b {
        Block::Heading {
            level: 1,
            text,
            line,
        } if title_problem(text).is_none() => Some((text.clone(), *line)),
        _ => None,
    });
    let (title, from) = if let Some((text, line)) = heading {
        (text, format!("first heading, line {line}"))
    } else if let Some(field) = mapped {
        (
            field.value.clone(),
            format!("front-matter field `{}`", field.key),
        )
    } else if let Some(title) = title_from_file_name(stem) {
        (title, "file name".to_owned())
    } else if let Some(sentence) = first_sentence(body) {
        warnings.push("no heading, title field or telling file name: the title is the text's first sentence; edit it".to_owned());
        (sentence, "first sentence".to_owned())
    } else {
        warnings.push("no heading, title field, telling file name or text: the title is the file name; edit it".to_owned());
        (stem.trim().to_owned(), "file name".to_owned())
    };
    let title = if title_problem(&title).is_none() {
        title
    } else {
        format!("Imported {stem}")
    };
    inferences.push(Inference {
        field: "title",
        value: title.clone(),
        from,
    });
    title
}

/// A title from a file name such as `PM2021-011 - Log4Shell`, `2025-11-15-persons-db-migration`
/// or `decide is down`: the leading number or date taken off, dashes made spaces when the name
/// has no spaces. `None` for names that say nothing (a UUID, only a number).
pub fn title_from_file_name(stem: &str) -> Option<String> {
    if is_opaque(stem) {
        return None;
    }
    let mut rest = stem.trim();
    // A leading date: 2025-11-15- or 2025_11_15.
    if rest.len() >= 10 && date_at(rest, 0).is_some() {
        rest = &rest[10..];
    } else {
        // A leading document number: letters then digits and dashes, like PM2021-011 or INC-42.
        let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
        let number = rest[letters..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-' || *c == '_')
            .count();
        let digits = rest[letters..letters + number]
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        let after = rest[letters + number..].chars().next();
        if letters <= 5 && digits >= 2 && matches!(after, None | Some(' ' | '.' | ':')) {
            rest = &rest[letters + number..];
        }
    }
    let rest = rest.trim_start_matches([' ', '-', '_', '.', ':']).trim();
    let words = if rest.contains(' ') {
        rest.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        rest.replace(['-', '_'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !words.chars().any(char::is_alphabetic) {
        return None;
    }
    let mut chars = words.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The first sentence of the first paragraph of prose, at most 100 characters (cut at a word).
fn first_sentence(body: &str) -> Option<String> {
    let plain = markdown::plain_text(body);
    let paragraph = plain
        .lines()
        .map(str::trim)
        .find(|l| l.chars().filter(|c| c.is_alphabetic()).count() >= 3)?;
    let end = paragraph
        .char_indices()
        .find(|(i, c)| matches!(c, '.' | '!' | '?') && paragraph[i + 1..].starts_with(' '))
        .map_or(paragraph.len(), |(i, _)| i);
    let sentence = &paragraph[..end];
    if sentence.chars().count() <= 100 {
        return Some(sentence.trim().to_owned());
    }
    let mut cut = String::new();
    for word in sentence.split_whitespace() {
        if cut.chars().count() + word.chars().count() + 1 > 99 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    cut.push('…');
    Some(cut)
}

/// The text of the first section whose heading (lowercased) satisfies `wanted`: from after the
/// heading to the next heading of the same or a higher level.
fn section_text<'a>(
    body: &'a str,
    blocks: &[Block],
    wanted: impl Fn(&str) -> bool,
) -> Option<&'a str> {
    let headings: Vec<(u8, &str, usize)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text, line } => Some((*level, text.as_str(), *line)),
            Block::Item { .. } => None,
        })
        .collect();
    let (index, (level, _, line)) = headings
        .iter()
        .enumerate()
        .find(|(_, (_, text, _))| wanted(&text.to_lowercase()))?;
    let end_line = headings[index + 1..]
        .iter()
        .find(|(l, _, _)| l <= level)
        .map(|(_, _, line)| *line);
    let start = line_offset(body, line + 1)?;
    let end = end_line
        .and_then(|l| line_offset(body, l))
        .unwrap_or(body.len());
    body.get(start..end.max(start))
}

/// The byte offset where 1-based `line` starts (the end of the text for the line after it).
fn line_offset(text: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map(|(i, _)| i + 1)
        .or(Some(text.len()))
}

/// A calendar date written `YYYY-MM-DD` (or with `/`) at byte `at` of `text`, not part of a
/// longer number.
fn date_at(text: &str, at: usize) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let candidate = bytes.get(at..at + 10)?;
    if at > 0 && bytes[at - 1].is_ascii_digit() {
        return None;
    }
    if bytes.get(at + 10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let separator = candidate[4];
    let shape = candidate.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == separator,
        _ => b.is_ascii_digit(),
    });
    if !shape || !matches!(separator, b'-' | b'/' | b'_') {
        return None;
    }
    let text = std::str::from_utf8(candidate).ok()?;
    let year: i32 = text[0..4].parse().ok()?;
    let month: u32 = text[5..7].parse().ok()?;
    let day: u32 = text[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Every date written `YYYY-MM-DD` in `text`, with its byte offset.
fn dates_in(text: &str) -> impl Iterator<Item = (usize, NaiveDate)> + '_ {
    text.char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .filter_map(move |(i, _)| date_at(text, i).map(|d| (i, d)))
}

/// Whether `date` can be an incident date: after 1970, not after today.
fn plausible(date: NaiveDate, today: NaiveDate) -> bool {
    date.year() >= 1970 && date <= today
}

/// The year a file name gives, like `PM2021-011`: four digits alone, not in a date.
fn name_year(stem: &str) -> Option<i32> {
    if is_opaque(stem) {
        return None;
    }
    let bytes = stem.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4 {
                let year: i32 = stem[start..i].parse().ok()?;
                if (1970..=2100).contains(&year) {
                    return Some(year);
                }
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A first time stamp of a timeline: the date, and the time of day if written beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    date: NaiveDate,
    time: Option<NaiveTime>,
}

/// The first date in a timeline (with its time of day, if any) that is plausible; in the year
/// `year` when the file name gives one and the timeline has a date in it.
fn first_timestamp(timeline: &str, year: Option<i32>, now: DateTime<FixedOffset>) -> Option<Stamp> {
    let today = now.date_naive();
    let stamps: Vec<Stamp> = dates_in(timeline)
        .filter(|(_, d)| plausible(*d, today))
        .map(|(at, date)| Stamp {
            date,
            time: time_after(&timeline[at + 10..]),
        })
        .collect();
    year.and_then(|y| stamps.iter().find(|s| s.date.year() == y))
        .or_else(|| stamps.first())
        .copied()
}

/// A time of day `H:MM` or `HH:MM[:SS]` right after a date (spaces or `T` between).
fn time_after(text: &str) -> Option<NaiveTime> {
    let rest = text
        .strip_prefix('T')
        .unwrap_or(text)
        .trim_start_matches(' ');
    let digits: String = rest
        .chars()
        .take(8)
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    let digits = digits.trim_end_matches(':');
    NaiveTime::parse_from_str(digits, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(digits, "%H:%M"))
        .ok()
}

/// The zone a timeline says its times are in (`All times in CET.`, `(UTC)`), if it says.
fn times_zone(timeline: &str, warnings: &mut Vec<String>) -> Option<Tz> {
    let lower = timeline.to_lowercase();
    let at = lower
        .find("times in ")
        .map(|i| i + "times in ".len())
        .or_else(|| {
            lower
                .find("times are in ")
                .map(|i| i + "times are in ".len())
        })?;
    let word: String = lower[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-'))
        .collect();
    let zone = match word.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" => Some(Tz::UTC),
        "CET" | "CEST" => Some(chrono_tz::CET),
        "EET" | "EEST" => Some(chrono_tz::EET),
        "WET" | "WEST" => Some(chrono_tz::WET),
        "EST" | "EDT" | "ET" => Some(chrono_tz::America::New_York),
        "CST" | "CDT" | "CT" => Some(chrono_tz::America::Chicago),
        "PST" | "PDT" | "PT" => Some(chrono_tz::America::Los_Angeles),
        _ => chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(&word))
            .copied(),
    };
    if zone.is_none() && !word.is_empty() {
        warnings.push(format!(
            "the timeline's times are in `{word}`, a zone pm does not know: they are read in the archive's timezone"
        ));
    }
    zone
}

/// `Time to detection: 54 minutes`, `Time to recovery: 2 hours 10 minutes` lines: offsets from
/// the start of the incident, which is taken from the first time of the timeline unless the
/// front matter gave `started_at`.
fn infer_times_from_durations(
    body: &str,
    first_stamp: Option<Stamp>,
    zone: Tz,
    times: &mut [Option<DateTime<FixedOffset>>; 4],
    inferences: &mut Vec<Inference>,
    warnings: &mut Vec<String>,
) {
    let mut durations: Vec<(usize, Duration, String)> = Vec::new();
    for line in body.lines() {
        let Some((slot, value)) = duration_line(line) else {
            continue;
        };
        match parse_duration(&value) {
            Some(duration) => durations.push((
                slot,
                duration,
                line.trim().trim_start_matches(['-', '*', ' ']).to_owned(),
            )),
            None if is_unknown(&value) => {}
            None => warnings.push(format!("`{}`: not a duration pm can read", line.trim())),
        }
    }
    if durations.is_empty() {
        return;
    }
    if times[0].is_none() {
        let Some(stamp) = first_stamp else {
            warnings.push(
                "the text gives times to detection or recovery, but no start time to count from"
                    .to_owned(),
            );
            return;
        };
        let Some(time) = stamp.time else {
            warnings.push("the text gives times to detection or recovery, but the timeline's first entry has no time of day".to_owned());
            return;
        };
        let Some(start) = zone
            .from_local_datetime(&NaiveDateTime::new(stamp.date, time))
            .earliest()
        else {
            return;
        };
        let start = start.fixed_offset();
        times[0] = Some(start);
        inferences.push(Inference {
            field: "started_at",
            value: start.to_rfc3339(),
            from: format!("first time in the Timeline ({zone})"),
        });
    }
    let Some(start) = times[0] else { return };
    for (slot, duration, line) in durations {
        if times[slot].is_some() {
            continue;
        }
        let at = start + duration;
        times[slot] = Some(at);
        inferences.push(Inference {
            field: TIME_FIELDS[slot],
            value: at.to_rfc3339(),
            from: format!("started_at + `{line}`"),
        });
    }
}

/// Which time a `Time to …:` line gives, and its value.
fn duration_line(line: &str) -> Option<(usize, String)> {
    let bare = line
        .trim()
        .trim_start_matches(['-', '*', '+', ' '])
        .trim_start();
    // Lowercased once, and only the lowercased text sliced: lowercasing can change lengths.
    let lower = bare.to_lowercase();
    let (what, value) = lower.strip_prefix("time to ")?.split_once(':')?;
    let slot = if what.starts_with("detect") {
        1
    } else if what.starts_with("mitigat") {
        2
    } else if what.starts_with("recover") || what.starts_with("resol") || what.starts_with("restor")
    {
        3
    } else {
        return None;
    };
    Some((slot, value.trim().to_owned()))
}

fn is_unknown(value: &str) -> bool {
    value.is_empty()
        || value
            .chars()
            .all(|c| matches!(c, '?' | '-' | 'x' | 'X' | 'y' | 'Y' | 'z' | 'Z' | ' ' | '/'))
        || value.eq_ignore_ascii_case("n/a")
        || value.eq_ignore_ascii_case("unknown")
}

/// Reads `54 minutes`, `2 hours 10 minutes`, `1h 30m`, `3 days`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim().trim_end_matches('.').to_lowercase();
    let mut total = Duration::zero();
    let mut any = false;
    let mut rest = text.as_str();
    loop {
        rest = rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',')
            .trim_start();
        if let Some(after) = rest.strip_prefix("and ") {
            rest = after;
            continue;
        }
        if rest.is_empty() {
            break;
        }
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 6 {
            return None;
        }
        let number: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let duration = match unit {
            "s" | "sec" | "secs" | "second" | "seconds" => Duration::seconds(number),
            "m" | "min" | "mins" | "minute" | "minutes" => Duration::minutes(number),
            "h" | "hr" | "hrs" | "hour" | "hours" => Duration::hours(number),
            "d" | "day" | "days" => Duration::days(number),
            "w" | "week" | "weeks" => Duration::weeks(number),
            _ => return None,
        };
        total += duration;
        any = true;
    }
    any.then_some(total)
}

/// Drops times out of order or in the future, so that the document passes `pm check`; the
/// source text still holds them.
fn drop_impossible_times(
    times: &mut [Option<DateTime<FixedOffset>>; 4],
    now: DateTime<FixedOffset>,
    inferences: &mut Vec<Inference>,
    warnings: &mut Vec<String>,
) {
    let mut latest: Option<(usize, DateTime<FixedOffset>)> = None;
    for i in 0..4 {
        let Some(at) = times[i] else { continue };
        let problem = if at > now {
            Some("is in the future".to_owned())
        } else {
            latest
                .filter(|(_, before)| at < *before)
                .map(|(j, _)| format!("is before {}", TIME_FIELDS[j]))
        };
        if let Some(problem) = problem {
            warnings.push(format!(
                "{} {} {problem}: left out (the source still says it)",
                TIME_FIELDS[i],
                at.to_rfc3339()
            ));
            inferences.retain(|inf| inf.field != TIME_FIELDS[i]);
            times[i] = None;
        } else {
            latest = Some((i, at));
        }
    }
}

#[allow(clippy::too_many_arguments)] // each is one source of the date, in order
fn infer_date(
    mapped: Option<(NaiveDate, &str)>,
    started: Option<NaiveDate>,
    stem: &str,
    timeline: Option<&str>,
    body: &str,
    modified: Option<NaiveDate>,
    today: NaiveDate,
    inferences: &mut Vec<Inference>,
    warnings: &mut Vec<String>,
) -> NaiveDate {
    let mut found = |date: NaiveDate, from: String| {
        inferences.push(Inference {
            field: "date",
            value: date.to_string(),
            from,
        });
        date
    };
    // The day of `started_at` is the document's date in every listing: it wins.
    if let Some(date) = started {
        return found(date, "started_at".to_owned());
    }
    if let Some((date, key)) = mapped.filter(|(d, _)| plausible(*d, today)) {
        return found(date, format!("front-matter field `{key}`"));
    }
    if !is_opaque(stem)
        && let Some((_, date)) = dates_in(stem).find(|(_, d)| plausible(*d, today))
    {
        return found(date, "file name".to_owned());
    }
    let year = name_year(stem);
    let in_year = |candidates: Vec<NaiveDate>| -> Option<NaiveDate> {
        match year {
            Some(y) => candidates.iter().find(|d| d.year() == y).copied(),
            None => candidates.first().copied(),
        }
    };
    if let Some(timeline) = timeline {
        let dates: Vec<NaiveDate> = dates_in(timeline)
            .map(|(_, d)| d)
            .filter(|d| plausible(*d, today))
            .collect();
        if let Some(date) = in_year(dates) {
            return found(date, "first date in the Timeline".to_owned());
        }
    }
    let dates: Vec<NaiveDate> = dates_in(body)
        .map(|(_, d)| d)
        .filter(|d| plausible(*d, today))
        .collect();
    if let Some(date) = in_year(dates) {
        warnings.push(format!(
            "the incident date {date} is the first date written in the text; check it"
        ));
        return found(date, "first date in the text".to_owned());
    }
    if let Some(date) = year
        .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
        .filter(|d| plausible(*d, today))
    {
        warnings.push(format!(
            "only the year is known (from the file name): the id uses {date}; rename the file and its id once the day is known"
        ));
        return found(date, "year in the file name".to_owned());
    }
    let (date, from) = match modified.filter(|d| plausible(*d, today)) {
        Some(date) => (date, "the file's modification date"),
        None => (today, "today"),
    };
    warnings.push(format!(
        "no incident date found: the id uses {from}, {date}; rename the file and its id once the day is known"
    ));
    found(date, from.to_owned())
}

/// Values of `Category: …` lines (a dfds-style `Stats` list), split at commas.
fn category_lines(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in body.lines() {
        let bare = line
            .trim()
            .trim_start_matches(['-', '*', '+', ' '])
            .trim_start();
        let lower = bare.to_lowercase();
        if !(lower.starts_with("category:") || lower.starts_with("categories:")) {
            continue;
        }
        let Some((_, value)) = bare.split_once(':') else {
            continue;
        };
        for part in value.split(',') {
            let part = part.trim().trim_matches(['*', '_', '`']).trim();
            if !part.is_empty() && !is_unknown(part) {
                push_unique(&mut out, part);
            }
        }
    }
    out
}

/// Whether a heading names a section of follow-up actions.
fn is_actions_heading(heading: &str) -> bool {
    let h = heading.to_lowercase();
    h.contains("action item")
        || h.contains("follow-up")
        || h.contains("follow up")
        || h.contains("followup")
        || h.contains("corrective action")
}

/// The outermost list items of every "Action items", "Follow-up" or "Corrective actions"
/// section (and its subsections): `- [x]` is done, anything else open; owner unknown.
fn infer_action_items(blocks: &[Block], inferences: &mut Vec<Inference>) -> Vec<ActionItem> {
    let mut items = Vec::new();
    let mut section: Option<(u8, String, usize)> = None;
    let mut sections_used: Vec<String> = Vec::new();
    let mut min_depth = usize::MAX;
    for block in blocks {
        match block {
            Block::Heading { level, text, line } => {
                if section.as_ref().is_some_and(|(l, _, _)| level <= l) {
                    section = None;
                }
                if section.is_none() && is_actions_heading(text) {
                    section = Some((*level, text.clone(), *line));
                    min_depth = usize::MAX;
                }
            }
            Block::Item {
                depth,
                checked,
                text,
                ..
            } => {
                let Some((_, heading, line)) = &section else {
                    continue;
                };
                min_depth = min_depth.min(*depth);
                if *depth != min_depth || text.trim().is_empty() {
                    continue;
                }
                // `- ✅ Done` is a done item too, in sources without task lists.
                let (title, ticked) = match text.strip_prefix(['✅', '✔', '☑']) {
                    Some(rest) => (rest.trim_start_matches('\u{fe0f}').trim().to_owned(), true),
                    None => (text.clone(), false),
                };
                if title.is_empty() {
                    continue;
                }
                items.push(ActionItem {
                    id: None,
                    title,
                    kind: None,
                    owner: None,
                    team: None,
                    priority: None,
                    due: None,
                    status: if ticked || *checked == Some(true) {
                        ActionStatus::Done
                    } else {
                        ActionStatus::Open
                    },
                    closed: None,
                    ticket: None,
                });
                let name = format!("`{heading}` (line {line})");
                if !sections_used.contains(&name) {
                    sections_used.push(name);
                }
            }
        }
    }
    if !items.is_empty() {
        let done = items
            .iter()
            .filter(|i| i.status == ActionStatus::Done)
            .count();
        inferences.push(Inference {
            field: "action_items",
            value: format!(
                "{} ({done} done, {} open; owners unknown)",
                items.len(),
                items.len() - done
            ),
            from: format!("list items under {}", sections_used.join(", ")),
        });
    }
    items
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v.eq_ignore_ascii_case(value)) {
        list.push(value.to_owned());
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `text` on one line, cut to 80 characters, for the report.
fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 80 {
        one_line
    } else {
        let cut: String = one_line.chars().take(79).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-28T23:59:59+00:00").unwrap()
    }

    fn draft(file_name: &str, text: &str) -> Draft {
        draft_with(file_name, text, &Mapping::default())
    }

    fn draft_with(file_name: &str, text: &str, mapping: &Mapping) -> Draft {
        infer(
            Source {
                file_name,
                text,
                modified: NaiveDate::from_ymd_opt(2026, 1, 2),
            },
            Setting {
                tz: Tz::UTC,
                now: now(),
                severities: &["SEV1", "SEV2"],
                mapping,
            },
        )
    }

    fn from<'a>(d: &'a Draft, field: &str) -> &'a str {
        &d.inferences.iter().find(|i| i.field == field).unwrap().from
    }

    #[test]
    fn the_title_is_the_first_level_one_heading_atx_or_setext() {
        let d = draft("x.md", "Intro\n\n## Summary\n\n# Disk full on db-3\n");
        assert_eq!(d.title, "Disk full on db-3");
        assert_eq!(from(&d, "title"), "first heading, line 5");
        let d = draft("x.md", "Queue stalled *again*\n=====\n\ntext\n");
        assert_eq!(d.title, "Queue stalled again");
        let d = draft("x.md", "```\n# not a title\n```\n\n# Real\n");
        assert_eq!(d.title, "Real");
    }

    #[test]
    fn without_a_heading_the_title_field_then_the_file_name() {
        let d = draft("x.md", "---\ntitle: From the field\n---\nText.\n");
        assert_eq!(d.title, "From the field");
        let d = draft("PM2021-011 - Log4Shell.md", "No heading here.\n");
        assert_eq!(d.title, "Log4Shell");
        assert_eq!(from(&d, "title"), "file name");
        let d = draft("2024-02-28-decide is down.md", "Text.\n");
        assert_eq!(d.title, "Decide is down");
        let d = draft("2025-09-29-flags-is-down.md", "Text.\n");
        assert_eq!(d.title, "Flags is down");
        let d = draft("PM2022-009 - Bad AMI", "Text.\n");
        assert_eq!(d.title, "Bad AMI");
    }

    #[test]
    fn an_opaque_file_name_gives_way_to_the_first_sentence() {
        let d = draft(
            "655ee350-a86f-424b-89c5-f80cc0fe527e.md",
            "---\nuuid: x\n---\nThe queue stalled for an hour. Then it recovered.\n",
        );
        assert_eq!(d.title, "The queue stalled for an hour");
        assert_eq!(
            d.warnings.len(),
            2,
            "title and date guessed: {:?}",
            d.warnings
        );
        let d = draft("0afb9162.md", "---\nuuid: x\n---\n");
        assert_eq!(d.title, "0afb9162");
    }

    #[test]
    fn the_date_comes_from_front_matter_then_file_name_then_timeline() {
        let d = draft("a.md", "---\nstart_time: 2016-08-18T19:00:00Z\n---\n# T\n");
        assert_eq!(d.date.to_string(), "2016-08-18");
        assert_eq!(from(&d, "date"), "started_at");
        let d = draft(
            "2025-11-15-migration.md",
            "# T\n## Timeline\n2025-11-16 10:00 x\n",
        );
        assert_eq!(d.date.to_string(), "2025-11-15");
        assert_eq!(from(&d, "date"), "file name");
        let d = draft(
            "PM2022-006 - ALB.md",
            "# T\n\n## Timeline\n\n| 2020-12-21 HH:mm | earlier |\n| 20202-01-01 | typo |\n| 2022-05-25 HH:mm | this one |\n",
        );
        assert_eq!(
            d.date.to_string(),
            "2022-05-25",
            "the first date in the file name's year"
        );
        assert_eq!(from(&d, "date"), "first date in the Timeline");
    }

    #[test]
    fn only_a_year_gives_the_first_of_january_and_a_warning() {
        let d = draft(
            "PM2020-003 - Migration.md",
            "# T\n## Timeline\n| 20202-01-16 12:00 | typo |\n",
        );
        assert_eq!(d.date.to_string(), "2020-01-01");
        assert!(
            d.warnings.iter().any(|w| w.contains("only the year")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn no_date_at_all_falls_back_to_the_modification_day_with_a_warning() {
        let d = draft("notes.md", "# Something broke\n\nNo dates here.\n");
        assert_eq!(d.date.to_string(), "2026-01-02");
        assert!(
            d.warnings.iter().any(|w| w.contains("no incident date")),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn durations_count_from_the_first_time_of_the_timeline_in_its_zone() {
        let text = "# T\n\n## Timeline\n\nAll times in CET.\n\n| Time | Event |\n| --- | --- |\n| 2020-01-21 15:36 | expires |\n\n# Stats\n\n- Category: Kubernetes\n- Time to detection: 54 minutes\n- Time to recovery: 2 hours 28 minutes\n";
        let d = draft("PM2020-002 - KIAM.md", text);
        let shown: Vec<String> = d
            .times
            .iter()
            .map(|t| t.map(|t| t.to_rfc3339()).unwrap_or_default())
            .collect();
        assert_eq!(
            shown,
            [
                "2020-01-21T15:36:00+01:00",
                "2020-01-21T16:30:00+01:00",
                "",
                "2020-01-21T18:04:00+01:00"
            ]
        );
        assert_eq!(d.tags, ["Kubernetes"]);
        assert_eq!(d.date.to_string(), "2020-01-21");
    }

    #[test]
    fn unknown_durations_are_ignored_and_bad_times_dropped() {
        let d = draft(
            "a.md",
            "# T\n## Timeline\n2020-01-01 10:00 x\n- Time to detection: ?\n- Time to recovery: YYY\n",
        );
        assert!(d.times.iter().all(Option::is_none));
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let d = draft(
            "a.md",
            "---\nstart_time: 2020-01-02T00:00:00Z\nend_time: 2020-01-01T00:00:00Z\n---\n# T\n",
        );
        assert!(d.times[3].is_none());
        assert!(
            d.warnings[0].contains("is before started_at"),
            "{:?}",
            d.warnings
        );
        let d = draft("a.md", "---\nstart_time: 2030-01-02T00:00:00Z\n---\n# T\n");
        assert!(d.times[0].is_none());
    }

    #[test]
    fn text_that_changes_length_when_lowercased_is_read_safely() {
        let d = draft(
            "a.md",
            "# T\n## Timeline\nİİİİİİ All times in Europe/Istanbul İİ\n2020-01-01 10:00 x\n- Time to İİİİİİİİ: 5 minutes\n- TİME TO DETECTİON: x\n- Time to detection: 5 minutes\n",
        );
        assert_eq!(
            d.times[0].unwrap().to_rfc3339(),
            "2020-01-01T10:00:00+03:00"
        );
        assert_eq!(
            d.times[1].unwrap().to_rfc3339(),
            "2020-01-01T10:05:00+03:00"
        );
    }

    #[test]
    fn reads_durations() {
        let minutes = |t: &str| parse_duration(t).map(|d| d.num_minutes());
        assert_eq!(minutes("54 minutes"), Some(54));
        assert_eq!(minutes("54 hours 10 minutes"), Some(54 * 60 + 10));
        assert_eq!(minutes("1h 30m"), Some(90));
        assert_eq!(
            minutes("2 days, 3 hours and 5 minutes"),
            Some(2 * 1440 + 185)
        );
        assert_eq!(minutes("?"), None);
        assert_eq!(minutes("soon"), None);
        assert_eq!(minutes("5 parsecs"), None);
    }

    #[test]
    fn action_items_come_from_their_sections_with_checkbox_states() {
        let text = "# T\n\n## Action Items\n\n- Fix *it*\n    - sub task\n- [x] Done already\n- \n- ✅ Shipped\n\n## Lessons\n\n- not an action\n\n## Follow-ups\n- [ ] Later\n";
        let d = draft("a.md", text);
        let got: Vec<(&str, ActionStatus)> = d
            .action_items
            .iter()
            .map(|a| (a.title.as_str(), a.status))
            .collect();
        assert_eq!(
            got,
            [
                ("Fix it", ActionStatus::Open),
                ("Done already", ActionStatus::Done),
                ("Shipped", ActionStatus::Done),
                ("Later", ActionStatus::Open)
            ]
        );
        assert!(d.action_items.iter().all(|a| a.owner.is_none()));
    }

    #[test]
    fn source_front_matter_is_split_off_and_the_body_kept_exactly() {
        let d = draft(
            "a.md",
            "---\nuuid: 1\ncategories: [cloud]\n\n---\n\nBody *text*.\n",
        );
        assert_eq!(d.body, "\nBody *text*.\n");
        assert_eq!(d.rest.text("uuid"), Some("1"));
        assert_eq!(d.tags, ["cloud"]);
        let d = draft("a.md", "---\nnot: [yaml\n---\nBody\n");
        assert_eq!(d.body, "---\nnot: [yaml\n---\nBody\n", "not YAML: all body");
        assert!(d.warnings[0].contains("not YAML"));
        let d = draft("a.md", "---\n\nA rule, then prose.\n");
        assert_eq!(d.body, "---\n\nA rule, then prose.\n");
    }

    #[test]
    fn an_empty_text_still_gives_a_draft() {
        let d = draft("a.md", "");
        assert_eq!(d.title, "A");
        assert_eq!(d.body, "");
    }

    #[test]
    fn line_ends_are_normalized_and_a_bom_dropped() {
        assert_eq!(
            normalize("\u{feff}a\r\nb\rc\n"),
            ("a\nb\nc\n".to_owned(), true)
        );
        assert_eq!(normalize("a\n"), ("a\n".to_owned(), false));
    }

    fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("---\n".to_owned()),
            Just("# Title\n".to_owned()),
            Just("Title\n===\n".to_owned()),
            Just("## Timeline\nAll times in CET.\n".to_owned()),
            Just("| 2020-02-30 25:61 | x |\n".to_owned()),
            Just("| 2020-01-01 09:00 | x |\n".to_owned()),
            Just("- Time to recovery: 99999 weeks\n".to_owned()),
            Just("- Time to detection: 5 minutes\n".to_owned()),
            Just("## Action items\n- [x] a\n  - b\n- ✅\n".to_owned()),
            Just("title: \"a\\nb\"\nstart_time: 2030-01-01T00:00:00Z\n".to_owned()),
            Just("```\n".to_owned()),
            Just("Category: ,,\n".to_owned()),
            "\\PC{0,40}\n",
            any::<String>(),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

        #[test]
        fn never_panics_and_always_gives_a_usable_title(
            parts in proptest::collection::vec(fragment(), 0..12),
            name in "\\PC{0,30}",
        ) {
            let text = parts.concat();
            let (text, _) = normalize(&text);
            let d = draft(&name, &text);
            proptest::prop_assert!(title_problem(&d.title).is_none(), "{:?}", d.title);
            proptest::prop_assert!(text.ends_with(&d.body));
        }
    }
}
