//! `pm list`: the table, JSON and CSV views of the example archive, and its filters.
//!
//! Every expected value below was worked out by hand from the files under `postmortems/` and
//! `pm.yaml`, as of [`crate::sandbox::TODAY`] (2026-11-28).

use std::collections::BTreeSet;
use std::process::Output;

use serde_json::{Value, json};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::sandbox::{Sandbox, stderr, stdout};

/// One postmortem of the example archive as `pm list` should show it.
struct Row {
    /// The incident date: the day `started_at` falls on in Europe/Berlin.
    date: &'static str,
    severity: &'static str,
    status: &'static str,
    /// `teams`, joined with commas.
    teams: &'static str,
    title: &'static str,
    id: &'static str,
}

/// The example archive, newest first.
///
/// `2026-02-27-ci-token-exposed-in-build-logs` is dated 2026-02-25: the token leaked on the
/// 25th (`started_at`) and was only found on the 27th, the day in its id.
const EXAMPLE: &[Row] = &[
    Row {
        date: "2026-11-20",
        severity: "SEV2",
        status: "draft",
        teams: "platform,checkout",
        title: "Rate-limit policy migration throttled web checkout by egress IP",
        id: "2026-11-20-gateway-rate-limit-blocks-checkout",
    },
    Row {
        date: "2026-10-05",
        severity: "SEV3",
        status: "draft",
        teams: "catalog",
        title: "Image proxy pods OOM-killed after base image dropped jemalloc",
        id: "2026-10-05-image-proxy-memory-leak",
    },
    Row {
        date: "2026-08-30",
        severity: "SEV4",
        status: "published",
        teams: "data",
        title: "Hourly warehouse model scanned the full order-events table for 14 hours",
        id: "2026-08-30-warehouse-query-cost-spike",
    },
    Row {
        date: "2026-07-08",
        severity: "SEV2",
        status: "in-review",
        teams: "identity,fulfilment",
        title: "Drivers logged out repeatedly after refresh-token rotation change",
        id: "2026-07-08-driver-app-login-loop",
    },
    Row {
        date: "2026-05-22",
        severity: "SEV1",
        status: "published",
        teams: "platform,fulfilment",
        title: "Order writes stalled after a RAID controller failure and a switchover to a \
                primary without a sync standby",
        id: "2026-05-22-postgres-failover-blocks-order-writes",
    },
    Row {
        date: "2026-04-09",
        severity: "SEV3",
        status: "published",
        teams: "messaging,mobile",
        title: "Customers received the same push notification up to six times after a \
                dispatcher release",
        id: "2026-04-09-duplicate-push-notifications",
    },
    Row {
        date: "2026-03-14",
        severity: "SEV4",
        status: "published",
        teams: "checkout",
        title: "Spring campaign would have stacked discounts past 100 percent on marked-down \
                produce",
        id: "2026-03-14-promotion-stacking-near-miss",
    },
    Row {
        date: "2026-02-25",
        severity: "SEV2",
        status: "published",
        teams: "security,platform",
        title: "Vault token for CI printed in plain text in build logs for two days",
        id: "2026-02-27-ci-token-exposed-in-build-logs",
    },
    Row {
        date: "2026-02-02",
        severity: "SEV1",
        status: "published",
        teams: "platform,identity",
        title: "Signed-in traffic failed after the gateway's mTLS client certificate expired",
        id: "2026-02-02-expired-certificate-api-gateway",
    },
    Row {
        date: "2026-01-19",
        severity: "SEV2",
        status: "published",
        teams: "data,fulfilment",
        title: "Stock reservations fell 47 minutes behind during the Monday order peak",
        id: "2026-01-19-order-events-consumer-lag",
    },
    Row {
        date: "2025-12-08",
        severity: "SEV3",
        status: "published",
        teams: "catalog",
        title: "Search and category pages showed old prices after a shared Kafka chart change",
        id: "2025-12-08-search-shows-stale-prices",
    },
    Row {
        date: "2025-11-14",
        severity: "SEV1",
        status: "published",
        teams: "payments",
        title: "Customers charged two or three times after client retries during PSP slowdown",
        id: "2025-11-14-duplicate-card-charges",
    },
    Row {
        date: "2025-10-21",
        severity: "SEV2",
        status: "published",
        teams: "checkout,payments",
        title: "Slow and failing checkouts after payment-gateway HTTP client migration",
        id: "2025-10-21-checkout-latency-after-gateway-deploy",
    },
    Row {
        date: "2025-09-03",
        severity: "SEV2",
        status: "published",
        teams: "platform",
        title: "API errors during a campaign peak as cluster DNS ran out of CPU",
        id: "2025-09-03-dns-resolver-saturation",
    },
];

