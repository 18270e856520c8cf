//! `pm actions`: the table, JSON, CSV and iCalendar views of the example archive's action
//! items, their filters and order, `--overdue` for CI, and `pm actions set`, which changes one
//! item in its file and must leave every other byte alone.
//!
//! Expected values were worked out by hand from the front matter under `postmortems/` as of
//! [`crate::sandbox::TODAY`] (2026-11-28); the derivation is next to each number. The calendar
//! is read back with a real iCalendar parser (the `icalendar` crate), not with `pm`'s own code.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::process::Output;

use serde_json::Value;

use crate::sandbox::{Sandbox, TODAY, repo, stderr, stdout};

/// The fields of every object of `pm actions --format json`: a public interface.
const JSON_FIELDS: &[&str] = &[
    "id",
    "title",
    "type",
    "owner",
    "team",
    "priority",
    "due",
    "status",
    "overdue",
    "days_overdue",
    "closed",
    "ticket",
    "doc_id",
    "doc_title",
    "doc_date",
    "doc_path",
];

/// The header of `pm actions --format csv`.
const CSV_HEADER: &[&str] = JSON_FIELDS;

/// Action items in the example archive: 5+4+5+4+5+4+4+4+4+5+5+4+4+4 per document.
const ALL_ACTIONS: usize = 61;

/// Open or in-progress items past due on 2026-11-28 (due before it), by hand from the files.
const OVERDUE: &[&str] = &[
    "2025-09-03-dns-resolver-saturation#4",
    "2025-10-21-checkout-latency-after-gateway-deploy#3",
    "2025-10-21-checkout-latency-after-gateway-deploy#4",
    "2025-11-14-duplicate-card-charges#3",
    "2025-12-08-search-shows-stale-prices#3",
    "2026-01-19-order-events-consumer-lag#3",
    "2026-02-02-expired-certificate-api-gateway#3",
    "2026-02-27-ci-token-exposed-in-build-logs#2",
    "2026-03-14-promotion-stacking-near-miss#3",
    "2026-04-09-duplicate-push-notifications#2",
    "2026-05-22-postgres-failover-blocks-order-writes#3",
    "2026-07-08-driver-app-login-loop#3",
    "2026-07-08-driver-app-login-loop#4",
    "2026-08-30-warehouse-query-cost-spike#2",
    "2026-10-05-image-proxy-memory-leak#2",
    "2026-10-05-image-proxy-memory-leak#3",
];

/// The overdue summary per owner: (owner, how many, oldest due, days since it). Most overdue
/// first, then the oldest due date, then the name. Days count from the due date to 2026-11-28:
/// 06-30 → 31+31+30+31+28 = 151, 03-31 → 30+31+30+151 = 242, 01-31 → 28+31+242 = 301,
/// 02-28 → 31+242 = 273, 07-31 → 31+30+31+28 = 120, 09-30 → 31+28 = 59, 10-30 → 1+28 = 29.
const OVERDUE_BY_OWNER: &[(&str, usize, &str, i64)] = &[
    // search#3, order-events#3 (both 06-30), warehouse#2 (10-30).
    ("Rafael Souza", 3, "2026-06-30", 151),
    // dns#4 (03-31), image-proxy#3 (11-20).
    ("Nikhil Sharma", 2, "2026-03-31", 242),
    // certificate#3 (06-30), driver-login#4 (10-31).
    ("Priya Raman", 2, "2026-06-30", 151),
    // ci-token#2 (06-30), postgres#3 (08-31).
    ("Tomasz Wierzbicki", 2, "2026-06-30", 151),
    ("Yusuf Demir", 1, "2026-01-31", 301),
    ("Chen Wei", 1, "2026-02-28", 273),
    ("Daniel Novak", 1, "2026-03-31", 242),
    ("Kenji Watanabe", 1, "2026-07-31", 120),
    ("Kwame Mensah", 1, "2026-09-30", 59),
    ("Lena Hoffmann", 1, "2026-09-30", 59),
    ("Ingrid Nilsson", 1, "2026-10-30", 29),
];

/// A draft whose action items have no due date or no priority, to see where they sort.
const UNDATED: &str = "\
---
id: 2026-11-27-undated-actions
title: Undated actions
status: draft
severity: SEV3
teams: [messaging]
started_at: 2026-11-27T09:30:00+01:00
action_items:
  - title: No due date, urgent
    owner: Ana Diaz
    priority: P0
    status: open
  - title: No due date, no priority
    owner: Ana Diaz
    status: open
  - title: Due with the rlmigrate fix, no priority
    owner: Ana Diaz
    due: 2026-12-04
    status: open
  - title: Due with the rlmigrate fix, low priority
    owner: Ana Diaz
    due: 2026-12-04
    priority: P3
    status: open
