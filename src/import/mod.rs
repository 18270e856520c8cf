//! `pm import`: bringing an existing folder of postmortems into the archive without losing a
//! byte of their text.
//!
//! Every file of the source folder becomes one postmortem, or is skipped with the reason
//! (a licence, a README, a template, an image, a binary or non-UTF-8 file, an empty one). A
//! new document is the source's text below new front matter: the title, date, times, action
//! items and tags `infer` finds, the fields `--map` maps, and under `imported:`
//! the source's path, a hash of its bytes and every field nothing mapped. The hash makes a
//! second run over the same folder create nothing. Teams and services the archive does not
//! know are added to `pm.yaml` in marked blocks (`config_block`). The source folder is only
//! read.
//!
//! The one entry point is [`import`]; it writes nothing with [`Options::dry_run`].

mod config_block;
mod infer;
mod mapping;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::archive::{self, Archive, CONFIG_FILE, Config, DOCUMENTS_DIR};
use crate::diagnostic::undefined_hint;
use crate::error::{Error, Result};
use crate::fsx;
use crate::model::{self, FreeMap, FreeValue, FrontMatter, Kind, Status, Visibility};
use crate::scaffold::slugify;

pub use config_block::{BEGIN_MARK, END_MARK, NewEntry, without_added_blocks};
pub use infer::Inference;
pub use mapping::Mapping;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder to import from; only read.
    pub source: PathBuf,
    /// Report what would be done, write nothing.
    pub dry_run: bool,
    /// The mapping file (`--map`), if any.
    pub map: Option<PathBuf>,
    /// Team ids every document gets (`--team`); must be defined in `pm.yaml`.
    pub teams: Vec<String>,
    /// Service ids every document gets (`--service`); must be defined in `pm.yaml`.
    pub services: Vec<String>,
    /// The severity of documents whose source gives none; default: the least severe level.
    pub severity: Option<String>,
    /// The status of every document.
    pub status: Status,
    /// The visibility of every document.
    pub visibility: Visibility,
    /// Globs of files to import whatever they look like (`--include`).
    pub include: Vec<String>,
    /// Globs of files to skip (`--exclude`); they win over `--include`.
    pub exclude: Vec<String>,
    /// Whether unknown teams and services may be added to `pm.yaml`.
    pub config_changes: bool,
    /// Now: no imported time may lie after it; its day is written in `pm.yaml`'s marks.
    pub now: DateTime<FixedOffset>,
}

/// What happened to one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It became a postmortem (or would, in a dry run).
    Imported(Imported),
    /// An earlier import already made it into this postmortem.
    AlreadyImported {
        /// The postmortem's id.
        id: String,
        /// Its file, relative to the archive root.
        path: PathBuf,
    },
    /// It is not a postmortem, or cannot be imported; why.
    Skipped(String),
    /// It could not be read or converted; why, and what to do.
    Failed(String),
}

/// A postmortem made from a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Its id.
    pub id: String,
    /// Its file, relative to the archive root.
    pub path: PathBuf,
    /// Its title.
    pub title: String,
    /// Every value inferred, and from what.
    pub inferences: Vec<Inference>,
    /// Guesses made with little to go on, and values that could not be used.
    pub warnings: Vec<String>,
}

/// One source file and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file, relative to the source folder.
    pub source: PathBuf,
    /// What happened to it.
    pub outcome: Outcome,
}

/// What an import did, or would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every file of the source folder, in path order.
    pub files: Vec<FileReport>,
    /// Teams the archive did not know that the documents name.
    pub new_teams: Vec<NewEntry>,
    /// Services the archive did not know that the documents name.
    pub new_services: Vec<NewEntry>,
    /// Whether they were added to `pm.yaml` (false in a dry run or with no config changes).
    pub config_written: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// The severity given to documents whose source named none.
    pub default_severity: String,
    /// The status given to every document.
    pub status: Status,
}

impl Report {
    /// How many files had each outcome: imported, already imported, skipped, failed.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for file in &self.files {
            match file.outcome {
                Outcome::Imported(_) => counts.0 += 1,
                Outcome::AlreadyImported { .. } => counts.1 += 1,
                Outcome::Skipped(_) => counts.2 += 1,
                Outcome::Failed(_) => counts.3 += 1,
            }
        }
        counts
    }
}