/// The fields every object of `pm list --format json` has, as documented.
const JSON_FIELDS: &[&str] = &[
    "id",
    "title",
    "path",
    "date",
    "status",
    "visibility",
    "severity",
    "kind",
    "teams",
    "services",
    "tags",
    "authors",
    "incident_commander",
    "summary",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "time_to_detect_minutes",
    "time_to_mitigate_minutes",
    "time_to_resolve_minutes",
    "trigger",
    "detection",
    "related",
    "actions",
];

/// A valid draft whose title holds a comma and double quotes.
const COMMA_TITLE: &str = "\
---
id: 2026-11-25-cache-queue-retry-storm
title: 'Cache, queue and \"retry\" storm'
status: draft
severity: SEV3
teams: [platform]
services: [kubernetes]
started_at: 2026-11-25T09:30:00+01:00
---
## Summary
Retries piled up.
";

/// A valid draft whose long title is in double-width characters.
const WIDE_TITLE: &str = "\
---
id: 2026-11-26-certificate-expiry
title: 決済ゲートウェイの証明書が期限切れになり、すべてのチェックアウトが失敗した長い長い件名 🔥🔥
status: draft
severity: SEV3
teams: [platform]
started_at: 2026-11-26T09:30:00+01:00
---
";

/// Runs `pm list` with `args` and checks it succeeded.
fn list(sandbox: &Sandbox, args: &[&str]) -> Output {
    let output = sandbox.pm().arg("list").args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "pm list {args:?}\n{}",
        stderr(&output)
    );
    output
}

/// `pm list --format json` with `args`, parsed.
fn json_list(sandbox: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = list(sandbox, &all);
    let value: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    value.as_array().expect("a JSON array").clone()
}

/// The ids `pm list` selects with the filters `args`, in the order listed.
fn ids(sandbox: &Sandbox, args: &[&str]) -> Vec<String> {
    json_list(sandbox, args)
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The object of `id` in a JSON listing.
fn document<'a>(listing: &'a [Value], id: &str) -> &'a Value {
    listing
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} is listed"))
}

/// Splits a table line into cells at the display columns where the header's words start.
fn cells(line: &str, starts: &[usize]) -> Vec<String> {
    let mut cells = vec![String::new(); starts.len()];
    let mut column = 0;
    for c in line.chars() {
        let index = starts.iter().rposition(|&s| s <= column).unwrap_or(0);
        cells[index].push(c);
        column += UnicodeWidthChar::width(c).unwrap_or(0);
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

/// The display columns where the words of `header` start.
fn word_starts(header: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut previous = ' ';
    for (i, c) in header.chars().enumerate() {
        if c != ' ' && previous == ' ' {
            starts.push(i);
        }
        previous = c;
    }
    starts
}

/// Whether `cell` shows `full`: either all of it, or a beginning of it ending in `…`.
fn shows(cell: &str, full: &str) -> bool {
    cell == full
        || cell
            .strip_suffix('…')
            .is_some_and(|start| full.starts_with(start) && start.len() < full.len())
}

/// Reads CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF line ends) into records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => record.push(std::mem::take(&mut field)),
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                _ => field.push(c),
            }
        }
    }
    assert!(!quoted, "unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

fn example_ids() -> Vec<&'static str> {
    EXAMPLE.iter().map(|r| r.id).collect()
}

