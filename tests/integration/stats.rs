//! `pm stats`: figures of the example archive in JSON, CSV and the table, broken down by team,
//! service, severity, quarter and month, with filters and `--public`.
//!
//! Every expected figure was derived by hand from the front matter under `postmortems/` as of
//! [`crate::sandbox::TODAY`] (2026-11-28), not copied from `pm`'s output; the derivation is in
//! the comments. Incident dates are the day `started_at` falls on in Europe/Berlin. Percentiles
//! interpolate linearly: with `n` sorted values, percentile `p` sits at `h = (n − 1)·p/100`.

use std::process::Output;

use serde_json::{Value, json};

use crate::sandbox::{Sandbox, stderr, stdout};

/// Runs `pm stats` with `args` and checks it succeeded.
fn run(sandbox: &Sandbox, args: &[&str]) -> Output {
    let output = sandbox.pm().arg("stats").args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "pm stats {args:?}\n{}",
        stderr(&output)
    );
    output
}

/// `pm stats --format json` with `args`, parsed.
fn report(sandbox: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_slice(&run(sandbox, &all).stdout).expect("valid JSON")
}

/// Whether `value` is a number within 1e-6 of `expected`.
fn near(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-6)
}

/// Checks a distribution: count, min, median, p90, max.
fn assert_distribution(value: &Value, count: u64, min: i64, median: f64, p90: f64, max: i64) {
    assert_eq!(value["count"], count, "{value}");
    assert_eq!(value["min"], min, "{value}");
    assert!(near(&value["median"], median), "median {median}: {value}");
    assert!(near(&value["p90"], p90), "p90 {p90}: {value}");
    assert_eq!(value["max"], max, "{value}");
}

