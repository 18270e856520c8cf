//! Full-text search over the archive: a tantivy index in `.pm/index/`, kept fresh by itself.
//!
//! This is the only module that uses tantivy, so its API changes touch one place. The index is
//! derived data: every search first compares the files with the index's manifest and indexes
//! what was added or changed (and drops what was deleted), so an answer is never stale. An
//! index of another schema version, one that cannot be opened, one whose list of files is
//! lost and one built with another timezone are rebuilt from the files.

mod manifest;
pub mod query;
mod schema;
mod section;
pub mod tokenizer;

use section::SectionQuery;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, MoreLikeThisQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, OwnedValue, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, Searcher,
    TantivyDocument, TantivyError, Term,
};

use crate::archive::{self, Config, Walk};
use crate::error::{Error, Result};
use crate::hash::content_hash;
use crate::markdown;
use crate::model::{Postmortem, Status, Visibility};
use crate::query::Filter;
use manifest::{Changes, Manifest};
pub use query::{Field as QueryField, QueryError};
use schema::Fields;

/// Where the index lives, relative to the archive root.
pub const INDEX_DIR: &str = ".pm/index";
/// Memory the index writer may use, shared by its threads.
const WRITER_HEAP: usize = 96 * 1024 * 1024;
/// How long to wait for another `pm` that is writing the index.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);
/// Fewer documents than this to index are indexed by one thread.
const DOCUMENTS_PER_THREAD: usize = 500;
/// How many indexed words a prefix may stand for (`a*` is cut short, `time*` is not).
const PREFIX_EXPANSIONS: u32 = 1_000;
/// How much more a near spelling one edit away weighs than one two edits away: more than the
/// boosts of all prose fields together ([`SearchIndex::text_fields`]), so any document with
/// the closer spelling ranks above every document with only the farther one.
const NEAREST_BOOST: f32 = 10.0;

/// An open index.
pub struct SearchIndex {
    root: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The manifest as it was when the index was opened; `None` when it is lost.
    manifest: Option<Manifest>,
}

/// What bringing the index up to date did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refresh {
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
    /// Files indexed (new or changed).
    pub indexed: usize,
    /// Files dropped from the index.
    pub removed: usize,
}

/// Which documents a search may return, besides the query itself.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Teams, services, severities, statuses, tags and dates, as `pm list` takes them.
    pub filter: Filter,
    /// Any of these kinds.
    pub kinds: Vec<String>,
    /// Only what a public build shows: public and published.
    pub public: bool,
}

/// A search hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The document id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file, relative to the archive root.
    pub path: String,
    /// The incident date.
    pub date: Option<NaiveDate>,
    /// The severity.
    pub severity: String,
    /// The status.
    pub status: String,
    /// Owning teams.
    pub teams: Vec<String>,
    /// Services involved.
    pub services: Vec<String>,
    /// Relevance; higher is better.
    pub score: f32,
    /// A passage of the text around the matched words.
    pub snippet: String,
    /// The matched words in `snippet`, as `[start, end)` character offsets.
    pub highlights: Vec<[usize; 2]>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The best hits, best first.
    pub hits: Vec<Hit>,
    /// How many documents matched in all.
    pub total: usize,
    /// Whether nothing matched exactly and these hits come from near spellings.
    pub fuzzy: bool,
    /// Matches per team, service and severity, most first.
    pub facets: Facets,
}

/// Counts of matching documents by team, service and severity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// By team.
    pub teams: Vec<FacetCount>,
    /// By service.
    pub services: Vec<FacetCount>,
    /// By severity.
    pub severities: Vec<FacetCount>,
}

/// How many matching documents have one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The team, service or severity.
    pub value: String,
    /// Matching documents with it.
    pub count: u64,
}

/// A past incident like another one, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    /// The document id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file, relative to the archive root.
    pub path: String,
    /// The incident date.
    pub date: Option<NaiveDate>,
    /// The severity.
    pub severity: String,
    /// Relevance; higher is more alike.
    pub score: f32,
    /// Services both involve.
    pub shared_services: Vec<String>,
    /// Tags both carry.
    pub shared_tags: Vec<String>,
    /// Telling words both use in title or summary.
    pub shared_terms: Vec<String>,
}

impl SearchIndex {
    /// Opens the index of the archive at `root`, creating or rebuilding it when needed, and
    /// brings it up to date with the files.
    pub fn open(root: &Path, config: &Config) -> Result<(SearchIndex, Refresh)> {
        let dir = root.join(INDEX_DIR);
        // Listing 10 000 files and opening the index each take a good part of a search's
        // time: do both at once.
        let (opened, walk) = thread::scope(|scope| {
            let walk = scope.spawn(|| archive::document_files(root));
            let opened = guarded(|| open_existing(root))
                .unwrap_or_else(|_| Err("a file of the index is damaged".to_owned()));
            (opened, walk.join().expect("listing files does not panic"))
        });
        let (index, rebuilt) = match opened {
            Ok(Some(index)) => (index, None),
            Ok(None) => (create(root)?, None),
            Err(reason) => {
                clear(&dir)?;
                (create(root)?, Some(reason))
            }
        };
        let mut refresh = match guarded(|| index.refresh(config, &walk, false)).and_then(|r| r) {
            Ok(refresh) => refresh,
            Err(Error::Failed(reason)) if rebuilt.is_none() && reason.starts_with("index:") => {
                let (index, mut refresh) = Self::rebuild(root, config)?;
                refresh.rebuilt = Some("the index could not be updated".to_owned());
                return Ok((index, refresh));
            }
            Err(e) => return Err(e),
        };
        refresh.rebuilt = rebuilt.or(refresh.rebuilt);
        Ok((index, refresh))
    }