#[test]
fn the_table_lists_every_postmortem_newest_first() {
    let sandbox = Sandbox::example();
    let output = list(&sandbox, &[]);
    assert_eq!(stderr(&output), "");
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["DATE", "SEV", "STATUS", "TEAMS", "TITLE"],
        "{out}"
    );
    assert_eq!(lines.len(), 1 + EXAMPLE.len(), "{out}");
    let starts = word_starts(lines[0]);
    for (line, row) in lines[1..].iter().zip(EXAMPLE) {
        let cells = cells(line, &starts);
        assert_eq!(
            cells[..3],
            [row.date, row.severity, row.status],
            "row of {}:\n{out}",
            row.id
        );
        assert!(shows(&cells[3], row.teams), "teams of {}:\n{out}", row.id);
        assert!(shows(&cells[4], row.title), "title of {}:\n{out}", row.id);
    }
}

#[test]
fn the_table_fits_100_columns_and_cuts_long_titles_with_an_ellipsis() {
    let sandbox = Sandbox::example();
    let out = stdout(&list(&sandbox, &[]));
    for line in out.lines() {
        assert!(line.width() <= 100, "{} columns: {line}", line.width());
        assert_eq!(line, line.trim_end(), "trailing spaces: {line:?}");
    }
    // The postgres title is 105 characters: longer than the whole table.
    let postgres = out
        .lines()
        .find(|l| l.starts_with("2026-05-22"))
        .expect("the postgres row");
    let starts = word_starts(out.lines().next().unwrap());
    let title = &cells(postgres, &starts)[4];
    assert!(title.starts_with("Order writes"), "{postgres}");
    assert!(title.ends_with('…'), "{postgres}");
}

#[test]
fn the_table_measures_wide_characters_by_display_width() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "postmortems/2026/2026-11-26-certificate-expiry.md",
        WIDE_TITLE,
    );
    let out = stdout(&list(&sandbox, &[]));
    for line in out.lines() {
        assert!(line.width() <= 100, "{} columns: {line}", line.width());
    }
    let wide = out.lines().nth(1).expect("the newest row");
    assert!(wide.starts_with("2026-11-26"), "{out}");
    assert!(wide.contains("決済ゲートウェイ"), "{wide}");
    assert!(wide.contains('…'), "{wide}");
    assert!(!wide.contains("🔥"), "{wide}");
}