---
";

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs `pm actions` with `args` and checks the exit code.
fn run(sandbox: &Sandbox, args: &[&str], code: i32) -> Output {
    let output = sandbox.pm().arg("actions").args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "pm actions {args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

/// `pm actions --format json` with `args`, parsed.
fn rows(sandbox: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = run(sandbox, &all, 0);
    let value: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    value.as_array().expect("a JSON array").clone()
}

/// The ids `pm actions` lists with `args`, in its order.
fn ids(sandbox: &Sandbox, args: &[&str]) -> Vec<String> {
    rows(sandbox, args)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The ids `pm actions` lists with `args`, as a sorted set.
fn id_set(sandbox: &Sandbox, args: &[&str]) -> BTreeSet<String> {
    ids(sandbox, args).into_iter().collect()
}

fn set_of(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// One action item as written in the example archive, read by a plain line scan that knows
/// nothing of `pm`: the example writes every item as a block mapping of plain scalars.
#[derive(Debug, Clone)]
struct Written {
    id: String,
    doc_id: String,
    fields: BTreeMap<String, String>,
}

impl Written {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    fn is_open(&self) -> bool {
        matches!(self.get("status"), Some("open" | "in-progress"))
    }
}

/// Every action item of the example archive, in file order.
fn written_actions() -> Vec<Written> {
    let mut paths: Vec<_> = ["2025", "2026"]
        .iter()
        .flat_map(|year| fs::read_dir(repo().join("postmortems").join(year)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut items = Vec::new();
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        let front = text.split("---\n").nth(1).expect("front matter");
        let doc_id = front
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .to_owned();
        let mut in_items = false;
        let mut mine: Vec<BTreeMap<String, String>> = Vec::new();
        for line in front.lines() {
            if line == "action_items:" {
                in_items = true;
                continue;
            }
            if !in_items {
                continue;
            }
            if !line.starts_with(' ') {
                break;
            }
            let entry = if let Some(rest) = line.strip_prefix("  - ") {
                mine.push(BTreeMap::new());
                rest
            } else {
                line.trim_start()
            };
            let (key, value) = entry.split_once(": ").expect("key: value");
            mine.last_mut()
                .unwrap()
                .insert(key.to_owned(), value.to_owned());
        }
        for (n, fields) in mine.into_iter().enumerate() {
            items.push(Written {
                id: format!("{doc_id}#{}", n + 1),
                doc_id: doc_id.clone(),
                fields,
            });
        }
    }
    items
}

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends) into records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// `text` with the one occurrence of `from` replaced by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} once in:\n{text}");
    text.replacen(from, to, 1)
}

/// One property of a calendar component: its name, parameters and (unescaped) value.
#[derive(Debug)]
struct Prop {
    name: String,
    params: Vec<(String, Option<String>)>,
    value: String,
}

/// The properties of each `VEVENT` of a calendar, read by the `icalendar` crate.
fn events(ics: &str) -> Vec<Vec<Prop>> {
    let unfolded = icalendar::parser::unfold(ics);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a valid calendar");
    calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            c.properties
                .iter()
                .map(|p| Prop {
                    name: p.name.as_str().to_owned(),
                    params: p
                        .params
                        .iter()
                        .map(|q| {
                            (
                                q.key.as_str().to_owned(),
                                q.val.as_ref().map(|v| v.as_str().to_owned()),
                            )
                        })
                        .collect(),
                    value: p.val.as_str().to_owned(),
                })
                .collect()
        })
        .collect()
}

/// Property `name` of `event`.
fn find<'a>(event: &'a [Prop], name: &str) -> Option<&'a Prop> {
    event.iter().find(|p| p.name == name)
}

/// The value of property `name` of `event`, unescaped by the parser.
fn prop<'a>(event: &'a [Prop], name: &str) -> Option<&'a str> {
    find(event, name).map(|p| p.value.as_str())
}

