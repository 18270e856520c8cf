//! The site's search index: files under `search/` that `search.js` reads in the browser, with
//! no server, so the archive can be searched from `file://` as well as from any host.
//!
//! Every file is a script calling `pmSearch(kind, number, data)`: a page opened from disk may
//! not `fetch()` files beside it, but it may load them with `<script src>`. The browser first
//! loads `search/index.js`, then only the parts of the index a query needs:
//!
//! - `search/index.js` (kind `"i"`): the number of postmortems, how many are in each chunk of
//!   `d/`, the first term of every shard of `t/`, and the teams, services, severities and
//!   years to filter by.
//! - `search/t/N.js` (kind `"t"`): a shard of the terms, in order (UTF-16 order, which is how
//!   JavaScript compares strings), each with the postmortems that hold it. A shard holds about
//!   [`SHARD_BYTES`] of terms and postings; a term with more postings than that is alone in its
//!   shard. Filters are terms too: `!team:ID`, `!service:ID`, `!severity:ID`, `!year:YYYY`.
//! - `search/d/N.js` (kind `"d"`): postmortems `N × chunk` onwards, for showing results: page,
//!   title, date, severity, teams and summary.
//!
//! Postmortems are numbered in the order of the site, newest first. A term's postings are
//! the gaps between those numbers written as variable-length base-32 digits (see [`DIGITS`]);
//! for words, each number carries two bits saying where the word occurs (title, or summary
//! and other metadata), which the browser ranks by.
//!
//! Terms are made by the analyzers of [`crate::search::tokenizer`], the ones the tantivy index
//! uses: each word as written, lower-cased and folded to ASCII (not stemmed: the browser
//! matches prefixes, so `timeout` finds `timeouts`), and each identifier (`us-east-1`,
//! `ORA-00600`, `10.42.7.19`) whole as well as in parts. `search.js` cuts queries the same way.
//! Only the postmortems the site shows reach the index, and the same archive always gives the
//! same bytes.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

use chrono::Datelike;
use serde::Serialize;

use crate::archive::Config;
use crate::markdown;
use crate::model::Postmortem;
use crate::search::tokenizer;

/// The folder of the index inside the site.
pub const DIR: &str = "search";
/// The format of the files, which `search.js` checks.
pub const VERSION: u32 = 1;
/// About how many bytes a shard of terms holds: a query fetches a few shards.
pub const SHARD_BYTES: usize = 16 * 1024;
/// Postmortems per file of `d/`: a page of results loads a few of them.
pub const DOCS_PER_CHUNK: usize = 8;
/// Terms are cut to this many characters (`search.js` cuts query words the same way), so a
/// long token (a URL, a hash) costs little and is still found by its beginning.
pub const MAX_TERM_CHARS: usize = 64;
/// Characters of the body shown for a postmortem without a summary.
const EXCERPT_CHARS: usize = 240;
/// The digits of postings: the first 32 end a number, the last 32 carry on to the next digit.
/// None needs escaping in a JavaScript string.
pub const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
/// The word occurs in the title.
const IN_TITLE: u32 = 2;
/// The word occurs in the summary, tags, teams, services or follow-up actions.
const IN_META: u32 = 1;
/// Fewer postmortems than this are analysed by one thread.
const DOCS_PER_THREAD: usize = 250;