/// `(key, postmortems)` of each group of a `--by` report.
fn group_counts(report: &Value) -> Vec<(String, u64)> {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_owned(),
                g["figures"]["postmortems"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected
        .iter()
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect()
}

// Minutes from `started_at` to `detected_at`, `mitigated_at` and `resolved_at`, per
// postmortem (times in Berlin):
//
//   postmortem                                                   detect  mitigate  resolve
//   dns 11:34 → 11:38, 12:16, 14:40                                   4        42      186
//   checkout-latency 11:48 → 11:56, 12:49, 14:10                      8        61      142
//   duplicate-card 11-14 17:55 → 18:52, 19:20, 11-17 16:00           57        85     4205
//   search 09:06 → 11:47, 12:38, 14:15                              161       212      309
//   order-events 07:50 → 08:14, 10:58, 13:20                         24       188      330
//   certificate 08:14 → 08:17, 09:26, 11:40                           3        72      206
//   ci-token 02-25 14:02 → 02-27 10:31, 10:58, 02-28 17:45         2669      2696     4543
//   promotion 06:15 → 06:48, 06:59, 10:20                            33        44      245
//   push 11:05 → 11:41, 12:24, 15:10                                 36        79      245
//   postgres 14:31 → 14:38, 15:41, 19:20                              7        70      289
//   driver-login 05:48 → 06:19, 07:52, 10:15                         31       124      267
//   warehouse 08-30 01:00 → 14:20, 14:41, 08-31 11:30               800       821     2070
//   image-proxy 11:04 → 13:31, 14:48, not resolved                  147       224        –
//   rate-limit 17:41 → 17:49, 18:27, 19:30                            8        46      109

#[test]
fn json_gives_the_figures_of_the_whole_archive() {
    let sandbox = Sandbox::example();
    let report = report(&sandbox, &[]);
    assert_eq!(report["today"], "2026-11-28");
    assert_eq!(report["by"], Value::Null);
    assert_eq!(report["groups"], json!([]));
    let all = &report["all"];
    assert_eq!(all["postmortems"], 14);
    // SEV1: duplicate-card, certificate, postgres; SEV2: dns, checkout-latency, order-events,
    // ci-token, driver-login, rate-limit; SEV3: search, push, image-proxy; SEV4: promotion,
    // warehouse. In pm.yaml's order, zeros included.
    assert_eq!(
        all["by_severity"],
        json!([
            {"value": "SEV1", "count": 3},
            {"value": "SEV2", "count": 6},
            {"value": "SEV3", "count": 3},
            {"value": "SEV4", "count": 2},
        ])
    );
    // ci-token is security, promotion a near miss, the other twelve incidents.
    assert_eq!(
        all["by_kind"],
        json!([
            {"value": "incident", "count": 12},
            {"value": "near-miss", "count": 1},
            {"value": "security", "count": 1},
        ])
    );
    // config-change: search, promotion, rate-limit; deploy: checkout-latency, push,
    // driver-login; bug: duplicate-card, warehouse; one each for the rest. Ties by name.
    assert_eq!(
        all["by_trigger"],
        json!([
            {"value": "config-change", "count": 3},
            {"value": "deploy", "count": 3},
            {"value": "bug", "count": 2},
            {"value": "capacity", "count": 1},
            {"value": "credential-leak", "count": 1},
            {"value": "dependency", "count": 1},
            {"value": "expiry", "count": 1},
            {"value": "hardware", "count": 1},
            {"value": "traffic", "count": 1},
        ])
    );
    // internal: search, ci-token, promotion, driver-login; customer: duplicate-card, push.
    assert_eq!(
        all["by_detection"],
        json!([
            {"value": "alert", "count": 8},
            {"value": "internal", "count": 4},
            {"value": "customer", "count": 2},
        ])
    );
    // Detect, sorted: 3 4 7 8 8 24 31 | 33 36 57 147 161 800 2669 (n = 14).
    // Median: h = 6.5, (31 + 33) / 2 = 32. p90: h = 11.7, 161 + 0.7·(800 − 161) = 608.3.
    assert_distribution(&all["time_to_detect"], 14, 3, 32.0, 608.3, 2669);
    // Mitigate, sorted: 42 44 46 61 70 72 79 | 85 124 188 212 224 821 2696.
    // Median (79 + 85) / 2 = 82. p90: h = 11.7, 224 + 0.7·(821 − 224) = 641.9.
    assert_distribution(&all["time_to_mitigate"], 14, 42, 82.0, 641.9, 2696);
    // Resolve (image-proxy has none, n = 13): 109 142 186 206 245 245 | 267 | 289 309 330
    // 2070 4205 4543. Median v[6] = 267. p90: h = 10.8, 2070 + 0.8·(4205 − 2070) = 3778.
    assert_distribution(&all["time_to_resolve"], 13, 109, 267.0, 3778.0, 4543);
    // Follow-through: 61 items; 23 done, 7 won't do, 31 open or in progress, of which 16 were
    // due before 2026-11-28. Days from incident to closed, over the 30 closed items:
    //   dns (09-03) 7 54 16 64; checkout-latency 3 8; duplicate-card 6 26 62; search 45 9;
    //   order-events 32 21 85; certificate 4 50; ci-token (from 02-25) 7 56; promotion 25 52;
    //   push 27 61; postgres 7 60 42; driver-login 34 12; warehouse 10 37; image-proxy 9.
    // Sorted, the 15th and 16th are 26 and 27: median 26.5. Every postmortem still has an
    // open item, so none has all its actions closed.
    let follow = &all["follow_through"];
    assert_eq!(
        (
            &follow["actions"],
            &follow["done"],
            &follow["wont_do"],
            &follow["open"],
            &follow["overdue"]
        ),
        (&json!(61), &json!(23), &json!(7), &json!(31), &json!(16))
    );
    assert!(near(&follow["median_days_to_close"], 26.5), "{follow}");
    assert_eq!(follow["postmortems_with_actions"], 14);
    assert_eq!(follow["postmortems_all_closed"], 0);
    assert!(near(&follow["share_all_closed"], 0.0), "{follow}");
}

#[test]
fn follow_through_per_team_counts_each_action_for_its_own_team() {
    let sandbox = Sandbox::example();
    let report = report(&sandbox, &[]);
    let teams: Vec<&Value> = report["follow_through_by_team"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let names: Vec<&str> = teams.iter().map(|t| t["team"].as_str().unwrap()).collect();
    // pm.yaml's order; every team owns at least one action.
    assert_eq!(
        names,
        [
            "checkout",
            "payments",
            "catalog",
            "fulfilment",
            "identity",
            "platform",
            "data",
            "mobile",
            "messaging",
            "security"
        ]
    );
    let team = |name: &str| *teams.iter().find(|t| t["team"] == name).unwrap();
    // fulfilment: order-events#1 (done, 32 days), #4 (won't do, 85), #5 (open);
    // postgres#5 (open); driver-login#1 (done, 34), #2 (done, 12). Median of 12 32 34 85 is
    // 33; driver-login is the one of three postmortems whose fulfilment items are all closed.
    let fulfilment = team("fulfilment");
    assert_eq!(
        [
            &fulfilment["actions"],
            &fulfilment["done"],
            &fulfilment["wont_do"],
            &fulfilment["open"],
            &fulfilment["overdue"],
            &fulfilment["postmortems_with_actions"],
            &fulfilment["postmortems_all_closed"],
        ],
        [
            &json!(6),
            &json!(3),
            &json!(1),
            &json!(2),
            &json!(0),
            &json!(3),
            &json!(1)
        ]
    );
    assert!(near(&fulfilment["median_days_to_close"], 33.0));
    assert!(near(&fulfilment["share_all_closed"], 1.0 / 3.0));
    // identity: certificate#3, driver-login#3, #4, #5, none closed, three overdue (06-30,
    // 09-30, 10-31): no median.
    let identity = team("identity");
    assert_eq!(identity["actions"], 4);
    assert_eq!(identity["open"], 4);
    assert_eq!(identity["overdue"], 3);
    assert_eq!(identity["median_days_to_close"], Value::Null);
    // security: ci-token#1 (7 days from 02-25), #3 (56), #4 open: median 31.5.
    let security = team("security");
    assert_eq!(security["actions"], 3);
    assert!(near(&security["median_days_to_close"], 31.5));
    // platform: dns (5), certificate#1 #2 #4, ci-token#2, postgres#1–#4, image-proxy#3,
    // rate-limit#1–#3 = 17; closed after 7 54 16 64 | 4 50 | 7 60 42 days: median 42.
    let platform = team("platform");
    assert_eq!(
        [
            &platform["actions"],
            &platform["done"],
            &platform["wont_do"],
            &platform["open"],
            &platform["overdue"]
        ],
        [&json!(17), &json!(7), &json!(2), &json!(8), &json!(4)]
    );
    assert!(near(&platform["median_days_to_close"], 42.0));
    // Every action counts for exactly one team.
    let total: u64 = teams.iter().map(|t| t["actions"].as_u64().unwrap()).sum();
    assert_eq!(total, 61);
}

#[test]
fn the_share_of_postmortems_with_every_action_closed() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "postmortems/2026/2026-11-26-all-closed.md",
        "\
---
id: 2026-11-26-all-closed
title: Every action closed
status: draft
severity: SEV4
kind: near-miss
teams: [data]
started_at: 2026-11-26T09:30:00+01:00
action_items:
  - title: Done
    status: done
    closed: 2026-11-27
  - title: Dropped
    status: wont-do
    closed: 2026-11-28
---
",
    );
    sandbox.write(
        "postmortems/2026/2026-11-27-no-actions.md",
        "\
---
id: 2026-11-27-no-actions
title: No actions at all
status: draft
severity: SEV4
teams: [data]
started_at: 2026-11-27T09:30:00+01:00
---
",
    );
    let all = report(&sandbox, &[])["all"].clone();
    assert_eq!(all["postmortems"], 16);
    // Near misses: promotion and the new one.
    assert_eq!(all["by_kind"][1], json!({"value": "near-miss", "count": 2}));
    let follow = &all["follow_through"];
    // 61 + 2 actions; 30 + 2 closed after 1 and 2 days: sorted, the 16th and 17th of 32 are
    // 25 and 26 (1 2 3 4 6 7 7 7 8 9 9 10 12 16 21 25 26 …), median 25.5.
    assert_eq!(follow["actions"], 63);
    assert!(near(&follow["median_days_to_close"], 25.5), "{follow}");
    // A postmortem without actions does not count either way: 1 of 15.
    assert_eq!(follow["postmortems_with_actions"], 15);
    assert_eq!(follow["postmortems_all_closed"], 1);
    assert!(near(&follow["share_all_closed"], 1.0 / 15.0), "{follow}");
}