    /// Builds the index again from the files. The old documents are dropped under the
    /// writer lock rather than by removing the folder, so that another `pm` using the index
    /// at the same moment is never left writing into a folder that was swapped under it.
    pub fn rebuild(root: &Path, config: &Config) -> Result<(SearchIndex, Refresh)> {
        let opened = guarded(|| open_existing(root)).unwrap_or_else(|e| Err(e.to_string()));
        let index = match opened {
            Ok(Some(index)) => index,
            Ok(None) => create(root)?,
            Err(_) => {
                clear(&root.join(INDEX_DIR))?;
                create(root)?
            }
        };
        let mut refresh = index.refresh(config, &archive::document_files(root), true)?;
        refresh.rebuilt = Some("asked for".to_owned());
        Ok((index, refresh))
    }

    /// Whether an index exists for the archive at `root` (without opening it).
    pub fn exists(root: &Path) -> bool {
        root.join(INDEX_DIR).join("meta.json").is_file()
    }

    /// Indexes what changed on disk since the last commit, or every file `from_scratch`;
    /// `walk` lists the files now. Starts from scratch by itself when the list of files the
    /// index holds is lost, or when a setting documents are indexed with changed.
    fn refresh(&self, config: &Config, walk: &Walk, from_scratch: bool) -> Result<Refresh> {
        let settings = settings(config);
        let mut changes = match &self.manifest {
            Some(known) if !from_scratch && known.settings == settings => {
                let changes = known.changes(&self.root, &walk.files, &walk.stamps);
                if changes.is_empty() {
                    return Ok(Refresh::default());
                }
                Some(changes)
            }
            _ => None,
        };
        let to_index = changes
            .as_ref()
            .map_or(walk.files.len(), |c| c.updated.len());
        let mut writer = self.writer(to_index)?;
        // Another process may have indexed while we waited: read the manifest under the lock.
        let mut rebuilt = None;
        let mut manifest = match read_manifest(&self.index, &self.dir()) {
            _ if from_scratch => Manifest::default(),
            Some(current) if current.settings == settings || current.files.is_empty() => current,
            Some(_) => {
                rebuilt = Some("the archive's timezone in pm.yaml changed".to_owned());
                Manifest::default()
            }
            None => {
                rebuilt = Some("its list of indexed files was lost".to_owned());
                Manifest::default()
            }
        };
        if from_scratch || rebuilt.is_some() {
            writer.delete_all_documents().map_err(index_error)?;
        }
        manifest.settings = settings;
        if self.manifest.as_ref() != Some(&manifest) {
            changes = None;
        }
        let changes =
            changes.unwrap_or_else(|| manifest.changes(&self.root, &walk.files, &walk.stamps));
        let refresh = Refresh {
            rebuilt,
            indexed: changes.updated.len(),
            removed: changes.removed.len(),
        };
        let hashes = self.apply(&mut writer, &changes, config)?;
        manifest.apply(&changes, &hashes);
        let dir = self.dir();
        let payload = manifest
            .save(&dir)
            .map_err(|e| Error::io("cannot write", &dir, e))?;
        let mut commit = writer.prepare_commit().map_err(index_error)?;
        commit.set_payload(&payload);
        commit.commit().map_err(index_error)?;
        manifest::remove_others(&dir, &payload);
        writer.wait_merging_threads().map_err(index_error)?;
        self.reader.reload().map_err(index_error)?;
        Ok(refresh)
    }

    fn dir(&self) -> PathBuf {
        self.root.join(INDEX_DIR)
    }

