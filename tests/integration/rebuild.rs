//! `pm build` again over a site it made: pages whose inputs did not change are kept, every
//! other page is rendered again, and the result is byte for byte what a build from scratch
//! gives.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::sandbox::{Sandbox, files_under, stderr, stdout};

/// Builds the site of `sandbox` into `out` (relative to it); asserts success and returns what
/// `pm` printed.
fn build_into(sandbox: &Sandbox, out: &str, extra: &[&str]) -> String {
    let output = sandbox
        .pm()
        .args(["build", "--out", out])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
}

/// How many files the build that printed `out` kept from the previous one.
fn kept(out: &str) -> usize {
    out.split(", ")
        .find_map(|part| part.strip_suffix(" unchanged files kept\n"))
        .or_else(|| out.contains(", 1 unchanged file kept").then_some("1"))
        .map_or(0, |n| n.parse().unwrap())
}

/// Every file of the site at `dir` with its bytes, but the marker file (which lists the files
/// with their times).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = files_under(dir);
    files.remove(".pm-site");
    files
}

/// Rebuilds `site/` and builds a fresh site beside it; asserts that both hold the same files
/// with the same bytes, and returns how many files the rebuild kept.
fn rebuild_matches_a_fresh_build(sandbox: &Sandbox, extra: &[&str]) -> usize {
    let out = build_into(sandbox, "site", extra);
    let fresh = sandbox.path().join("fresh");
    let _ = fs::remove_dir_all(&fresh);
    let fresh_out = build_into(sandbox, "fresh", extra);
    assert_eq!(kept(&fresh_out), 0, "{fresh_out}");
    let (rebuilt, fresh) = (files(&sandbox.path().join("site")), files(&fresh));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        assert!(
            rebuilt[path] == *bytes,
            "{path} differs from a fresh build:\n{}",
            String::from_utf8_lossy(&rebuilt[path])
        );
    }
    kept(&out)
}

/// How many files of the site at `dir` a build may keep: pages and files for programs, not the
/// assets and the search index, which every build writes.
fn keepable(dir: &Path) -> usize {
    files(dir)
        .keys()
        .filter(|p| !p.starts_with("search/") && !matches!(p.as_str(), "style.css" | "search.js"))
        .count()
}

/// The inode of a file: a kept page is the previous build's file, linked.
#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().ino()
}

const EDITED: &str = "postmortems/2025/2025-09-03-dns-resolver-saturation.md";
const EDITED_PAGE: &str = "site/postmortems/2025-09-03-dns-resolver-saturation.html";
const OTHER_PAGE: &str = "site/postmortems/2026-02-02-expired-certificate-api-gateway.html";

#[test]
fn a_rebuild_without_changes_keeps_every_page() {
    let sandbox = Sandbox::example();
    let first = build_into(&sandbox, "site", &[]);
    assert_eq!(kept(&first), 0, "{first}");
    let pages = keepable(&sandbox.path().join("site"));
    assert_eq!(rebuild_matches_a_fresh_build(&sandbox, &[]), pages);
}

#[cfg(unix)]
#[test]
fn editing_a_body_renders_that_page_again_and_keeps_the_others() {
    let sandbox = Sandbox::example();
    build_into(&sandbox, "site", &[]);
    let (edited, other) = (
        inode(&sandbox.path().join(EDITED_PAGE)),
        inode(&sandbox.path().join(OTHER_PAGE)),
    );
    let text = sandbox.read(EDITED);
    sandbox.write(
        EDITED,
        format!("{text}\nA paragraph added after review: resolvers now alert at 70%.\n"),
    );
    let kept = rebuild_matches_a_fresh_build(&sandbox, &[]);
    assert!(
        sandbox
            .read(EDITED_PAGE)
            .contains("resolvers now alert at 70%")
    );
    assert_ne!(inode(&sandbox.path().join(EDITED_PAGE)), edited);
    assert_eq!(inode(&sandbox.path().join(OTHER_PAGE)), other, "kept");
    // Only the body changed: no list shows it, so the postmortem's page is the only one made.
    assert_eq!(kept, keepable(&sandbox.path().join("fresh")) - 1);
}