#[test]
fn filters_narrow_the_postmortems_counted() {
    let sandbox = Sandbox::example();
    // platform: dns, certificate, ci-token, postgres, rate-limit.
    let platform = report(&sandbox, &["--team", "platform"])["all"].clone();
    assert_eq!(platform["postmortems"], 5);
    // Detect: 3 4 7 8 2669: median 7; p90 h = 3.6, 8 + 0.6·(2669 − 8) = 1604.6.
    assert_distribution(&platform["time_to_detect"], 5, 3, 7.0, 1604.6, 2669);
    // All items of those five documents (5 + 4 + 4 + 5 + 4), whatever their own team: done
    // dns#1–3, certificate#1–2, ci-token#1, postgres#1–2; won't do dns#5, ci-token#3,
    // postgres#4; overdue dns#4, certificate#3, ci-token#2, postgres#3.
    let follow = &platform["follow_through"];
    assert_eq!(
        [
            &follow["actions"],
            &follow["done"],
            &follow["wont_do"],
            &follow["open"],
            &follow["overdue"]
        ],
        [&json!(22), &json!(8), &json!(3), &json!(11), &json!(4)]
    );
    // Closed after 7 54 16 64 | 4 50 | 7 56 | 7 60 42: sorted 4 7 7 7 16 42 50 54 56 60 64.
    assert!(near(&follow["median_days_to_close"], 42.0));

    // Incidents from 2026: the ten from order-events on.
    let recent = report(&sandbox, &["--since", "2026-01-01"])["all"].clone();
    assert_eq!(recent["postmortems"], 10);
    // Mitigate: 44 46 70 72 79 | 124 188 224 821 2696: median (79 + 124) / 2 = 101.5;
    // p90 h = 8.1, 821 + 0.1·(2696 − 821) = 1008.5.
    assert_distribution(&recent["time_to_mitigate"], 10, 44, 101.5, 1008.5, 2696);
    assert_eq!(recent["follow_through"]["actions"], 43);
    assert_eq!(recent["follow_through"]["overdue"], 11);

    // The warehouse incident began at 01:00 Berlin time on 08-30 (08-29 in UTC).
    let since = report(&sandbox, &["--since", "2026-08-30"])["all"].clone();
    assert_eq!(since["postmortems"], 3);
    let until = report(&sandbox, &["--until", "2026-08-29"])["all"].clone();
    assert_eq!(until["postmortems"], 11);
}

