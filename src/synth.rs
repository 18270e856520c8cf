//! Deterministic synthetic archives, for benchmarks and load tests.
//!
//! The same `(count, seed)` always writes the same files: realistic front matter (teams,
//! services, times, action items in every state) and 2–6 KB Markdown bodies with timelines as
//! tables, code blocks and incident vocabulary (`503`, `us-east-1`, `max_connections`).

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// Teams and the services each owns.
const TEAMS: &[(&str, &[&str])] = &[
    (
        "checkout",
        &["checkout-api", "cart-service", "promotions-service"],
    ),
    (
        "payments",
        &["payment-gateway", "ledger", "refunds-service"],
    ),
    ("catalog", &["catalog-api", "search-api", "pricing-service"]),
    (
        "fulfilment",
        &["order-service", "dispatch-planner", "inventory-sync"],
    ),
    (
        "identity",
        &["auth-service", "accounts-api", "session-store"],
    ),
    ("platform", &["api-gateway", "dns", "kubernetes"]),
    ("data", &["event-bus", "analytics-warehouse", "etl-runner"]),
    (
        "messaging",
        &["notification-service", "email-sender", "sms-relay"],
    ),
];

const TRIGGERS: &[&str] = &[
    "deploy",
    "config-change",
    "capacity",
    "expiry",
    "dependency",
    "bug",
    "traffic",
    "hardware",
];
const DETECTIONS: &[&str] = &["alert", "customer", "internal", "other"];
const STATUSES: &[&str] = &["draft", "in-review", "published", "published", "published"];
const ACTION_STATUSES: &[&str] = &["open", "in-progress", "done", "done", "wont-do"];
const ACTION_TYPES: &[&str] = &["prevent", "detect", "mitigate", "process"];
const PEOPLE: &[&str] = &[
    "Ana Diaz",
    "Bo Lindqvist",
    "Chidi Okeke",
    "Dana Levi",
    "Emil Novak",
    "Fatima Zahra",
    "Goro Sato",
    "Hana Kim",
];
const SYMPTOMS: &[&str] = &[
    "503 responses from the load balancer",
    "p99 latency above 4 s",
    "connection resets between pods",
    "timeouts to the primary database",
    "a growing consumer lag on the orders topic",
    "ORA-00600 internal errors in the legacy billing job",
    "DNS lookups failing for internal hostnames",
    "expired TLS certificates on the edge",
    "exhausted max_connections on the replica",
    "OOMKilled containers restarting in a loop",
];
const PLACES: &[&str] = &["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const HOSTS: &[&str] = &[
    "db-primary-3.internal",
    "10.42.7.19",
    "edge-lb-2.prod",
    "kube-proxy",
    "redis-cache-01",
];
const WORDS: &[&str] = &[
    "the",
    "rollout",
    "retry",
    "queue",
    "replica",
    "failover",
    "cache",
    "config",
    "alert",
    "dashboard",
    "runbook",
    "traffic",
    "capacity",
    "deploy",
    "rollback",
    "threshold",
    "timeout",
    "latency",
    "error",
    "budget",
    "customers",
    "orders",
    "checkout",
    "payments",
    "service",
    "cluster",
    "node",
    "pool",
    "limit",
    "backlog",
    "saturation",
    "throughput",
    "incident",
    "mitigation",
    "change",
    "window",
];

/// `SplitMix64`: tiny, fast and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The `pm.yaml` of every synthetic archive.
pub fn config() -> String {
    let mut out = String::from("title: Synthetic Postmortems\ntimezone: Europe/Berlin\nteams:\n");
    for (team, _) in TEAMS {
        let _ = writeln!(out, "  - {{ id: {team}, name: {team} }}");
    }
    out.push_str("services:\n");
    for (team, services) in TEAMS {
        for service in *services {
            let _ = writeln!(out, "  - {{ id: {service}, owner: {team}, tier: 1 }}");
        }
    }
    out
}