/// Imports the files of `options.source` into the archive at `root`.
pub fn import(root: &Path, options: &Options) -> Result<Report> {
    let source = options.source.canonicalize().map_err(|e| {
        Error::Usage(format!(
            "cannot read the folder to import, {}: {e}",
            options.source.display()
        ))
    })?;
    if !source.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a folder\n  hint: pm import takes the folder holding the postmortems to bring in",
            options.source.display()
        )));
    }
    let documents_dir = root.join(DOCUMENTS_DIR);
    if let Ok(documents) = documents_dir.canonicalize()
        && source.starts_with(&documents)
    {
        return Err(Error::Usage(format!(
            "{} is inside the archive's postmortems/: it holds postmortems already",
            options.source.display()
        )));
    }
    let mapping = match &options.map {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let filters = Filters::new(&options.include, &options.exclude)?;
    let archive = Archive::open(root)?;
    let config = &archive.config;
    let flag_teams = known_ids(
        "team",
        &options.teams,
        &config
            .teams
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
    )?;
    let flag_services = known_ids(
        "service",
        &options.services,
        &config
            .services
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
    )?;
    let severities: Vec<&str> = config.severities.iter().map(|s| s.id.as_str()).collect();
    let default_severity = match &options.severity {
        Some(severity) => {
            known_ids("severity", std::slice::from_ref(severity), &severities)?.remove(0)
        }
        None => severities
            .last()
            .map_or_else(|| "SEV4".to_owned(), |s| (*s).to_owned()),
    };

    let mut earlier = Earlier::of(&archive);
    let mut registry = Registry::new(config);
    let skip_dirs: Vec<PathBuf> = [
        documents_dir.canonicalize().ok(),
        root.join(".pm").canonicalize().ok(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut report = Report {
        dry_run: options.dry_run,
        default_severity: default_severity.clone(),
        status: options.status,
        files: Vec::new(),
        new_teams: Vec::new(),
        new_services: Vec::new(),
        config_written: false,
    };
    let mut planned: Vec<(usize, Planned)> = Vec::new();
    for (relative, found) in walk(&source, &skip_dirs) {
        let outcome = match found {
            Found::Skipped(reason) => Outcome::Skipped(reason),
            Found::Failed(reason) => Outcome::Failed(reason),
            Found::File => match prepare(&source, &relative, &filters, &mut earlier) {
                Err(outcome) => outcome,
                Ok(prepared) => {
                    let setting = infer::Setting {
                        tz: config.timezone,
                        now: options.now,
                        severities: &severities,
                        mapping: &mapping,
                    };
                    let file_name = relative
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    let draft = infer::infer(
                        infer::Source {
                            file_name: &file_name,
                            text: &prepared.text,
                            modified: prepared.modified,
                        },
                        setting,
                    );
                    let mut plan = compose(
                        draft,
                        &relative,
                        &prepared.hash,
                        &flag_teams,
                        &flag_services,
                        &default_severity,
                        options,
                        config,
                        &mut registry,
                    );
                    if prepared.normalized {
                        plan.warnings.push(
                            "line ends normalized to LF (or a byte-order mark dropped)".to_owned(),
                        );
                    }
                    planned.push((report.files.len(), plan));
                    Outcome::Skipped(String::new())
                }
            },
        };
        report.files.push(FileReport {
            source: relative,
            outcome,
        });
    }

    // Unknown teams and services: into pm.yaml first, so that no document names one that
    // the archive does not define.
    let (new_teams, new_services) = registry.into_new();
    report.new_teams = new_teams;
    report.new_services = new_services;
    if options.config_changes && !(report.new_teams.is_empty() && report.new_services.is_empty()) {
        let path = root.join(CONFIG_FILE);
        let before = fs::read_to_string(&path).map_err(|e| Error::io("cannot read", &path, e))?;
        let day = options.now.date_naive().to_string();
        let after = config_block::add_entries(&before, &report.new_teams, &report.new_services, &day).map_err(|why| {
            Error::Failed(format!(
                "cannot add the new teams and services to pm.yaml: {why}\n  hint: add them yourself, or run again with --no-config-changes; nothing was imported"
            ))
        })?;
        if !options.dry_run {
            fsx::write_replace(&path, after.as_bytes())
                .map_err(|e| Error::io("cannot write", &path, e))?;
            report.config_written = true;
        }
    }

    let mut taken: BTreeSet<String> = archive::document_files(root)
        .files
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_string_lossy().into_owned()))
        .chain(archive.all_documents().map(|d| d.id().to_owned()))
        .collect();
    for (index, plan) in planned {
        report.files[index].outcome = write(root, plan, config, options.dry_run, &mut taken);
    }
    Ok(report)
}