/// Checks the octet and line-ending rules of RFC 5545 §3.1 on `ics`.
fn assert_lines_are_folded_with_crlf(ics: &str) {
    assert!(ics.ends_with("\r\n"), "ends with CRLF");
    let body = ics.strip_suffix("\r\n").unwrap();
    for line in body.split("\r\n") {
        assert!(!line.contains('\n'), "a bare LF in {line:?}");
        assert!(!line.contains('\r'), "a bare CR in {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Listing

#[test]
fn json_rows_have_exactly_the_documented_fields_and_values() {
    let sandbox = Sandbox::example();
    let listing = rows(&sandbox, &[]);
    assert_eq!(listing.len(), ALL_ACTIONS);
    let documented: BTreeSet<&str> = JSON_FIELDS.iter().copied().collect();
    for row in &listing {
        let keys: BTreeSet<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, documented, "{row}");
    }
    // checkout-latency#3 has its own team (payments, not the document's first, checkout), is
    // in progress and was due 2026-01-31: 301 days before 2026-11-28.
    let row = listing
        .iter()
        .find(|r| r["id"] == "2025-10-21-checkout-latency-after-gateway-deploy#3")
        .unwrap();
    assert_eq!(
        row,
        &serde_json::json!({
            "id": "2025-10-21-checkout-latency-after-gateway-deploy#3",
            "title": "Latency-aware canary for payment-gateway (p99 vs baseline, at least 30 minutes and 100 PSP calls per second)",
            "type": "detect",
            "owner": "Yusuf Demir",
            "team": "payments",
            "priority": "P1",
            "due": "2026-01-31",
            "status": "in-progress",
            "overdue": true,
            "days_overdue": 301,
            "closed": null,
            "ticket": "https://tracker.fernhill.example/PAY-1521",
            "doc_id": "2025-10-21-checkout-latency-after-gateway-deploy",
            "doc_title": "Slow and failing checkouts after payment-gateway HTTP client migration",
            "doc_date": "2025-10-21",
            "doc_path": "postmortems/2025/2025-10-21-checkout-latency-after-gateway-deploy.md",
        })
    );
    // A done item: not overdue although its due date is long past; closed is given.
    let done = listing
        .iter()
        .find(|r| r["id"] == "2026-02-27-ci-token-exposed-in-build-logs#1")
        .unwrap();
    assert_eq!(done["status"], "done");
    assert_eq!(done["overdue"], false);
    assert_eq!(done["days_overdue"], Value::Null);
    assert_eq!(done["closed"], "2026-03-04");
    // The leak began on the 25th (started_at), the day in the id is when it was found.
    assert_eq!(done["doc_date"], "2026-02-25");
    assert_eq!(done["team"], "security");
}

#[test]
fn every_action_is_listed_by_due_date_then_priority() {
    let sandbox = Sandbox::example();
    let listing = rows(&sandbox, &[]);
    let key = |r: &Value| {
        (
            r["due"].as_str().unwrap().to_owned(),
            r["priority"].as_str().unwrap().to_owned(),
        )
    };
    for pair in listing.windows(2) {
        assert!(
            key(&pair[0]) <= key(&pair[1]),
            "{} before {}",
            pair[0],
            pair[1]
        );
    }
    // Same id set as the files hold.
    let listed: BTreeSet<String> = listing
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let written: BTreeSet<String> = written_actions().into_iter().map(|w| w.id).collect();
    assert_eq!(listed, written);
    let ids: Vec<&str> = listing.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // The earliest due date is dns#1 (2025-09-12); three items are due on 2026-01-31: two P1
    // (the older incident first) and a P3.
    assert_eq!(ids[0], "2025-09-03-dns-resolver-saturation#1");
    let at = ids
        .iter()
        .position(|i| *i == "2025-10-21-checkout-latency-after-gateway-deploy#3")
        .unwrap();
    assert_eq!(
        ids[at..at + 3],
        [
            "2025-10-21-checkout-latency-after-gateway-deploy#3",
            "2025-12-08-search-shows-stale-prices#1",
            "2025-11-14-duplicate-card-charges#5",
        ]
    );
    // The latest due date, 2027-03-31, has three P2 items, by incident date.
    assert_eq!(
        ids[ALL_ACTIONS - 3..],
        [
            "2025-11-14-duplicate-card-charges#4",
            "2026-02-02-expired-certificate-api-gateway#4",
            "2026-05-22-postgres-failover-blocks-order-writes#5",
        ]
    );
}

#[test]
fn actions_without_a_due_date_come_last_and_without_a_priority_after_those_with_one() {
    let sandbox = Sandbox::example();
    sandbox.write("postmortems/2026/2026-11-27-undated-actions.md", UNDATED);
    let ids = ids(&sandbox, &["--team", "messaging", "--status", "open"]);
    // messaging's open items: push#4 (2027-01-15, P2) and the four above.
    assert_eq!(
        ids,
        [
            "2026-11-27-undated-actions#4",
            "2026-11-27-undated-actions#3",
            "2026-04-09-duplicate-push-notifications#4",
            "2026-11-27-undated-actions#1",
            "2026-11-27-undated-actions#2",
        ]
    );
    // Among everything: 2026-12-04 holds rlmigrate (P0), then P3, then no priority.
    let all = self::ids(&sandbox, &[]);
    let at = all
        .iter()
        .position(|i| i == "2026-11-20-gateway-rate-limit-blocks-checkout#1")
        .unwrap();
    assert_eq!(
        all[at..at + 3],
        [
            "2026-11-20-gateway-rate-limit-blocks-checkout#1",
            "2026-11-27-undated-actions#4",
            "2026-11-27-undated-actions#3",
        ]
    );
    assert_eq!(
        all[all.len() - 2..],
        [
            "2026-11-27-undated-actions#1",
            "2026-11-27-undated-actions#2"
        ]
    );
}

#[test]
fn the_table_has_a_row_per_action_with_whole_ids_and_says_overdue_in_words() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &[], 0);
    assert_eq!(stderr(&output), "");
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["DUE", "PRI", "STATUS", "OWNER", "TEAM", "ID", "TITLE"]
    );
    assert_eq!(lines.len(), 1 + ALL_ACTIONS, "{out}");
    for line in &lines {
        assert_eq!(*line, line.trim_end(), "trailing spaces: {line:?}");
    }
    // Each id appears whole (it is what `pm actions set` takes).
    for written in written_actions() {
        let row = lines
            .iter()
            .filter(|l| l.split_whitespace().any(|w| w == written.id))
            .count();
        assert_eq!(row, 1, "{} in:\n{out}", written.id);
    }
    let overdue: BTreeSet<String> = lines
        .iter()
        .filter(|l| l.split_whitespace().nth(2) == Some("OVERDUE"))
        .map(|l| {
            l.split_whitespace()
                .find(|w| w.contains('#'))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(overdue, set_of(OVERDUE));
}

#[test]
fn csv_has_the_header_and_one_record_per_action() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &["--format", "csv"], 0);
    let records = parse_csv(&stdout(&output));
    assert_eq!(records[0], CSV_HEADER);
    assert_eq!(records.len(), 1 + ALL_ACTIONS);
    assert!(records.iter().all(|r| r.len() == CSV_HEADER.len()));
    // The title holds a comma; a done item's days_overdue is empty.
    let record = records
        .iter()
        .find(|r| r[0] == "2025-10-21-checkout-latency-after-gateway-deploy#3")
        .unwrap();
    assert_eq!(
        record,
        &[
            "2025-10-21-checkout-latency-after-gateway-deploy#3",
            "Latency-aware canary for payment-gateway (p99 vs baseline, at least 30 minutes and 100 PSP calls per second)",
            "detect",
            "Yusuf Demir",
            "payments",
            "P1",
            "2026-01-31",
            "in-progress",
            "true",
            "301",
            "",
            "https://tracker.fernhill.example/PAY-1521",
            "2025-10-21-checkout-latency-after-gateway-deploy",
            "Slow and failing checkouts after payment-gateway HTTP client migration",
            "2025-10-21",
            "postmortems/2025/2025-10-21-checkout-latency-after-gateway-deploy.md",
        ]
    );
    let done = records
        .iter()
        .find(|r| r[0] == "2025-09-03-dns-resolver-saturation#1")
        .unwrap();
    assert_eq!(done[7..11], ["done", "false", "", "2025-09-10"]);
}

// ---------------------------------------------------------------------------------------------
// Filters

#[test]
fn status_filter_takes_any_of_several_states() {
    let sandbox = Sandbox::example();
    // Done: 3+2+2+2+2+2+1+2+1+2+2+1+1+0 per document = 23.
    let done = rows(&sandbox, &["--status", "done"]);
    assert_eq!(done.len(), 23);
    assert!(done.iter().all(|r| r["status"] == "done"));
    // Open (18) and won't do (7); in progress is the other 13 of the 31 not closed.
    let some = rows(&sandbox, &["--status", "open", "--status", "wont-do"]);
    assert_eq!(some.len(), 18 + 7);
    assert!(
        some.iter()
            .all(|r| r["status"] == "open" || r["status"] == "wont-do")
    );
    let in_progress = rows(&sandbox, &["--status", "in-progress"]);
    assert_eq!(in_progress.len(), 13);
    let written = written_actions();
    let count = |status: &str| {
        written
            .iter()
            .filter(|w| w.get("status") == Some(status))
            .count()
    };
    assert_eq!(
        (
            count("done"),
            count("open"),
            count("wont-do"),
            count("in-progress")
        ),
        (23, 18, 7, 13)
    );
}

#[test]
fn owner_filter_is_a_substring_ignoring_case() {
    let sandbox = Sandbox::example();
    // Amara Okafor owns dns#3, certificate#2, postgres#1 and #4, rate-limit#2.
    assert_eq!(
        id_set(&sandbox, &["--owner", "OKAFOR"]),
        set_of(&[
            "2025-09-03-dns-resolver-saturation#3",
            "2026-02-02-expired-certificate-api-gateway#2",
            "2026-05-22-postgres-failover-blocks-order-writes#1",
            "2026-05-22-postgres-failover-blocks-order-writes#4",
            "2026-11-20-gateway-rate-limit-blocks-checkout#2",
        ])
    );
    // "rafael" is in Rafael Costa (push#1, #3) and Rafael Souza (search#3, order-events#3,
    // warehouse#2, #4); "chen" adds Chen Wei's duplicate-card#3.
    let rafael = id_set(&sandbox, &["--owner", "rafael"]);
    assert_eq!(rafael.len(), 6);
    let both = id_set(&sandbox, &["--owner", "rafael", "--owner", "chen"]);
    assert_eq!(both.len(), 7);
    assert!(both.contains("2025-11-14-duplicate-card-charges#3"));
    assert!(both.is_superset(&rafael));
    assert!(ids(&sandbox, &["--owner", "nobody at all"]).is_empty());
}