/// The text of synthetic document number `n` of the archive made with `seed`, and its year.
pub fn document(n: usize, seed: u64) -> (String, i32) {
    let mut rng = Rng(seed ^ (n as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let year = 2015 + i32::try_from(n % 11).unwrap_or(0);
    let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
    let date = format!("{year}-{month:02}-{day:02}");
    let (team, services) = TEAMS[rng.below(TEAMS.len())];
    let service = rng.pick(services);
    let symptom = rng.pick(SYMPTOMS);
    let place = rng.pick(PLACES);
    let id = format!(
        "{date}-{}-{service}-{n}",
        symptom
            .split(' ')
            .next()
            .unwrap_or("x")
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    let status = rng.pick(STATUSES);
    // Impact starts early enough for every time to fall on the same day, in order.
    let hour = rng.below(13);
    let detect = 1 + rng.below(40);
    let mitigate = detect + rng.below(120);
    let resolve = mitigate + rng.below(480);
    let at = |minutes: usize| {
        let total = hour * 60 + minutes;
        format!("{date}T{:02}:{:02}:00+01:00", total / 60, total % 60)
    };
    let mut out = format!(
        "---\nid: {id}\ntitle: {symptom} on {service} in {place}\nstatus: {status}\nvisibility: {}\nseverity: SEV{}\nkind: incident\nteams: [{team}]\nservices: [{service}]\ntags: [{}, {}]\nauthors: [{}]\nsummary: >\n  {symptom} affected {service} in {place} for {resolve} minutes.\nstarted_at: {}\ndetected_at: {}\nmitigated_at: {}\nresolved_at: {}\ntrigger: {}\ndetection: {}\naction_items:\n",
        if rng.below(2) == 0 {
            "public"
        } else {
            "internal"
        },
        1 + rng.below(4),
        rng.pick(TRIGGERS),
        rng.pick(&["database", "network", "deploy", "capacity"]),
        rng.pick(PEOPLE),
        at(0),
        at(detect),
        at(mitigate),
        at(resolve),
        rng.pick(TRIGGERS),
        rng.pick(DETECTIONS),
    );
    for _ in 0..=rng.below(4) {
        let _ = write!(
            out,
            "  - title: {} the {} {}\n    type: {}\n    owner: {}\n    priority: P{}\n    due: {}-{:02}-{:02}\n    status: {}\n",
            rng.pick(&["Alert on", "Automate", "Document", "Load-test"]),
            service,
            rng.pick(WORDS),
            rng.pick(ACTION_TYPES),
            rng.pick(PEOPLE),
            rng.below(4),
            year + 1,
            1 + rng.below(12),
            1 + rng.below(28),
            rng.pick(ACTION_STATUSES),
        );
    }
    out.push_str("---\n");
    body(&mut out, &mut rng, symptom, service, place);
    (out, year)
}

fn body(out: &mut String, rng: &mut Rng, symptom: &str, service: &str, place: &str) {
    let target = 2048 + rng.below(4096);
    let start = out.len();
    let paragraph = |out: &mut String, rng: &mut Rng| {
        for _ in 0..40 + rng.below(40) {
            out.push_str(rng.pick(WORDS));
            out.push(' ');
        }
        let _ = writeln!(out, "{symptom} near {}.\n", rng.pick(HOSTS));
    };
    let _ = writeln!(out, "## Summary\n{symptom} on {service} in {place}.\n");
    paragraph(out, rng);
    out.push_str("## Impact\n");
    paragraph(out, rng);
    out.push_str("## Timeline\n| Time | Event |\n|---|---|\n");
    for minute in (0..60).step_by(7 + rng.below(8)) {
        let _ = writeln!(
            out,
            "| 09:{minute:02} | {} {} on {} |",
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(HOSTS)
        );
    }
    out.push_str("\n## Root cause and contributing factors\n");
    paragraph(out, rng);
    let _ = writeln!(
        out,
        "```\n{service}: error 503 upstream {} max_connections=512 region={place}\n```\n",
        rng.pick(HOSTS)
    );
    for section in ["Detection", "Response and recovery", "Lessons learned"] {
        let _ = writeln!(out, "## {section}");
        while out.len() - start < target * (1 + usize::from(section == "Lessons learned")) / 2 {
            paragraph(out, rng);
        }
    }
}

/// Writes an archive of `count` synthetic postmortems into `dir`.
pub fn generate(dir: &Path, count: usize, seed: u64) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(dir.join("pm.yaml"), config())?;
    for n in 0..count {
        let (text, year) = document(n, seed);
        let folder = dir.join("postmortems").join(year.to_string());
        fs::create_dir_all(&folder)?;
        let id = text
            .lines()
            .nth(1)
            .and_then(|line| line.strip_prefix("id: "))
            .unwrap_or("unknown");
        fs::write(folder.join(format!("{id}.md")), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Archive;
    use crate::check::{Clock, check};

    #[test]
    fn generated_archives_are_deterministic_and_valid() {
        assert_eq!(document(7, 1), document(7, 1));
        assert_ne!(document(7, 1), document(7, 2));
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), 300, 42).unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        assert_eq!(archive.documents.len(), 300);
        let clock = Clock {
            now: chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap(),
            today: chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        };
        let errors: Vec<_> = check(&archive, clock)
            .into_iter()
            .filter(crate::diagnostic::Diagnostic::is_error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        for doc in &archive.documents {
            let size = doc.body.len();
            assert!(
                (2048..=8192).contains(&size),
                "{} has {size} bytes",
                doc.id()
            );
        }
    }
}