/// `--include` and `--exclude`, matched against the path below the source folder and against
/// the file name alone.
struct Filters {
    include: GlobSet,
    exclude: GlobSet,
    include_patterns: Vec<String>,
    exclude_patterns: Vec<String>,
}

impl Filters {
    fn new(include: &[String], exclude: &[String]) -> Result<Filters> {
        let set = |flag: &str, patterns: &[String]| -> Result<GlobSet> {
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                let glob = Glob::new(pattern).map_err(|e| {
                    Error::Usage(format!("{flag} {pattern}: not a glob pattern: {e}"))
                })?;
                builder.add(glob);
            }
            builder
                .build()
                .map_err(|e| Error::Usage(format!("{flag}: {e}")))
        };
        Ok(Filters {
            include: set("--include", include)?,
            exclude: set("--exclude", exclude)?,
            include_patterns: include.to_vec(),
            exclude_patterns: exclude.to_vec(),
        })
    }

    fn first_match(set: &GlobSet, patterns: &[String], relative: &Path) -> Option<String> {
        let name = relative.file_name().map(Path::new);
        let mut hits = set.matches(relative);
        if let Some(name) = name {
            hits.extend(set.matches(name));
        }
        hits.into_iter().min().map(|i| patterns[i].clone())
    }
}

/// Whether a file found is to be read.
enum Found {
    File,
    Skipped(String),
    Failed(String),
}

