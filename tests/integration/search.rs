//! `pm search`, `pm related` and `pm index`: what is found, the query language, filters, exit
//! codes, and an index that stays right when files change, processes race or files break.
//!
//! Expected hits are not copied from a run: they come from scanning the files' text for the
//! word (what a search must find at least), from the front matter of the files, or from
//! archives written here with known words in known places.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::sandbox::{Sandbox, corpus, repo, stderr, stdout};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `pm search --format json --limit 1000 EXTRA… -- QUERY` (`--limit` of EXTRA if any): the exit
/// code and the parsed JSON.
fn search_json(sandbox: &Sandbox, query: &str, extra: &[&str]) -> (i32, Value) {
    let mut cmd = sandbox.pm();
    cmd.args(["search", "--format", "json"]);
    if !extra.contains(&"--limit") {
        cmd.args(["--limit", "1000"]);
    }
    let output = cmd.args(extra).arg("--").arg(query).output().unwrap();
    let code = output.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "pm search {query:?} {extra:?} exited {code}\n{}",
        stderr(&output)
    );
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("pm search {query:?}: not JSON ({e}): {}", stdout(&output)));
    (code, json)
}

/// The paths of the hits of `pm search QUERY` (every hit).
fn found(sandbox: &Sandbox, query: &str) -> BTreeSet<String> {
    paths(&search_json(sandbox, query, &[]).1)
}

/// The `path` of every hit.
fn paths(results: &Value) -> BTreeSet<String> {
    results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["path"].as_str().expect("path").to_owned())
        .collect()
}