#[test]
fn json_lists_every_postmortem_newest_first_with_the_documented_fields() {
    let sandbox = Sandbox::example();
    let listing = json_list(&sandbox, &[]);
    let listed: Vec<&str> = listing.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(listed, example_ids());
    let documented: BTreeSet<&str> = JSON_FIELDS.iter().copied().collect();
    for (doc, row) in listing.iter().zip(EXAMPLE) {
        let object = doc.as_object().unwrap();
        let fields: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(fields, documented, "{}", row.id);
        let actions: BTreeSet<&str> = doc["actions"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(actions, BTreeSet::from(["total", "open", "overdue"]));
        assert_eq!(doc["date"], row.date);
        assert_eq!(doc["title"], row.title);
        assert_eq!(doc["severity"], row.severity);
        assert_eq!(doc["status"], row.status);
        let teams: Vec<&str> = row.teams.split(',').collect();
        assert_eq!(doc["teams"], json!(teams));
        assert_eq!(
            doc["path"],
            format!("postmortems/{}/{}.md", &row.id[..4], row.id)
        );
    }
    // The 16 open actions past due on 2026-11-28 are the 16 warnings of `pm check`.
    let overdue: u64 = listing
        .iter()
        .map(|d| d["actions"]["overdue"].as_u64().unwrap())
        .sum();
    assert_eq!(overdue, 16);
}

#[test]
fn json_figures_of_the_ci_token_leak_match_its_file() {
    let sandbox = Sandbox::example();
    let listing = json_list(&sandbox, &[]);
    let doc = document(&listing, "2026-02-27-ci-token-exposed-in-build-logs");
    let summary = doc["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("A debugging change to a shared CI build template printed"),
        "{summary}"
    );
    assert!(
        summary
            .trim_end()
            .ends_with("no customer data was reachable with it."),
        "{summary}"
    );
    let mut doc = doc.clone();
    doc.as_object_mut().unwrap().remove("summary");
    assert_eq!(
        doc,
        json!({
            "id": "2026-02-27-ci-token-exposed-in-build-logs",
            "title": "Vault token for CI printed in plain text in build logs for two days",
            "path": "postmortems/2026/2026-02-27-ci-token-exposed-in-build-logs.md",
            // The day impact began, not the day in the id.
            "date": "2026-02-25",
            "status": "published",
            "visibility": "internal",
            "severity": "SEV2",
            "kind": "security",
            "teams": ["security", "platform"],
            "services": ["ci-pipeline", "secrets-vault"],
            "tags": ["secrets", "vault", "ci", "logging", "credential-rotation"],
            "authors": ["Yusuf Demir", "Nikhil Sharma"],
            "incident_commander": "Mei Lin Chow",
            "started_at": "2026-02-25T14:02:00+01:00",
            "detected_at": "2026-02-27T10:31:00+01:00",
            "mitigated_at": "2026-02-27T10:58:00+01:00",
            "resolved_at": "2026-02-28T17:45:00+01:00",
            // 25 Feb 14:02 to 27 Feb 10:31: 2 days less 3 h 31 min = 44 h 29 min.
            "time_to_detect_minutes": 2669,
            // 27 minutes later.
            "time_to_mitigate_minutes": 2696,
            // To 28 Feb 17:45: 3 days and 3 h 43 min = 75 h 43 min.
            "time_to_resolve_minutes": 4543,
            "trigger": "credential-leak",
            "detection": "internal",
            "related": ["2026-02-02-expired-certificate-api-gateway"],
            // done; in-progress due 2026-06-30 (overdue); wont-do; open due 2027-01-29.
            "actions": { "total": 4, "open": 2, "overdue": 1 },
        })
    );
}

#[test]
fn json_figures_of_the_unresolved_image_proxy_draft_match_its_file() {
    let sandbox = Sandbox::example();
    let listing = json_list(&sandbox, &[]);
    let doc = document(&listing, "2026-10-05-image-proxy-memory-leak");
    assert_eq!(doc["date"], "2026-10-05");
    assert_eq!(doc["status"], "draft");
    assert_eq!(doc["kind"], "incident");
    assert_eq!(doc["visibility"], "internal");
    assert_eq!(doc["incident_commander"], "Ingrid Nilsson");
    assert_eq!(doc["related"], json!([]));
    assert_eq!(doc["started_at"], "2026-10-05T11:04:00+02:00");
    // 11:04 to 13:31 and to 14:48.
    assert_eq!(doc["time_to_detect_minutes"], 147);
    assert_eq!(doc["time_to_mitigate_minutes"], 224);
    // Not resolved yet: no time and no figure.
    assert_eq!(doc["resolved_at"], Value::Null);
    assert_eq!(doc["time_to_resolve_minutes"], Value::Null);
    // done; in-progress due 2026-10-30 and open due 2026-11-20 (both past 2026-11-28);
    // open due 2027-01-29.
    assert_eq!(
        doc["actions"],
        json!({ "total": 4, "open": 3, "overdue": 2 })
    );

    // The newest draft has no summary yet, and its open actions are all due after today.
    let doc = document(&listing, "2026-11-20-gateway-rate-limit-blocks-checkout");
    assert_eq!(doc["summary"], Value::Null);
    assert_eq!(doc["time_to_detect_minutes"], 8);
    assert_eq!(doc["time_to_resolve_minutes"], 109);
    assert_eq!(
        doc["actions"],
        json!({ "total": 4, "open": 4, "overdue": 0 })
    );
}

#[test]
fn csv_has_a_header_and_one_row_per_postmortem() {
    let sandbox = Sandbox::example();
    let output = list(&sandbox, &["--format", "csv"]);
    let records = parse_csv(&stdout(&output));
    assert_eq!(records.len(), 1 + EXAMPLE.len(), "{records:?}");
    let header = &records[0];
    for column in [
        "id",
        "title",
        "date",
        "status",
        "severity",
        "teams",
        "time_to_detect_minutes",
        "actions_overdue",
        "path",
    ] {
        assert!(header.iter().any(|h| h == column), "{column}: {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (record, row) in records[1..].iter().zip(EXAMPLE) {
        assert_eq!(record.len(), header.len(), "{record:?}");
        assert_eq!(record[col("id")], row.id);
        assert_eq!(record[col("title")], row.title);
        assert_eq!(record[col("date")], row.date);
        assert_eq!(record[col("status")], row.status);
        assert_eq!(record[col("severity")], row.severity);
    }
    let ci = records
        .iter()
        .find(|r| r[0] == "2026-02-27-ci-token-exposed-in-build-logs")
        .unwrap();
    assert_eq!(ci[col("time_to_detect_minutes")], "2669");
    assert_eq!(ci[col("actions_overdue")], "1");
    let image = records
        .iter()
        .find(|r| r[0] == "2026-10-05-image-proxy-memory-leak")
        .unwrap();
    assert_eq!(image[col("time_to_resolve_minutes")], "");
    assert_eq!(image[col("actions_overdue")], "2");
}

#[test]
fn csv_quotes_fields_with_commas_and_quotes() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "postmortems/2026/2026-11-25-cache-queue-retry-storm.md",
        COMMA_TITLE,
    );
    let out = stdout(&list(&sandbox, &["--format", "csv"]));
    assert!(
        out.contains(r#","Cache, queue and ""retry"" storm","#),
        "{out}"
    );
    let records = parse_csv(&out);
    assert_eq!(records.len(), 1 + EXAMPLE.len() + 1);
    let width = records[0].len();
    assert!(records.iter().all(|r| r.len() == width), "{records:?}");
    assert_eq!(records[1][0], "2026-11-25-cache-queue-retry-storm");
    assert_eq!(records[1][1], "Cache, queue and \"retry\" storm");
    // Multi-valued fields do not add columns either.
    let teams = records[0].iter().position(|h| h == "teams").unwrap();
    let postgres = records
        .iter()
        .find(|r| r[0] == "2026-05-22-postgres-failover-blocks-order-writes")
        .unwrap();
    assert!(postgres[teams].contains("platform"), "{postgres:?}");
    assert!(postgres[teams].contains("fulfilment"), "{postgres:?}");
}

#[test]
fn team_filter() {
    let sandbox = Sandbox::example();
    // teams: [checkout, payments] and [payments].
    assert_eq!(
        ids(&sandbox, &["--team", "payments"]),
        [
            "2025-11-14-duplicate-card-charges",
            "2025-10-21-checkout-latency-after-gateway-deploy",
        ]
    );
    // Every document with platform among its teams.
    assert_eq!(
        ids(&sandbox, &["--team", "platform"]),
        [
            "2026-11-20-gateway-rate-limit-blocks-checkout",
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-02-27-ci-token-exposed-in-build-logs",
            "2026-02-02-expired-certificate-api-gateway",
            "2025-09-03-dns-resolver-saturation",
        ]
    );
    // Repeated: either team.
    assert_eq!(
        ids(&sandbox, &["--team", "checkout", "--team", "payments"]),
        [
            "2026-11-20-gateway-rate-limit-blocks-checkout",
            "2026-03-14-promotion-stacking-near-miss",
            "2025-11-14-duplicate-card-charges",
            "2025-10-21-checkout-latency-after-gateway-deploy",
        ]
    );
}

#[test]
fn service_filter() {
    let sandbox = Sandbox::example();
    assert_eq!(
        ids(&sandbox, &["--service", "checkout-api"]),
        [
            "2026-11-20-gateway-rate-limit-blocks-checkout",
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-03-14-promotion-stacking-near-miss",
            "2025-10-21-checkout-latency-after-gateway-deploy",
        ]
    );
    assert_eq!(
        ids(&sandbox, &["--service", "kubernetes"]),
        [
            "2026-10-05-image-proxy-memory-leak",
            "2025-09-03-dns-resolver-saturation",
        ]
    );
    assert_eq!(
        ids(
            &sandbox,
            &["--service", "analytics-warehouse", "--service", "ledger"]
        ),
        [
            "2026-08-30-warehouse-query-cost-spike",
            "2025-11-14-duplicate-card-charges",
        ]
    );
}

#[test]
fn severity_filter() {
    let sandbox = Sandbox::example();
    let sev1 = [
        "2026-05-22-postgres-failover-blocks-order-writes",
        "2026-02-02-expired-certificate-api-gateway",
        "2025-11-14-duplicate-card-charges",
    ];
    assert_eq!(ids(&sandbox, &["--severity", "SEV1"]), sev1);
    assert_eq!(
        ids(&sandbox, &["--severity", "SEV1", "--severity", "SEV4"]),
        [
            "2026-08-30-warehouse-query-cost-spike",
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-03-14-promotion-stacking-near-miss",
            "2026-02-02-expired-certificate-api-gateway",
            "2025-11-14-duplicate-card-charges",
        ]
    );
    // A severity pm.yaml does not define could only match nothing: a usage error with the
    // likely meaning, not a silent empty list.
    for (args, hint) in [
        (["--severity", "sev1"], "did you mean `SEV1`?"),
        (["--team", "paymnts"], "did you mean `payments`?"),
        (["--service", "search"], "did you mean `search-api`?"),
    ] {
        let output = sandbox.pm().arg("list").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(hint), "{}", stderr(&output));
    }
}

