//! `pm build`: the example archive as a site, its links, `--public`, hostile documents and
//! atomic replacement of the output folder.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::sandbox::{Sandbox, files_under, stderr, stdout};

/// Builds the site of `sandbox` with `extra` arguments; asserts success.
fn build(sandbox: &Sandbox, extra: &[&str]) -> String {
    let output = sandbox.pm().arg("build").args(extra).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

/// Every file of the site folder, relative to it, with its text (empty if it is not UTF-8).
fn site_files(dir: &Path) -> BTreeMap<String, String> {
    files_under(dir)
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap_or_default()))
        .collect()
}

/// `pm list --format json` with `extra` filters: the documents as JSON.
fn listed(sandbox: &Sandbox, extra: &[&str]) -> Vec<Value> {
    let output = sandbox
        .pm()
        .args(["list", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The values of `attribute="…"` in `html`.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!("{attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The ids of the postmortems a page links to.
fn linked_documents(html: &str) -> BTreeSet<String> {
    attribute_values(html, "href")
        .into_iter()
        .filter_map(|href| href.rsplit_once("postmortems/").map(|(_, page)| page))
        .filter_map(|page| page.strip_suffix(".html"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_example_archive_becomes_a_site_with_every_page() {
    let sandbox = Sandbox::example();
    let out = build(&sandbox, &[]);
    assert!(out.contains("14 postmortems"), "{out}");
    let files = site_files(&sandbox.path().join("site"));
    for page in [
        "index.html",
        "404.html",
        "style.css",
        "teams/index.html",
        "services/index.html",
        "tags/index.html",
        "severities/index.html",
        "severities/sev1.html",
        "years/index.html",
        "years/2026.html",
        "actions/index.html",
        "search.html",
        "feed.xml",
        "api/postmortems.json",
        "api/actions.json",
        ".pm-site",
    ] {
        assert!(
            files.contains_key(page),
            "{page} missing: {:?}",
            files.keys()
        );
    }
    for doc in listed(&sandbox, &[]) {
        let id = doc["id"].as_str().unwrap();
        let page = &files[&format!("postmortems/{id}.html")];
        let title = doc["title"].as_str().unwrap();
        let escaped = title.replace('&', "&amp;").replace('\'', "&#39;");
        assert!(
            page.contains(&escaped) || page.contains(title),
            "{id}: title missing"
        );
        assert!(page.contains("Content-Security-Policy"), "{id}: no CSP");
    }
    // Every team of pm.yaml has a page.
    let config = sandbox.read("pm.yaml");
    assert!(files.contains_key("teams/payments.html"), "{config}");
}

#[test]
fn a_team_page_lists_exactly_that_teams_postmortems_and_open_actions() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let site = sandbox.path().join("site");
    for team in ["payments", "platform", "checkout"] {
        let page = fs::read_to_string(site.join(format!("teams/{team}.html"))).unwrap();
        let expected: BTreeSet<String> = listed(&sandbox, &["--team", team])
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            !expected.is_empty(),
            "{team} has postmortems in the example"
        );
        let listed_part = &page[page.find("id=\"docs\"").unwrap()..];
        assert_eq!(linked_documents(listed_part), expected, "{team}");
        // Its open actions: open items whose team (or, without one, their postmortem's
        // first team) is this team.
        let archive = postmortems::Archive::open(sandbox.path()).unwrap();
        let mut owed = BTreeSet::new();
        for doc in &archive.documents {
            for (i, item) in doc.front.action_items.iter().enumerate() {
                let owner = item.team.as_ref().or(doc.front.teams.first());
                if item.status.is_open() && owner.map(String::as_str) == Some(team) {
                    owed.insert(doc.action_id(i));
                }
            }
        }
        let shown: BTreeSet<String> = attribute_values(&page, "data-action")
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(shown, owed, "{team}");
    }
}

#[test]
fn the_action_board_shows_every_action_once_in_its_column() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let board = fs::read_to_string(sandbox.path().join("site/actions/index.html")).unwrap();
    let shown = attribute_values(&board, "data-action");
    let unique: BTreeSet<&str> = shown.iter().copied().collect();
    assert_eq!(unique.len(), shown.len(), "an action shown twice");
    let total: u64 = listed(&sandbox, &[])
        .iter()
        .map(|d| d["actions"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!(shown.len() as u64, total);
    // Overdue ones sit in the overdue column, before the "open" column starts.
    let overdue_total: u64 = listed(&sandbox, &[])
        .iter()
        .map(|d| d["actions"]["overdue"].as_u64().unwrap())
        .sum();
    assert!(
        overdue_total > 0,
        "the example has overdue actions on {}",
        crate::sandbox::TODAY
    );
    let open_column = board.find("id=\"open\"").unwrap();
    let overdue_rows = board[..open_column].matches("class=\"overdue\"").count();
    assert_eq!(overdue_rows as u64, overdue_total);
}

#[test]
fn every_relative_link_leads_to_a_file_of_the_site() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let site = sandbox.path().join("site");
    let files = site_files(&site);
    let mut checked = 0;
    for (name, text) in files
        .iter()
        .filter(|(n, _)| Path::new(n).extension().is_some_and(|e| e == "html"))
    {
        let folder = Path::new(name).parent().unwrap_or(Path::new(""));
        for target in attribute_values(text, "href")
            .into_iter()
            .chain(attribute_values(text, "src"))
        {
            let target = target.split('#').next().unwrap();
            if target.is_empty() || target.contains(':') {
                continue;
            }
            let resolved: PathBuf = site.join(folder).join(target);
            assert!(resolved.is_file(), "{name}: {target} leads nowhere");
            assert!(
                resolved
                    .canonicalize()
                    .unwrap()
                    .starts_with(site.canonicalize().unwrap()),
                "{name}: {target} leaves the site"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn a_public_build_holds_nothing_of_internal_or_unpublished_postmortems() {
    let sandbox = Sandbox::example();
    // An internal postmortem and a public draft, with marker words in every field.
    for (id, visibility, status, marker) in [
        (
            "2026-06-01-zorblax-internal",
            "internal",
            "published",
            "zorblaxmarker",
        ),
        (
            "2026-06-02-quibbit-draft",
            "public",
            "draft",
            "quibbitmarker",
        ),
    ] {
        sandbox.write(
            &format!("postmortems/2026/{id}.md"),
            format!(
                "---\nid: {id}\ntitle: The {marker} outage\nstatus: {status}\nvisibility: {visibility}\n\
                 severity: SEV2\nteams: [{marker}-team]\nservices: [{marker}-svc]\ntags: [{marker}-tag]\n\
                 summary: Summary {marker}.\nstarted_at: 2026-06-01T10:00:00Z\n\
                 action_items:\n  - title: Fix the {marker} thing\n    owner: {marker}-owner\n    due: 2026-01-01\n---\n\
                 ## Summary\n\nThe {marker} body, with us-east-{marker} and {marker}_config.\n"
            ),
        );
    }
    let out = build(&sandbox, &["--public", "--out", "public"]);
    let site = sandbox.path().join("public");
    let files = files_under(&site);
    for (path, bytes) in &files {
        let bytes = bytes.to_ascii_lowercase();
        for marker in ["zorblax", "quibbit"] {
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{marker} in {path}"
            );
        }
    }
    let scanned = files.len();
    assert!(scanned > 50, "{scanned} files");
    assert!(out.contains("public edition"), "{out}");
    let files = site_files(&sandbox.path().join("public"));
    let all = listed(&sandbox, &[]);
    let (shown, hidden): (Vec<&Value>, Vec<&Value>) = all
        .iter()
        .partition(|d| d["visibility"] == "public" && d["status"] == "published");
    assert!(
        !shown.is_empty() && !hidden.is_empty(),
        "the example has both"
    );
    for doc in &hidden {
        let id = doc["id"].as_str().unwrap();
        let title = doc["title"].as_str().unwrap();
        for (name, text) in &files {
            assert!(!text.contains(id), "{id} appears in {name}");
            assert!(!text.contains(title), "the title of {id} appears in {name}");
        }
    }
    for doc in &shown {
        let id = doc["id"].as_str().unwrap();
        assert!(
            files.contains_key(&format!("postmortems/{id}.html")),
            "{id}"
        );
    }
    assert!(!files.values().any(|t| t.contains(">internal</span>")));
    // Without --public, internal postmortems carry a visible badge.
    build(&sandbox, &[]);
    let internal = all.iter().find(|d| d["visibility"] == "internal").unwrap();
    let page = sandbox.read(&format!(
        "site/postmortems/{}.html",
        internal["id"].as_str().unwrap()
    ));
    assert!(page.contains("<span class=\"badge\">internal</span>"));
}

#[test]
fn hostile_documents_put_no_script_on_any_page() {
    let sandbox = Sandbox::init();
    let front = |id: &str, title: &str| {
        format!(
            "---\nid: {id}\ntitle: '{title}'\nstatus: published\nvisibility: public\nseverity: SEV2\nstarted_at: 2026-03-01T10:00:00Z\n---\n"
        )
    };
    sandbox.write(
        "postmortems/2026/2026-03-01-hostile.md",
        format!(
            "{}{}",
            front("2026-03-01-hostile", "</title><script>alert(1)</script>"),
            "## Summary\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n\
             <svg onload=alert(1)></svg>\n\n[a](javascript:alert(1)) [b](jav&#x61;script:alert(1)) \
             [c](data:text/html;base64,PHNjcmlwdD4=) [d](vbscript:msgbox) ![e](data:image/svg+xml,x)\n\n\
             ```\"><script>alert(1)</script>\ncode\n```\n\n[fine](https://example.com/x)\n"
        ),
    );
    build(&sandbox, &[]);
    let files = site_files(&sandbox.path().join("site"));
    for (name, text) in &files {
        for tag in tags(text) {
            let lower = tag.to_ascii_lowercase();
            // The one script of the site: the search page's own.
            if name == "search.html" && lower == "<script src=\"search.js\">" {
                continue;
            }
            // The only SVG is the charts `pm` draws, whose text is escaped.
            let chart = lower
                .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"")
                && (name == "stats.html" || name.starts_with("teams/"));
            assert!(
                !lower.starts_with("<script") && (!lower.starts_with("<svg") || chart),
                "{name}: {tag}"
            );
            for attribute in attributes(&lower) {
                assert!(!attribute.starts_with("on"), "{name}: {tag}");
            }
            for url in attribute_values(&lower, "href")
                .into_iter()
                .chain(attribute_values(&lower, "src"))
            {
                assert!(
                    !["javascript:", "data:", "vbscript:"]
                        .iter()
                        .any(|s| url.trim().starts_with(s)),
                    "{name}: {tag}"
                );
            }
        }
    }
    let page = &files["postmortems/2026-03-01-hostile.html"];
    assert!(
        page.contains("href=\"https://example.com/x\""),
        "safe links stay"
    );
    assert!(page.contains("&lt;script&gt;"), "raw HTML is shown as text");
}

#[test]
fn the_output_folder_is_replaced_whole_or_not_at_all() {
    let sandbox = Sandbox::example();
    // A folder pm build did not make is not replaced without --force.
    sandbox.write("site/notes.txt", "mine");
    let output = sandbox.pm().arg("build").output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    assert_eq!(sandbox.read("site/notes.txt"), "mine");
    build(&sandbox, &["--force"]);
    assert!(!sandbox.path().join("site/notes.txt").exists());

    // A build that fails (a broken template of the archive's own) leaves the site as it was.
    let before = site_files(&sandbox.path().join("site"));
    // A template that fails while rendering, after pages were written into the new folder.
    sandbox.write(
        "templates/site/group.html",
        "{% extends \"base.html\" %}{% block main %}{{ no_such_variable.field }}{% endblock main %}",
    );
    let output = sandbox.pm().arg("build").output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("group.html"),
        "{}",
        stderr(&output)
    );
    assert_eq!(site_files(&sandbox.path().join("site")), before);
    let leftovers: Vec<_> = fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pm-build"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_same_archive_builds_the_same_bytes() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let first = site_files(&sandbox.path().join("site"));
    build(&sandbox, &[]);
    assert_eq!(site_files(&sandbox.path().join("site")), first);
}

#[test]
fn a_template_of_the_archive_replaces_the_built_in_one() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "templates/site/404.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Lost in the archive</h1>{% endblock main %}",
    );
    build(&sandbox, &[]);
    assert!(
        sandbox
            .read("site/404.html")
            .contains("Lost in the archive")
    );
}

/// The tags of `html`: from each `<` followed by a letter to the next `>`. Text that shows
/// markup is escaped (`&lt;`), so what is found here is markup the browser will read.
fn tags(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            found.push(&rest[..end]);
        }
        rest = &rest[end.max(1)..];
    }
    found
}

/// The attribute names of a tag.
fn attributes(tag: &str) -> Vec<&str> {
    let inner = tag.trim_start_matches('<').trim_end_matches('>');
    let bytes = inner.as_bytes();
    let mut names = Vec::new();
    let mut at = 0;
    // The tag's name first, then `name`, `name=value`, `name="value"`, `name='value'`.
    while at < bytes.len() {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !bytes[at].is_ascii_whitespace() && !b"=/".contains(&bytes[at]) {
            at += 1;
        }
        if at > start {
            names.push(&inner[start..at]);
        }
        if at < bytes.len() && bytes[at] == b'=' {
            at += 1;
            match bytes.get(at) {
                Some(&quote @ (b'"' | b'\'')) => {
                    at += 1;
                    while at < bytes.len() && bytes[at] != quote {
                        at += 1;
                    }
                    at += 1;
                }
                _ => {
                    while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
                        at += 1;
                    }
                }
            }
        } else if at == start {
            at += 1;
        }
    }
    names.into_iter().skip(1).collect()
}

#[test]
fn the_tag_reader_of_these_tests_sees_every_attribute() {
    assert_eq!(
        attributes("<img onerror=x src=\"a b\" alt='c'>"),
        ["onerror", "src", "alt"]
    );
    assert_eq!(
        tags("a &lt;b&gt; <i class=\"x\">y</i>"),
        ["<i class=\"x\">"]
    );
}

#[test]
fn the_archive_itself_is_never_an_output_folder() {
    let sandbox = Sandbox::example();
    let before = sandbox.snapshot();
    for out in [
        ".",
        "postmortems",
        "postmortems/2026",
        "templates/site",
        "..",
    ] {
        let output = sandbox
            .pm()
            .args(["build", "--force", "--out", out])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{out}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("archive's own files"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(sandbox.snapshot(), before, "nothing of the archive changed");
}

#[test]
fn a_public_build_relates_only_published_public_postmortems() {
    let sandbox = Sandbox::example();
    sandbox.write(
        "templates/site/postmortem.html",
        "{% extends \"base.html\" %}{% block main %}[{{ doc.related | join(sep=\",\") }}]{% for r in related %}({{ r.id }}){% endfor %}{% endblock main %}",
    );
    // In the example, a public postmortem relates to an internal one, another to a public one.
    let public = "2026-01-19-order-events-consumer-lag";
    let internal = "2025-12-08-search-shows-stale-prices";
    let both_public = (
        "2025-11-14-duplicate-card-charges",
        "2025-10-21-checkout-latency-after-gateway-deploy",
    );
    let source = sandbox.read(&format!("postmortems/2026/{public}.md"));
    assert!(
        source.contains(&format!("related: [{internal}]")),
        "{source}"
    );
    build(&sandbox, &["--public"]);
    assert!(
        sandbox
            .read(&format!("site/postmortems/{public}.html"))
            .contains("[]")
    );
    let page = sandbox.read(&format!("site/postmortems/{}.html", both_public.0));
    assert!(
        page.contains(&format!("[{id}]({id})", id = both_public.1)),
        "{page}"
    );
    // Without --public every relation stays.
    build(&sandbox, &[]);
    assert!(
        sandbox
            .read(&format!("site/postmortems/{public}.html"))
            .contains(&format!("[{internal}]({internal})"))
    );
}

#[test]
fn the_api_files_hold_every_postmortem_and_every_action_once() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let docs: Value = serde_json::from_str(&sandbox.read("site/api/postmortems.json")).unwrap();
    let actions: Value = serde_json::from_str(&sandbox.read("site/api/actions.json")).unwrap();
    assert_eq!(docs["version"], 1);
    let listed = listed(&sandbox, &[]);
    let ids = |list: &Value, key: &str| -> Vec<String> {
        list[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut expected: Vec<String> = listed
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    let mut found = ids(&docs, "postmortems");
    expected.sort();
    found.sort();
    assert_eq!(found, expected);
    for doc in docs["postmortems"].as_array().unwrap() {
        let href = doc["href"].as_str().unwrap();
        assert!(sandbox.path().join("site").join(href).is_file(), "{href}");
    }
    let archive = postmortems::Archive::open(sandbox.path()).unwrap();
    let mut expected: Vec<String> = archive
        .documents
        .iter()
        .flat_map(|d| (0..d.front.action_items.len()).map(|i| d.action_id(i)))
        .collect();
    let mut found = ids(&actions, "actions");
    expected.sort();
    found.sort();
    assert_eq!(found, expected);
}

#[test]
fn the_feed_and_the_sitemap_are_well_formed_and_name_full_urls() {
    let sandbox = Sandbox::example();
    let base = "https://example.com/pm/";
    build(
        &sandbox,
        &["--public", "--base-url", "https://example.com/pm"],
    );
    let files = site_files(&sandbox.path().join("site"));
    let feed = roxmltree::Document::parse(&files["feed.xml"]).unwrap();
    let entries: Vec<_> = feed
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    let public = listed(&sandbox, &["--status", "published"])
        .into_iter()
        .filter(|d| d["visibility"] == "public")
        .count();
    assert_eq!(entries.len(), public);
    for entry in &entries {
        let link = entry
            .children()
            .find(|n| n.has_tag_name("link"))
            .and_then(|n| n.attribute("href"))
            .unwrap();
        let page = link.strip_prefix(base).unwrap();
        assert!(files.contains_key(page), "{link}");
    }
    let sitemap = roxmltree::Document::parse(&files["sitemap.xml"]).unwrap();
    let urls: BTreeSet<&str> = sitemap
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    let pages: BTreeSet<String> = files
        .keys()
        .filter(|name| {
            Path::new(name).extension().is_some_and(|e| e == "html") && *name != "404.html"
        })
        .map(|name| format!("{base}{name}"))
        .collect();
    assert_eq!(urls, pages.iter().map(String::as_str).collect());
    // Without a base URL: no sitemap, and a feed with links relative to it.
    let config = sandbox.read("pm.yaml");
    let without: Vec<&str> = config
        .lines()
        .filter(|l| !l.starts_with("base_url:"))
        .collect();
    sandbox.write("pm.yaml", without.join("\n") + "\n");
    build(&sandbox, &["--public"]);
    let files = site_files(&sandbox.path().join("site"));
    assert!(!files.contains_key("sitemap.xml"));
    assert!(files["feed.xml"].contains("href=\"postmortems/"));
    let output = sandbox
        .pm()
        .args(["build", "--base-url", "ftp://x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--base-url https://"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_killed_build_leaves_the_previous_site_as_it_was() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let before = site_files(&sandbox.path().join("site"));
    // Enough postmortems that the build takes a while.
    for n in 0..1500 {
        let (text, year) = postmortems::synth::document(n, 7);
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .to_owned();
        sandbox.write(&format!("postmortems/{year}/{id}.md"), text);
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pm"))
        .current_dir(sandbox.path())
        .env("PM_TODAY", crate::sandbox::TODAY)
        .arg("build")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once it has started writing the new site.
    let started = std::time::Instant::now();
    let staging = loop {
        let found = fs::read_dir(sandbox.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".site.pm-build-")
                    && p.join("postmortems").is_dir()
            });
        if let Some(found) = found {
            break found;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        assert!(
            started.elapsed().as_secs() < 120,
            "no build folder appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.is_dir(), "the killed build left its folder");
    assert_eq!(site_files(&sandbox.path().join("site")), before);
    // The next build completes, clears what the killed one left, and, being long, reports
    // its progress on standard error.
    let output = sandbox.pm().arg("build").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("rendered 1000 of "),
        "{}",
        stderr(&output)
    );
    assert!(!staging.exists());
    assert!(
        sandbox
            .path()
            .join("site/postmortems")
            .read_dir()
            .unwrap()
            .count()
            > 1500
    );
}

#[test]
fn one_postmortem_is_counted_in_the_singular() {
    let sandbox = Sandbox::init();
    sandbox.write(
        "postmortems/2026/2026-03-01-one.md",
        "---\nid: 2026-03-01-one\ntitle: One\nstatus: published\nseverity: SEV2\n---\n## Summary\n\nOne.\n",
    );
    let built = build(&sandbox, &[]);
    assert!(
        built.starts_with("built site/ with 1 postmortem: "),
        "{built}"
    );
    let indexed = sandbox.pm().arg("index").output().unwrap();
    assert!(
        stdout(&indexed).starts_with("1 postmortem in the index: 1 indexed"),
        "{}",
        stdout(&indexed)
    );
}

#[test]
fn raw_html_is_text_unless_pm_yaml_allows_it_and_then_sanitized() {
    let sandbox = Sandbox::init();
    sandbox.write(
        "postmortems/2026/2026-03-01-raw.md",
        "---\nid: 2026-03-01-raw\ntitle: Raw HTML\nstatus: published\nvisibility: public\nseverity: SEV2\n---\n\
         ## Summary\n\n<details><summary>Query plan</summary>Seq scan</details>\n\n\
         Press <kbd>Ctrl</kbd>.<script>alert(1)</script><img src=x onerror=alert(1)>\n",
    );
    build(&sandbox, &[]);
    let page = sandbox.read("site/postmortems/2026-03-01-raw.html");
    assert!(page.contains("&lt;details&gt;"), "{page}");
    assert!(!page.contains("<kbd>"), "{page}");

    let config = sandbox.read("pm.yaml");
    sandbox.write("pm.yaml", format!("{config}allow_html: true\n"));
    build(&sandbox, &[]);
    let page = sandbox.read("site/postmortems/2026-03-01-raw.html");
    assert!(
        page.contains("<details><summary>Query plan</summary>"),
        "{page}"
    );
    assert!(page.contains("<kbd>Ctrl</kbd>"), "{page}");
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script>alert"), "{page}");
    assert!(!lower.contains("onerror"), "{page}");
}

/// The `href`s of `html` that lead into `folder/`, in page order, `index.html` left out.
fn links_into<'a>(html: &'a str, folder: &str) -> Vec<&'a str> {
    attribute_values(html, "href")
        .into_iter()
        .filter(|href| href.trim_start_matches("../").starts_with(folder))
        .filter(|href| !href.ends_with("index.html"))
        .collect()
}

#[test]
fn groups_come_in_pm_yaml_order_then_by_name_and_action_teams_get_pages() {
    let sandbox = Sandbox::init();
    let doc = |id: &str, date: &str, extra: &str| {
        sandbox.write(
            &format!("postmortems/{id}.md"),
            format!(
                "---\nid: {id}\ntitle: Incident {id}\ndate: {date}\nstatus: published\nvisibility: public\nseverity: SEV3\nteams: [platform]\n{extra}---\n## Summary\n\nText.\n"
            ),
        );
    };
    doc(
        "2024-05-01-old",
        "2024-05-01",
        "tags: [zeta, alpha]\naction_items:\n  - title: Add an alert\n    team: payments\n    status: open\n  - title: Write a runbook\n    team: sre\n    status: open\n",
    );
    doc("2026-02-01-new", "2026-02-01", "tags: [middle]\n");
    build(&sandbox, &[]);
    let site = sandbox.path().join("site");
    let read = |page: &str| fs::read_to_string(site.join(page)).unwrap();

    // Teams of pm.yaml in its order (payments before platform, though only platform has
    // postmortems), then a team only an action item names.
    assert_eq!(
        links_into(&read("teams/index.html"), "teams/"),
        [
            "../teams/payments.html",
            "../teams/platform.html",
            "../teams/sre.html"
        ]
    );
    for (team, action) in [
        ("payments", "2024-05-01-old#1"),
        ("sre", "2024-05-01-old#2"),
    ] {
        let page = read(&format!("teams/{team}.html"));
        assert_eq!(attribute_values(&page, "data-action"), [action], "{team}");
        assert!(linked_documents(&page[page.find("id=\"docs\"").unwrap()..]).is_empty());
    }
    // Tags by name, years newest first.
    assert_eq!(
        links_into(&read("tags/index.html"), "tags/"),
        [
            "../tags/alpha.html",
            "../tags/middle.html",
            "../tags/zeta.html"
        ]
    );
    assert_eq!(
        links_into(&read("years/index.html"), "years/"),
        ["../years/2026.html", "../years/2024.html"]
    );
}

/// Every inline `<svg>…</svg>` of a page.
fn charts(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("a closed svg") + start + "</svg>".len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// Parses `svg` as XML and checks it is an accessible image with no script; returns the texts
/// of its `<title>` elements below the top one (the figures of its marks).
fn chart_titles(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let labelled = root.attribute("aria-labelledby").unwrap();
    for id in labelled.split(' ') {
        assert!(
            root.descendants().any(|n| n.attribute("id") == Some(id)),
            "{id} labels nothing"
        );
    }
    for node in root.descendants().filter(roxmltree::Node::is_element) {
        assert_ne!(node.tag_name().name(), "script", "{svg}");
        assert_ne!(node.tag_name().name(), "foreignObject", "{svg}");
        for attribute in node.attributes() {
            assert!(!attribute.name().starts_with("on"), "{svg}");
        }
    }
    root.descendants()
        .filter(|n| n.has_tag_name("title") && n.parent() != Some(root))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_stats_page_draws_the_archives_figures_as_well_formed_svg() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let files = site_files(&sandbox.path().join("site"));
    let docs = listed(&sandbox, &[]);
    let stats = &files["stats.html"];
    assert!(
        stats.contains("<a href=\"stats.html\">Stats</a>"),
        "in the navigation"
    );
    let svgs = charts(stats);
    assert_eq!(
        svgs.len(),
        4,
        "per month, time to resolve, triggers, follow-through"
    );

    // Postmortems per month: the bars' figures add up to every postmortem (all within 36 months).
    let per_month: usize = chart_titles(svgs[0])
        .iter()
        .map(|t| t.rsplit(' ').nth(1).unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(per_month, docs.len());

    // Time to resolve: one dot per postmortem that has one, and a median per severity with any.
    let titles = chart_titles(svgs[1]);
    let resolved = docs
        .iter()
        .filter(|d| !d["time_to_resolve_minutes"].is_null())
        .count();
    let medians = titles.iter().filter(|t| t.contains(" median: ")).count();
    assert_eq!(titles.len() - medians, resolved);
    let severities: BTreeSet<&str> = docs
        .iter()
        .filter(|d| !d["time_to_resolve_minutes"].is_null())
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert_eq!(medians, severities.len());

    // Top triggers: counted from the documents.
    let mut triggers: BTreeMap<String, usize> = BTreeMap::new();
    for d in &docs {
        *triggers
            .entry(d["trigger"].as_str().unwrap_or("none").to_owned())
            .or_default() += 1;
    }
    for title in chart_titles(svgs[2]) {
        let (trigger, count) = title.rsplit_once(": ").unwrap();
        assert_eq!(
            triggers[trigger],
            count.parse::<usize>().unwrap(),
            "{title}"
        );
    }

    // Follow-through: the segments hold every action once.
    let actions = listed_actions(&files);
    let segments = follow_through_segments(svgs[3]);
    assert_eq!(segments, actions.len());
    assert!(!stats.contains("<script"));
}

#[test]
fn team_pages_have_small_charts_and_say_when_actions_are_overdue() {
    let sandbox = Sandbox::example();
    build(&sandbox, &[]);
    let files = site_files(&sandbox.path().join("site"));
    let page = &files["teams/platform.html"];
    let svgs = charts(page);
    assert_eq!(svgs.len(), 3);
    // Its follow-through: the actions it owns.
    let owned = listed_actions(&files)
        .into_iter()
        .filter(|a| a["team"]["id"] == "platform")
        .count();
    let segments = follow_through_segments(svgs[2]);
    assert_eq!(segments, owned);
    assert!(
        page.contains("class=\"alert\""),
        "platform has overdue actions"
    );
    // Services and tags get no charts.
    assert!(charts(&files["services/dns.html"]).is_empty());
}

#[test]
fn a_public_stats_page_counts_only_public_postmortems() {
    let sandbox = Sandbox::example();
    build(&sandbox, &["--public"]);
    let files = site_files(&sandbox.path().join("site"));
    let public = listed(&sandbox, &["--status", "published"])
        .into_iter()
        .filter(|d| d["visibility"] == "public")
        .count();
    let svgs = charts(&files["stats.html"]);
    let per_month: usize = chart_titles(svgs[0])
        .iter()
        .map(|t| t.rsplit(' ').nth(1).unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(per_month, public);
    assert!(files["stats.html"].contains(&format!("<p>{public} postmortems.")));
}

/// How many actions the segments of a follow-through chart count (titles `Team: 3 done`).
fn follow_through_segments(svg: &str) -> usize {
    chart_titles(svg)
        .iter()
        .map(|t| {
            let (_, count) = t.rsplit_once(": ").unwrap();
            count.split(' ').next().unwrap().parse::<usize>().unwrap()
        })
        .sum()
}

fn listed_actions(files: &BTreeMap<String, String>) -> Vec<Value> {
    serde_json::from_str::<Value>(&files["api/actions.json"]).unwrap()["actions"]
        .as_array()
        .unwrap()
        .clone()
}