/// The files of the search index for `docs`, the postmortems the site shows, newest first,
/// each with its page (`postmortems/NAME.html`, as [`super::plan::Site::docs`] has them): the
/// path inside the site (`search/...`) and the bytes.
pub fn files(docs: &[(&Postmortem, String)], config: &Config) -> Vec<(String, Vec<u8>)> {
    let facets = Facets::new(docs.iter().map(|(doc, _)| *doc), config);
    let analysed = analyse(docs, config);
    let mut filters = Terms::default();
    for (n, (doc, _)) in docs.iter().enumerate() {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        for key in filter_terms(doc) {
            filters.add(&key, n, 0);
        }
    }
    let terms = sorted_terms(analysed.terms, filters);
    let shards = shards(&terms);

    let mut files = Vec::with_capacity(shards.len() + docs.len() / DOCS_PER_CHUNK + 2);
    for (n, shard) in shards.iter().enumerate() {
        let flat: Vec<&str> = terms[shard.clone()]
            .iter()
            .flat_map(|(term, postings)| [term.as_str(), postings.as_str()])
            .collect();
        files.push((format!("{DIR}/t/{n}.js"), script("t", n, &flat)));
    }
    for (n, chunk) in docs.chunks(DOCS_PER_CHUNK).enumerate() {
        let entries: Vec<DocEntry<'_>> = chunk
            .iter()
            .enumerate()
            .map(|(i, (doc, page))| {
                let f = &doc.front;
                DocEntry(
                    page,
                    &f.title,
                    doc.date.to_string(),
                    facets.severity_index(&f.severity),
                    f.teams
                        .iter()
                        .filter_map(|t| facets.team_index(t))
                        .collect(),
                    analysed.summaries[n * DOCS_PER_CHUNK + i].as_str(),
                )
            })
            .collect();
        files.push((format!("{DIR}/d/{n}.js"), script("d", n, &entries)));
    }
    // The stamp names this set of files: `search.js` asks for them with it, so that a browser
    // never mixes a shard it cached from an earlier build with this build's directory.
    let mut hasher = DefaultHasher::new();
    for (path, bytes) in &files {
        path.hash(&mut hasher);
        bytes.hash(&mut hasher);
    }
    let directory = Directory {
        version: VERSION,
        stamp: format!("{:016x}", hasher.finish()),
        documents: docs.len(),
        chunk: DOCS_PER_CHUNK,
        shards: shards.iter().map(|s| terms[s.start].0.as_str()).collect(),
        teams: &facets.teams,
        services: &facets.services,
        severities: &facets.severities,
        years: &facets.years,
    };
    files.insert(0, (format!("{DIR}/index.js"), script("i", 0, &directory)));
    files
}

/// `search/index.js`.
#[derive(Serialize)]
struct Directory<'a> {
    version: u32,
    /// A hash of every other file of the index: they are loaded as `t/N.js?v=STAMP`.
    stamp: String,
    documents: usize,
    chunk: usize,
    shards: Vec<&'a str>,
    /// `[id, name]`, in the order of `pm.yaml`, then those only documents name.
    teams: &'a [(String, String)],
    /// `[id, name]`, likewise.
    services: &'a [(String, String)],
    /// `[id, rank]`: the rank is the position in `pm.yaml` (1 = most severe), for styling.
    severities: &'a [(String, usize)],
    /// Newest first.
    years: &'a [String],
}

/// A postmortem in `search/d/N.js`: page, title, date, severity (index into the directory's
/// severities), teams (indexes into its teams), summary.
#[derive(Serialize)]
struct DocEntry<'a>(&'a str, &'a str, String, usize, Vec<usize>, &'a str);

/// The values a search can be narrowed by, as the directory lists them.
#[derive(Debug, Default)]
struct Facets {
    teams: Vec<(String, String)>,
    services: Vec<(String, String)>,
    severities: Vec<(String, usize)>,
    years: Vec<String>,
}

impl Facets {
    /// The teams, services, severities and years of `docs` (only theirs: a public site names
    /// nothing else), each kind in the order of `pm.yaml`, then sorted.
    fn new<'d>(docs: impl Iterator<Item = &'d Postmortem>, config: &Config) -> Facets {
        let mut teams = BTreeSet::new();
        let mut services = BTreeSet::new();
        let mut severities = BTreeSet::new();
        let mut years = BTreeSet::new();
        for doc in docs {
            teams.extend(doc.front.teams.iter().map(String::as_str));
            services.extend(doc.front.services.iter().map(String::as_str));
            severities.insert(doc.front.severity.as_str());
            years.insert(doc.date.year());
        }
        let ordered = |used: &BTreeSet<&str>, known: Vec<&str>| -> Vec<String> {
            let mut ids: Vec<String> = known
                .into_iter()
                .filter(|id| used.contains(id))
                .map(str::to_owned)
                .collect();
            let extra: Vec<String> = used
                .iter()
                .filter(|id| !ids.iter().any(|known| known == *id))
                .map(|id| (*id).to_owned())
                .collect();
            ids.extend(extra);
            ids
        };
        // Each id with its name in pm.yaml, or itself.
        let named = |ids: Vec<String>, name: &dyn Fn(&str) -> Option<String>| {
            ids.into_iter()
                .map(|id| {
                    let name = name(&id).unwrap_or_else(|| id.clone());
                    (id, name)
                })
                .collect()
        };
        let known_severities = config.severities.iter().map(|s| s.id.as_str()).collect();
        Facets {
            teams: named(
                ordered(&teams, config.teams.iter().map(|t| t.id.as_str()).collect()),
                &|id| config.team(id).map(|t| t.name.clone()),
            ),
            services: named(
                ordered(
                    &services,
                    config.services.iter().map(|s| s.id.as_str()).collect(),
                ),
                &|id| config.service(id).map(|s| s.name.clone()),
            ),
            severities: ordered(&severities, known_severities)
                .into_iter()
                .map(|id| {
                    let rank = config.severity_rank(&id);
                    (id, rank)
                })
                .collect(),
            years: years.iter().rev().map(i32::to_string).collect(),
        }
    }

    fn team_index(&self, id: &str) -> Option<usize> {
        self.teams.iter().position(|(t, _)| t == id)
    }

    fn severity_index(&self, id: &str) -> usize {
        self.severities
            .iter()
            .position(|(s, _)| s == id)
            .unwrap_or_default()
    }
}