#[test]
fn status_filter() {
    let sandbox = Sandbox::example();
    let drafts = [
        "2026-11-20-gateway-rate-limit-blocks-checkout",
        "2026-10-05-image-proxy-memory-leak",
    ];
    assert_eq!(ids(&sandbox, &["--status", "draft"]), drafts);
    assert_eq!(
        ids(&sandbox, &["--status", "in-review"]),
        ["2026-07-08-driver-app-login-loop"]
    );
    assert_eq!(
        ids(&sandbox, &["--status", "draft", "--status", "in-review"]),
        [
            "2026-11-20-gateway-rate-limit-blocks-checkout",
            "2026-10-05-image-proxy-memory-leak",
            "2026-07-08-driver-app-login-loop",
        ]
    );
    // Everything else is published.
    let published: Vec<&str> = example_ids()
        .into_iter()
        .filter(|id| !drafts.contains(id) && *id != "2026-07-08-driver-app-login-loop")
        .collect();
    assert_eq!(published.len(), 11);
    assert_eq!(ids(&sandbox, &["--status", "published"]), published);
}

#[test]
fn tag_filter() {
    let sandbox = Sandbox::example();
    assert_eq!(
        ids(&sandbox, &["--tag", "deploy"]),
        [
            "2026-07-08-driver-app-login-loop",
            "2026-04-09-duplicate-push-notifications",
            "2025-10-21-checkout-latency-after-gateway-deploy",
        ]
    );
    assert_eq!(
        ids(&sandbox, &["--tag", "kafka"]),
        [
            "2026-01-19-order-events-consumer-lag",
            "2025-12-08-search-shows-stale-prices",
        ]
    );
    assert_eq!(
        ids(&sandbox, &["--tag", "campaign", "--tag", "idempotency"]),
        [
            "2026-04-09-duplicate-push-notifications",
            "2026-03-14-promotion-stacking-near-miss",
            "2025-11-14-duplicate-card-charges",
            "2025-09-03-dns-resolver-saturation",
        ]
    );
}