/// A set of paths, for comparisons.
fn set<const N: usize>(items: [&str; N]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Whether `text` holds `word` (any case) with no letter or digit right before or after it:
/// `read_timeout` holds `timeout`, `timeouts` does not.
fn contains_word(text: &str, word: &str) -> bool {
    let text = text.to_lowercase();
    let word = word.to_lowercase();
    text.match_indices(&word).any(|(at, matched)| {
        let before = text[..at].chars().next_back();
        let after = text[at + matched.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Markdown text without what is not shown as text: HTML comments, link and image targets
/// (`](…)`) and link reference definitions. Everything else (headings, tables, code) stays.
fn shown_text(markdown: &str) -> String {
    // HTML comments.
    let mut text = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("<!--") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    text.push_str(rest);
    // Link targets: `](` up to the matching `)`.
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find("](") {
        out.push_str(&rest[..=start]);
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[start + 1..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + 1 + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    // Reference definitions: `[name]: url`.
    out.lines()
        .filter(|line| {
            let line = line.trim_start();
            !(line.starts_with('[') && line.contains("]:") && !line.contains("] "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A postmortem file cut into its front matter (as JSON) and body.
fn split_front(text: &str) -> (Value, String) {
    let rest = text.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("end of front matter");
    let front: Value = serde_saphyr::from_str(&rest[..end]).expect("front matter is YAML");
    (front, rest[end + 5..].to_owned())
}

/// The text a search looks in: title, summary, action item titles and the body as shown.
fn searchable_text(front: &Value, body: &str) -> String {
    let mut text = String::new();
    for key in ["title", "summary"] {
        if let Some(value) = front[key].as_str() {
            text.push_str(value);
            text.push('\n');
        }
    }
    for item in front["action_items"].as_array().into_iter().flatten() {
        if let Some(title) = item["title"].as_str() {
            text.push_str(title);
            text.push('\n');
        }
    }
    text.push_str(&shown_text(body));
    text
}

/// Every `.md` file under `dir`, recursively, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(markdown_files(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// One postmortem of an archive: its path relative to the root, front matter and body.
struct Doc {
    path: String,
    front: Value,
    body: String,
}

impl Doc {
    fn text(&self) -> String {
        searchable_text(&self.front, &self.body)
    }

    fn list(&self, key: &str) -> Vec<String> {
        self.front[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.front[key].as_str()
    }
}

/// Every postmortem of the archive in `sandbox`, read from the files.
fn documents(sandbox: &Sandbox) -> Vec<Doc> {
    markdown_files(&sandbox.path().join("postmortems"))
        .into_iter()
        .map(|file| {
            let (front, body) = split_front(&fs::read_to_string(&file).unwrap());
            let path = file
                .strip_prefix(sandbox.path())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Doc { path, front, body }
        })
        .collect()
}

/// The files whose searchable text holds `word`.
fn scan(docs: &[Doc], word: &str) -> BTreeSet<String> {
    docs.iter()
        .filter(|d| contains_word(&d.text(), word))
        .map(|d| d.path.clone())
        .collect()
}

/// Asserts that every file holding `word` is a hit of `pm search word`, and that there are hits.
fn assert_covers(sandbox: &Sandbox, docs: &[Doc], word: &str) {
    let expected = scan(docs, word);
    assert!(
        !expected.is_empty(),
        "no file holds {word:?}: pick another word"
    );
    let (code, results) = search_json(sandbox, word, &[]);
    let hits = paths(&results);
    assert_eq!(code, 0, "{word:?}: {results}");
    let missing: Vec<&String> = expected.difference(&hits).collect();
    assert!(
        missing.is_empty(),
        "`pm search {word}` misses files that hold the word: {missing:#?}\nhits: {hits:#?}"
    );
    assert_eq!(
        results["total"],
        hits.len(),
        "{word:?}: total and hits disagree under --limit 1000"
    );
}

/// The `N` of `N postmortems in the index: …` (`postmortem` for one).
fn index_count(output: &Output) -> usize {
    let text = stdout(output);
    let (count, _) = text
        .split_once(" postmortem")
        .unwrap_or_else(|| panic!("unexpected pm index output: {text}"));
    count.trim().parse().expect("a count")
}

/// `pm index`, which must succeed; its output.
fn pm_index(sandbox: &Sandbox, rebuild: bool) -> Output {
    let mut cmd = sandbox.pm();
    cmd.arg("index");
    if rebuild {
        cmd.arg("--rebuild");
    }
    let output = cmd.output().unwrap();
    assert!(
        output.status.success(),
        "pm index{} failed:\n{}",
        if rebuild { " --rebuild" } else { "" },
        stderr(&output)
    );
    output
}

/// The incident date of every postmortem by path, as `pm list --format json` gives it.
fn list_dates(sandbox: &Sandbox) -> BTreeMap<String, String> {
    let output = sandbox
        .pm()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    let listed: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    listed
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["date"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Writes `postmortems/ID.md`: front matter of `id` and the lines `front`, then `body`; its path.
fn write_doc(sandbox: &Sandbox, id: &str, front: &str, body: &str) -> String {
    let path = format!("postmortems/{id}.md");
    sandbox.write(&path, format!("---\nid: {id}\n{front}---\n{body}"));
    path
}

// ---------------------------------------------------------------------------------------------
// 1. Every file holding a word is found: the example archive
// ---------------------------------------------------------------------------------------------

#[test]
fn every_example_file_holding_a_word_is_found() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    assert_eq!(docs.len(), 14);
    for word in [
        "timeout",
        "certificate",
        "checkout",
        "dns",
        "kafka",
        "jemalloc",
        "rollback",
        "503",
        "postgres",
    ] {
        assert_covers(&sandbox, &docs, word);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The same on real postmortems
// ---------------------------------------------------------------------------------------------

/// Every text file of `dir` (recursively), LICENSE and README left out, as (file, text).
fn corpus_files(dir: &Path) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("read corpus") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy().to_uppercase();
            !name.starts_with("LICENSE") && !name.starts_with("README")
        })
        .filter_map(|f| {
            let text = fs::read_to_string(&f).ok()?;
            Some((f, text.trim_start_matches('\u{feff}').to_owned()))
        })
        .collect()
}

/// The longest word of eight letters or more in the first blocks of `text`, where the title
/// and the opening paragraph are.
fn distinctive_word(text: &str) -> Option<String> {
    let shown = shown_text(text);
    let blocks: Vec<&str> = shown
        .split("\n\n")
        .filter(|b| b.chars().any(char::is_alphabetic))
        .collect();
    // The first heading and paragraph; further on only when they have no long word.
    for upto in 2..=blocks.len().max(2) {
        let words = blocks
            .iter()
            .take(upto)
            .flat_map(|b| b.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.len() >= 8 && w.chars().all(|c| c.is_ascii_alphabetic()));
        let mut best: Option<&str> = None;
        for word in words {
            if best.is_none_or(|b| word.len() > b.len()) {
                best = Some(word);
            }
        }
        if let Some(word) = best {
            return Some(word.to_owned());
        }
    }
    None
}

#[test]
fn every_corpus_file_holding_a_word_is_found() {
    let Some(corpus) = corpus() else {
        return;
    };
    let sandbox = Sandbox::init();
    let mut sources = corpus_files(&corpus.join("dfds"));
    sources.extend(corpus_files(&corpus.join("posthog")));
    assert!(sources.len() >= 40, "only {} corpus files", sources.len());
    // Each source file as the body of a draft postmortem.
    let mut written: Vec<(String, String, PathBuf)> = Vec::new();
    for (n, (file, text)) in sources.iter().enumerate() {
        let id = format!("2020-01-01-corpus-{n:03}");
        let front = format!(
            "title: Imported postmortem {n}\nstatus: draft\nvisibility: internal\n\
             severity: SEV3\nkind: incident\nteams: [platform]\nservices: [kubernetes]\n\
             started_at: 2020-01-01T00:00:00Z\n"
        );
        let path = write_doc(&sandbox, &id, &front, text);
        written.push((path, text.clone(), file.clone()));
    }

    // Each generated file loads: `pm check` finds no error, `pm index` counts them all.
    let report = sandbox.check_without_errors();
    assert_eq!(report["files"], sources.len());
    let index = pm_index(&sandbox, false);
    assert_eq!(index_count(&index), sources.len(), "{}", stdout(&index));
    assert!(
        stdout(&index).contains(&format!(": {} indexed, 0 removed", sources.len())),
        "{}",
        stdout(&index)
    );

    let docs = documents(&sandbox);
    for word in [
        "kubernetes",
        "kiam",
        "coredns",
        "postgres",
        "clickhouse",
        "prometheus",
        "traefik",
        "cloudwatch",
    ] {
        // A word no file of this copy of the corpus holds is skipped, not failed.
        if scan(&docs, word).is_empty() {
            eprintln!("note: no corpus file holds {word:?}");
            continue;
        }
        assert_covers(&sandbox, &docs, word);
    }

    // A telling word from the top of each file finds that file.
    let mut missed = Vec::new();
    for (path, text, source) in &written {
        let Some(word) = distinctive_word(text) else {
            continue;
        };
        if !found(&sandbox, &word).contains(path) {
            missed.push(format!("{word:?} from {}", source.display()));
        }
    }
    assert!(
        missed.is_empty(),
        "not found by their own word: {missed:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. The query language
// ---------------------------------------------------------------------------------------------

/// Four postmortems with known words in known places.
struct Small {
    sandbox: Sandbox,
    /// Connection pool exhausted: "connection pool", "timeout" (singular), owner Ana Diaz,
    /// team payments, checkout-api, SEV1, tags database and capacity, published and public.
    pool: String,
    /// Certificate expired: "connection" and "pool" apart, "timeouts" (plural), team platform,
    /// kubernetes, SEV2, tag tls, published but internal.
    cert: String,
    /// DNS latency: "resolver", "timed", team platform, kubernetes, SEV3, tag dns, draft.
    dns: String,
    /// Card declines: "certificate" in the body only, "declined", owner Bo Lindqvist, team
    /// payments, payment-gateway, SEV4, near miss, in review; no word starting with `time`.
    declines: String,
}

fn small_archive() -> Small {
    let sandbox = Sandbox::init();
    let pool = write_doc(
        &sandbox,
        "2026-03-01-connection-pool-exhausted",
        "title: Connection pool exhausted on checkout
status: published
visibility: public
severity: SEV1
kind: incident
teams: [payments]
services: [checkout-api]
tags: [database, capacity]
summary: Checkout ran out of database connections for twenty minutes.
started_at: 2026-03-01T10:00:00Z
resolved_at: 2026-03-01T10:20:00Z
action_items:
  - title: Raise the ceiling of the pool and alert at eighty percent
    owner: Ana Diaz
    team: payments
    due: 2026-04-01
    status: open
",
        "## Summary\n\nThe connection pool of checkout-api filled up after a deploy. \
         Requests hit a timeout while they waited for a free slot.\n",
    );
    let cert = write_doc(
        &sandbox,
        "2026-04-02-gateway-certificate-expired",
        "title: Gateway certificate expired
status: published
visibility: internal
severity: SEV2
kind: incident
teams: [platform]
services: [kubernetes]
tags: [tls]
summary: An expired certificate broke signed-in traffic.
started_at: 2026-04-02T08:00:00Z
resolved_at: 2026-04-02T09:00:00Z
",
        "## Summary\n\nEvery connection from the gateway was refused. A separate pool of \
         workers retried, and clients saw timeouts until the certificate was renewed.\n",
    );
    let dns = write_doc(
        &sandbox,
        "2026-05-03-dns-latency",
        "title: Slow internal name lookups
status: draft
visibility: public
severity: SEV3
kind: incident
teams: [platform]
services: [kubernetes]
tags: [dns]
started_at: 2026-05-03T12:00:00Z
",
        "## Summary\n\nThe resolver timed out under load and lookups were slow.\n",
    );
    let declines = write_doc(
        &sandbox,
        "2026-06-04-card-declines",
        "title: Card payments declined by the processor
status: in-review
visibility: public
severity: SEV4
kind: near-miss
teams: [payments]
services: [payment-gateway]
tags: [psp]
started_at: 2026-06-04T15:00:00Z
action_items:
  - title: Ask the processor for a status feed
    owner: Bo Lindqvist
    team: payments
    due: 2026-07-01
    status: open
",
        "## Summary\n\nThe processor declined cards for a few minutes although its \
         certificate was valid. No customer was charged.\n",
    );
    Small {
        sandbox,
        pool,
        cert,
        dns,
        declines,
    }
}

#[test]
fn query_language_phrases_fields_exclusions_or_prefixes_typos_and_stems() {
    let s = small_archive();
    let sb = &s.sandbox;
    let only =
        |paths: &[&String]| -> BTreeSet<String> { paths.iter().map(|p| (*p).clone()).collect() };

    // Both words anywhere, or as a phrase.
    assert_eq!(found(sb, "connection pool"), only(&[&s.pool, &s.cert]));
    assert_eq!(found(sb, "\"connection pool\""), only(&[&s.pool]));
    assert_eq!(found(sb, "\"pool connection\""), BTreeSet::new());

    // Fields.
    assert_eq!(found(sb, "certificate"), only(&[&s.cert, &s.declines]));
    assert_eq!(found(sb, "title:certificate"), only(&[&s.cert]));
    assert_eq!(found(sb, "team:payments"), only(&[&s.pool, &s.declines]));
    assert_eq!(found(sb, "team:platform"), only(&[&s.cert, &s.dns]));
    assert_eq!(found(sb, "service:kubernetes"), only(&[&s.cert, &s.dns]));
    assert_eq!(found(sb, "service:payment-gateway"), only(&[&s.declines]));
    assert_eq!(found(sb, "severity:SEV1"), only(&[&s.pool]));
    assert_eq!(found(sb, "severity:sev4"), only(&[&s.declines]));
    assert_eq!(found(sb, "tag:tls"), only(&[&s.cert]));
    assert_eq!(found(sb, "tag:database"), only(&[&s.pool]));
    assert_eq!(found(sb, "status:draft"), only(&[&s.dns]));
    assert_eq!(found(sb, "status:in-review"), only(&[&s.declines]));
    assert_eq!(found(sb, "owner:diaz"), only(&[&s.pool]));
    assert_eq!(found(sb, "owner:\"bo lindqvist\""), only(&[&s.declines]));
    assert_eq!(found(sb, "kind:near-miss"), only(&[&s.declines]));
    // A field and a word together: both must hold.
    assert_eq!(found(sb, "team:payments certificate"), only(&[&s.declines]));

    // Exclusion.
    assert_eq!(found(sb, "pool -exhausted"), only(&[&s.cert]));
    assert_eq!(
        found(sb, "certificate -team:platform"),
        only(&[&s.declines])
    );

    // OR.
    assert_eq!(
        found(sb, "resolver OR declined"),
        only(&[&s.dns, &s.declines])
    );
    assert_eq!(
        found(sb, "certificate resolver OR declined"),
        only(&[&s.declines])
    );

    // Prefix.
    assert_eq!(found(sb, "time*"), only(&[&s.pool, &s.cert, &s.dns]));
    assert_eq!(found(sb, "lindq*"), BTreeSet::new(), "owners are not prose");
    assert_eq!(found(sb, "owner:lindq*"), only(&[&s.declines]));
    assert_eq!(
        found(sb, "owner:\"bo lind*\""),
        BTreeSet::new(),
        "quoted `*` is literal"
    );
    // A prefix longer than the stem of the word it starts (`refused` is indexed as `refus`).
    assert_eq!(found(sb, "refused*"), only(&[&s.cert]));
    assert_eq!(found(sb, "connection*"), only(&[&s.pool, &s.cert]));
    assert_eq!(found(sb, "title:certificat*"), only(&[&s.cert]));
    assert_eq!(found(sb, "title:connections*"), BTreeSet::new());
    // A prefix of an identifier, whole or by its parts.
    assert_eq!(found(sb, "checkout-a*"), only(&[&s.pool]));
    assert_eq!(
        found(sb, "payment-gate*"),
        BTreeSet::new(),
        "only in front matter"
    );
    assert_eq!(found(sb, "service:payment-gate*"), only(&[&s.declines]));
    // The words a prefix or a typo stood for are highlighted.
    for (query, word) in [("refus*", "refused"), ("certifcate", "certificate")] {
        let (_, results) = search_json(sb, query, &[]);
        let hit = &results["hits"][0];
        let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
        let marked: Vec<String> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let at = |i: usize| usize::try_from(r[i].as_u64().unwrap()).unwrap();
                snippet[at(0)..at(1)].iter().collect::<String>()
            })
            .collect();
        assert!(
            marked.iter().any(|m| m.eq_ignore_ascii_case(word)),
            "{query}: {marked:?} in {hit}"
        );
    }

    // Stems: the plural finds the singular and back.
    assert_eq!(found(sb, "timeouts"), only(&[&s.pool, &s.cert]));
    assert_eq!(found(sb, "timeout"), only(&[&s.pool, &s.cert]));

    // A typo falls back to near spellings, and says so.
    let (code, results) = search_json(sb, "certifcate", &[]);
    assert_eq!(code, 0);
    assert_eq!(results["fuzzy"], true);
    assert_eq!(paths(&results), only(&[&s.cert, &s.declines]));
    let (_, exact) = search_json(sb, "certificate", &[]);
    assert_eq!(exact["fuzzy"], false);
    let text = sb.pm().args(["search", "certifcate"]).output().unwrap();
    assert_eq!(text.status.code(), Some(0));
    assert!(
        stdout(&text).contains("near spellings"),
        "{}",
        stdout(&text)
    );
    assert!(stdout(&text).contains("2026-04-02-gateway-certificate-expired"));
}

/// The text of `body`'s `## heading` section (up to the next `#` or `##` heading), if any.
fn section_text(body: &str, heading: &str) -> Option<String> {
    let mut text = None;
    for line in body.lines() {
        let level = line.chars().take_while(|c| *c == '#').count();
        if (level == 1 || level == 2) && line[level..].starts_with(' ') {
            if text.is_some() {
                break;
            }
            if line[level..].trim().eq_ignore_ascii_case(heading) {
                text = Some(String::new());
            }
        } else if let Some(text) = text.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    text.map(|t| shown_text(&t))
}

#[test]
fn a_section_search_finds_the_word_in_that_section_only() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    // A word, and its stem: the search also finds the word's other forms (`page`, `pages`).
    for (slug, heading, word, stem) in [
        ("timeline", "Timeline", "paged", "page"),
        ("detection", "Detection", "alert", "alert"),
        (
            "root-cause-and-contributing-factors",
            "Root cause and contributing factors",
            "cache",
            "cach",
        ),
        ("impact", "impact", "retry", "retr"),
    ] {
        let in_section = |stem_only: bool| -> BTreeSet<String> {
            docs.iter()
                .filter(|d| {
                    section_text(&d.body, heading).is_some_and(|text| {
                        if stem_only {
                            text.to_lowercase()
                                .split(|c: char| !c.is_alphanumeric())
                                .any(|w| w.starts_with(stem))
                        } else {
                            contains_word(&text, word)
                        }
                    })
                })
                .map(|d| d.path.clone())
                .collect()
        };
        let hits = found(&sandbox, &format!("section:{slug}:{word}"));
        let (must, may) = (in_section(false), in_section(true));
        assert!(!must.is_empty(), "{word} is in some {heading} section");
        assert!(
            hits.is_superset(&must),
            "{slug}:{word}: {hits:?} misses some of {must:?}"
        );
        assert!(
            hits.is_subset(&may),
            "{slug}:{word}: {hits:?} has more than {may:?}"
        );
        assert!(
            found(&sandbox, word).difference(&hits).next().is_some(),
            "{word} is also found outside {heading}, so the section makes a difference"
        );
    }
    // The heading is named as written too, or by its first words; a heading no document has
    // finds nothing.
    assert_eq!(
        found(&sandbox, "section:Timeline:paged"),
        found(&sandbox, "section:timeline:paged")
    );
    assert_eq!(
        found(&sandbox, "section:root-cause:cache"),
        found(
            &sandbox,
            "section:root-cause-and-contributing-factors:cache"
        )
    );
    assert_eq!(
        found(&sandbox, "section:no-such-heading:paged"),
        BTreeSet::new()
    );
}

#[test]
fn a_section_holds_its_subsections_but_not_its_heading() {
    let sandbox = Sandbox::init();
    let end = write_doc(
        &sandbox,
        "2026-03-01-a",
        "title: A\nstatus: draft\nseverity: SEV2\n",
        "## Timeline\n\nWe saw the disk filling.\n\n### Later\n\nThe primary failed over.\n\n## Impact\n\nOrders were slow.\n",
    );
    let across = write_doc(
        &sandbox,
        "2026-03-02-b",
        "title: B\nstatus: draft\nseverity: SEV2\n",
        "## Timeline\n\nNothing failed\n\n## Impact\n\nOver lunch, orders were slow.\n",
    );
    let only = |path: &String| BTreeSet::from([path.clone()]);
    // `### Later` is part of the timeline, phrases included.
    assert_eq!(
        found(&sandbox, "section:timeline:\"failed over\""),
        only(&end)
    );
    assert_eq!(
        found(&sandbox, "section:impact:\"failed over\""),
        BTreeSet::new()
    );
    assert_eq!(
        found(&sandbox, "section:timeline:failed"),
        [end.clone(), across.clone()].into()
    );
    assert_eq!(found(&sandbox, "section:impact:lunch"), only(&across));
    // Words of the heading itself are not in its section.
    assert_eq!(found(&sandbox, "section:impact:impact"), BTreeSet::new());
}

#[test]
fn field_filters_on_the_example_archive_agree_with_the_front_matter() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    let config: Value =
        serde_saphyr::from_str(&fs::read_to_string(repo().join("pm.yaml")).unwrap()).unwrap();
    let ids = |key: &str| -> Vec<String> {
        config[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let having = |keep: &dyn Fn(&Doc) -> bool| -> BTreeSet<String> {
        docs.iter()
            .filter(|d| keep(d))
            .map(|d| d.path.clone())
            .collect()
    };
    let mut checked = 0;
    let mut check = |query: String, expected: BTreeSet<String>| {
        let (code, results) = search_json(&sandbox, &query, &[]);
        assert_eq!(paths(&results), expected, "{query}");
        assert_eq!(code, i32::from(expected.is_empty()), "{query}");
        checked += usize::from(!expected.is_empty());
    };
    for team in ids("teams") {
        check(
            format!("team:{team}"),
            having(&|d| d.list("teams").contains(&team)),
        );
    }
    for service in ids("services") {
        check(
            format!("service:{service}"),
            having(&|d| d.list("services").contains(&service)),
        );
    }
    for severity in ids("severities") {
        check(
            format!("severity:{severity}"),
            having(&|d| d.str("severity") == Some(severity.as_str())),
        );
    }
    for status in ["draft", "in-review", "published"] {
        check(
            format!("status:{status}"),
            having(&|d| d.str("status") == Some(status)),
        );
    }
    for kind in ["incident", "near-miss", "security"] {
        check(
            format!("kind:{kind}"),
            having(&|d| d.str("kind").unwrap_or("incident") == kind),
        );
    }
    let tags: BTreeSet<String> = docs.iter().flat_map(|d| d.list("tags")).collect();
    for tag in &tags {
        check(
            format!("tag:{tag}"),
            having(&|d| d.list("tags").contains(tag)),
        );
    }
    // Owners of action items, by last name.
    let owners_of = |d: &Doc| -> Vec<String> {
        d.front["action_items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["owner"].as_str())
            .map(|owner| owner.rsplit(' ').next().unwrap().to_lowercase())
            .collect()
    };
    let owners: BTreeSet<String> = docs.iter().flat_map(owners_of).collect();
    assert!(owners.len() >= 5, "{owners:?}");
    for owner in &owners {
        check(
            format!("owner:{owner}"),
            having(&|d| owners_of(d).contains(owner)),
        );
    }
    assert!(checked >= 40, "only {checked} queries with hits");
}

#[test]
fn a_typo_is_matched_as_written_and_the_closest_spelling_ranks_first() {
    let sandbox = Sandbox::init();
    let front = "status: published\nseverity: SEV2\n";
    let latency = write_doc(
        &sandbox,
        "2026-01-01-slow-checkout",
        &format!("title: Slow checkout\n{front}"),
        "## Summary\n\nThe p99 latency doubled.\n",
    );
    // `failovr` is one edit from `failover`, and two from `failure`'s stem `failur`: the
    // document with the closer word ranks first, though the other has its word in the title.
    let failover = write_doc(
        &sandbox,
        "2026-01-02-slow-switch",
        &format!("title: Slow switch\n{front}"),
        "## Summary\n\nThe failover took minutes.\n",
    );
    let failure = write_doc(
        &sandbox,
        "2026-01-03-disk-failure",
        &format!("title: Disk failure\n{front}"),
        "## Summary\n\nA disk broke.\n",
    );

    // `latncy` stems to `latnci`, two edits from `latency`'s stem `latenc`, but the word as
    // written is one edit from `latency`.
    let (code, results) = search_json(&sandbox, "latncy", &[]);
    assert_eq!(code, 0, "{results}");
    assert_eq!(results["fuzzy"], true);
    assert_eq!(paths(&results), set([latency.as_str()]));

    let (code, results) = search_json(&sandbox, "failovr", &[]);
    assert_eq!(code, 0, "{results}");
    assert_eq!(results["fuzzy"], true);
    let ranked: Vec<&str> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    assert_eq!(ranked, [failover.as_str(), failure.as_str()], "{results}");
}

#[test]
fn a_number_is_found_in_its_plural() {
    let sandbox = Sandbox::init();
    let path = write_doc(
        &sandbox,
        "2026-01-01-gateway-errors",
        "title: Gateway errors\nstatus: published\nseverity: SEV2\n",
        "## Summary\n\nThe gateway returned 503s for ten minutes.\n",
    );
    for query in ["503", "503s", "\"returned 503\""] {
        let (code, results) = search_json(&sandbox, query, &[]);
        assert_eq!(code, 0, "{query}: {results}");
        assert_eq!(results["fuzzy"], false, "{query}");
        assert_eq!(paths(&results), set([path.as_str()]), "{query}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Identifiers are found whole
// ---------------------------------------------------------------------------------------------

#[test]
fn identifiers_are_found_whole_and_not_confused_with_their_neighbours() {
    let sandbox = Sandbox::init();
    let front = "title: Replica saturation
status: draft
severity: SEV2
teams: [platform]
services: [kubernetes]
started_at: 2026-03-01T10:00:00Z
";
    let east = write_doc(
        &sandbox,
        "2026-03-01-east-replica",
        front,
        "Requests in us-east-1 failed with HTTP 503 once max_connections was reached \
         on 10.42.7.19.\n",
    );
    let west = write_doc(
        &sandbox,
        "2026-03-02-west-replica",
        front,
        "Requests in us-west-2 were fine; the replica at 10.42.7.20 had room to spare, and \
         the east side of the rack was quiet.\n",
    );
    for query in [
        "us-east-1",
        "503",
        "max_connections",
        "10.42.7.19",
        "US-EAST-1",
    ] {
        assert_eq!(found(&sandbox, query), set([east.as_str()]), "{query}");
    }
    assert_eq!(found(&sandbox, "us-west-2"), set([west.as_str()]));
    assert_eq!(found(&sandbox, "10.42.7.20"), set([west.as_str()]));
    // By their parts too.
    assert_eq!(
        found(&sandbox, "connections"),
        set([east.as_str()]),
        "max_connections holds the word connections"
    );
}

#[test]
fn the_index_starts_over_when_its_file_list_is_lost_or_the_timezone_changes() {
    let s = small_archive();
    let sb = &s.sandbox;
    assert_eq!(
        found(sb, "certificate"),
        set([s.cert.as_str(), s.declines.as_str()])
    );

    // The list of indexed files is lost, and a file is deleted meanwhile: the deleted file
    // must not linger in the index.
    for entry in fs::read_dir(sb.path().join(".pm/index")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("pm-manifest-")
        {
            fs::remove_file(path).unwrap();
        }
    }
    fs::remove_file(sb.path().join(&s.cert)).unwrap();
    let output = sb.pm().args(["search", "certificate"]).output().unwrap();
    assert!(
        stderr(&output).contains("search index rebuilt"),
        "{}",
        stderr(&output)
    );
    assert_eq!(found(sb, "certificate"), set([s.declines.as_str()]));

    // A late-evening incident in UTC is the next day in Tokyo: the dates the index holds
    // follow the timezone of pm.yaml.
    let late = write_doc(
        sb,
        "2026-08-01-late-evening-outage",
        "title: Late evening outage
status: draft
severity: SEV3
started_at: 2026-08-01T23:30:00Z
",
        "The grumblefax job stalled.\n",
    );
    let date = || {
        let (_, results) = search_json(sb, "grumblefax", &[]);
        results["hits"][0]["date"].as_str().unwrap().to_owned()
    };
    assert_eq!(date(), "2026-08-01");
    let config = sb
        .read("pm.yaml")
        .replace("timezone: UTC", "timezone: Asia/Tokyo");
    sb.write("pm.yaml", config);
    let output = sb.pm().args(["search", "grumblefax"]).output().unwrap();
    assert!(stderr(&output).contains("timezone"), "{}", stderr(&output));
    assert_eq!(date(), "2026-08-02", "{late} indexed with the new timezone");
    assert_eq!(found(sb, "certificate"), set([s.declines.as_str()]));
}

#[test]
fn a_templates_guidance_in_comments_is_not_found() {
    let sandbox = Sandbox::init();
    let created = sandbox.new_draft(&["Disk full on the build hosts", "--severity", "SEV2"]);
    // The timeline's guidance is a comment of several lines with a table in it.
    assert!(
        sandbox
            .read(&created)
            .contains("on-call acknowledges |\n-->")
    );
    let (code, results) = search_json(&sandbox, "disk", &[]);
    assert_eq!(code, 0, "{results}");
    // Found by its title: the snippet is what its sections say, which is nothing yet, not a
    // list of their headings.
    assert_eq!(results["hits"][0]["snippet"], "", "{results}");
    for guidance in ["acknowledges", "\"first sign of impact\"", "adjectives"] {
        let (code, results) = search_json(&sandbox, guidance, &[]);
        assert_eq!(code, 1, "{guidance}: {results}");
    }
}

#[test]
fn incomplete_documents_are_left_to_pm_check_not_found() {
    let s = small_archive();
    let sb = &s.sandbox;
    sb.write(
        "postmortems/2026-09-01-half-written.md",
        "---\ntitle: Half written\n---\nThe wobblewire failed.\n",
    );
    let (code, results) = search_json(sb, "wobblewire", &[]);
    assert_eq!(code, 1, "{results}");
    let list = sb.pm().args(["list", "--format", "json"]).output().unwrap();
    assert!(!stdout(&list).contains("half-written"), "pm list agrees");
}

// ---------------------------------------------------------------------------------------------
// 5. Fresh without `pm index`
// ---------------------------------------------------------------------------------------------

#[test]
fn search_sees_deleted_edited_and_new_files_without_pm_index() {
    let s = small_archive();
    let sb = &s.sandbox;
    assert_eq!(
        found(sb, "certificate"),
        set([s.cert.as_str(), s.declines.as_str()])
    );
    assert!(sb.path().join(".pm/index/meta.json").is_file());

    fs::remove_file(sb.path().join(&s.cert)).unwrap();
    let edited = sb.read(&s.dns).replace(
        "lookups were slow",
        "lookups were slow on the quuxresolver pods",
    );
    sb.write(&s.dns, edited);
    let new = write_doc(
        sb,
        "2026-07-05-new-certificate-outage",
        "title: Another certificate expired
status: draft
severity: SEV2
teams: [platform]
services: [kubernetes]
started_at: 2026-07-05T08:00:00Z
",
        "The wildcard certificate ran out; the zorblat job did not renew it.\n",
    );

    assert_eq!(
        found(sb, "certificate"),
        set([s.declines.as_str(), new.as_str()]),
        "the deleted file must be gone and the new one found"
    );
    assert_eq!(found(sb, "quuxresolver"), set([s.dns.as_str()]));
    assert_eq!(found(sb, "zorblat"), set([new.as_str()]));
    assert_eq!(found(sb, "expired"), set([new.as_str()]));
    let index = pm_index(sb, false);
    assert_eq!(index_count(&index), 4, "{}", stdout(&index));
    assert!(
        stdout(&index).contains(": 0 indexed, 0 removed"),
        "{}",
        stdout(&index)
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Processes at the same time
// ---------------------------------------------------------------------------------------------

/// A synthetic archive of `count` postmortems, with a word only its last file holds.
fn synthetic(count: usize) -> (Sandbox, String) {
    let sandbox = Sandbox::empty();
    postmortems::synth::generate(sandbox.path(), count, 7).unwrap();
    let files = markdown_files(&sandbox.path().join("postmortems"));
    assert_eq!(files.len(), count);
    let last = files.last().unwrap();
    let text = fs::read_to_string(last).unwrap();
    fs::write(
        last,
        format!("{text}\nThe quokkafrond relay was involved.\n"),
    )
    .unwrap();
    let relative = last
        .strip_prefix(sandbox.path())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    (sandbox, relative)
}

/// Runs the two `pm` argument lists at the same time; their outputs.
fn at_once(sandbox: &Sandbox, a: &[&str], b: &[&str]) -> (Output, Output) {
    let barrier = std::sync::Barrier::new(2);
    let run = |args: &[&str]| {
        let mut cmd = sandbox.pm();
        cmd.args(args);
        barrier.wait();
        cmd.output().unwrap()
    };
    std::thread::scope(|scope| {
        let first = scope.spawn(|| run(a));
        let second = run(b);
        (first.join().unwrap(), second)
    })
}

/// After racing processes: the index holds every file, needs no work, and finds the last one.
fn assert_index_complete(sandbox: &Sandbox, count: usize, last: &str) {
    let index = pm_index(sandbox, false);
    assert_eq!(index_count(&index), count, "{}", stdout(&index));
    assert!(
        stdout(&index).contains(": 0 indexed, 0 removed"),
        "the racing processes left work undone: {}",
        stdout(&index)
    );
    assert_eq!(found(sandbox, "quokkafrond"), set([last]));
}

fn assert_ran(output: &Output, what: &str) {
    assert!(
        output.status.code() == Some(0),
        "{what} exited {:?}\nstderr: {}",
        output.status.code(),
        stderr(output)
    );
    assert!(!stderr(output).contains("panicked"), "{}", stderr(output));
}

#[test]
fn two_searches_at_once_on_a_fresh_archive_both_succeed() {
    let (sandbox, last) = synthetic(200);
    let (a, b) = at_once(
        &sandbox,
        &["search", "timeouts", "--limit", "1"],
        &["search", "max_connections", "--limit", "1"],
    );
    assert_ran(&a, "pm search timeouts");
    assert_ran(&b, "pm search max_connections");
    assert_index_complete(&sandbox, 200, &last);
}

#[test]
fn rebuild_and_search_at_once_both_succeed() {
    let (sandbox, last) = synthetic(200);
    // First on a fresh archive, then on one whose index exists (which the rebuild removes
    // while the search reads it): a few rounds, as a race may not show every time.
    for round in 0..5 {
        let (a, b) = at_once(
            &sandbox,
            &["index", "--rebuild"],
            &["search", "timeouts", "--limit", "1"],
        );
        assert_ran(&a, &format!("round {round}: pm index --rebuild"));
        assert_ran(&b, &format!("round {round}: pm search timeouts"));
        assert!(
            stdout(&b).contains("postmortems match"),
            "round {round}: {}",
            stdout(&b)
        );
    }
    assert_index_complete(&sandbox, 200, &last);
}

#[test]
fn two_rebuilds_at_once_both_succeed() {
    let (sandbox, last) = synthetic(200);
    pm_index(&sandbox, false);
    for round in 0..5 {
        let (a, b) = at_once(&sandbox, &["index", "--rebuild"], &["index", "--rebuild"]);
        assert_ran(&a, &format!("round {round}: first pm index --rebuild"));
        assert_ran(&b, &format!("round {round}: second pm index --rebuild"));
    }
    assert_index_complete(&sandbox, 200, &last);
}

// ---------------------------------------------------------------------------------------------
// 7. A damaged index is rebuilt
// ---------------------------------------------------------------------------------------------

/// The largest file of the index with extension `ext`.
fn largest_index_file(sandbox: &Sandbox, ext: &str) -> PathBuf {
    fs::read_dir(sandbox.path().join(".pm/index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .max_by_key(|p| fs::metadata(p).unwrap().len())
        .unwrap_or_else(|| panic!("no .{ext} file in the index"))
}

/// Searches `certificate` after damaging the index, expecting the right hits and a notice.
fn assert_recovers(sandbox: &Sandbox, expected: &BTreeSet<String>, damage: &str) {
    let output = sandbox
        .pm()
        .args([
            "search",
            "--format",
            "json",
            "--limit",
            "100",
            "certificate",
        ])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{damage}: pm search certificate failed:\n{err}"
    );
    let results: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(&paths(&results), expected, "{damage}");
    let notices: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("index") && l.contains("rebuilt"))
        .collect();
    assert_eq!(
        notices.len(),
        1,
        "{damage}: expected one line saying the index was rebuilt, got:\n{err}"
    );
    // Rebuilt for good: the next search has nothing to say.
    let again = sandbox
        .pm()
        .args(["search", "certificate"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{damage}: {}", stderr(&again));
    assert!(
        !stderr(&again).contains("rebuilt"),
        "{damage}: rebuilt again: {}",
        stderr(&again)
    );
}

#[test]
fn a_damaged_index_is_rebuilt_with_a_notice() {
    let sandbox = Sandbox::example();
    let expected = scan(&documents(&sandbox), "certificate");
    assert!(!expected.is_empty());
    for ext in ["idx", "term", "store", "pos", "fast", "fieldnorm"] {
        pm_index(&sandbox, true);
        let file = largest_index_file(&sandbox, ext);
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_len(0)
            .unwrap();
        assert_recovers(&sandbox, &expected, &format!("emptied .{ext}"));
    }
    pm_index(&sandbox, true);
    fs::write(sandbox.path().join(".pm/index/meta.json"), "garbage{").unwrap();
    assert_recovers(&sandbox, &expected, "garbage meta.json");
}

#[test]
fn an_index_file_overwritten_with_garbage_is_rebuilt_without_a_crash() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    // A word and a phrase (which reads positions); what an intact index answers.
    let queries = ["certificate", "\"client certificate\""];
    let intact: Vec<BTreeSet<String>> = queries.iter().map(|q| found(&sandbox, q)).collect();
    assert!(intact[0].is_superset(&scan(&docs, "certificate")));
    assert!(!intact[1].is_empty());
    let mut failures = Vec::new();
    for ext in ["idx", "term", "store", "pos", "fast", "fieldnorm"] {
        for (query, expected) in queries.iter().zip(&intact) {
            pm_index(&sandbox, true);
            // The middle half of the largest such file, overwritten; its size stays the same.
            let path = largest_index_file(&sandbox, ext);
            let mut bytes = fs::read(&path).unwrap();
            let len = bytes.len();
            for (i, byte) in bytes[len / 4..len / 4 + len / 2].iter_mut().enumerate() {
                *byte = u8::try_from((i * 37 + 11) % 256).unwrap();
            }
            fs::write(&path, bytes).unwrap();
            let output = sandbox
                .pm()
                .args(["search", "--format", "json", "--limit", "100", query])
                .output()
                .unwrap();
            let err = stderr(&output);
            let ok = output.status.code() == Some(0)
                && !err.contains("panicked")
                && serde_json::from_slice::<Value>(&output.stdout)
                    .is_ok_and(|results| paths(&results) == *expected);
            if !ok {
                failures.push(format!(
                    "garbled .{ext}, pm search {query}: exit {:?}, stderr: {}",
                    output.status.code(),
                    err.lines().take(3).collect::<Vec<_>>().join(" | ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "searching a garbled index:\n{}",
        failures.join("\n")
    );
}

#[test]
fn an_index_of_another_schema_version_is_rebuilt() {
    let sandbox = Sandbox::example();
    pm_index(&sandbox, false);
    let meta_path = sandbox.path().join(".pm/index/meta.json");
    let meta = fs::read_to_string(&meta_path).unwrap();
    assert!(meta.contains("pm-index v"), "{meta}");
    fs::write(&meta_path, meta.replace("pm-index v", "pm-index v9")).unwrap();
    let output = sandbox.pm().arg("index").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("rebuilt") && stderr(&output).contains("version"),
        "{}",
        stderr(&output)
    );
    assert_eq!(index_count(&output), 14);
    assert!(
        stdout(&output).contains(": 14 indexed"),
        "{}",
        stdout(&output)
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Queries that cannot be read
// ---------------------------------------------------------------------------------------------

#[test]
fn unreadable_queries_are_usage_errors_that_point_at_the_problem() {
    let sandbox = Sandbox::example();
    // (query, character the caret must point at, 1-based)
    for (query, column) in [
        ("title:", 1),
        ("\"unbalanced", 1),
        ("dns \"connection refused", 5),
        ("AND AND", 1),
        ("dns AND AND x", 9),
        ("OR", 1),
        ("dns OR", 5),
        ("(", 1),
        ("", 1),
        ("   ", 1),
        ("dns -", 5),
        ("a OR -b", 6),
    ] {
        let output = sandbox.pm().args(["search", "--", query]).output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{query:?}: {err}");
        assert!(!err.contains("panicked"), "{query:?}: {err}");
        assert!(err.contains("query"), "{query:?}: {err}");
        assert_eq!(stdout(&output), "", "{query:?}");
        // The query echoed, then a caret under the character at fault.
        let lines: Vec<&str> = err.lines().collect();
        let caret = lines
            .iter()
            .position(|l| l.trim() == "^")
            .unwrap_or_else(|| panic!("{query:?}: no caret line in\n{err}"));
        assert!(caret > 0);
        let echoed = lines[caret - 1];
        assert_eq!(
            echoed.trim_end(),
            format!("  {query}").trim_end(),
            "{query:?}"
        );
        let at = lines[caret].chars().position(|c| c == '^').unwrap();
        assert_eq!(
            at,
            2 + column - 1,
            "{query:?}: caret at the wrong place\n{err}"
        );
    }
    assert!(
        !sandbox.path().join(".pm/index").exists(),
        "a query that cannot be read is told before any indexing"
    );
}

// ---------------------------------------------------------------------------------------------
// 9. Exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn exit_status_is_0_with_hits_and_1_without() {
    let sandbox = Sandbox::example();
    let hit = sandbox
        .pm()
        .args(["search", "certificate"])
        .output()
        .unwrap();
    assert_eq!(hit.status.code(), Some(0), "{}", stderr(&hit));
    assert!(stdout(&hit).contains("2026-02-02-expired-certificate-api-gateway"));
    let none = sandbox.pm().args(["search", "zzqxjw"]).output().unwrap();
    assert_eq!(none.status.code(), Some(1), "{}", stderr(&none));
    assert!(
        stdout(&none).contains("0 postmortems match"),
        "{}",
        stdout(&none)
    );
    let (code, json) = search_json(&sandbox, "zzqxjw", &[]);
    assert_eq!(code, 1);
    assert_eq!(json["total"], 0);
    assert_eq!(json["hits"], Value::Array(vec![]));
    // Every word must match: a known word next to an unknown one finds nothing.
    let (code, _) = search_json(&sandbox, "certificate zzqxjw", &[]);
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------------------------
// 10. What a hit shows: order, snippet, counts by facet, JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn equal_scores_rank_the_newer_incident_first_in_an_order_that_survives_reindexing() {
    let sandbox = Sandbox::init();
    // Twelve documents alike but for their ids and dates: every one scores the same.
    let mut paths = Vec::new();
    for day in 1..=4 {
        for slug in ["a", "b", "c"] {
            paths.push(write_doc(
                &sandbox,
                &format!("2026-01-0{day}-disk-{slug}"),
                "title: Disk full\nstatus: published\nseverity: SEV2\n",
                "## Summary\n\nThe disk filled up.\n",
            ));
        }
    }
    let ids = |extra: &[&str]| -> Vec<String> {
        let (code, results) = search_json(&sandbox, "disk", extra);
        assert_eq!(code, 0);
        let hits = results["hits"].as_array().unwrap();
        let scores: BTreeSet<String> = hits.iter().map(|h| h["score"].to_string()).collect();
        assert_eq!(scores.len(), 1, "{results}");
        hits.iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = ids(&[]);
    assert_eq!(first.len(), 12);
    // Newest first.
    let days: Vec<&str> = first.iter().map(|id| &id[..10]).collect();
    let mut newest_first = days.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(days, newest_first);
    // Indexed again in another order (the edited files go into the index last), the ties
    // fall the same way, and a limit keeps the first of that order.
    for path in paths.iter().step_by(2) {
        let text = sandbox.read(path);
        sandbox.write(path, format!("{text}\n"));
    }
    assert_eq!(ids(&[]), first);
    assert_eq!(ids(&["--limit", "3"]), first[..3]);
}

#[test]
fn json_output_has_every_field_and_facets_that_agree_with_the_hits() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    let dates = list_dates(&sandbox);
    let (code, results) = search_json(&sandbox, "certificate OR timeout", &["--limit", "50"]);
    assert_eq!(code, 0);
    let keys: BTreeSet<&str> = results
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["query", "total", "fuzzy", "hits", "facets"])
    );
    assert_eq!(results["query"], "certificate OR timeout");
    assert_eq!(results["fuzzy"], false);
    let hits = results["hits"].as_array().unwrap();
    assert!((2..=50).contains(&hits.len()), "{results}");
    assert_eq!(results["total"], hits.len());
    let expected: BTreeSet<String> = scan(&docs, "certificate")
        .union(&scan(&docs, "timeout"))
        .cloned()
        .collect();
    assert!(paths(&results).is_superset(&expected));

    let by_path: BTreeMap<&str, &Doc> = docs.iter().map(|d| (d.path.as_str(), d)).collect();
    let mut last_score = f64::INFINITY;
    for hit in hits {
        let fields: BTreeSet<&str> = hit
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            BTreeSet::from([
                "id",
                "title",
                "path",
                "date",
                "severity",
                "status",
                "teams",
                "services",
                "score",
                "snippet",
                "highlights"
            ])
        );
        // The values are the file's.
        let doc = by_path[hit["path"].as_str().unwrap()];
        assert_eq!(hit["id"].as_str(), doc.str("id"));
        assert_eq!(hit["title"].as_str(), doc.str("title"));
        assert_eq!(hit["severity"].as_str(), doc.str("severity"));
        assert_eq!(hit["status"].as_str(), doc.str("status"));
        let list = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(list(&hit["teams"]), doc.list("teams"));
        assert_eq!(list(&hit["services"]), doc.list("services"));
        assert_eq!(hit["date"].as_str(), Some(dates[&doc.path].as_str()));
        // Best first.
        let score = hit["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= last_score, "scores out of order");
        last_score = score;
        // Highlights are character ranges of the snippet holding the words asked for.
        let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
        assert!(!snippet.is_empty());
        let highlights = hit["highlights"].as_array().unwrap();
        assert!(!highlights.is_empty(), "no highlight in {hit}");
        for range in highlights {
            let start = usize::try_from(range[0].as_u64().unwrap()).unwrap();
            let end = usize::try_from(range[1].as_u64().unwrap()).unwrap();
            assert!(start < end && end <= snippet.len(), "{range} in {hit}");
            let word: String = snippet[start..end]
                .iter()
                .collect::<String>()
                .to_lowercase();
            assert!(
                word.starts_with("certif") || word.starts_with("timeout"),
                "highlighted {word:?} in {hit}"
            );
        }
    }

    // Facets count the hits (all of them: total ≤ limit).
    let facets = &results["facets"];
    for facet in ["teams", "services", "severities"] {
        let listed = facets[facet].as_array().unwrap();
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for hit in hits {
            let values: Vec<String> = match facet {
                "severities" => vec![hit["severity"].as_str().unwrap().to_owned()],
                key => hit[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect(),
            };
            for value in values {
                *expected.entry(value).or_default() += 1;
            }
        }
        let got: BTreeMap<String, u64> = listed
            .iter()
            .map(|c| {
                assert_eq!(
                    c.as_object().unwrap().keys().collect::<Vec<_>>(),
                    ["count", "value"]
                );
                (
                    c["value"].as_str().unwrap().to_owned(),
                    c["count"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "facet {facet}");
        // Most first.
        let counts: Vec<u64> = listed
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "{facet}: {counts:?}"
        );
    }
}

#[test]
fn a_hit_found_outside_its_body_shows_its_summary() {
    let sandbox = Sandbox::init();
    write_doc(
        &sandbox,
        "2026-01-01-gateway-errors",
        "title: Gateway errors\nsummary: Clients saw errors for ten minutes.\nstatus: published\nseverity: SEV2\n",
        "## Timeline\n\nAt 09:12 the alert fired.\n",
    );
    let (code, results) = search_json(&sandbox, "gateway", &[]);
    assert_eq!(code, 0, "{results}");
    assert_eq!(
        results["hits"][0]["snippet"],
        "Clients saw errors for ten minutes."
    );
}

#[test]
fn counts_by_what_no_hit_has_say_none() {
    let sandbox = Sandbox::init();
    write_doc(
        &sandbox,
        "2026-01-01-disk-full",
        "title: Disk full\nstatus: published\nseverity: SEV2\n",
        "## Summary\n\nThe disk filled up.\n",
    );
    let text = stdout(&sandbox.pm().args(["search", "disk"]).output().unwrap());
    assert!(text.contains("teams: none · services: none"), "{text}");
    for facet in [
        "by team:     none",
        "by service:  none",
        "by severity: SEV2 1",
    ] {
        assert!(text.contains(facet), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// 11. Filters as flags
// ---------------------------------------------------------------------------------------------

/// Which postmortems a filter keeps, judged from the files.
type Keep<'a> = Box<dyn Fn(&Doc) -> bool + 'a>;

#[test]
fn filter_flags_narrow_the_hits_to_the_matching_postmortems() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    let by_path: BTreeMap<&str, &Doc> = docs.iter().map(|d| (d.path.as_str(), d)).collect();
    let query = "checkout OR customers";
    let (_, all) = search_json(&sandbox, query, &[]);
    let everything = paths(&all);
    assert!(everything.len() >= 6, "{everything:?}");

    // What a flag should keep, judged from the files.
    let expect = |keep: &dyn Fn(&Doc) -> bool| -> BTreeSet<String> {
        everything
            .iter()
            .filter(|p| keep(by_path[p.as_str()]))
            .cloned()
            .collect()
    };
    // Incident dates as `pm list` gives them (the day `started_at` falls on in the archive's
    // time zone).
    let dates = list_dates(&sandbox);
    let date_of = |doc: &Doc| -> String { dates[&doc.path].clone() };
    let cases: Vec<(Vec<&str>, Keep)> = vec![
        (
            vec!["--team", "platform"],
            Box::new(|d: &Doc| d.list("teams").contains(&"platform".to_owned())),
        ),
        (
            vec!["--team", "platform", "--team", "data"],
            Box::new(|d: &Doc| {
                let teams = d.list("teams");
                teams.contains(&"platform".to_owned()) || teams.contains(&"data".to_owned())
            }),
        ),
        (
            vec!["--service", "api-gateway"],
            Box::new(|d: &Doc| d.list("services").contains(&"api-gateway".to_owned())),
        ),
        (
            vec!["--severity", "SEV1"],
            Box::new(|d: &Doc| d.str("severity") == Some("SEV1")),
        ),
        (
            vec!["--status", "draft"],
            Box::new(|d: &Doc| d.str("status") == Some("draft")),
        ),
        (
            vec!["--since", "2026-01-01", "--until", "2026-06-30"],
            Box::new(|d: &Doc| {
                let date = date_of(d);
                ("2026-01-01".."2026-07-01").contains(&date.as_str())
            }),
        ),
        (
            vec!["--kind", "near-miss"],
            Box::new(|d: &Doc| d.str("kind") == Some("near-miss")),
        ),
        (
            vec!["--kind", "incident"],
            Box::new(|d: &Doc| d.str("kind").unwrap_or("incident") == "incident"),
        ),
        (
            vec!["--public"],
            Box::new(|d: &Doc| {
                d.str("visibility") == Some("public") && d.str("status") == Some("published")
            }),
        ),
        (
            vec!["--public", "--team", "checkout"],
            Box::new(|d: &Doc| {
                d.str("visibility") == Some("public")
                    && d.str("status") == Some("published")
                    && d.list("teams").contains(&"checkout".to_owned())
            }),
        ),
    ];
    for (flags, keep) in &cases {
        let expected = expect(keep.as_ref());
        assert!(
            !expected.is_empty() && expected.len() < everything.len(),
            "{flags:?} should keep some hits and drop others: pick another query"
        );
        let (code, results) = search_json(&sandbox, query, flags);
        assert_eq!(code, 0, "{flags:?}");
        assert_eq!(paths(&results), expected, "{flags:?}");
        assert_eq!(results["total"], expected.len(), "{flags:?}");
    }

    // --public leaves out drafts and internal postmortems even when they match best.
    let draft = "postmortems/2026/2026-11-20-gateway-rate-limit-blocks-checkout.md";
    assert!(found(&sandbox, "egress").contains(draft));
    let (code, public) = search_json(&sandbox, "egress", &["--public"]);
    assert!(!paths(&public).contains(draft), "{public}");
    assert_eq!(code, i32::from(paths(&public).is_empty()));

    // --limit shows fewer hits but counts them all.
    let (code, one) = search_json(&sandbox, query, &["--limit", "1"]);
    assert_eq!(code, 0);
    assert_eq!(one["hits"].as_array().unwrap().len(), 1);
    assert_eq!(one["total"], everything.len());
    let text = sandbox
        .pm()
        .args(["search", "--limit", "1", query])
        .output()
        .unwrap();
    assert!(
        stdout(&text).contains(&format!(
            "{} postmortems match (showing 1",
            everything.len()
        )),
        "{}",
        stdout(&text)
    );

    // Undefined values are usage errors that say what is allowed.
    let nosuch = sandbox
        .pm()
        .args(["search", "checkout", "--team", "nosuch"])
        .output()
        .unwrap();
    assert_eq!(nosuch.status.code(), Some(2));
    let err = stderr(&nosuch);
    assert!(
        err.contains("nosuch") && err.contains("`checkout`"),
        "{err}"
    );
    let typo = sandbox
        .pm()
        .args(["search", "checkout", "--team", "checkot"])
        .output()
        .unwrap();
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean `checkout`"),
        "{}",
        stderr(&typo)
    );
    let in_query = sandbox
        .pm()
        .args(["search", "service:api-gatewy", "checkout"])
        .output()
        .unwrap();
    assert_eq!(in_query.status.code(), Some(2));
    assert!(
        stderr(&in_query).contains("did you mean `api-gateway`"),
        "{}",
        stderr(&in_query)
    );
}

// ---------------------------------------------------------------------------------------------
// 12. pm related
// ---------------------------------------------------------------------------------------------

#[test]
fn related_lists_other_postmortems_with_their_shared_services() {
    let sandbox = Sandbox::example();
    let docs = documents(&sandbox);
    let id = "2026-02-02-expired-certificate-api-gateway";
    let me = docs.iter().find(|d| d.str("id") == Some(id)).unwrap();
    let my_services = me.list("services");
    let sharing: BTreeSet<String> = docs
        .iter()
        .filter(|d| d.str("id") != Some(id))
        .filter(|d| d.list("services").iter().any(|s| my_services.contains(s)))
        .map(|d| d.str("id").unwrap().to_owned())
        .collect();
    assert!(!sharing.is_empty());

    let output = sandbox
        .pm()
        .args(["related", id, "--format", "json", "--limit", "20"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let related: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!related.is_empty());
    let ids: Vec<&str> = related.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&id), "a postmortem is not related to itself");
    for r in &related {
        let other = docs
            .iter()
            .find(|d| d.str("id") == r["id"].as_str())
            .unwrap();
        let shared: Vec<String> = my_services
            .iter()
            .filter(|s| other.list("services").contains(s))
            .cloned()
            .collect();
        let listed: Vec<String> = r["shared_services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(listed, shared, "{r}");
        assert_eq!(r["path"].as_str(), Some(other.path.as_str()));
    }
    // Every postmortem sharing a service is among them.
    for other in &sharing {
        assert!(
            ids.contains(&other.as_str()),
            "{other} missing from {ids:?}"
        );
    }

    // The text view says why.
    let text = sandbox.pm().args(["related", id]).output().unwrap();
    assert_eq!(text.status.code(), Some(0));
    let out = stdout(&text);
    assert!(!out.contains(&format!("   {id}\n")), "{out}");
    let first_sharing = related
        .iter()
        .find(|r| !r["shared_services"].as_array().unwrap().is_empty())
        .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == first_sharing["id"].as_str().unwrap())
        .unwrap_or_else(|| panic!("{} not in\n{out}", first_sharing["id"]));
    assert!(
        lines[at + 1].contains("same service: "),
        "{}",
        lines[at + 1]
    );

    // An unknown id is a usage error.
    let unknown = sandbox
        .pm()
        .args(["related", "2026-01-01-no-such-incident"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("2026-01-01-no-such-incident"),
        "{}",
        stderr(&unknown)
    );
    assert_eq!(stdout(&unknown), "");
}

#[test]
fn related_lists_the_rarest_shared_words_first() {
    let sandbox = Sandbox::init();
    let doc = |id: &str, title: &str, text: &str| {
        write_doc(
            &sandbox,
            id,
            &format!("title: {title}\nsummary: {text}\nstatus: published\nseverity: SEV2\n"),
            &format!("## Summary\n\n{text}\n"),
        );
    };
    // Both say `dns`, `zookeeper` and `broker`; `broker` is in a third postmortem too, so
    // `zookeeper` tells more and comes before it, though it sorts after.
    doc(
        "2026-01-01-broker-stall",
        "Broker stall",
        "The zookeeper broker stalled on DNS.",
    );
    doc(
        "2026-01-02-broker-crash",
        "Broker crash",
        "The zookeeper broker crashed on DNS.",
    );
    doc(
        "2026-01-03-broker-upgrade",
        "Broker upgrade",
        "A broker upgrade.",
    );
    for day in 4..=8 {
        doc(
            &format!("2026-01-0{day}-disk-full"),
            "Disk full",
            "The disk filled up.",
        );
    }
    let output = sandbox
        .pm()
        .args(["related", "2026-01-01-broker-stall", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let related: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let crash = related
        .iter()
        .find(|r| r["id"] == "2026-01-02-broker-crash")
        .unwrap_or_else(|| panic!("{related:?}"));
    assert_eq!(
        crash["shared_terms"],
        serde_json::json!(["dns", "zookeeper", "broker"])
    );
}

// ---------------------------------------------------------------------------------------------
// 13. pm new: seen this before?
// ---------------------------------------------------------------------------------------------

#[test]
fn pm_new_shows_similar_past_incidents() {
    let sandbox = Sandbox::example();
    let output = sandbox
        .pm()
        .args([
            "new",
            "Gateway mTLS client certificate expired again",
            "--service",
            "api-gateway",
            "--service",
            "auth-service",
            "--severity",
            "SEV1",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let created = stdout(&output).trim().to_owned();
    assert!(sandbox.path().join(&created).is_file(), "{created}");
    let err = stderr(&output);
    let seen = err
        .find("Seen this before?")
        .unwrap_or_else(|| panic!("no \"Seen this before?\" in\n{err}"));
    let after = &err[seen..];
    assert!(
        after.contains("2026-02-02-expired-certificate-api-gateway"),
        "{after}"
    );
    assert!(after.contains("same service: "), "{after}");
    // Not the new postmortem itself.
    let new_id = Path::new(&created).file_stem().unwrap().to_string_lossy();
    assert!(!after.contains(new_id.as_ref()), "{after}");
}

// ---------------------------------------------------------------------------------------------
// 14. pm index
// ---------------------------------------------------------------------------------------------

#[test]
fn pm_index_counts_what_it_indexed_removed_and_holds() {
    let sandbox = Sandbox::example();
    let first = pm_index(&sandbox, false);
    assert_eq!(index_count(&first), 14);
    assert!(
        stdout(&first).contains(": 14 indexed, 0 removed"),
        "{}",
        stdout(&first)
    );
    let again = pm_index(&sandbox, false);
    assert!(stdout(&again).starts_with("14 postmortems in the index: 0 indexed, 0 removed"));

    let docs = documents(&sandbox);
    fs::remove_file(sandbox.path().join(&docs[0].path)).unwrap();
    let added = write_doc(
        &sandbox,
        "2026-11-27-brand-new",
        "title: Brand new
status: draft
severity: SEV3
teams: [platform]
services: [dns]
started_at: 2026-11-27T10:00:00+01:00
",
        "Nothing yet.\n",
    );
    let touched = pm_index(&sandbox, false);
    assert!(
        stdout(&touched).starts_with("14 postmortems in the index: 1 indexed, 1 removed"),
        "{}",
        stdout(&touched)
    );
    assert_eq!(found(&sandbox, "title:brand"), set([added.as_str()]));

    let rebuilt = pm_index(&sandbox, true);
    assert!(
        stdout(&rebuilt).starts_with("14 postmortems in the index: 14 indexed, 0 removed"),
        "{}",
        stdout(&rebuilt)
    );
    // Files that are not search results are still remembered, so that they are not read
    // again: one whose front matter is not YAML, one without a title, one not UTF-8.
    sandbox.write(
        "postmortems/2026/broken.md",
        "---\nid: [broken\n---\nBody.\n",
    );
    sandbox.write(
        "postmortems/2026/2026-11-28-untitled.md",
        "---\nid: 2026-11-28-untitled\nstatus: draft\nseverity: SEV3\n---\nBody.\n",
    );
    sandbox.write("postmortems/2026/latin1.md", b"---\nid: caf\xe9\n---\n");
    let with_bad = pm_index(&sandbox, false);
    assert!(
        stdout(&with_bad).starts_with("14 postmortems in the index: 3 indexed, 0 removed"),
        "{}",
        stdout(&with_bad)
    );
    let after_bad = pm_index(&sandbox, false);
    assert!(
        stdout(&after_bad).starts_with("14 postmortems in the index: 0 indexed, 0 removed"),
        "{}",
        stdout(&after_bad)
    );

    // Not an archive: an error, no index made.
    let empty = Sandbox::empty();
    let output = empty.pm().arg("index").output().unwrap();
    assert!(!output.status.success());
    assert!(!empty.path().join(".pm").exists());
}

#[test]
fn a_prefix_after_other_words_finds_every_place_of_a_stemmed_word() {
    // Prose keeps `connections` as written where it first appears, and its stem `connect`
    // at every place: after `max`, the prefix must stand for the stem too.
    let sandbox = Sandbox::init();
    let pool = write_doc(
        &sandbox,
        "2026-03-01-pool",
        "title: Pool exhausted\nstatus: published\nseverity: SEV2\n",
        "## Summary\n\nIdle connections piled up. Then max connections was reached.\n",
    );
    write_doc(
        &sandbox,
        "2026-03-02-other",
        "title: Other\nstatus: published\nseverity: SEV2\n",
        "## Summary\n\nIdle connections piled up. The max was not reached.\n",
    );
    assert_eq!(found(&sandbox, "max-connections*"), set([pool.as_str()]));
    assert_eq!(found(&sandbox, "max-connection*"), set([pool.as_str()]));
    assert_eq!(found(&sandbox, "max-conn*"), set([pool.as_str()]));
}