    /// The writer, for about `documents` documents to index. Each indexing thread writes a
    /// segment of its own, with its own dictionary of terms: a few documents get one thread,
    /// so that a small archive's index stays smaller than its files.
    fn writer(&self, documents: usize) -> Result<IndexWriter> {
        let threads = thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 4)
            .min(documents.div_ceil(DOCUMENTS_PER_THREAD).max(1));
        let started = Instant::now();
        loop {
            match self.index.writer_with_num_threads(threads, WRITER_HEAP) {
                Ok(writer) => return Ok(writer),
                Err(TantivyError::LockFailure(..)) if started.elapsed() < LOCK_PATIENCE => {
                    thread::sleep(Duration::from_millis(50));
                }
                Err(TantivyError::LockFailure(..)) => {
                    return Err(Error::Failed(format!(
                        "another pm has been updating the search index in {} for {} s\n  hint: wait for it to finish and run the command again; if no other pm runs, `pm index --rebuild`",
                        self.root.join(INDEX_DIR).display(),
                        LOCK_PATIENCE.as_secs()
                    )));
                }
                Err(e) => return Err(index_error(e)),
            }
        }
    }

    /// Drops the removed and updated files from the index and indexes the updated ones
    /// again; returns the content hash of each updated file as it was read (`None` when it
    /// could not be).
    fn apply(
        &self,
        writer: &mut IndexWriter,
        changes: &Changes,
        config: &Config,
    ) -> Result<Vec<Option<u64>>> {
        for path in changes
            .removed
            .iter()
            .chain(changes.updated.iter().map(|(p, _)| p))
        {
            writer.delete_term(Term::from_field_text(self.fields.path, &path_key(path)));
        }
        let files: Vec<PathBuf> = changes.updated.iter().map(|(p, _)| p.clone()).collect();
        // Parsing and converting on every core keeps tantivy's indexing threads fed.
        let writer = &*writer;
        // An incomplete document (no id, title, status or severity) is `pm check`'s to
        // report, and not a search result, as it is not one for `pm list`.
        let hashes =
            archive::map_documents(&self.root, &files, config, |parsed| match parsed.document {
                Some(doc) if parsed.complete => writer
                    .add_document(self.to_document(&doc))
                    .map(|_| Some(doc.hash)),
                document => Ok(document.map(|doc| doc.hash)),
            })
            .into_iter()
            .collect::<tantivy::Result<Vec<_>>>()
            .map_err(index_error)?;
        // A file whose front matter could not be read at all is remembered as it is, so that
        // it is not read again until it changes.
        Ok(hashes
            .into_iter()
            .zip(&files)
            .map(|(hash, file)| {
                hash.or_else(|| {
                    fs::read(self.root.join(file))
                        .ok()
                        .map(|b| content_hash(&b))
                })
            })
            .collect())
    }

    fn to_document(&self, doc: &Postmortem) -> TantivyDocument {
        let f = &self.fields;
        let front = &doc.front;
        let mut d = TantivyDocument::default();
        d.add_text(f.path, path_key(&doc.path));
        d.add_text(f.id, &front.id);
        d.add_text(f.title, &front.title);
        if let Some(summary) = &front.summary {
            d.add_text(f.summary, summary);
        }
        let plain = markdown::plain_sections(&doc.body);
        let body = &plain.text;
        d.add_text(f.body, body);
        d.add_bytes(f.sections, &section::encode(body, &plain.sections));
        for text in [
            Some(front.title.as_str()),
            front.summary.as_deref(),
            Some(body.as_str()),
        ]
        .into_iter()
        .flatten()
        .chain(front.action_items.iter().map(|item| item.title.as_str()))
        {
            let identifiers = tokenizer::identifiers(text);
            if !identifiers.is_empty() {
                d.add_text(f.ident, identifiers);
            }
        }
        for item in &front.action_items {
            d.add_text(f.actions, &item.title);
            if let Some(owner) = &item.owner {
                d.add_text(f.owners, owner);
            }
        }
        for team in &front.teams {
            d.add_text(f.teams, team);
            d.add_facet(f.facets, Facet::from_path(["team", team.as_str()]));
        }
        for service in &front.services {
            d.add_text(f.services, service);
            d.add_facet(f.facets, Facet::from_path(["service", service.as_str()]));
        }
        for tag in &front.tags {
            d.add_text(f.tags, tag);
        }
        d.add_text(f.severity, &front.severity);
        d.add_facet(
            f.facets,
            Facet::from_path(["severity", front.severity.as_str()]),
        );
        d.add_text(f.status, front.status.as_str());
        d.add_text(f.kind, front.kind.as_str());
        d.add_text(f.visibility, front.visibility.as_str());
        if let Some(trigger) = &front.trigger {
            d.add_text(f.trigger, trigger);
        }
        d.add_i64(f.date, date_number(doc.date));
        let minutes = |delta: Option<chrono::TimeDelta>| delta.map_or(-1, |d| d.num_minutes());
        d.add_i64(f.time_to_detect, minutes(front.time_to_detect()));
        d.add_i64(f.time_to_mitigate, minutes(front.time_to_mitigate()));
        d.add_i64(f.time_to_resolve, minutes(front.time_to_resolve()));
        d.add_u64(f.rank, rank(doc.date, &front.id));
        d
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches for `query` ([`query::parse`]) among the documents `filters` allow; at most
    /// `limit` hits.
    pub fn search(
        &self,
        query: &query::Query,
        filters: &Filters,
        limit: usize,
    ) -> Result<SearchResults> {
        guarded(|| self.answer(query, filters, limit))?
    }

    fn answer(
        &self,
        parsed: &query::Query,
        filters: &Filters,
        limit: usize,
    ) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let filter = self.filter_clauses(filters);
        let exact = self.to_query(parsed, false);
        let loose = loose_words(parsed, false);
        let mut results = self.run(&searcher, &*exact, &loose, &filter, limit)?;
        if results.total == 0 {
            let fuzzy = self.to_query(parsed, true);
            let loose = loose_words(parsed, true);
            let near = self.run(&searcher, &*fuzzy, &loose, &filter, limit)?;
            if near.total > 0 {
                results = SearchResults {
                    fuzzy: true,
                    ..near
                };
            }
        }
        Ok(results)
    }

    fn run(
        &self,
        searcher: &Searcher,
        query: &dyn TantivyQuery,
        loose: &[Loose],
        filter: &[(Occur, Box<dyn TantivyQuery>)],
        limit: usize,
    ) -> Result<SearchResults> {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> =
            vec![(Occur::Must, query.box_clone())];
        clauses.extend(filter.iter().map(|(o, q)| (*o, q.box_clone())));
        let full = BooleanQuery::new(clauses);
        let mut facets = FacetCollector::for_field("facets");
        for root in ["/team", "/service", "/severity"] {
            facets.add_facet(root);
        }
        let (top, total, counts) = searcher
            .search(&full, &(ranked(limit.max(1)), Count, facets))
            .map_err(index_error)?;
        let mut snippets =
            SnippetGenerator::create(searcher, query, self.fields.body).map_err(index_error)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut words = Vec::new();
        query.query_terms(&mut |term, _| {
            if let Some(word) = term.value().as_str()
                && term.field() == self.fields.body
            {
                words.push(word.to_owned());
            }
        });
        let mut hits = Vec::new();
        for ((score, ..), address) in top.into_iter().take(limit) {
            let stored: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            let mut hit = self.hit(&stored, score);
            let body = self.body_text(&hit.path);
            let text = &body.text;
            // Without words to look for in the body (`service:dns`) there is nothing to cut
            // around: see below.
            let snippet = if loose.is_empty() && words.is_empty() {
                Snippet::empty()
            } else if loose.is_empty() {
                snippets.snippet(snippet_window(text, &words))
            } else {
                self.loose_snippet(searcher, text, &words, loose)
                    .map_err(index_error)?
            };
            let fragment = snippet.fragment();
            hit.highlights = snippet
                .highlighted()
                .iter()
                .map(|r| {
                    [
                        fragment[..r.start].chars().count(),
                        fragment[..r.end].chars().count(),
                    ]
                })
                .collect();
            // Nothing found in the body: the summary, or else the start of what its sections
            // say (a draft's empty sections would give a list of headings).
            hit.snippet = if fragment.is_empty() {
                let summary = stored_text(&stored, self.fields.summary);
                let opening = if summary.is_empty() {
                    body.without_headings()
                } else {
                    summary
                };
                opening
                    .chars()
                    .take(SNIPPET_CHARS)
                    .collect::<String>()
                    .trim()
                    .to_owned()
            } else {
                fragment.to_owned()
            };
            hits.push(hit);
        }
        let count = |root: &str| -> Vec<FacetCount> {
            let mut list: Vec<FacetCount> = counts
                .get(root)
                .map(|(facet, count)| FacetCount {
                    value: facet
                        .to_path()
                        .last()
                        .map_or_else(String::new, |s| (*s).to_owned()),
                    count,
                })
                .collect();
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            list
        };
        Ok(SearchResults {
            hits,
            total,
            fuzzy: false,
            facets: Facets {
                teams: count("/team"),
                services: count("/service"),
                severities: count("/severity"),
            },
        })
    }

    /// The snippet of `text` for a query with prefixes or near spellings: the words of the
    /// text that matched them are looked up and highlighted with the query's own `words`.
    fn loose_snippet(
        &self,
        searcher: &Searcher,
        text: &str,
        words: &[String],
        loose: &[Loose],
    ) -> tantivy::Result<Snippet> {
        let mut found: Vec<String> = words.to_vec();
        found.extend(loose.iter().filter_map(|l| match l {
            Loose::Prefix(prefix) => Some(prefix.clone()),
            Loose::Near(..) => None,
        }));
        let window = snippet_window(text, &found);
        let mut analyzer = tokenizer::prose();
        let mut stream = analyzer.token_stream(window);
        while stream.advance() {
            let term = &stream.token().text;
            if loose.iter().any(|l| l.matches(term)) && !found.contains(term) {
                found.push(term.clone());
            }
        }
        drop(stream);
        let terms = BooleanQuery::new(
            found
                .iter()
                .map(|w| -> (Occur, Box<dyn TantivyQuery>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.body, w),
                            IndexRecordOption::Basic,
                        )),
                    )
                })
                .collect(),
        );
        let mut snippets = SnippetGenerator::create(searcher, &terms, self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        Ok(snippets.snippet(window))
    }

    /// The body of the file at `path` (relative to the root) as plain text; empty when it
    /// cannot be read. The index does not store bodies, to stay smaller than the archive.
    fn body_text(&self, path: &str) -> markdown::PlainText {
        let text = fs::read_to_string(self.root.join(path)).unwrap_or_default();
        let body = crate::model::split::split(&text).map_or("", |s| s.body);
        markdown::plain_sections(body)
    }

    fn hit(&self, stored: &TantivyDocument, score: f32) -> Hit {
        let f = &self.fields;
        let text = |field| stored_text(stored, field);
        let all = |field| stored_all(stored, field);
        Hit {
            id: text(f.id),
            title: text(f.title),
            path: text(f.path),
            date: stored
                .get_first(f.date)
                .and_then(|v| v.as_i64())
                .and_then(number_date),
            severity: text(f.severity),
            status: text(f.status),
            teams: all(f.teams),
            services: all(f.services),
            score,
            snippet: String::new(),
            highlights: Vec::new(),
        }
    }

    fn filter_clauses(&self, filters: &Filters) -> Vec<(Occur, Box<dyn TantivyQuery>)> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let filter = &filters.filter;
        let statuses: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        for (field, values) in [
            (f.teams, &filter.teams),
            (f.services, &filter.services),
            (f.severity, &filter.severities),
            (f.status, &statuses),
            (f.tags, &filter.tags),
            (f.kind, &filters.kinds),
        ] {
            if !values.is_empty() {
                let any: Vec<(Occur, Box<dyn TantivyQuery>)> = values
                    .iter()
                    .map(|v| (Occur::Should, keyword_query(field, v)))
                    .collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        if filters.public {
            clauses.push((
                Occur::Must,
                keyword_query(f.visibility, Visibility::Public.as_str()),
            ));
            clauses.push((
                Occur::Must,
                keyword_query(f.status, Status::Published.as_str()),
            ));
        }
        if filter.since.is_some() || filter.until.is_some() {
            let bound = |date: Option<NaiveDate>, default: i64| {
                Term::from_field_i64(f.date, date.map_or(default, date_number))
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    std::ops::Bound::Included(bound(filter.since, i64::MIN)),
                    std::ops::Bound::Included(bound(filter.until, i64::MAX)),
                )),
            ));
        }
        clauses
    }

    /// The tantivy query for a parsed query; `fuzzy` tries near spellings of plain words.
    fn to_query(&self, parsed: &query::Query, fuzzy: bool) -> Box<dyn TantivyQuery> {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        for group in &parsed.groups {
            let mut any: Vec<Box<dyn TantivyQuery>> = Vec::new();
            for item in group {
                let q = self.clause_query(&item.clause, fuzzy && !item.negated);
                if item.negated {
                    clauses.push((Occur::MustNot, q));
                } else {
                    any.push(q);
                }
            }
            match any.len() {
                0 => {}
                1 => clauses.push((Occur::Must, any.remove(0))),
                _ => clauses.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(
                        any.into_iter().map(|q| (Occur::Should, q)).collect(),
                    )),
                )),
            }
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn clause_query(&self, clause: &query::Clause, fuzzy: bool) -> Box<dyn TantivyQuery> {
        let f = &self.fields;
        match clause {
            query::Clause::Word {
                field: Some(QueryField::Section(slug)),
                text,
                ..
            }
            | query::Clause::Phrase {
                field: Some(QueryField::Section(slug)),
                text,
            } => {
                let terms = tokenizer::terms(&mut tokenizer::prose_stems(), text)
                    .iter()
                    .map(|t| Term::from_field_text(f.body, t))
                    .collect();
                Box::new(SectionQuery::new(f.body, f.sections, slug.clone(), terms))
            }
            query::Clause::Word {
                field: Some(field),
                text,
                prefix,
            } => match self.keyword_field(field) {
                Some(keyword) if *prefix => prefix_query(keyword, &[text.to_lowercase()]),
                Some(keyword) => keyword_query(keyword, text),
                None if *field == QueryField::Title => {
                    self.text_query(&[(f.title, 1.0)], text, *prefix, fuzzy)
                }
                None => name_query(f.owners, text, *prefix),
            },
            query::Clause::Word {
                field: None,
                text,
                prefix,
            } => self.text_query(&self.text_fields(), text, *prefix, fuzzy),
            query::Clause::Phrase { field, text } => {
                let fields = match field {
                    None => self.text_fields(),
                    Some(QueryField::Title) => vec![(f.title, 1.0)],
                    Some(QueryField::Owner) => return name_query(f.owners, text, false),
                    Some(other) => match self.keyword_field(other) {
                        Some(keyword) => return keyword_query(keyword, text),
                        None => self.text_fields(),
                    },
                };
                self.text_query(&fields, text, false, false)
            }
        }
    }

    fn keyword_field(&self, field: &QueryField) -> Option<tantivy::schema::Field> {
        let f = &self.fields;
        match field {
            QueryField::Team => Some(f.teams),
            QueryField::Service => Some(f.services),
            QueryField::Tag => Some(f.tags),
            QueryField::Severity => Some(f.severity),
            QueryField::Status => Some(f.status),
            QueryField::Kind => Some(f.kind),
            QueryField::Title | QueryField::Owner | QueryField::Section(_) => None,
        }
    }

    /// The prose fields a plain word is looked for in, with their boosts.
    fn text_fields(&self) -> Vec<(tantivy::schema::Field, f32)> {
        let f = &self.fields;
        vec![
            (f.title, 3.0),
            (f.summary, 2.0),
            (f.body, 1.0),
            (f.actions, 1.0),
        ]
    }

    /// Words in prose fields: one term, a phrase of several (`us-east-1` is `us east 1`),
    /// a prefix, or near spellings; identifiers are also looked up whole.
    fn text_query(
        &self,
        fields: &[(tantivy::schema::Field, f32)],
        text: &str,
        prefix: bool,
        fuzzy: bool,
    ) -> Box<dyn TantivyQuery> {
        let mut terms = tokenizer::terms(&mut tokenizer::prose_stems(), text);
        if prefix {
            // The prefix is matched against words as written, which prose also indexes: a
            // stem may be shorter than the prefix (`notificat*`, `notification` → `notif`).
            if let (Some(last), Some(word)) = (
                terms.last_mut(),
                tokenizer::terms(&mut tokenizer::name(), text).pop(),
            ) {
                *last = word;
            }
        }
        let near = if fuzzy && !prefix {
            near_spelling(text)
        } else {
            None
        };
        let mut any: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        for (field, boost) in fields {
            let q: Box<dyn TantivyQuery> = if prefix {
                self.phrase_prefix_query(*field, &terms)
            } else if let Some((word, distance)) = &near {
                // Every spelling within `distance` scores the same, so one edit away is asked
                // for again, boosted above what two edits away can score in all fields.
                let within = |edits: u8| -> (Occur, Box<dyn TantivyQuery>) {
                    let term = Term::from_field_text(*field, word);
                    let q = Box::new(FuzzyTermQuery::new(term, edits, true));
                    let closer = if edits == 1 { NEAREST_BOOST } else { 1.0 };
                    (Occur::Should, Box::new(BoostQuery::new(q, closer)))
                };
                Box::new(BooleanQuery::new((1..=*distance).map(within).collect()))
            } else if terms.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(*field, &terms[0]),
                    IndexRecordOption::WithFreqs,
                ))
            } else if terms.is_empty() {
                Box::new(EmptyQuery)
            } else {
                Box::new(PhraseQuery::new(
                    terms
                        .iter()
                        .map(|t| Term::from_field_text(*field, t))
                        .collect(),
                ))
            };
            any.push((Occur::Should, Box::new(BoostQuery::new(q, *boost))));
        }
        if tokenizer::is_identifier(text) {
            let whole = text
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            let q = if prefix {
                prefix_query(self.fields.ident, &[whole])
            } else {
                keyword_query(self.fields.ident, &whole)
            };
            any.push((Occur::Should, q));
        }
        Box::new(BooleanQuery::new(any))
    }

    /// `terms` in a row, the last a prefix. Prose keeps a word as written only where it first
    /// appears in a document ([`tokenizer::prose`]), and its stem everywhere: after other
    /// words, the prefix also stands for the stems of the words it starts whose stem it does
    /// not start (`max connections*` is also `max connect`).
    fn phrase_prefix_query(
        &self,
        field: tantivy::schema::Field,
        terms: &[String],
    ) -> Box<dyn TantivyQuery> {
        let Some((prefix, before @ [_, ..])) = terms.split_last() else {
            return prefix_query(field, terms);
        };
        let mut stemmer = tokenizer::prose_stems();
        let mut stems = BTreeSet::new();
        for segment in self.reader.searcher().segment_readers() {
            let Ok(index) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut words) = index.terms().range().ge(prefix.as_bytes()).into_stream() else {
                continue;
            };
            let mut expansions = 0;
            while words.advance() && expansions < PREFIX_EXPANSIONS {
                let Some(word) = std::str::from_utf8(words.key())
                    .ok()
                    .filter(|w| w.starts_with(prefix.as_str()))
                else {
                    break;
                };
                expansions += 1;
                if let [stem] = tokenizer::terms(&mut stemmer, word).as_slice()
                    && !stem.starts_with(prefix.as_str())
                {
                    stems.insert(stem.clone());
                }
            }
        }
        let mut any = vec![(Occur::Should, prefix_query(field, terms))];
        for stem in stems {
            let phrase = before
                .iter()
                .chain([&stem])
                .map(|t| Term::from_field_text(field, t))
                .collect();
            any.push((Occur::Should, Box::new(PhraseQuery::new(phrase))));
        }
        Box::new(BooleanQuery::new(any))
    }

    /// Past incidents most like the postmortem `id`: more-like-this over its title, summary
    /// and body, with shared services counted strongly.
    pub fn related(&self, id: &str, limit: usize) -> Result<Option<Vec<Related>>> {
        guarded(|| self.find_related(id, limit))?
    }

    fn find_related(&self, id: &str, limit: usize) -> Result<Option<Vec<Related>>> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let found = searcher
            .search(
                &TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(index_error)?;
        let Some((_, address)) = found.first() else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(*address).map_err(index_error)?;
        let me = self.hit(&stored, 0.0);
        let text = |field| stored_text(&stored, field);
        let body = self.body_text(&me.path).text;
        let tags = stored_all(&stored, f.tags);
        let more_like_this = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_min_term_frequency(1)
            .with_max_query_terms(40)
            .with_min_word_length(3)
            .with_stop_words(STOP_WORDS.iter().map(|w| (*w).to_owned()).collect())
            .with_document_fields(vec![
                (f.title, vec![OwnedValue::Str(text(f.title))]),
                (f.summary, vec![OwnedValue::Str(text(f.summary))]),
                (f.body, vec![OwnedValue::Str(body)]),
            ]);
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![
            (Occur::Should, Box::new(more_like_this)),
            (Occur::MustNot, keyword_query(f.id, id)),
        ];
        for service in &me.services {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(keyword_query(f.services, service), 4.0)),
            ));
        }
        for tag in &tags {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(keyword_query(f.tags, tag), 1.5)),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher
            .search(&query, &ranked(limit))
            .map_err(index_error)?;
        // Words most documents use say nothing about why two incidents are alike, and the
        // rarer a word, the more it tells: shared words are listed rarest first.
        let rare_in = (searcher.num_docs() / 5).max(3);
        let mut stem = tokenizer::prose_stems();
        let mut my_words: Vec<(u64, String)> =
            telling_words(&format!("{} {}", text(f.title), text(f.summary)))
                .into_iter()
                .filter_map(|word| {
                    let stems = tokenizer::terms(&mut stem, &word);
                    let used_by = searcher
                        .doc_freq(&Term::from_field_text(f.body, stems.first()?))
                        .ok()?;
                    (used_by <= rare_in).then_some((used_by, word))
                })
                .collect();
        my_words.sort();
        let mut related = Vec::new();
        for ((score, ..), address) in top {
            let other: TantivyDocument = searcher.doc(address).map_err(index_error)?;
            let hit = self.hit(&other, score);
            let other_tags = stored_all(&other, f.tags);
            let words = telling_words(&format!("{} {}", hit.title, stored_text(&other, f.summary)));
            related.push(Related {
                shared_services: me
                    .services
                    .iter()
                    .filter(|s| hit.services.contains(s))
                    .cloned()
                    .collect(),
                shared_tags: tags
                    .iter()
                    .filter(|t| other_tags.contains(t))
                    .cloned()
                    .collect(),
                shared_terms: my_words
                    .iter()
                    .filter(|(_, word)| words.contains(word))
                    .take(6)
                    .map(|(_, word)| word.clone())
                    .collect(),
                id: hit.id,
                title: hit.title,
                path: hit.path,
                date: hit.date,
                severity: hit.severity,
                score,
            });
        }
        Ok(Some(related))
    }
}