#[test]
fn since_and_until_filters_include_their_day() {
    let sandbox = Sandbox::example();
    let second_half = [
        "2026-11-20-gateway-rate-limit-blocks-checkout",
        "2026-10-05-image-proxy-memory-leak",
        "2026-08-30-warehouse-query-cost-spike",
        "2026-07-08-driver-app-login-loop",
    ];
    assert_eq!(ids(&sandbox, &["--since", "2026-07-01"]), second_half);
    assert_eq!(ids(&sandbox, &["--since", "2026-07-08"]), second_half);
    assert_eq!(ids(&sandbox, &["--since", "2026-07-09"]), second_half[..3]);
    assert_eq!(
        ids(&sandbox, &["--until", "2025-11-14"]),
        [
            "2025-11-14-duplicate-card-charges",
            "2025-10-21-checkout-latency-after-gateway-deploy",
            "2025-09-03-dns-resolver-saturation",
        ]
    );
    assert_eq!(
        ids(&sandbox, &["--until", "2025-11-13"]),
        [
            "2025-10-21-checkout-latency-after-gateway-deploy",
            "2025-09-03-dns-resolver-saturation",
        ]
    );
    assert_eq!(
        ids(
            &sandbox,
            &["--since", "2026-02-01", "--until", "2026-02-28"]
        ),
        [
            "2026-02-27-ci-token-exposed-in-build-logs",
            "2026-02-02-expired-certificate-api-gateway",
        ]
    );
    // The CI token leak is dated by its start, 2026-02-25, not by the 27th in its id.
    assert_eq!(
        ids(
            &sandbox,
            &["--since", "2026-02-25", "--until", "2026-02-25"]
        ),
        ["2026-02-27-ci-token-exposed-in-build-logs"]
    );
    assert!(
        ids(
            &sandbox,
            &["--since", "2026-02-26", "--until", "2026-02-28"]
        )
        .is_empty()
    );
}