/// Every entry below `source`, relative to it, in path order; hidden entries, links to folders
/// and the archive's own folders are reported, not entered.
fn walk(source: &Path, skip_dirs: &[PathBuf]) -> Vec<(PathBuf, Found)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(folder) = stack.pop() {
        let entries = match fs::read_dir(source.join(&folder)) {
            Ok(entries) => entries,
            Err(e) => {
                out.push((
                    folder,
                    Found::Failed(format!("cannot read the folder: {e}")),
                ));
                continue;
            }
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort();
        let mut subfolders = Vec::new();
        for name in names {
            let relative = folder.join(&name);
            let path = source.join(&relative);
            let hidden = name.as_encoded_bytes().starts_with(b".");
            let link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
            match fs::metadata(&path) {
                Err(e) => out.push((relative, Found::Failed(format!("cannot read: {e}")))),
                Ok(meta) if meta.is_dir() => {
                    let reason = if hidden {
                        Some("a hidden folder, not read".to_owned())
                    } else if link {
                        Some("a link to a folder, not followed".to_owned())
                    } else if path
                        .canonicalize()
                        .is_ok_and(|real| skip_dirs.contains(&real))
                    {
                        Some("the archive's own folder, not read".to_owned())
                    } else {
                        None
                    };
                    match reason {
                        Some(reason) => out.push((relative, Found::Skipped(reason))),
                        None => subfolders.push(relative),
                    }
                }
                Ok(meta) if meta.is_file() => {
                    if hidden {
                        out.push((relative, Found::Skipped("a hidden file".to_owned())));
                    } else {
                        out.push((relative, Found::File));
                    }
                }
                Ok(_) => out.push((relative, Found::Skipped("not a regular file".to_owned()))),
            }
        }
        // Depth first, in name order.
        stack.extend(subfolders.into_iter().rev());
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The imports already in the archive, by the hash and the path of their source.
struct Earlier {
    by_hash: BTreeMap<String, (String, PathBuf)>,
    by_source: BTreeMap<String, (String, PathBuf)>,
    /// Sources of this run, by hash: a second copy of a text is imported once.
    this_run: BTreeMap<String, String>,
}

impl Earlier {
    fn of(archive: &Archive) -> Earlier {
        let mut earlier = Earlier {
            by_hash: BTreeMap::new(),
            by_source: BTreeMap::new(),
            this_run: BTreeMap::new(),
        };
        for doc in archive.all_documents() {
            let found = (doc.id().to_owned(), doc.path.clone());
            if let Some(hash) = doc.front.imported.text("hash") {
                earlier.by_hash.insert(hash.to_owned(), found.clone());
            }
            if let Some(source) = doc.front.imported.text("source") {
                earlier.by_source.insert(source.to_owned(), found);
            }
        }
        earlier
    }
}

/// A source file to import.
struct Prepared {
    /// Its text, line ends normalized.
    text: String,
    /// Whether normalizing changed it.
    normalized: bool,
    /// The hash of its bytes.
    hash: String,
    /// The day it was last modified.
    modified: Option<NaiveDate>,
}

/// Reads a file and decides whether to import it, or returns the outcome that ends it.
fn prepare(
    source: &Path,
    relative: &Path,
    filters: &Filters,
    earlier: &mut Earlier,
) -> Result<Prepared, Outcome> {
    if let Some(pattern) =
        Filters::first_match(&filters.exclude, &filters.exclude_patterns, relative)
    {
        return Err(Outcome::Skipped(format!("excluded by --exclude {pattern}")));
    }
    let path = source.join(relative);
    let bytes = fs::read(&path).map_err(|e| {
        Outcome::Failed(format!(
            "cannot read the file: {e}; check that you may read it"
        ))
    })?;
    let modified = fs::metadata(&path)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| DateTime::<chrono::Utc>::from(t).date_naive());
    let included =
        Filters::first_match(&filters.include, &filters.include_patterns, relative).is_some();
    let text = classify(relative, &bytes, included).map_err(Outcome::Skipped)?;
    let hash = content_hash(&bytes);
    let key = source_key(relative);
    if let Some((id, path)) = earlier.by_hash.get(&hash) {
        return Err(Outcome::AlreadyImported {
            id: id.clone(),
            path: path.clone(),
        });
    }
    if let Some((id, path)) = earlier.by_source.get(&key) {
        return Err(Outcome::Skipped(format!(
            "imported before as {id}, and changed since; pm import never overwrites: delete {} to import it again",
            path.display()
        )));
    }
    if let Some(first) = earlier.this_run.get(&hash) {
        return Err(Outcome::Skipped(format!(
            "the same text as {first}, imported once"
        )));
    }
    earlier.this_run.insert(hash.clone(), key);
    let (text, normalized) = infer::normalize(text);
    Ok(Prepared {
        text,
        normalized,
        hash,
        modified,
    })
}

/// The text of a file to import, or why it is not a postmortem. `included` (by `--include`)
/// overrides the guess from its name, not what its bytes are.
fn classify<'a>(relative: &Path, bytes: &'a [u8], included: bool) -> Result<&'a str, String> {
    let name = relative
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_lowercase());
    let extension = Path::new(&name)
        .extension()
        .map_or_else(String::new, |e| e.to_string_lossy().into_owned());
    if IMAGES.contains(&extension.as_str()) {
        return Err(format!("an image (.{extension})"));
    }
    if bytes.iter().take(8192).any(|b| *b == 0) || BINARY_EXTENSIONS.contains(&extension.as_str()) {
        return Err("a binary file".to_owned());
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.split(|b| *b == b'\n').count();
            return Err(format!(
                "not UTF-8 text (byte 0x{:02X} on line {line}); convert it, e.g. `iconv -f latin1 -t utf-8`, and import again",
                bytes[e.valid_up_to()]
            ));
        }
    };
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err("empty".to_owned());
    }
    if included {
        return Ok(text);
    }
    let stem = name.split('.').next().unwrap_or_default();
    let kind = match stem {
        "readme" | "index" => Some("a README"),
        "license" | "licence" | "copying" | "unlicense" | "notice" => Some("a licence"),
        "changelog" | "changes" | "history" => Some("a changelog"),
        "contributing" | "code_of_conduct" | "security" | "codeowners" | "authors"
        | "maintainers" => Some("a project file"),
        _ if name.contains("template") => Some("a template"),
        _ => None,
    };
    if let Some(kind) = kind {
        return Err(format!(
            "{kind}, not a postmortem (--include imports it anyway)"
        ));
    }
    if NOT_DOCUMENTS.contains(&extension.as_str()) {
        return Err(format!(
            "not a document (.{extension}; --include imports it anyway)"
        ));
    }
    Ok(text)
}