#[test]
fn team_filter_uses_the_action_team_else_the_documents_first_team() {
    let sandbox = Sandbox::example();
    // checkout: checkout-latency#1 and #4 (the document's first team; #2 and #3 say payments),
    // all four of promotion-stacking, and rate-limit#4 (its own team, the document is
    // platform's first).
    assert_eq!(
        id_set(&sandbox, &["--team", "checkout"]),
        set_of(&[
            "2025-10-21-checkout-latency-after-gateway-deploy#1",
            "2025-10-21-checkout-latency-after-gateway-deploy#4",
            "2026-03-14-promotion-stacking-near-miss#1",
            "2026-03-14-promotion-stacking-near-miss#2",
            "2026-03-14-promotion-stacking-near-miss#3",
            "2026-03-14-promotion-stacking-near-miss#4",
            "2026-11-20-gateway-rate-limit-blocks-checkout#4",
        ])
    );
    // fulfilment is never a document's first team here: only items that say so.
    assert_eq!(
        id_set(&sandbox, &["--team", "fulfilment"]),
        set_of(&[
            "2026-01-19-order-events-consumer-lag#1",
            "2026-01-19-order-events-consumer-lag#4",
            "2026-01-19-order-events-consumer-lag#5",
            "2026-05-22-postgres-failover-blocks-order-writes#5",
            "2026-07-08-driver-app-login-loop#1",
            "2026-07-08-driver-app-login-loop#2",
        ])
    );
    let teams = rows(&sandbox, &["--team", "mobile", "--team", "security"]);
    // mobile: push#2; security: ci-token#1, #3 and #4 (#2 says platform).
    assert_eq!(teams.len(), 4);
    assert!(
        teams
            .iter()
            .all(|r| r["team"] == "mobile" || r["team"] == "security")
    );
}