#[test]
fn different_filters_must_all_hold() {
    let sandbox = Sandbox::example();
    assert_eq!(
        ids(&sandbox, &["--team", "platform", "--severity", "SEV1"]),
        [
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-02-02-expired-certificate-api-gateway",
        ]
    );
    assert_eq!(
        ids(&sandbox, &["--team", "platform", "--status", "draft"]),
        ["2026-11-20-gateway-rate-limit-blocks-checkout"]
    );
    assert_eq!(
        ids(
            &sandbox,
            &[
                "--service",
                "checkout-api",
                "--status",
                "published",
                "--since",
                "2026-01-01",
            ]
        ),
        [
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-03-14-promotion-stacking-near-miss",
        ]
    );
    // Repeated values are alternatives, different filters all apply.
    assert_eq!(
        ids(
            &sandbox,
            &[
                "--tag",
                "deploy",
                "--team",
                "identity",
                "--team",
                "messaging"
            ]
        ),
        [
            "2026-07-08-driver-app-login-loop",
            "2026-04-09-duplicate-push-notifications",
        ]
    );
    assert_eq!(
        ids(
            &sandbox,
            &[
                "--team",
                "catalog",
                "--severity",
                "SEV3",
                "--until",
                "2025-12-31"
            ]
        ),
        ["2025-12-08-search-shows-stale-prices"]
    );
    assert!(ids(&sandbox, &["--team", "payments", "--tag", "kafka"]).is_empty());
}