const IMAGES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "avif",
];
const BINARY_EXTENSIONS: &[&str] = &[
    "pdf", "zip", "gz", "tgz", "xz", "bz2", "7z", "tar", "docx", "xlsx", "pptx", "odt", "exe",
    "dll", "so", "dylib", "class", "jar", "woff", "woff2", "ttf", "otf", "mp4", "mov", "mp3",
    "wav",
];
const NOT_DOCUMENTS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "toml",
    "csv",
    "tsv",
    "xml",
    "ini",
    "cfg",
    "conf",
    "lock",
    "js",
    "mjs",
    "ts",
    "css",
    "scss",
    "py",
    "rb",
    "go",
    "rs",
    "java",
    "c",
    "h",
    "cpp",
    "sh",
    "bash",
    "ps1",
    "bat",
    "sql",
    "tf",
    "hcl",
    "gitignore",
    "gitattributes",
    "editorconfig",
];

/// A hash of a source's bytes, to recognize it in a later run: FNV-1a, 64 bits, in hex.
fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("fnv1a64:{hash:016x}")
}

/// The path recorded in `imported.source`: relative to the source folder, with `/`.
fn source_key(relative: &Path) -> String {
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `values` if each is one of `allowed`, else a usage error naming the likely one.
fn known_ids(what: &str, values: &[String], allowed: &[&str]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for value in values {
        if !allowed.contains(&value.as_str()) {
            let hint = undefined_hint(what, value, allowed);
            return Err(Error::Usage(format!(
                "`{value}` is not a {what} defined in pm.yaml\n  hint: {hint}"
            )));
        }
        if !out.contains(value) {
            out.push(value.clone());
        }
    }
    Ok(out)
}

/// Teams and services named by sources: matched with `pm.yaml` by id or name, or new.
struct Registry<'a> {
    config: &'a Config,
    new_teams: Vec<NewEntry>,
    new_services: Vec<NewEntry>,
}

/// How a name was matched.
enum Match {
    Known(String),
    New(String),
}

impl<'a> Registry<'a> {
    fn new(config: &'a Config) -> Self {
        Registry {
            config,
            new_teams: Vec::new(),
            new_services: Vec::new(),
        }
    }

    fn find(&self, teams: bool, name: &str) -> Match {
        let known: Vec<(&str, &str)> = if teams {
            self.config
                .teams
                .iter()
                .map(|t| (t.id.as_str(), t.name.as_str()))
                .collect()
        } else {
            self.config
                .services
                .iter()
                .map(|s| (s.id.as_str(), s.name.as_str()))
                .collect()
        };
        let slug = slugify(name);
        if let Some((id, _)) = known.iter().find(|(id, known_name)| {
            *id == name
                || id.eq_ignore_ascii_case(name)
                || known_name.eq_ignore_ascii_case(name)
                || **id == slug
        }) {
            return Match::Known((*id).to_owned());
        }
        Match::New(slug)
    }

    /// Records `name` as new unless known; returns its id.
    fn add(&mut self, teams: bool, name: &str) -> String {
        match self.find(teams, name) {
            Match::Known(id) => id,
            Match::New(id) => {
                let list = if teams {
                    &mut self.new_teams
                } else {
                    &mut self.new_services
                };
                if !list.iter().any(|e| e.id == id) {
                    list.push(NewEntry {
                        id: id.clone(),
                        name: name.to_owned(),
                    });
                }
                id
            }
        }
    }

    fn into_new(self) -> (Vec<NewEntry>, Vec<NewEntry>) {
        (self.new_teams, self.new_services)
    }
}

/// A document ready to be written, but for its id.
struct Planned {
    front: FrontMatter,
    body: String,
    date: NaiveDate,
    inferences: Vec<Inference>,
    warnings: Vec<String>,
}