#[test]
fn public_counts_only_public_published_postmortems() {
    let sandbox = Sandbox::example();
    // Public and published: dns, checkout-latency, duplicate-card, order-events, certificate,
    // promotion, push, postgres. Left out: search, ci-token, warehouse (internal),
    // driver-login (in review), image-proxy and rate-limit (drafts).
    let all = report(&sandbox, &["--public"])["all"].clone();
    assert_eq!(all["postmortems"], 8);
    assert_eq!(
        all["by_severity"],
        json!([
            {"value": "SEV1", "count": 3},
            {"value": "SEV2", "count": 3},
            {"value": "SEV3", "count": 1},
            {"value": "SEV4", "count": 1},
        ])
    );
    assert_eq!(all["by_kind"][2], json!({"value": "security", "count": 0}));
    // Resolve: 142 186 206 245 | 245 289 330 4205: median 245; p90 h = 6.3,
    // 330 + 0.3·(4205 − 330) = 1492.5.
    assert_distribution(&all["time_to_resolve"], 8, 142, 245.0, 1492.5, 4205);
    // 5 + 4 + 5 + 5 + 4 + 4 + 4 + 5 = 36 items; closed after 7 54 16 64 | 3 8 | 6 26 62 |
    // 32 21 85 | 4 50 | 25 52 | 27 61 | 7 60 42 (21 of them): the 11th is 27.
    let follow = &all["follow_through"];
    assert_eq!(
        [
            &follow["actions"],
            &follow["done"],
            &follow["wont_do"],
            &follow["open"],
            &follow["overdue"]
        ],
        [&json!(36), &json!(16), &json!(5), &json!(15), &json!(9)]
    );
    assert!(near(&follow["median_days_to_close"], 27.0));
}