#[test]
fn an_undefined_team_or_service_is_a_usage_error_with_a_hint() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &["--team", "paymnets"], 2);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.contains("`paymnets` is not a team defined in pm.yaml"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(err.contains("`payments`"), "{err}");
    let output = run(&sandbox, &["--service", "checkout"], 2);
    let err = stderr(&output);
    assert!(
        err.contains("`checkout` is not a service defined in pm.yaml"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn service_priority_and_type_filters() {
    let sandbox = Sandbox::example();
    // checkout-api is in checkout-latency (4 items), promotion-stacking (4), postgres (5) and
    // rate-limit (4).
    let service = rows(&sandbox, &["--service", "checkout-api"]);
    assert_eq!(service.len(), 17);
    let docs: BTreeSet<&str> = service
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        docs,
        BTreeSet::from([
            "2025-10-21-checkout-latency-after-gateway-deploy",
            "2026-03-14-promotion-stacking-near-miss",
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-11-20-gateway-rate-limit-blocks-checkout",
        ])
    );
    // P0: duplicate-card#1, certificate#1, ci-token#1, postgres#1, rate-limit#1, by due date.
    assert_eq!(
        ids(&sandbox, &["--priority", "P0"]),
        [
            "2025-11-14-duplicate-card-charges#1",
            "2026-02-02-expired-certificate-api-gateway#1",
            "2026-02-27-ci-token-exposed-in-build-logs#1",
            "2026-05-22-postgres-failover-blocks-order-writes#1",
            "2026-11-20-gateway-rate-limit-blocks-checkout#1",
        ]
    );
    let written = written_actions();
    for (args, key, value) in [
        (["--priority", "P3"], "priority", "P3"),
        (["--type", "process"], "type", "process"),
        (["--type", "mitigate"], "type", "mitigate"),
    ] {
        let expected: BTreeSet<String> = written
            .iter()
            .filter(|w| w.get(key) == Some(value))
            .map(|w| w.id.clone())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(id_set(&sandbox, &args), expected, "{args:?}");
    }
    // Process items: dns#5, search#4, order-events#5, promotion#4, driver-login#5.
    assert_eq!(id_set(&sandbox, &["--type", "process"]).len(), 5);
    // Detect items of postmortems involving api-gateway: dns#3, certificate#2, rate-limit#3.
    assert_eq!(
        ids(&sandbox, &["--type", "detect", "--service", "api-gateway"]),
        [
            "2025-09-03-dns-resolver-saturation#3",
            "2026-02-02-expired-certificate-api-gateway#2",
            "2026-11-20-gateway-rate-limit-blocks-checkout#3",
        ]
    );
}

#[test]
fn due_within_takes_days_or_weeks_and_includes_overdue_and_the_last_day() {
    let sandbox = Sandbox::example();
    // 14 days from 2026-11-28 is 2026-12-12: the 16 overdue items and rlmigrate (12-04).
    let mut within: BTreeSet<String> = set_of(OVERDUE);
    within.insert("2026-11-20-gateway-rate-limit-blocks-checkout#1".to_owned());
    assert_eq!(id_set(&sandbox, &["--due-within", "14d"]), within);
    assert_eq!(id_set(&sandbox, &["--due-within", "2w"]), within);
    assert_eq!(id_set(&sandbox, &["--due-within", "14"]), within);
    // Shadow mode (rate-limit#2) is due 2026-12-18, 20 days away: in at 20, out at 19.
    assert_eq!(id_set(&sandbox, &["--due-within", "19d"]), within);
    let twenty = id_set(&sandbox, &["--due-within", "20d"]);
    assert_eq!(twenty.len(), within.len() + 1);
    assert!(twenty.contains("2026-11-20-gateway-rate-limit-blocks-checkout#2"));
    // Done items due in the window are not "due".
    assert!(
        rows(&sandbox, &["--due-within", "3650d"])
            .iter()
            .all(|r| r["status"] == "open" || r["status"] == "in-progress")
    );
    let output = run(&sandbox, &["--due-within", "two weeks"], 2);
    assert!(stderr(&output).contains("14d"), "{}", stderr(&output));
}

#[test]
fn since_and_until_are_incident_dates_in_the_archive_timezone() {
    let sandbox = Sandbox::example();
    // The warehouse incident began 2026-08-30T01:00+02:00 (still the 29th in UTC): it counts
    // from the 30th, as do image-proxy and rate-limit: 4 + 4 + 4 items.
    let since = rows(&sandbox, &["--since", "2026-08-30"]);
    assert_eq!(since.len(), 12);
    let docs: BTreeSet<&str> = since
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        docs,
        BTreeSet::from([
            "2026-08-30-warehouse-query-cost-spike",
            "2026-10-05-image-proxy-memory-leak",
            "2026-11-20-gateway-rate-limit-blocks-checkout",
        ])
    );
    // The ci-token leak is dated the 25th (started_at), not the 27th of its id.
    let february = rows(
        &sandbox,
        &["--since", "2026-02-03", "--until", "2026-02-25"],
    );
    assert_eq!(february.len(), 4);
    assert!(
        february
            .iter()
            .all(|r| r["doc_id"] == "2026-02-27-ci-token-exposed-in-build-logs")
    );
    assert!(
        ids(
            &sandbox,
            &["--since", "2026-02-26", "--until", "2026-03-13"]
        )
        .is_empty()
    );
    // Combined with a team: platform's items of incidents up to 2026-02-24 are dns#1–#5 and
    // certificate#1, #2 and #4 (#3 is identity's).
    assert_eq!(
        id_set(&sandbox, &["--until", "2026-02-24", "--team", "platform"]),
        set_of(&[
            "2025-09-03-dns-resolver-saturation#1",
            "2025-09-03-dns-resolver-saturation#2",
            "2025-09-03-dns-resolver-saturation#3",
            "2025-09-03-dns-resolver-saturation#4",
            "2025-09-03-dns-resolver-saturation#5",
            "2026-02-02-expired-certificate-api-gateway#1",
            "2026-02-02-expired-certificate-api-gateway#2",
            "2026-02-02-expired-certificate-api-gateway#4",
        ])
    );
}

#[test]
fn different_filters_must_all_hold() {
    let sandbox = Sandbox::example();
    // platform's open or in-progress P1 items: ci-token#2 (its own team), postgres#3,
    // rate-limit#2 and #3.
    assert_eq!(
        ids(
            &sandbox,
            &[
                "--team",
                "platform",
                "--status",
                "open",
                "--status",
                "in-progress",
                "--priority",
                "P1"
            ]
        ),
        [
            "2026-02-27-ci-token-exposed-in-build-logs#2",
            "2026-05-22-postgres-failover-blocks-order-writes#3",
            "2026-11-20-gateway-rate-limit-blocks-checkout#2",
            "2026-11-20-gateway-rate-limit-blocks-checkout#3",
        ]
    );
    // An owner and a team that never meet.
    assert!(ids(&sandbox, &["--owner", "okafor", "--team", "payments"]).is_empty());
}

// ---------------------------------------------------------------------------------------------
// --overdue

#[test]
fn overdue_exits_1_and_sums_up_per_owner() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &["--overdue"], 1);
    let out = stdout(&output);
    let (table, summary) = out
        .split_once("\n\n")
        .expect("a blank line before the summary");
    // Header plus one row per overdue item.
    assert_eq!(table.lines().count(), 1 + OVERDUE.len(), "{out}");
    let width = OVERDUE_BY_OWNER
        .iter()
        .map(|(o, ..)| o.len())
        .max()
        .unwrap();
    let mut expected = format!("{} overdue action items, by owner:\n", OVERDUE.len());
    for (owner, count, oldest, days) in OVERDUE_BY_OWNER {
        writeln!(
            expected,
            "  {owner:width$}  {count}  oldest due {oldest} ({days} days ago)"
        )
        .unwrap();
    }
    assert_eq!(summary, expected);
    let total: usize = OVERDUE_BY_OWNER.iter().map(|(_, n, ..)| n).sum();
    assert_eq!(total, OVERDUE.len());
    // The same set, found by reading the files.
    let written: BTreeSet<String> = written_actions()
        .into_iter()
        .filter(|w| w.is_open() && w.get("due").unwrap() < TODAY)
        .map(|w| w.id)
        .collect();
    assert_eq!(written, set_of(OVERDUE));
}

#[test]
fn overdue_as_json_keeps_stdout_json_and_puts_the_summary_on_stderr() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &["--overdue", "--format", "json"], 1);
    let listing: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let listed: BTreeSet<String> = listing
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["overdue"], true);
            r["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(listed, set_of(OVERDUE));
    let err = stderr(&output);
    assert!(err.contains("16 overdue action items, by owner:"), "{err}");
    assert!(
        err.contains("Rafael Souza       3  oldest due 2026-06-30 (151 days ago)"),
        "{err}"
    );
    // CSV and the calendar keep their format too.
    let output = run(&sandbox, &["--overdue", "--format", "csv"], 1);
    assert_eq!(parse_csv(&stdout(&output)).len(), 1 + OVERDUE.len());
    assert!(stderr(&output).contains("16 overdue action items"));
    let output = run(&sandbox, &["--overdue", "--format", "ics"], 1);
    assert_eq!(events(&stdout(&output)).len(), OVERDUE.len());
}