/// Turns a draft into front matter: flags, defaults, teams and services matched with
/// `pm.yaml`, and the `imported:` map.
#[allow(clippy::too_many_arguments)] // the draft, its file, and the run's settings
fn compose(
    draft: infer::Draft,
    relative: &Path,
    hash: &str,
    flag_teams: &[String],
    flag_services: &[String],
    default_severity: &str,
    options: &Options,
    config: &Config,
    registry: &mut Registry<'_>,
) -> Planned {
    let infer::Draft {
        title,
        date,
        summary,
        incident_commander,
        trigger,
        severity,
        kind,
        detection,
        times,
        teams: named_teams,
        services: named_services,
        tags,
        authors,
        action_items,
        mut rest,
        body,
        mut inferences,
        mut warnings,
    } = draft;
    let mut resolve = |teams: bool,
                       flags: &[String],
                       named: Vec<mapping::Names>,
                       rest: &mut FreeMap,
                       inferences: &mut Vec<Inference>,
                       warnings: &mut Vec<String>| {
        let mut ids: Vec<String> = flags.to_vec();
        let field = if teams { "teams" } else { "services" };
        if !flags.is_empty() {
            inferences.push(Inference {
                field,
                value: flags.join(", "),
                from: format!("--{}", if teams { "team" } else { "service" }),
            });
        }
        for names in named {
            let mut used = Vec::new();
            let mut left_out = Vec::new();
            for name in &names.values {
                match registry.find(teams, name) {
                    Match::Known(id) => used.push(id),
                    Match::New(_) if options.config_changes => used.push(registry.add(teams, name)),
                    Match::New(_) => {
                        // Recorded for the report; not used in the document.
                        registry.add(teams, name);
                        left_out.push(name.clone());
                    }
                }
            }
            if !left_out.is_empty() {
                warnings.push(format!(
                    "{} not in pm.yaml, left out of `{field}` (--no-config-changes): {}; `{}` is kept under `imported`",
                    if teams { "teams" } else { "services" },
                    left_out.join(", "),
                    names.key
                ));
                rest.insert(names.key.clone(), names.original.clone());
            }
            if !used.is_empty() {
                inferences.push(Inference {
                    field,
                    value: used.join(", "),
                    from: format!("front-matter field `{}`", names.key),
                });
            }
            for id in used {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    };
    let services = resolve(
        false,
        flag_services,
        named_services,
        &mut rest,
        &mut inferences,
        &mut warnings,
    );
    let mut teams = resolve(
        true,
        flag_teams,
        named_teams,
        &mut rest,
        &mut inferences,
        &mut warnings,
    );
    if teams.is_empty() && !services.is_empty() {
        teams = config
            .owners_of(&services)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !teams.is_empty() {
            inferences.push(Inference {
                field: "teams",
                value: teams.join(", "),
                from: "owners of the services in pm.yaml".to_owned(),
            });
        }
    }
    let severity = severity.unwrap_or_else(|| {
        inferences.push(Inference {
            field: "severity",
            value: default_severity.to_owned(),
            from: if options.severity.is_some() {
                "--severity".to_owned()
            } else {
                "not in the source; the least severe in pm.yaml".to_owned()
            },
        });
        default_severity.to_owned()
    });
    inferences.sort_by_key(|i| infer::FIELD_ORDER.iter().position(|f| *f == i.field));
    let mut imported = FreeMap::default();
    imported.insert("source", FreeValue::Text(source_key(relative)));
    imported.insert("hash", FreeValue::Text(hash.to_owned()));
    if !rest.is_empty() {
        imported.insert("fields", FreeValue::Map(rest));
    }
    let [started_at, detected_at, mitigated_at, resolved_at] = times;
    let front = FrontMatter {
        id: String::new(),
        title,
        status: options.status,
        visibility: options.visibility,
        severity,
        kind: kind.unwrap_or(Kind::Incident),
        teams,
        services,
        tags,
        authors,
        incident_commander,
        summary,
        started_at,
        detected_at,
        mitigated_at,
        resolved_at,
        trigger,
        detection,
        links: Vec::new(),
        related: Vec::new(),
        action_items,
        imported,
    };
    Planned {
        front,
        body,
        date,
        inferences,
        warnings,
    }
}

/// Gives `plan` a free id and writes it (unless `dry_run`), after checking that it reads back
/// as exactly what was meant.
fn write(
    root: &Path,
    mut plan: Planned,
    config: &Config,
    dry_run: bool,
    taken: &mut BTreeSet<String>,
) -> Outcome {
    let base = format!(
        "{}-{}",
        plan.date.format("%Y-%m-%d"),
        slugify(&plan.front.title)
    );
    let dir = Path::new(DOCUMENTS_DIR).join(plan.date.format("%Y").to_string());
    if !dry_run && let Err(e) = fs::create_dir_all(root.join(&dir)) {
        return Outcome::Failed(format!("cannot create {}: {e}", dir.display()));
    }
    for n in 1.. {
        let id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if taken.contains(&id) {
            continue;
        }
        plan.front.id.clone_from(&id);
        let text = match document_text(&plan.front, &plan.body, config) {
            Ok(text) => text,
            Err(why) => return Outcome::Failed(why),
        };
        let path = dir.join(format!("{id}.md"));
        if !dry_run {
            match fsx::write_new(&root.join(&path), text.as_bytes()) {
                Ok(()) => {}
                // Someone made this file a moment ago: try the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    taken.insert(id);
                    continue;
                }
                Err(e) => return Outcome::Failed(format!("cannot create {}: {e}", path.display())),
            }
        }
        taken.insert(id.clone());
        return Outcome::Imported(Imported {
            id,
            path,
            title: plan.front.title,
            inferences: plan.inferences,
            warnings: plan.warnings,
        });
    }
    unreachable!("the loop only ends by returning")
}

/// The new document's text: front matter, then the source body exactly. Read back first: a
/// document that would not read as `front` without a problem is not written.
fn document_text(
    front: &FrontMatter,
    body: &str,
    config: &Config,
) -> std::result::Result<String, String> {
    let yaml = serde_saphyr::to_string(front)
        .map_err(|e| format!("cannot write its front matter: {e}"))?;
    let text = format!("---\n{yaml}---\n{body}");
    let parsed = model::parse(
        Path::new(&format!("{}.md", front.id)),
        &text,
        config.timezone,
    );
    match parsed.document {
        Some(doc) if doc.front == *front && parsed.diagnostics.is_empty() => Ok(text),
        _ => Err(format!(
            "cannot be imported without changing it: {}; import it with pm new and paste the text",
            parsed
                .diagnostics
                .first()
                .map_or("its values would read back differently", |d| d
                    .message
                    .as_str())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_is_not_a_postmortem_with_the_reason() {
        let skip = |name: &str, bytes: &[u8]| classify(Path::new(name), bytes, false).unwrap_err();
        assert!(skip("LICENSE", b"MIT License").starts_with("a licence"));
        assert!(skip("docs/README.md", b"# Hi").starts_with("a README"));
        assert!(skip("PMyyyy-nnn - Postmortem template.md", b"# T").starts_with("a template"));
        assert!(skip("a.png", b"\x89PNG").starts_with("an image"));
        assert_eq!(skip("blob", b"ab\0cd"), "a binary file");
        assert_eq!(skip("empty.md", b""), "empty");
        assert_eq!(skip("blank.md", b" \n\n"), "empty");
        let latin1 = skip("old.md", b"# Caf\xe9\n");
        assert!(
            latin1.starts_with("not UTF-8 text (byte 0xE9 on line 1)"),
            "{latin1}"
        );
        assert!(skip("data.json", b"{}").starts_with("not a document"));
    }

    #[test]
    fn imports_text_with_or_without_an_extension_and_include_overrides_the_name() {
        assert!(classify(Path::new("PM2022-009 - Bad AMI"), b"# T", false).is_ok());
        assert!(classify(Path::new("notes.txt"), b"# T", false).is_ok());
        assert!(classify(Path::new("README.md"), b"# T", true).is_ok());
        assert!(
            classify(Path::new("README.md"), b"\0", true).is_err(),
            "not what the bytes are"
        );
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(content_hash(b""), "fnv1a64:cbf29ce484222325");
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
    }
}