/// The `limit` best documents by score, equal scores in the order of their [`rank`]: without
/// it, ties came in the order documents had reached the index, which differs from one build
/// of it to the next. (Ordering by the id itself, a string, made queries half as slow again.)
fn ranked(limit: usize) -> impl Collector<Fruit = Vec<((Score, Option<u64>), DocAddress)>> {
    TopDocs::with_limit(limit).order_by((
        (SortBySimilarityScore, Order::Desc),
        (
            SortByStaticFastValue::<u64>::for_field(schema::RANK),
            Order::Desc,
        ),
    ))
}

/// Where a document stands among those of equal score: the incident date above, a stable
/// hash of its id below.
fn rank(date: NaiveDate, id: &str) -> u64 {
    let date = u64::try_from(date_number(date)).unwrap_or(0);
    (date << 32) | (content_hash(id.as_bytes()) & u64::from(u32::MAX))
}

/// The length of a snippet, in characters.
const SNIPPET_CHARS: usize = 200;

/// The part of `text` around the first place one of `words` (stemmed query terms) may occur,
/// or all of it. Cutting a snippet means analysing every word of the text it is cut from;
/// doing that for a window instead of a whole body makes a search several times faster.
/// Stems are nearly always a prefix of the word they come from, so a plain search finds
/// the place; when none is found, the whole text is used.
fn snippet_window<'a>(text: &'a str, words: &[String]) -> &'a str {
    const BEFORE: usize = 2 * SNIPPET_CHARS;
    const AFTER: usize = 4 * SNIPPET_CHARS;
    let lower = text.to_ascii_lowercase();
    // Where a word starts: `art` is not looked for inside `restarted`.
    let starts_word = |at: &usize| {
        lower.as_bytes()[..*at]
            .last()
            .is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    let Some(at) = words
        .iter()
        .filter_map(|w| {
            lower
                .match_indices(w.as_str())
                .map(|(at, _)| at)
                .find(starts_word)
        })
        .min()
    else {
        return text;
    };
    let mut start = at.saturating_sub(BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + AFTER).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    &text[start..end]
}