#[test]
fn overdue_exits_0_when_nothing_is_past_due() {
    let sandbox = Sandbox::example();
    // On 2025-09-01 nothing is due yet (the earliest due date is 2025-09-12).
    let output = sandbox
        .pm()
        .env("PM_TODAY", "2025-09-01")
        .args(["actions", "--overdue"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("no open action item is past due"),
        "{}",
        stdout(&output)
    );
    // messaging's open items (push#4, due 2027-01-15) are not overdue: exit 0, empty JSON.
    let output = run(
        &sandbox,
        &["--overdue", "--team", "messaging", "--format", "json"],
        0,
    );
    let listing: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(listing, Value::Array(Vec::new()));
    assert!(stderr(&output).contains("no open action item is past due"));
    // One owner: Nikhil Sharma's dns#4 and image-proxy#3.
    let output = run(&sandbox, &["--overdue", "--owner", "nikhil"], 1);
    assert!(
        stdout(&output).contains("2 overdue action items, by owner:\n  Nikhil Sharma  2  oldest due 2026-03-31 (242 days ago)\n"),
        "{}",
        stdout(&output)
    );
}

// ---------------------------------------------------------------------------------------------
// iCalendar

#[test]
fn the_calendar_has_one_all_day_event_per_open_action_with_a_due_date() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &["--format", "ics"], 0);
    let ics = stdout(&output);
    assert_lines_are_folded_with_crlf(&ics);
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{ics}"
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    let written = written_actions();
    let expected: BTreeMap<String, &Written> = written
        .iter()
        .filter(|w| w.is_open() && w.get("due").is_some())
        .map(|w| (format!("{}@postmortems", w.id), w))
        .collect();
    // 31 open or in-progress items, every one with a due date.
    assert_eq!(expected.len(), 31);
    let events = events(&ics);
    assert_eq!(events.len(), expected.len());
    let mut seen = BTreeSet::new();
    for event in &events {
        let uid = prop(event, "UID").expect("UID");
        assert!(seen.insert(uid.to_owned()), "duplicate UID {uid}");
        let item = expected
            .get(uid)
            .unwrap_or_else(|| panic!("unexpected {uid}"));
        let stamp = prop(event, "DTSTAMP").expect("DTSTAMP");
        assert!(
            stamp.len() == 16 && stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
            "{stamp}"
        );
        let start = find(event, "DTSTART").expect("DTSTART");
        assert_eq!(
            start.params,
            [("VALUE".to_owned(), Some("DATE".to_owned()))],
            "{uid}"
        );
        let due = item.get("due").unwrap().replace('-', "");
        assert_eq!(start.value, due, "{uid}");
        let summary = prop(event, "SUMMARY").expect("SUMMARY");
        assert!(summary.contains(item.get("title").unwrap()), "{summary}");
        let description = prop(event, "DESCRIPTION").expect("DESCRIPTION");
        assert!(description.contains(&item.doc_id), "{description}");
    }
    // Done and won't-do items have no event.
    assert!(!ics.contains("UID:2025-09-03-dns-resolver-saturation#1@"));
    assert!(!ics.contains("UID:2025-09-03-dns-resolver-saturation#5@"));
}