#[test]
fn every_kind_of_change_reaches_every_page_it_shows_on() {
    let sandbox = Sandbox::example();
    build_into(&sandbox, "site", &[]);
    // The title: on its page, its groups' pages, lists, related pages, the feed, the API.
    let text = sandbox.read(EDITED);
    sandbox.write(EDITED, text.replacen("\ntitle: ", "\ntitle: Renamed - ", 1));
    assert!(sandbox.read(EDITED).contains("title: Renamed - API errors"));
    rebuild_matches_a_fresh_build(&sandbox, &[]);
    assert!(
        sandbox
            .read("site/years/2025.html")
            .contains("Renamed - API errors")
    );
    // Its visibility: a badge in every list of postmortems, which no action shows.
    let text = sandbox.read(EDITED);
    sandbox.write(
        EDITED,
        text.replacen("\nvisibility: public", "\nvisibility: internal", 1),
    );
    assert_ne!(sandbox.read(EDITED), text);
    rebuild_matches_a_fresh_build(&sandbox, &[]);

    // An action's status: the board, the team's page, the home page, the API.
    let output = sandbox
        .pm()
        .args([
            "actions",
            "set",
            "2025-09-03-dns-resolver-saturation#1",
            "--status",
            "wont-do",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    rebuild_matches_a_fresh_build(&sandbox, &[]);

    // A new postmortem: counts, groups, years, search; then it goes again.
    let output = sandbox
        .pm()
        .args([
            "new",
            "Queue backlog after a broker restart",
            "--severity",
            "SEV2",
            "--team",
            "payments",
            "--date",
            "2026-11-02",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    rebuild_matches_a_fresh_build(&sandbox, &[]);
    let added = fs::read_dir(sandbox.path().join("postmortems/2026"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("queue-backlog"))
        .expect("pm new wrote the postmortem");
    fs::remove_file(added).unwrap();
    rebuild_matches_a_fresh_build(&sandbox, &[]);

    // pm.yaml (a team's display name) and a template: every page is made again.
    let config = sandbox.read("pm.yaml");
    sandbox.write(
        "pm.yaml",
        config.replacen("name: Payments,", "name: Payments and billing,", 1),
    );
    assert_ne!(
        sandbox.read("pm.yaml"),
        config,
        "the example names the team"
    );
    assert_eq!(rebuild_matches_a_fresh_build(&sandbox, &[]), 0);
    sandbox.write(
        "templates/site/404.html",
        "{% extends \"base.html\" %}{% block main %}<h1>Lost</h1>{% endblock main %}",
    );
    assert_eq!(rebuild_matches_a_fresh_build(&sandbox, &[]), 0);
}

#[test]
fn the_public_edition_never_keeps_pages_of_the_full_one() {
    let sandbox = Sandbox::example();
    build_into(&sandbox, "site", &[]);
    let out = build_into(&sandbox, "site", &["--public"]);
    assert_eq!(kept(&out), 0, "{out}");
    // And back: the public pages are not taken for the full edition's.
    let out = build_into(&sandbox, "site", &[]);
    assert_eq!(kept(&out), 0, "{out}");
    assert_eq!(
        rebuild_matches_a_fresh_build(&sandbox, &["--public"]),
        0,
        "the edition changed again"
    );
    assert!(rebuild_matches_a_fresh_build(&sandbox, &["--public"]) > 0);
}

#[test]
fn a_page_edited_in_the_site_folder_is_made_again() {
    let sandbox = Sandbox::example();
    build_into(&sandbox, "site", &[]);
    let page = sandbox.path().join(OTHER_PAGE);
    let html = fs::read_to_string(&page).unwrap();
    fs::write(&page, format!("{html}<!-- edited by hand -->")).unwrap();
    rebuild_matches_a_fresh_build(&sandbox, &[]);
    assert_eq!(fs::read_to_string(&page).unwrap(), html);
}

#[test]
fn a_page_that_cannot_be_linked_is_rendered() {
    // A page gone from the site folder cannot be linked, as no page can be on a file system
    // without hard links: it is rendered, and the others are still kept.
    let sandbox = Sandbox::example();
    build_into(&sandbox, "site", &[]);
    let page = sandbox.path().join(OTHER_PAGE);
    let html = fs::read_to_string(&page).unwrap();
    fs::remove_file(&page).unwrap();
    let kept = rebuild_matches_a_fresh_build(&sandbox, &[]);
    assert_eq!(fs::read_to_string(&page).unwrap(), html);
    assert_eq!(kept, keepable(&sandbox.path().join("site")) - 1);
}

#[test]
fn a_damaged_list_of_pages_means_a_full_build() {
    let sandbox = Sandbox::example();
    build_into(&sandbox, "site", &[]);
    let marker = sandbox.path().join("site/.pm-site");
    let text = fs::read_to_string(&marker).unwrap();
    assert!(text.lines().count() > 10, "{text}");
    // A line cut short, as a full disk would leave it.
    fs::write(&marker, &text[..text.len() - 20]).unwrap();
    assert_eq!(rebuild_matches_a_fresh_build(&sandbox, &[]), 0);
    // The marker alone still marks the folder as the site's, and lists the pages again.
    fs::write(&marker, text.lines().next().unwrap()).unwrap();
    assert_eq!(rebuild_matches_a_fresh_build(&sandbox, &[]), 0);
    assert!(rebuild_matches_a_fresh_build(&sandbox, &[]) > 0);
}