/// A query word matched loosely, whose matching words are only known by looking.
#[derive(Debug)]
enum Loose {
    /// Words starting with this (as written, lower-cased).
    Prefix(String),
    /// Words within this many edits of this word as written.
    Near(String, u8),
}

impl Loose {
    fn matches(&self, word: &str) -> bool {
        match self {
            Loose::Prefix(prefix) => word.starts_with(prefix.as_str()),
            Loose::Near(near, distance) => edits_within(near, word, *distance),
        }
    }
}

/// The prefixes of `parsed` and, when `fuzzy`, its words tried with near spellings.
fn loose_words(parsed: &query::Query, fuzzy: bool) -> Vec<Loose> {
    let mut loose = Vec::new();
    for item in parsed.groups.iter().flatten().filter(|i| !i.negated) {
        let query::Clause::Word {
            field: None | Some(QueryField::Title),
            text,
            prefix,
        } = &item.clause
        else {
            continue;
        };
        if *prefix {
            if let Some(word) = tokenizer::terms(&mut tokenizer::name(), text).pop() {
                loose.push(Loose::Prefix(word));
            }
        } else if fuzzy && let Some((word, distance)) = near_spelling(text) {
            loose.push(Loose::Near(word, distance));
        }
    }
    loose
}

/// The word of a one-word `text` as written (lower-cased, folded) and how many edits a near
/// spelling of it may have: none for short words, which would match too much. The word is
/// not stemmed: a typo is made in the word as written, which prose also indexes, and stemming
/// a misspelt word can cut it elsewhere (`latncy` stems to `latnci`, two edits from
/// `latency`'s `latenc`, while `latency` itself is one edit away).
fn near_spelling(text: &str) -> Option<(String, u8)> {
    let [word] = <[String; 1]>::try_from(tokenizer::terms(&mut tokenizer::name(), text)).ok()?;
    let distance = match word.chars().count() {
        0..=3 => return None,
        4..=6 => 1,
        _ => 2,
    };
    Some((word, distance))
}