/// The filter terms of `doc`.
fn filter_terms(doc: &Postmortem) -> Vec<String> {
    let f = &doc.front;
    let mut keys: Vec<String> = f.teams.iter().map(|t| format!("!team:{t}")).collect();
    keys.extend(f.services.iter().map(|s| format!("!service:{s}")));
    keys.push(format!("!severity:{}", f.severity));
    keys.push(format!("!year:{}", doc.date.year()));
    keys
}

/// Terms and their postings, each term numbered in the order it was first met.
#[derive(Debug, Default)]
struct Terms {
    numbers: HashMap<String, usize, BuildHasherDefault<TermHasher>>,
    /// By term number: `document << 2 | places`, documents ascending.
    postings: Vec<Vec<u32>>,
}

impl Terms {
    /// Notes that document `n` holds `term` in `places`.
    fn add(&mut self, term: &str, n: u32, places: u32) {
        let number = self.number(term);
        self.mark(number, n, places);
    }

    /// The number of `term`, given now if it has none.
    fn number(&mut self, term: &str) -> usize {
        if let Some(&number) = self.numbers.get(term) {
            return number;
        }
        self.numbers.insert(term.to_owned(), self.postings.len());
        self.postings.push(Vec::new());
        self.postings.len() - 1
    }

    /// Notes that document `n` holds term `number` in `places`; `n` is never below the last.
    fn mark(&mut self, number: usize, n: u32, places: u32) {
        let postings = &mut self.postings[number];
        match postings.last_mut() {
            Some(last) if *last >> 2 == n => *last |= places,
            _ => postings.push(n << 2 | places),
        }
    }

    /// `other`'s postings after this one's: `other` holds later documents.
    fn append(&mut self, other: Terms) {
        let mut postings: Vec<Option<Vec<u32>>> = other.postings.into_iter().map(Some).collect();
        for (term, number) in other.numbers {
            let more = postings[number].take().unwrap_or_default();
            if let Some(&mine) = self.numbers.get(&term) {
                self.postings[mine].extend(more);
            } else {
                self.numbers.insert(term, self.postings.len());
                self.postings.push(more);
            }
        }
    }

    /// Each term with its postings.
    fn into_pairs(self) -> Vec<(String, Vec<u32>)> {
        let mut postings: Vec<Option<Vec<u32>>> = self.postings.into_iter().map(Some).collect();
        self.numbers
            .into_iter()
            .map(|(term, number)| (term, postings[number].take().unwrap_or_default()))
            .collect()
    }
}

/// A fast hash for short words (the multiply-rotate of rustc's `FxHasher`, eight bytes at a
/// time): the index hashes every word of the archive, and needs no protection against
/// chosen keys.
#[derive(Default, Clone, Copy)]
struct TermHasher(u64);

impl TermHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for TermHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(last));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What analysing the documents gives.
#[derive(Debug, Default)]
struct Analysed {
    terms: Terms,
    /// Each document's summary, or the start of its body.
    summaries: Vec<String>,
}