#[test]
fn filters_apply_to_the_table_and_csv_too() {
    let sandbox = Sandbox::example();
    let filter = ["--team", "platform", "--severity", "SEV1"];
    let table = stdout(&list(&sandbox, &filter));
    let dates: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(dates, ["2026-05-22", "2026-02-02"], "{table}");
    let mut args = vec!["--format", "csv"];
    args.extend(filter);
    let records = parse_csv(&stdout(&list(&sandbox, &args)));
    let listed: Vec<&str> = records[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        listed,
        [
            "2026-05-22-postgres-failover-blocks-order-writes",
            "2026-02-02-expired-certificate-api-gateway",
        ]
    );
}

#[test]
fn an_unknown_status_is_a_usage_error() {
    let sandbox = Sandbox::example();
    let output = sandbox
        .pm()
        .args(["list", "--status", "bogus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("--status"), "{err}");
    assert!(err.contains("bogus"), "{err}");
    for allowed in ["draft", "in-review", "published"] {
        assert!(err.contains(allowed), "{err}");
    }

    let output = sandbox
        .pm()
        .args(["list", "--status", "publshed"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("did you mean `published`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_impossible_date_is_a_usage_error() {
    let sandbox = Sandbox::example();
    for (flag, date) in [
        ("--since", "2026-13-01"),
        ("--until", "2026-02-30"),
        ("--since", "yesterday"),
    ] {
        let output = sandbox.pm().args(["list", flag, date]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag} {date}");
        assert_eq!(stdout(&output), "");
        let err = stderr(&output);
        assert!(err.contains(flag), "{err}");
        assert!(err.contains(date), "{err}");
        assert!(
            err.contains("calendar date") || err.contains("YYYY-MM-DD"),
            "{err}"
        );
    }
}

#[test]
fn an_empty_result_prints_nothing() {
    let sandbox = Sandbox::example();
    for filter in [
        &["--tag", "nobody"][..],
        &["--since", "2026-11-21"],
        &["--since", "2026-06-01", "--until", "2026-05-01"],
    ] {
        let output = list(&sandbox, filter);
        assert_eq!(stdout(&output), "", "{filter:?}");
        assert_eq!(stderr(&output), "", "{filter:?}");
    }
    assert!(json_list(&sandbox, &["--tag", "nobody"]).is_empty());
    let csv = parse_csv(&stdout(&list(
        &sandbox,
        &["--format", "csv", "--tag", "nobody"],
    )));
    assert_eq!(csv.len(), 1, "only the header: {csv:?}");
}

#[test]
fn a_fresh_archive_lists_nothing() {
    let sandbox = Sandbox::init();
    let output = list(&sandbox, &[]);
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "");
    assert!(json_list(&sandbox, &[]).is_empty());
}

#[test]
fn a_file_with_broken_front_matter_is_left_out_with_a_note() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "postmortems/2026/2026-11-27-broken.md",
        "---\nid: 2026-11-27-broken\ntitle: [unclosed\n---\n## Summary\n",
    );
    let output = list(&sandbox, &[]);
    assert_eq!(stdout(&output).lines().count(), 1 + EXAMPLE.len());
    assert!(!stdout(&output).contains("broken"));
    let err = stderr(&output);
    assert!(err.contains("pm check"), "{err}");

    // The note goes to standard error, so the JSON stays valid.
    let output = list(&sandbox, &["--format", "json"]);
    let listing: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let listed: Vec<&str> = listing.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(listed, example_ids());
    assert!(stderr(&output).contains("pm check"), "{}", stderr(&output));
}

#[test]
fn csv_has_every_json_field() {
    let sandbox = Sandbox::example();
    let csv = parse_csv(&stdout(&list(&sandbox, &["--format", "csv"])));
    let mut header: Vec<String> = csv[0].clone();
    header.sort();
    let mut expected: Vec<String> = JSON_FIELDS
        .iter()
        .filter(|f| **f != "actions")
        .map(|f| (*f).to_owned())
        .chain(["actions_total", "actions_open", "actions_overdue"].map(String::from))
        .collect();
    expected.sort();
    assert_eq!(header, expected);
}