/// Whether `a` becomes `b` in at most `max` edits (insertions, deletions, substitutions and
/// swaps of neighbours, as tantivy's fuzzy query counts them).
fn edits_within(a: &str, b: &str, max: u8) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    // Optimal string alignment distance, three rows at a time.
    let mut before: Vec<usize> = Vec::new();
    let mut above: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (above[j] + 1).min(row[j - 1] + 1).min(above[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut above, row);
    }
    above[b.len()] <= max
}

/// Common English words that say nothing about an incident.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "was", "were", "with", "that", "this", "from", "our", "has", "had",
    "have", "are", "not", "but", "all", "its", "into", "than", "then", "when", "which", "after",
    "before", "during", "while", "they", "their", "them", "been", "also", "about", "over", "due",
    "who", "how", "why", "out", "any", "can", "did", "one", "two", "new", "now", "per", "via",
    "got", "get", "off", "too", "yet", "may", "way", "use", "you", "his", "her", "she",
];

/// Lower-cased words of three letters or more (`dns`, `tls`, `cpu` tell a lot), stop words
/// left out.
fn telling_words(text: &str) -> BTreeSet<String> {
    tokenizer::terms(&mut tokenizer::name(), text)
        .into_iter()
        .filter(|w| {
            w.len() >= 3
                && !STOP_WORDS.contains(&w.as_str())
                && !w.chars().all(|c| c.is_ascii_digit())
        })
        .collect()
}