/// The terms of `docs` and their summaries, analysed on every core: each thread takes a run
/// of documents, and the runs are joined in order, so postings stay ascending.
fn analyse(docs: &[(&Postmortem, String)], config: &Config) -> Analysed {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = docs.len().div_ceil(threads).max(DOCS_PER_THREAD);
    let parts: Vec<Analysed> = std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| scope.spawn(move || analyse_run(part, i * chunk, config)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for part in parts {
        all.terms.append(part.terms);
        all.summaries.extend(part.summaries);
    }
    all
}

/// The terms and summaries of `docs`, numbered from `first`.
fn analyse_run(docs: &[(&Postmortem, String)], first: usize, config: &Config) -> Analysed {
    let mut analyser = Analyser::new();
    let mut out = Analysed::default();
    for (i, (doc, _)) in docs.iter().enumerate() {
        let f = &doc.front;
        let n = u32::try_from(first + i).unwrap_or(u32::MAX);
        let mut add = |text: &str, places: u32| analyser.add(&mut out.terms, text, n, places);
        add(&f.title, IN_TITLE);
        if let Some(summary) = &f.summary {
            add(summary, IN_META);
        }
        for tag in &f.tags {
            add(tag, IN_META);
        }
        for team in &f.teams {
            add(team, IN_META);
            if let Some(team) = config.team(team) {
                add(&team.name, IN_META);
            }
        }
        for service in &f.services {
            add(service, IN_META);
            if let Some(service) = config.service(service) {
                add(&service.name, IN_META);
            }
        }
        for action in &f.action_items {
            add(&action.title, IN_META);
        }
        let body = markdown::plain_sections(&doc.body);
        add(&body.text, 0);
        out.summaries.push(match &f.summary {
            Some(summary) => one_line(summary),
            None => excerpt(&body.without_headings()),
        });
    }
    out
}

/// The analyzers of the tantivy index that make the site's terms: words as written (`name`)
/// and identifiers whole (`pm_ident`).
///
/// Neither analyzer makes a term across ASCII whitespace, so a text's terms are those of its
/// whitespace-separated pieces; each distinct piece is analysed once and its term numbers
/// remembered, which makes indexing several times faster than analysing every word anew.
struct Analyser {
    terms: tokenizer::SiteTerms,
    pieces: HashMap<String, Vec<usize>, BuildHasherDefault<TermHasher>>,
}

/// Pieces remembered before the memory starts over, to bound it.
const MAX_PIECES: usize = 200_000;

impl Analyser {
    fn new() -> Analyser {
        Analyser {
            terms: tokenizer::SiteTerms::default(),
            pieces: HashMap::default(),
        }
    }

    /// Adds the terms of `text` in document `n` to `terms`, in `places`.
    fn add(&mut self, terms: &mut Terms, text: &str, n: u32, places: u32) {
        for piece in text.split_ascii_whitespace() {
            if let Some(numbers) = self.pieces.get(piece) {
                for &number in numbers {
                    terms.mark(number, n, places);
                }
                continue;
            }
            let mut numbers = Vec::new();
            self.terms.each(piece, |term| {
                // Bytes first: a term of no more bytes has no more characters.
                let term = if term.len() > MAX_TERM_CHARS
                    && let Some((cut, _)) = term.char_indices().nth(MAX_TERM_CHARS)
                {
                    &term[..cut]
                } else {
                    term
                };
                numbers.push(terms.number(term));
            });
            for &number in &numbers {
                terms.mark(number, n, places);
            }
            if self.pieces.len() >= MAX_PIECES {
                self.pieces.clear();
            }
            self.pieces.insert(piece.to_owned(), numbers);
        }
    }
}

/// `text` on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The start of `body`, on one line, cut at a word with `…`.
fn excerpt(body: &str) -> String {
    let line = one_line(body);
    match line.char_indices().nth(EXCERPT_CHARS) {
        None => line,
        Some((cut, _)) => {
            let cut = line[..cut].rfind(' ').unwrap_or(cut);
            format!("{}…", &line[..cut])
        }
    }
}

/// The terms with their postings encoded, in the order JavaScript compares strings.
fn sorted_terms(words: Terms, filters: Terms) -> Vec<(String, String)> {
    let mut terms: Vec<(String, String)> = words
        .into_pairs()
        .into_iter()
        .map(|(term, postings)| {
            let encoded = encode(&postings, true);
            (term, encoded)
        })
        .chain(filters.into_pairs().into_iter().map(|(term, postings)| {
            let numbers: Vec<u32> = postings.iter().map(|p| p >> 2).collect();
            let encoded = encode(&numbers, false);
            (term, encoded)
        }))
        .collect();
    terms.sort_unstable_by(|(a, _), (b, _)| utf16_order(a, b));
    terms
}

/// How JavaScript orders two strings: by UTF-16 code units. That is the order of bytes, but
/// for characters above U+FFFF against those from U+E000 to U+FFFF.
fn utf16_order(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Postings as text: the gap before each number (the number less the previous one, less
/// one), and with `places` the number's two low bits (where the word occurs) below it, in
/// base 32, lowest digit first, every digit but the last of a number taken from the upper
/// half of [`DIGITS`].
fn encode(postings: &[u32], places: bool) -> String {
    let mut out = String::with_capacity(postings.len() + 8);
    let mut next = 0u32;
    for &posting in postings {
        let (n, low) = if places {
            (posting >> 2, posting & 3)
        } else {
            (posting, 0)
        };
        let gap = n - next;
        next = n + 1;
        let mut value = if places {
            u64::from(gap) << 2 | u64::from(low)
        } else {
            u64::from(gap)
        };
        let digit = |value: u64| usize::try_from(value % 32).unwrap_or_default();
        while value >= 32 {
            out.push(char::from(DIGITS[32 + digit(value)]));
            value >>= 5;
        }
        out.push(char::from(DIGITS[digit(value)]));
    }
    out
}

/// The shards: ranges of `terms`, each of about [`SHARD_BYTES`] at most.
fn shards(terms: &[(String, String)]) -> Vec<std::ops::Range<usize>> {
    let mut shards = Vec::new();
    let mut start = 0;
    let mut size = 0;
    for (i, (term, postings)) in terms.iter().enumerate() {
        // Two quoted strings and two commas.
        let entry = term.len() + postings.len() + 6;
        if i > start && size + entry > SHARD_BYTES {
            shards.push(start..i);
            start = i;
            size = 0;
        }
        size += entry;
    }
    if start < terms.len() {
        shards.push(start..terms.len());
    }
    shards
}

/// `pmSearch("KIND",N,DATA);` with `data` as compact JSON. `<`, `>` and `&` are written as
/// `\u` escapes, so no document text reads as markup even where a browser sniffs the file as
/// HTML, and so are the line and paragraph separators, which older JavaScript refuses in a
/// string.
fn script(kind: &str, n: usize, data: &impl Serialize) -> Vec<u8> {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".to_owned());
    let mut out = format!("pmSearch(\"{kind}\",{n},");
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push_str(");\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::PathBuf;

    /// What `search.js` does with postings.
    fn decode(text: &str, places: bool) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let (mut value, mut shift, mut next) = (0u64, 0u32, 0u32);
        for byte in text.bytes() {
            let digit = u64::try_from(DIGITS.iter().position(|d| *d == byte).expect("a digit"))
                .expect("small");
            if digit >= 32 {
                value |= (digit - 32) << shift;
                shift += 5;
                continue;
            }
            value |= digit << shift;
            let (gap, low) = if places {
                (value >> 2, value & 3)
            } else {
                (value, 0)
            };
            let n = next + u32::try_from(gap).expect("small");
            out.push((n, u32::try_from(low).expect("small")));
            next = n + 1;
            (value, shift) = (0, 0);
        }
        out
    }

    fn doc(id: &str, date: &str, title: &str, body: &str, teams: &[&str]) -> Postmortem {
        let teams = teams.join(", ");
        let text = format!(
            "---\nid: {id}\ntitle: \"{title}\"\nstatus: published\nvisibility: public\nseverity: SEV2\nkind: incident\nteams: [{teams}]\nservices: [checkout-api]\ntags: [database]\nstarted_at: {date}T10:00:00Z\naction_items:\n  - title: Raise max_connections\n    status: open\n---\n{body}\n"
        );
        let path = PathBuf::from(format!("postmortems/{id}.md"));
        let parsed = crate::model::parse(&path, &text, chrono_tz::UTC);
        assert!(parsed.complete, "{:?}", parsed.diagnostics);
        parsed.document.expect("a document")
    }

    fn config() -> Config {
        Config::default()
    }

    /// The files of `docs` by path, and the directory as JSON.
    fn build(docs: &[Postmortem]) -> (Vec<(String, Vec<u8>)>, serde_json::Value) {
        let pages: Vec<(&Postmortem, String)> = docs
            .iter()
            .map(|d| (d, format!("postmortems/{}.html", d.front.id)))
            .collect();
        let files = files(&pages, &config());
        let directory = data(&files[0].1);
        (files, directory)
    }

    /// The data of a `pmSearch(...)` script.
    fn data(bytes: &[u8]) -> serde_json::Value {
        let text = std::str::from_utf8(bytes).expect("UTF-8");
        let start = text.find(['[', '{']).expect("data");
        let end = text.rfind(')').expect("a call");
        serde_json::from_str(&text[start..end]).expect("JSON")
    }

    /// The data of the documents' chunk `n` (`search/d/N.js`).
    fn chunk(files: &[(String, Vec<u8>)], n: usize) -> serde_json::Value {
        let name = format!("search/d/{n}.js");
        data(&files.iter().find(|(p, _)| *p == name).expect("chunk").1)
    }

    /// A term, the shard it is in, and its postings: number and places.
    type Held = (String, usize, Vec<(u32, u32)>);

    /// Every term of every shard with its decoded postings, and the shard it is in.
    fn all_terms(files: &[(String, Vec<u8>)]) -> Vec<Held> {
        let mut out = Vec::new();
        for (path, bytes) in files {
            let Some(n) = path
                .strip_prefix("search/t/")
                .and_then(|p| p.strip_suffix(".js"))
            else {
                continue;
            };
            let n: usize = n.parse().expect("a number");
            let flat = data(bytes);
            for pair in flat.as_array().expect("an array").chunks(2) {
                let term = pair[0].as_str().expect("a term").to_owned();
                let postings = decode(pair[1].as_str().expect("postings"), !term.starts_with('!'));
                out.push((term, n, postings));
            }
        }
        out.sort_by_key(|(_, n, _)| *n);
        out
    }

    fn postings_of(files: &[(String, Vec<u8>)], term: &str) -> Vec<(u32, u32)> {
        all_terms(files)
            .into_iter()
            .find(|(t, ..)| t == term)
            .map(|(.., p)| p)
            .unwrap_or_default()
    }

    /// The shards `search.js` loads for `prefix`: from the last one starting at or before
    /// it, on while the next one starts with it.
    fn shards_for(directory: &serde_json::Value, prefix: &str) -> std::ops::Range<usize> {
        let firsts: Vec<&str> = directory["shards"]
            .as_array()
            .expect("shards")
            .iter()
            .map(|s| s.as_str().expect("a term"))
            .collect();
        let start = firsts
            .iter()
            .rposition(|first| utf16_order(first, prefix) != Ordering::Greater)
            .unwrap_or(0);
        let mut end = start + 1;
        while end < firsts.len() && firsts[end].starts_with(prefix) {
            end += 1;
        }
        start..end
    }

    #[test]
    fn the_stamp_names_the_files_of_one_index() {
        let mut docs = many(20);
        let (_, first) = build(&docs);
        let (_, again) = build(&docs);
        let stamp = first["stamp"].as_str().expect("a stamp");
        assert_eq!(stamp.len(), 16);
        assert_eq!(again["stamp"], stamp, "the same archive, the same stamp");
        docs[3].front.title.push_str(" (edited)");
        let (_, edited) = build(&docs);
        assert_ne!(edited["stamp"], stamp, "another index, another stamp");
    }

    fn many(count: usize) -> Vec<Postmortem> {
        (0..count)
            .map(|n| {
                let body = format!(
                    "## Summary\n\nTimeouts from db-{n}.internal in us-east-1 after deploy {n}; word{n} and w{} appeared.\n",
                    n * 7919 % 1000
                );
                doc(
                    &format!("2024-01-01-incident-{n:05}"),
                    "2024-01-01",
                    &format!("Incident {n}"),
                    &body,
                    &["checkout"],
                )
            })
            .collect()
    }

    #[test]
    fn postings_round_trip() {
        for places in [false, true] {
            let postings: Vec<u32> = [0u32, 1, 2, 40, 41, 1000, 70_000, 70_001]
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if places {
                        n << 2 | (u32::try_from(i).expect("small") % 4)
                    } else {
                        *n
                    }
                })
                .collect();
            let decoded = decode(&encode(&postings, places), places);
            let again: Vec<u32> = decoded
                .iter()
                .map(|(n, low)| if places { n << 2 | low } else { *n })
                .collect();
            assert_eq!(again, postings);
        }
        // Neighbours cost one digit each.
        assert_eq!(encode(&[0, 1, 2, 3], false), "0000");
    }

    #[test]
    fn identifiers_are_found_whole_and_in_parts() {
        let docs = [doc(
            "2024-05-01-db",
            "2024-05-01",
            "Replica lag in us-east-1",
            "ORA-00600 on 10.42.7.19 when kube-proxy hit max_connections. Café timeouts.",
            &["platform"],
        )];
        let (files, _) = build(&docs);
        let terms: Vec<String> = all_terms(&files).into_iter().map(|(t, ..)| t).collect();
        for term in [
            "us-east-1",
            "us",
            "east",
            "1",
            "ora-00600",
            "ora",
            "00600",
            "10.42.7.19",
            "10",
            "42",
            "kube-proxy",
            "kube",
            "proxy",
            "max_connections",
            "max",
            "connections",
            "cafe",
            "timeouts",
            "!team:platform",
            "!year:2024",
            "!severity:SEV2",
            "!service:checkout-api",
        ] {
            assert!(terms.iter().any(|t| t == term), "{term} in {terms:?}");
        }
        // Words as written, not stems.
        assert!(!terms.iter().any(|t| t == "timeout"));
        // Where a word occurs.
        assert_eq!(postings_of(&files, "replica"), [(0, IN_TITLE)]);
        assert_eq!(postings_of(&files, "database"), [(0, IN_META)]);
        assert_eq!(postings_of(&files, "max_connections"), [(0, IN_META)]);
        assert_eq!(postings_of(&files, "ora-00600"), [(0, 0)]);
    }

    #[test]
    fn pieces_give_the_terms_of_the_whole_text() {
        let text = "Timeouts\tin us-east-1: ORA-00600 (db-3.internal, 10.42.7.19)\u{a0}max_connections\n\
                    Café—naïve «kube-proxy»… a--b. _x_ ::y:: us-east-1. e.g. ΣΊΣΥΦΟΣ 東京 -9";
        let mut analyser = Analyser::new();
        let mut terms = Terms::default();
        analyser.add(&mut terms, text, 0, 0);
        // Twice, the second time from memory.
        analyser.add(&mut terms, text, 1, 0);
        let mut pieces: Vec<(String, Vec<u32>)> = terms.into_pairs();
        pieces.sort();
        let mut whole: Vec<String> = Vec::new();
        tokenizer::SiteTerms::default().each(text, |t| whole.push(t.to_owned()));
        whole.sort();
        whole.dedup();
        assert!(whole.len() > 20, "{whole:?}");
        assert_eq!(
            pieces.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
            whole
        );
        assert!(pieces.iter().all(|(_, p)| *p == [0, 1 << 2]));
    }

    #[test]
    fn postings_follow_the_order_of_the_site() {
        let docs = many(700);
        let (files, directory) = build(&docs);
        assert_eq!(directory["documents"], 700);
        assert_eq!(directory["version"], VERSION);
        let postings = postings_of(&files, "timeouts");
        assert_eq!(postings.len(), 700);
        assert!(
            postings
                .iter()
                .enumerate()
                .all(|(i, (n, _))| usize::try_from(*n) == Ok(i))
        );
        assert_eq!(postings_of(&files, "word345"), [(345, 0)]);
        assert_eq!(postings_of(&files, "db-345.internal"), [(345, 0)]);
        assert_eq!(postings_of(&files, "!team:checkout").len(), 700);
        // Each chunk of documents in order, with their pages.
        let chunk = chunk(&files, 2);
        assert_eq!(chunk[0][0], "postmortems/2024-01-01-incident-00016.html");
        assert_eq!(chunk[0][1], "Incident 16");
        assert_eq!(chunk[0][2], "2024-01-01");
        assert_eq!(
            files
                .iter()
                .filter(|(p, _)| p.starts_with("search/d/"))
                .count(),
            700_usize.div_ceil(DOCS_PER_CHUNK)
        );
    }

    #[test]
    fn shards_are_bounded_and_in_order() {
        let (files, directory) = build(&many(1000));
        let terms = all_terms(&files);
        let shards = directory["shards"].as_array().expect("shards");
        assert!(shards.len() > 3, "{} shards", shards.len());
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("search/t/")) {
            let held = data(bytes).as_array().expect("terms").len() / 2;
            assert!(
                bytes.len() <= SHARD_BYTES + 64 || held == 1,
                "{path}: {} bytes, {held} terms",
                bytes.len()
            );
        }
        // Sorted across shards, and each shard starts with the term the directory names.
        for pair in terms.windows(2) {
            assert_eq!(utf16_order(&pair[0].0, &pair[1].0), Ordering::Less);
        }
        for (n, first) in shards.iter().enumerate() {
            let first_held = terms.iter().find(|(_, s, _)| *s == n).expect("a term");
            assert_eq!(first_held.0, first.as_str().expect("a term"));
        }
    }

    #[test]
    fn a_prefix_finds_its_terms_in_the_shards_the_directory_points_to() {
        let (files, directory) = build(&many(1000));
        let terms = all_terms(&files);
        for prefix in [
            "word1", "word", "w9", "db-12", "!team:", "timeout", "us-east", "zzz", "0",
        ] {
            let range = shards_for(&directory, prefix);
            let holding: BTreeSet<usize> = terms
                .iter()
                .filter(|(t, ..)| t.starts_with(prefix))
                .map(|(_, n, _)| *n)
                .collect();
            assert!(
                holding.iter().all(|n| range.contains(n)),
                "{prefix}: in {holding:?}, looked in {range:?}"
            );
        }
        // A prefix of many terms spans several shards.
        assert!(shards_for(&directory, "word").len() > 1);
    }

    #[test]
    fn the_same_documents_give_the_same_bytes() {
        let docs = many(600);
        let (first, _) = build(&docs);
        let (second, _) = build(&docs);
        assert_eq!(first, second);
    }

    #[test]
    fn a_query_fetches_little_of_a_large_index() {
        let (files, _) = build(&many(1000));
        let total: usize = files.iter().map(|(_, b)| b.len()).sum();
        let largest = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/t/"))
            .map(|(_, b)| b.len())
            .max()
            .unwrap_or(0);
        let directory = files[0].1.len();
        assert!(largest < 32 * 1024, "largest shard {largest}");
        assert!(directory < 16 * 1024, "directory {directory}");
        assert!(total > 10 * largest, "total {total}");
    }

    #[test]
    fn document_text_never_reads_as_markup() {
        let docs = [doc(
            "2024-05-02-xss",
            "2024-05-02",
            "</script><script>alert(1)</script>",
            // Markup as text: raw HTML in a body gives its text only.
            "`<img src=x onerror=alert(1)>` &",
            &["web"],
        )];
        let (files, _) = build(&docs);
        for (path, bytes) in &files {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            assert!(!text.contains(['<', '>', '\u{2028}']), "{path}: {text}");
        }
        let chunk = chunk(&files, 0);
        assert_eq!(chunk[0][1], "</script><script>alert(1)</script>");
        assert_eq!(
            script("d", 3, &["<\u{2028}"]),
            b"pmSearch(\"d\",3,[\"\\u003c\\u2028\"]);\n"
        );
        // A document without a summary shows the start of its body.
        assert_eq!(chunk[0][5], "<img src=x onerror=alert(1)> &");
    }

    #[test]
    fn a_document_without_a_summary_shows_what_its_sections_say_not_their_headings() {
        let docs = [doc(
            "2024-05-02-disk",
            "2024-05-02",
            "Disk full",
            "## Impact\n\n## Timeline\nAt 09:12 the disk filled.\n",
            &["web"],
        )];
        let (files, _) = build(&docs);
        let chunk = chunk(&files, 0);
        assert_eq!(chunk[0][5], "At 09:12 the disk filled.");
    }

    #[test]
    fn filters_name_only_what_the_documents_name() {
        let docs = [
            doc("2023-02-01-a", "2023-02-01", "A", "a", &["zeta", "alpha"]),
            doc("2024-02-01-b", "2024-02-01", "B", "b", &["alpha"]),
        ];
        let (_, directory) = build(&docs);
        assert_eq!(
            directory["teams"],
            serde_json::json!([["alpha", "alpha"], ["zeta", "zeta"]])
        );
        assert_eq!(directory["years"], serde_json::json!(["2024", "2023"]));
        assert_eq!(directory["severities"], serde_json::json!([["SEV2", 2]]));
    }

    #[test]
    fn an_empty_site_has_only_the_directory() {
        let (files, directory) = build(&[]);
        assert_eq!(files.len(), 1);
        assert_eq!(directory["documents"], 0);
        assert_eq!(directory["shards"], serde_json::json!([]));
    }

    #[test]
    fn long_tokens_are_cut() {
        let long = "x".repeat(200);
        let docs = [doc(
            "2024-05-03-long",
            "2024-05-03",
            "Long",
            &long,
            &["web"],
        )];
        let (files, _) = build(&docs);
        assert!(postings_of(&files, &"x".repeat(MAX_TERM_CHARS)).len() == 1);
        assert!(
            all_terms(&files)
                .iter()
                .all(|(t, ..)| t.chars().count() <= MAX_TERM_CHARS)
        );
        assert!(excerpt(&"word ".repeat(100)).ends_with("word…"));
    }
}