#[test]
fn calendar_text_with_commas_semicolons_and_backslashes_round_trips() {
    let sandbox = Sandbox::init();
    // Single quotes in YAML keep backslashes as they are: `\n` here is two characters.
    let title = r"Fix a, b; c \n d \, e \\ f: g — ünïcödé and a long tail to make the line fold more than once, twice";
    sandbox.write(
        "postmortems/2026/2026-11-27-escapes.md",
        format!(
            "---
id: 2026-11-27-escapes
title: 'Escapes; commas, and more'
status: draft
severity: SEV3
started_at: 2026-11-27T09:30:00+01:00
action_items:
  - title: '{title}'
    owner: 'Ana; Diaz, Jr.'
    due: 2026-12-01
    status: open
  - title: Left out, no due date
    status: open
  - title: Left out, done
    due: 2026-12-02
    status: done
    closed: 2026-11-27
---
"
        ),
    );
    let output = run(&sandbox, &["--format", "ics"], 0);
    let ics = stdout(&output);
    assert_lines_are_folded_with_crlf(&ics);
    // The long summary line was folded.
    assert!(ics.contains("\r\n "), "{ics}");
    assert!(
        stderr(&output).contains("1 open action item without a due date left out"),
        "{}",
        stderr(&output)
    );
    let events = events(&ics);
    assert_eq!(events.len(), 1, "{ics}");
    let event = &events[0];
    assert_eq!(prop(event, "UID"), Some("2026-11-27-escapes#1@postmortems"));
    assert_eq!(
        prop(event, "SUMMARY"),
        Some(format!("Due: {title}").as_str())
    );
    assert_eq!(prop(event, "DTSTART"), Some("20261201"));
    let description = prop(event, "DESCRIPTION").unwrap();
    assert!(
        description.contains("\nOwner: Ana; Diaz, Jr.\n"),
        "{description:?}"
    );
    assert!(
        description.contains("(Escapes; commas, and more)"),
        "{description:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// pm actions set

/// A draft with comments, both quoting styles, a flow-style item, a trailing comment on a
/// status line, a blank line inside the list and an item with its own id.
const TRICKY: &str = "\
---
# A comment before the id.
id: 2026-11-25-cache-storm
title: 'Cache, queue and retry storm'
status: draft   # still writing
severity: SEV3
teams: [platform]
services: [kubernetes]
started_at: 2026-11-25T09:30:00+01:00
action_items:
  # The first one.
  - title: 'Single quoted'
    owner: \"Ana Diaz\"
    due: 2026-12-01
    status: 'open'   # trailing comment
  - { title: x, status: open }
  - title: \"Double quoted\"
    status: \"in-progress\" # why
    ticket: \"https://tracker.example/A-1\"

  - id: STORM-7
    title: Own id
    status: open
---
## Summary

Body text, with a `status: open` line:
status: open
";

const TRICKY_PATH: &str = "postmortems/2026/2026-11-25-cache-storm.md";

/// Runs `pm actions set` with `args` and checks the exit code.
fn set(sandbox: &Sandbox, args: &[&str], code: i32) -> Output {
    let output = sandbox
        .pm()
        .args(["actions", "set"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "pm actions set {args:?}\nstdout:\n{}\nstderr:\n{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

fn tricky() -> Sandbox {
    let sandbox = Sandbox::init();
    sandbox.write(TRICKY_PATH, TRICKY);
    sandbox
}

/// The file's bytes.
fn bytes(sandbox: &Sandbox, relative: &str) -> Vec<u8> {
    fs::read(sandbox.path().join(relative)).unwrap()
}

#[test]
fn done_replaces_the_value_in_its_quotes_keeps_the_comment_and_adds_closed() {
    let sandbox = tricky();
    let output = set(
        &sandbox,
        &["2026-11-25-cache-storm#1", "--status", "done"],
        0,
    );
    let expected = replace_once(
        TRICKY,
        "    status: 'open'   # trailing comment\n",
        "    status: 'done'   # trailing comment\n    closed: 2026-11-28\n",
    );
    assert_eq!(sandbox.read(TRICKY_PATH), expected);
    let out = stdout(&output);
    assert!(
        out.contains("2026-11-25-cache-storm#1: status open → done"),
        "{out}"
    );
    assert!(
        out.contains("2026-11-25-cache-storm#1: closed (none) → 2026-11-28"),
        "{out}"
    );
}

#[test]
fn a_flow_style_item_gets_its_new_entries_inside_the_braces() {
    let sandbox = tricky();
    set(
        &sandbox,
        &[
            "2026-11-25-cache-storm#2",
            "--status",
            "done",
            "--ticket",
            "https://tracker.example/X-2",
        ],
        0,
    );
    let expected = replace_once(
        TRICKY,
        "  - { title: x, status: open }\n",
        "  - { title: x, status: done, closed: 2026-11-28, ticket: https://tracker.example/X-2 }\n",
    );
    assert_eq!(sandbox.read(TRICKY_PATH), expected);
}

#[test]
fn closed_overrides_today_and_goes_after_the_last_entry_before_the_blank_line() {
    let sandbox = tricky();
    set(
        &sandbox,
        &[
            "2026-11-25-cache-storm#3",
            "--status",
            "done",
            "--closed",
            "2026-11-01",
        ],
        0,
    );
    let expected = replace_once(
        TRICKY,
        "    status: \"in-progress\" # why\n    ticket: \"https://tracker.example/A-1\"\n\n",
        "    status: \"done\" # why\n    ticket: \"https://tracker.example/A-1\"\n    closed: 2026-11-01\n\n",
    );
    assert_eq!(sandbox.read(TRICKY_PATH), expected);
}

#[test]
fn a_ticket_replaces_the_old_one_in_its_quoting() {
    let sandbox = tricky();
    set(
        &sandbox,
        &[
            "2026-11-25-cache-storm#3",
            "--ticket",
            "https://tracker.example/B-2",
        ],
        0,
    );
    let expected = replace_once(
        TRICKY,
        "ticket: \"https://tracker.example/A-1\"",
        "ticket: \"https://tracker.example/B-2\"",
    );
    assert_eq!(sandbox.read(TRICKY_PATH), expected);
}

#[test]
fn an_item_is_named_by_its_own_id_or_by_its_position() {
    let sandbox = tricky();
    set(
        &sandbox,
        &["STORM-7", "--ticket", "https://tracker.example/S-7"],
        0,
    );
    let once = replace_once(
        TRICKY,
        "    title: Own id\n    status: open\n",
        "    title: Own id\n    status: open\n    ticket: https://tracker.example/S-7\n",
    );
    assert_eq!(sandbox.read(TRICKY_PATH), once);
    // `<doc>#4` names the same item.
    set(
        &sandbox,
        &["2026-11-25-cache-storm#4", "--owner", "Ana Diaz"],
        0,
    );
    let twice = replace_once(
        &once,
        "    ticket: https://tracker.example/S-7\n",
        "    ticket: https://tracker.example/S-7\n    owner: Ana Diaz\n",
    );
    assert_eq!(sandbox.read(TRICKY_PATH), twice);
}

#[test]
fn crlf_line_ends_and_a_byte_order_mark_are_kept() {
    let sandbox = Sandbox::init();
    let path = "postmortems/2026/2026-11-26-crlf-doc.md";
    let original = "\u{feff}---\r\nid: 2026-11-26-crlf-doc\r\ntitle: CRLF doc\r\nstatus: draft\r\n\
         severity: SEV3\r\nstarted_at: 2026-11-26T09:30:00+01:00\r\naction_items:\r\n\
         \x20 - title: With CRLF  # c\r\n    owner: Ana\r\n    due: 2026-12-01\r\n    status: open\r\n\
         ---\r\n## Summary\r\n\r\nBody.\r\n";
    sandbox.write(path, original);
    set(
        &sandbox,
        &[
            "2026-11-26-crlf-doc#1",
            "--status",
            "wont-do",
            "--ticket",
            "https://tracker.example/a?b=c#d",
        ],
        0,
    );
    let expected = replace_once(
        original,
        "    status: open\r\n",
        "    status: wont-do\r\n    closed: 2026-11-28\r\n    ticket: https://tracker.example/a?b=c#d\r\n",
    );
    assert_eq!(bytes(&sandbox, path), expected.as_bytes());
    assert!(bytes(&sandbox, path).starts_with(b"\xef\xbb\xbf---\r\n"));
}

#[test]
fn setting_what_already_is_changes_nothing() {
    let sandbox = tricky();
    // #3 is in progress with a ticket: first close it on a given day.
    set(
        &sandbox,
        &[
            "2026-11-25-cache-storm#3",
            "--status",
            "done",
            "--closed",
            "2026-11-01",
        ],
        0,
    );
    let before = bytes(&sandbox, TRICKY_PATH);
    let modified = fs::metadata(sandbox.path().join(TRICKY_PATH))
        .unwrap()
        .modified()
        .unwrap();
    for args in [
        &["2026-11-25-cache-storm#3", "--status", "done"][..],
        &["2026-11-25-cache-storm#3", "--closed", "2026-11-01"],
        &[
            "2026-11-25-cache-storm#3",
            "--ticket",
            "https://tracker.example/A-1",
        ],
        &["2026-11-25-cache-storm#1", "--owner", "Ana Diaz"],
    ] {
        let output = set(&sandbox, args, 0);
        assert!(
            stdout(&output).contains("nothing to change"),
            "{args:?}: {}",
            stdout(&output)
        );
    }
    assert_eq!(bytes(&sandbox, TRICKY_PATH), before);
    let after = fs::metadata(sandbox.path().join(TRICKY_PATH))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(after, modified);
}

#[test]
fn done_keeps_an_existing_closed_date() {
    let sandbox = Sandbox::example();
    // dns#5 was dropped on 2025-11-06; reopening and closing again keeps that day.
    let path = "postmortems/2025/2025-09-03-dns-resolver-saturation.md";
    let original = sandbox.read(path);
    set(
        &sandbox,
        &["2025-09-03-dns-resolver-saturation#5", "--status", "done"],
        0,
    );
    let expected = replace_once(
        &original,
        "    status: wont-do\n    closed: 2025-11-06\n",
        "    status: done\n    closed: 2025-11-06\n",
    );
    assert_eq!(sandbox.read(path), expected);
}

#[test]
fn reopening_drops_the_closing_day_from_view_and_closing_again_records_today() {
    let sandbox = Sandbox::example();
    let (path, id) = (
        "postmortems/2025/2025-09-03-dns-resolver-saturation.md",
        "2025-09-03-dns-resolver-saturation#5",
    );
    let row = |sandbox: &Sandbox| {
        rows(sandbox, &["--status", "open", "--status", "done"])
            .into_iter()
            .find(|r| r["id"] == id)
            .expect("listed")
    };
    let original = sandbox.read(path);
    set(&sandbox, &[id, "--status", "open"], 0);
    // The line stays in the file; an open item shows no closing day.
    assert_eq!(
        sandbox.read(path),
        replace_once(
            &original,
            "    status: wont-do\n    closed: 2025-11-06\n",
            "    status: open\n    closed: 2025-11-06\n",
        )
    );
    assert_eq!(row(&sandbox)["closed"], Value::Null);
    let output = set(&sandbox, &[id, "--status", "done"], 0);
    assert!(
        stdout(&output).contains(&format!("{id}: closed 2025-11-06 → {TODAY}")),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        sandbox.read(path),
        replace_once(
            &original,
            "    status: wont-do\n    closed: 2025-11-06\n",
            &format!("    status: done\n    closed: {TODAY}\n"),
        )
    );
    assert_eq!(row(&sandbox)["closed"], TODAY);
}

#[test]
fn closing_an_example_action_passes_check_with_one_warning_fewer() {
    let sandbox = Sandbox::example();
    let check = |sandbox: &Sandbox| {
        let output = sandbox.pm().arg("check").output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stderr(&output) + &stdout(&output)
    };
    // One overdue warning per overdue item.
    assert!(check(&sandbox).contains("0 errors, 16 warnings"));
    let path = "postmortems/2026/2026-02-02-expired-certificate-api-gateway.md";
    let original = sandbox.read(path);
    let others = sandbox.snapshot();
    set(
        &sandbox,
        &[
            "2026-02-02-expired-certificate-api-gateway#3",
            "--status",
            "done",
        ],
        0,
    );
    let report = check(&sandbox);
    assert!(report.contains("0 errors, 15 warnings"), "{report}");
    assert!(
        !report.contains("2026-02-02-expired-certificate-api-gateway#3"),
        "{report}"
    );
    // Item #3 is the only one in progress in that file; `closed` goes after its last entry.
    let expected = replace_once(
        &original,
        "    status: in-progress\n    ticket: https://tracker.fernhill.example/IDN-1033\n",
        "    status: done\n    ticket: https://tracker.fernhill.example/IDN-1033\n    closed: 2026-11-28\n",
    );
    assert_eq!(sandbox.read(path), expected);
    // No other file changed.
    let changed: Vec<_> = sandbox
        .snapshot()
        .into_iter()
        .filter(|(p, bytes)| others.get(p) != Some(bytes))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(changed, [path]);
}

#[test]
fn unknown_ids_are_usage_errors_with_a_hint() {
    let sandbox = tricky();
    let output = set(&sandbox, &["nosuch", "--status", "done"], 2);
    let err = stderr(&output);
    assert!(err.contains("no action item has the id `nosuch`"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let output = set(
        &sandbox,
        &["2026-11-25-cache-storm#99", "--status", "done"],
        2,
    );
    let err = stderr(&output);
    assert!(
        err.contains(
            "`2026-11-25-cache-storm` has 4 action items, `2026-11-25-cache-storm#1` to `2026-11-25-cache-storm#4`"
        ),
        "{err}"
    );
    let output = set(&sandbox, &["STORM-8", "--status", "done"], 2);
    assert!(stderr(&output).contains("`STORM-7`"), "{}", stderr(&output));
    assert_eq!(sandbox.read(TRICKY_PATH), TRICKY);
}

#[test]
fn an_id_used_in_two_documents_is_ambiguous_and_names_both() {
    let sandbox = tricky();
    let other = "postmortems/2026/2026-11-24-other.md";
    let text = "\
---
id: 2026-11-24-other
title: Other
status: draft
severity: SEV3
started_at: 2026-11-24T09:30:00+01:00
action_items:
  - title: First
    status: open
  - id: STORM-7
    title: Same id elsewhere
    status: open
---
";
    sandbox.write(other, text);
    let output = set(&sandbox, &["STORM-7", "--status", "done"], 2);
    let err = stderr(&output);
    assert!(err.contains("`STORM-7` names 2 action items"), "{err}");
    assert!(err.contains("2026-11-24-other#2"), "{err}");
    assert!(err.contains("2026-11-25-cache-storm#4"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(sandbox.read(TRICKY_PATH), TRICKY);
    assert_eq!(sandbox.read(other), text);
    // By position it is one of them.
    set(&sandbox, &["2026-11-24-other#2", "--status", "done"], 0);
    assert_eq!(
        sandbox.read(other),
        replace_once(
            text,
            "    title: Same id elsewhere\n    status: open\n",
            "    title: Same id elsewhere\n    status: done\n    closed: 2026-11-28\n"
        )
    );
    assert_eq!(sandbox.read(TRICKY_PATH), TRICKY);
}

#[test]
fn a_multi_line_ticket_is_refused() {
    let sandbox = tricky();
    let output = set(
        &sandbox,
        &[
            "2026-11-25-cache-storm#1",
            "--ticket",
            "https://a.example/1\nstatus: done",
        ],
        2,
    );
    assert!(
        stderr(&output).contains("--ticket must be one line"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sandbox.read(TRICKY_PATH), TRICKY);
}

#[test]
fn a_value_that_would_read_differently_unquoted_is_quoted() {
    let sandbox = tricky();
    set(
        &sandbox,
        &[
            "STORM-7",
            "--ticket",
            "PAY-1 # see: notes",
            "--owner",
            "O'Brien",
        ],
        0,
    );
    let text = sandbox.read(TRICKY_PATH);
    let listing = rows(&sandbox, &[]);
    let row = listing.iter().find(|r| r["id"] == "STORM-7").unwrap();
    assert_eq!(row["ticket"], "PAY-1 # see: notes", "{text}");
    assert_eq!(row["owner"], "O'Brien", "{text}");
    // Everything before the item is as it was.
    let item = TRICKY.find("  - id: STORM-7").unwrap();
    assert_eq!(text[..item], TRICKY[..item]);
    assert!(text.ends_with(&TRICKY[TRICKY.find("---\n## Summary").unwrap()..]));
}