/// A name (an owner) as words, not stemmed: one term, a phrase, or a prefix.
fn name_query(field: tantivy::schema::Field, text: &str, prefix: bool) -> Box<dyn TantivyQuery> {
    let terms = tokenizer::terms(&mut tokenizer::name(), text);
    if prefix {
        return prefix_query(field, &terms);
    }
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 => keyword_query(field, &terms[0]),
        _ => Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        )),
    }
}

fn keyword_query(field: tantivy::schema::Field, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, &value.to_lowercase()),
        IndexRecordOption::WithFreqs,
    ))
}

/// Terms that end with a prefix: the last of `terms` is the prefix, the others must come
/// right before it (`us-east*` is `us` then `east…`).
fn prefix_query(field: tantivy::schema::Field, terms: &[String]) -> Box<dyn TantivyQuery> {
    if terms.is_empty() {
        return Box::new(EmptyQuery);
    }
    let mut q = PhrasePrefixQuery::new(
        terms
            .iter()
            .map(|t| Term::from_field_text(field, t))
            .collect(),
    );
    q.set_max_expansions(PREFIX_EXPANSIONS);
    Box::new(q)
}

fn path_key(path: &Path) -> String {
    manifest::key(path).into_owned()
}

/// The first text value of `field` in a stored document, or an empty string.
fn stored_text(stored: &TantivyDocument, field: tantivy::schema::Field) -> String {
    stored
        .get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Every text value of `field` in a stored document.
fn stored_all(stored: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    stored
        .get_all(field)
        .filter_map(|v| v.as_str())
        .map(str::to_owned)
        .collect()
}

/// A date as the number `YYYYMMDD`, which sorts as the dates do.
fn date_number(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

fn number_date(number: i64) -> Option<NaiveDate> {
    let part = |n: i64| u32::try_from(n).ok();
    NaiveDate::from_ymd_opt(
        i32::try_from(number / 10_000).ok()?,
        part(number / 100 % 100)?,
        part(number % 100)?,
    )
}

/// Runs `f`, turning a panic into an index error. Tantivy trusts its files: a damaged one
/// can make it panic instead of failing, and a damaged index must be rebuilt, not crash `pm`.
/// The panic's message is kept off the terminal meanwhile.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    outcome.map_err(|_| index_error("a file of the index is damaged"))
}

/// Tantivy failures, prefixed so that `open` knows to rebuild.
fn index_error(error: impl std::fmt::Display) -> Error {
    Error::Failed(format!("index: {error}"))
}

fn open_existing(root: &Path) -> std::result::Result<Option<SearchIndex>, String> {
    let dir = root.join(INDEX_DIR);
    if !dir.join("meta.json").is_file() {
        return Ok(None);
    }
    let (schema, fields) = schema::build();
    let index = Index::open_in_dir(&dir).map_err(|_| "the index could not be opened".to_owned())?;
    if index.schema() != schema {
        return Err("the index was made by another version of pm".to_owned());
    }
    // No payload yet: another pm created the index and has not committed; not a reason to
    // throw it away. A manifest that cannot be read (maybe just replaced by another pm's
    // commit) is read again under the lock.
    let manifest = match index.load_metas().ok().and_then(|m| m.payload) {
        Some(payload) if !Manifest::is_current(&payload) => {
            return Err("the index was made by another version of pm".to_owned());
        }
        Some(payload) => Manifest::load(&dir, &payload),
        None => Some(Manifest::default()),
    };
    finish(root, index, fields, manifest)
        .map(Some)
        .map_err(|_| "a file of the index is damaged".to_owned())
}

fn create(root: &Path) -> Result<SearchIndex> {
    let dir = root.join(INDEX_DIR);
    fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let (schema, fields) = schema::build();
    let index = match Index::create_in_dir(&dir, schema.clone()) {
        Ok(index) => index,
        // Another pm created it a moment ago.
        Err(TantivyError::IndexAlreadyExists) => Index::open_in_dir(&dir).map_err(index_error)?,
        Err(e) => return Err(index_error(e)),
    };
    let manifest = read_manifest(&index, &dir);
    finish(root, index, fields, manifest).map_err(index_error)
}

/// The manifest of the index's last commit: empty before the first, `None` when the
/// commit names a manifest that cannot be read.
fn read_manifest(index: &Index, dir: &Path) -> Option<Manifest> {
    match index.load_metas().ok().and_then(|meta| meta.payload) {
        Some(payload) => Manifest::load(dir, &payload),
        None => Some(Manifest::default()),
    }
}

/// What documents are indexed with besides their files: the timezone dates are read in.
fn settings(config: &Config) -> String {
    format!("timezone={}", config.timezone.name())
}

fn finish(
    root: &Path,
    index: Index,
    fields: Fields,
    manifest: Option<Manifest>,
) -> tantivy::Result<SearchIndex> {
    tokenizer::register(index.tokenizers());
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(SearchIndex {
        root: root.to_path_buf(),
        index,
        reader,
        fields,
        manifest,
    })
}

/// Removes the index folder: derived data, rebuilt from the files.
fn clear(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("cannot remove", dir, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_cut_from_around_the_first_match() {
        let text = format!("{}the timeout hit{}", "é".repeat(500), "x".repeat(2000));
        let window = snippet_window(&text, &["timeout".to_owned()]);
        assert!(window.contains("the timeout hit"));
        assert!(window.len() < 1_300, "{}", window.len());
        assert_eq!(
            snippet_window("no match here", &["dns".to_owned()]),
            "no match here"
        );
        let inside = format!("restarted {} art", "x ".repeat(1000));
        assert!(snippet_window(&inside, &["art".to_owned()]).ends_with(" art"));
    }

    #[test]
    fn counts_edits_like_a_fuzzy_query() {
        assert!(edits_within("timeout", "timeout", 0));
        assert!(edits_within("timeout", "timout", 1));
        assert!(edits_within("timeout", "tiemout", 1), "a swap is one edit");
        assert!(edits_within("timeout", "tmieuot", 2));
        assert!(!edits_within("timeout", "tmieuot", 1));
        assert!(!edits_within("dns", "timeout", 2));
        assert!(edits_within("", "ab", 2));
    }

    #[test]
    fn dates_become_sortable_numbers_and_back() {
        let date = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap();
        assert_eq!(date_number(date), 20_260_314);
        assert_eq!(number_date(20_260_314), Some(date));
    }
}