#[test]
fn breakdowns_by_team_service_severity_quarter_and_month() {
    let sandbox = Sandbox::example();
    // A postmortem counts for each of its teams; pm.yaml's order, empty groups left out.
    let by_team = report(&sandbox, &["--by", "team"]);
    assert_eq!(by_team["by"], "team");
    assert_eq!(
        group_counts(&by_team),
        pairs(&[
            ("checkout", 3),   // checkout-latency, promotion, rate-limit
            ("payments", 2),   // checkout-latency, duplicate-card
            ("catalog", 2),    // search, image-proxy
            ("fulfilment", 3), // order-events, postgres, driver-login
            ("identity", 2),   // certificate, driver-login
            ("platform", 5),   // dns, certificate, ci-token, postgres, rate-limit
            ("data", 2),       // order-events, warehouse
            ("mobile", 1),
            ("messaging", 1),
            ("security", 1),
        ])
    );
    // The same figures per group as for the whole, e.g. platform's detect median.
    let platform = &by_team["groups"][5]["figures"];
    assert!(near(&platform["time_to_detect"]["median"], 7.0));

    let by_service = report(&sandbox, &["--by", "service"]);
    assert_eq!(
        group_counts(&by_service),
        pairs(&[
            ("checkout-api", 4), // checkout-latency, promotion, postgres, rate-limit
            ("cart-service", 1),
            ("promotions-service", 1),
            ("payment-gateway", 2),
            ("ledger", 1),
            ("refunds-service", 1),
            ("search-api", 1),
            ("pricing-service", 2), // search, promotion
            ("image-proxy", 1),
            ("order-service", 2),
            ("driver-app-backend", 1),
            ("inventory-sync", 1),
            ("auth-service", 2),
            ("api-gateway", 3), // dns, certificate, rate-limit
            ("dns", 1),
            ("kubernetes", 2), // dns, image-proxy
            ("postgres-fleet", 1),
            ("ci-pipeline", 1),
            ("event-bus", 2), // search, order-events
            ("analytics-warehouse", 1),
            ("ios-app", 1),
            ("android-app", 1),
            ("notification-service", 1),
            ("secrets-vault", 1),
        ])
    );

    let by_severity = report(&sandbox, &["--by", "severity"]);
    assert_eq!(
        group_counts(&by_severity),
        pairs(&[("SEV1", 3), ("SEV2", 6), ("SEV3", 3), ("SEV4", 2)])
    );
    // SEV1 resolve: 206 289 4205: median 289; p90 h = 1.8, 289 + 0.8·3916 = 3421.8.
    assert_distribution(
        &by_severity["groups"][0]["figures"]["time_to_resolve"],
        3,
        206,
        289.0,
        3421.8,
        4205,
    );

    // Quarters of the incident dates (ci-token counts from 02-25, warehouse from 08-30).
    let by_quarter = report(&sandbox, &["--by", "quarter"]);
    assert_eq!(
        group_counts(&by_quarter),
        pairs(&[
            ("2025-Q3", 1), // dns
            ("2025-Q4", 3), // checkout-latency, duplicate-card, search
            ("2026-Q1", 4), // order-events, certificate, ci-token, promotion
            ("2026-Q2", 2), // push, postgres
            ("2026-Q3", 2), // driver-login, warehouse
            ("2026-Q4", 2), // image-proxy, rate-limit
        ])
    );
    let by_month = report(&sandbox, &["--by", "month"]);
    assert_eq!(
        group_counts(&by_month),
        pairs(&[
            ("2025-09", 1),
            ("2025-10", 1),
            ("2025-11", 1),
            ("2025-12", 1),
            ("2026-01", 1),
            ("2026-02", 2), // certificate, ci-token
            ("2026-03", 1),
            ("2026-04", 1),
            ("2026-05", 1),
            ("2026-07", 1),
            ("2026-08", 1),
            ("2026-10", 1),
            ("2026-11", 1),
        ])
    );
}

#[test]
fn breakdowns_respect_filters() {
    let sandbox = Sandbox::example();
    // Public postmortems of 2026 by quarter: order-events, certificate, promotion (Q1); push,
    // postgres (Q2); nothing public later.
    let report = report(
        &sandbox,
        &["--by", "quarter", "--since", "2026-01-01", "--public"],
    );
    assert_eq!(
        group_counts(&report),
        pairs(&[("2026-Q1", 3), ("2026-Q2", 2)])
    );
    assert_eq!(report["all"]["postmortems"], 5);
}

#[test]
fn csv_has_a_header_and_an_all_row_then_one_row_per_group() {
    let sandbox = Sandbox::example();
    let out = stdout(&run(&sandbox, &["--format", "csv"]));
    let lines: Vec<&str> = out.lines().collect();
    let header = "group,postmortems,by_severity,by_kind,\
        ttd_count,ttd_median_minutes,ttd_p90_minutes,ttd_max_minutes,\
        ttm_count,ttm_median_minutes,ttm_p90_minutes,ttm_max_minutes,\
        ttr_count,ttr_median_minutes,ttr_p90_minutes,ttr_max_minutes,\
        actions,actions_done,actions_wont_do,actions_open,actions_overdue,\
        median_days_to_close,postmortems_with_actions,postmortems_all_closed";
    assert_eq!(lines[0], header);
    // The figures of json_gives_the_figures_of_the_whole_archive, one decimal at most.
    assert_eq!(
        lines[1],
        "all,14,SEV1=3;SEV2=6;SEV3=3;SEV4=2,incident=12;near-miss=1;security=1,\
         14,32,608.3,2669,14,82,641.9,2696,13,267,3778,4543,\
         61,23,7,31,16,26.5,14,0"
    );
    assert_eq!(lines.len(), 2);

    let out = stdout(&run(&sandbox, &["--format", "csv", "--by", "severity"]));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("severity,postmortems,"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("all,14,"), "{}", lines[1]);
    let keys: Vec<(&str, &str)> = lines[2..]
        .iter()
        .map(|l| {
            let mut cells = l.split(',');
            (cells.next().unwrap(), cells.next().unwrap())
        })
        .collect();
    assert_eq!(
        keys,
        [("SEV1", "3"), ("SEV2", "6"), ("SEV3", "3"), ("SEV4", "2")]
    );
    // SEV4 (promotion, warehouse): resolve 245 and 2070, median 1157.5, p90 h = 0.9,
    // 245 + 0.9·1825 = 1887.5.
    assert!(lines[5].contains(",2,1157.5,1887.5,2070,"), "{}", lines[5]);
}

#[test]
fn the_table_reads_durations_as_people_do() {
    let sandbox = Sandbox::example();
    let output = run(&sandbox, &[]);
    assert_eq!(stderr(&output), "");
    let out = stdout(&output);
    assert_eq!(
        out.lines().next(),
        Some("14 postmortems, 2025-09-03 to 2026-11-20")
    );
    // Resolve: median 267 min = 4 h 27 min, p90 3778 min = 2 d 14 h (and 58 min), max
    // 4543 min = 3 d 03 h (and 43 min).
    let resolve = out
        .lines()
        .find(|l| l.starts_with("time to resolve"))
        .unwrap();
    let cells: Vec<&str> = resolve
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "time to resolve",
            "13",
            "4 h 27 min",
            "2 d 14 h",
            "3 d 03 h"
        ]
    );
    let all = out.lines().find(|l| l.starts_with("all ")).unwrap();
    assert_eq!(
        all.split_whitespace().collect::<Vec<_>>(),
        ["all", "61", "23", "7", "31", "16", "26.5", "0/14", "0%"]
    );
}

#[test]
fn postmortems_without_a_team_or_service_group_under_none_last() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "postmortems/2026/2026-11-26-nobody.md",
        "\
---
id: 2026-11-26-nobody
title: Nobody's incident
status: draft
severity: SEV3
started_at: 2026-11-26T09:30:00+01:00
action_items:
  - title: Find an owner
    due: 2026-11-27
    status: open
---
",
    );
    let by_team = report(&sandbox, &["--by", "team"]);
    let groups = group_counts(&by_team);
    assert_eq!(groups.len(), 11);
    assert_eq!(groups[10], ("none".to_owned(), 1));
    // Its one action has no team either, and was due yesterday.
    let teams = by_team["follow_through_by_team"].as_array().unwrap();
    let last = teams.last().unwrap();
    assert_eq!(last["team"], "none");
    assert_eq!(last["actions"], 1);
    assert_eq!(last["overdue"], 1);
    let by_service = group_counts(&report(&sandbox, &["--by", "service"]));
    assert_eq!(by_service.last(), Some(&("none".to_owned(), 1)));
    // 16 overdue in the example, plus this one.
    assert_eq!(by_team["all"]["follow_through"]["overdue"], 17);
}
