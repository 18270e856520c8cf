//! The archive on disk: finding its root, reading `pm.yaml`, loading every postmortem.
//!
//! This is the only module that reads `postmortems/`. Loading never stops at a bad file: each
//! file's problems are collected and the rest of the archive still loads.

pub mod config;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::model::{self, Parsed, Postmortem};
pub use config::{CONFIG_FILE, Config, ParsedConfig};

/// The folder holding the postmortems, relative to the archive root.
pub const DOCUMENTS_DIR: &str = "postmortems";

/// A loaded archive: its configuration and every document that could be read.
#[derive(Debug, Clone)]
pub struct Archive {
    /// The folder holding `pm.yaml`.
    pub root: PathBuf,
    /// The configuration.
    pub config: Config,
    /// Problems in `pm.yaml`.
    pub config_diagnostics: Vec<Diagnostic>,
    /// Every Markdown file under `postmortems/`, relative to the root, sorted.
    pub files: Vec<PathBuf>,
    /// The complete documents (id, title, status and severity readable), sorted by path.
    pub documents: Vec<Postmortem>,
    /// Documents missing part of their identity: checked, but never listed or published.
    pub incomplete: Vec<Postmortem>,
    /// Problems found while reading the documents.
    pub diagnostics: Vec<Diagnostic>,
}

/// Which files a command was pointed at (`pm check PATH…`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The chosen files and folders, as the archive names its files (root-joined) or absolute;
    /// empty means the whole archive.
    prefixes: Vec<PathBuf>,
    /// How many documents the selection covers.
    pub files: usize,
}

impl Selection {
    /// Whether `file` (relative to the root, or absolute) is selected.
    pub fn includes(&self, root: &Path, file: &Path) -> bool {
        self.prefixes.is_empty() || {
            let full = root.join(file);
            self.prefixes.iter().any(|p| full.starts_with(p))
        }
    }
}

/// Finds the archive root: `explicit` if given (it must hold `pm.yaml`), else the nearest of
/// `start` and its parents that holds `pm.yaml`, the way git finds a repository.
pub fn locate(explicit: Option<&Path>, start: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        let dir = start.join(dir);
        return if dir.join(CONFIG_FILE).is_file() {
            Ok(dir)
        } else {
            Err(Error::NotAnArchive { dir })
        };
    }
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoArchive {
            start: start.to_path_buf(),
        })
}

/// Reads `pm.yaml` in `root`. Fails when it cannot be read as YAML at all; smaller problems
/// are returned as diagnostics alongside a usable configuration.
pub fn load_config(root: &Path) -> Result<ParsedConfig> {
    let path = root.join(CONFIG_FILE);
    let bytes = fs::read(&path).map_err(|e| Error::io("cannot read", &path, e))?;
    let shown = Path::new(CONFIG_FILE);
    let parsed = match String::from_utf8(bytes) {
        Ok(text) => Config::parse(shown, &text),
        Err(e) => {
            return Err(Error::Config {
                diagnostics: vec![not_utf8(shown, e.as_bytes(), e.utf8_error())],
            });
        }
    };
    if parsed.readable {
        Ok(parsed)
    } else {
        Err(Error::Config {
            diagnostics: parsed.diagnostics,
        })
    }
}

impl Archive {
    /// Loads the archive at `root`: `pm.yaml` and every postmortem.
    pub fn open(root: &Path) -> Result<Archive> {
        let ParsedConfig {
            config,
            diagnostics: config_diagnostics,
            ..
        } = load_config(root)?;
        let Walk {
            files, problems, ..
        } = document_files(root);
        let mut archive = Archive {
            root: root.to_path_buf(),
            config,
            config_diagnostics,
            files: Vec::new(),
            documents: Vec::with_capacity(files.len()),
            incomplete: Vec::new(),
            diagnostics: problems,
        };
        for parsed in read_all(root, &files, &archive.config) {
            archive.keep(parsed);
        }
        archive.files = files;
        Ok(archive)
    }

    fn keep(&mut self, parsed: Parsed) {
        match parsed.document {
            Some(document) if parsed.complete => self.documents.push(document),
            Some(document) => self.incomplete.push(document),
            None => {}
        }
        self.diagnostics.extend(parsed.diagnostics);
    }

    /// Every document that stands for a file, complete or not: what checks look at.
    pub fn all_documents(&self) -> impl Iterator<Item = &Postmortem> {
        self.documents.iter().chain(&self.incomplete)
    }

    /// The document with this id.
    pub fn document(&self, id: &str) -> Option<&Postmortem> {
        self.documents.iter().find(|d| d.id() == id)
    }

    /// Narrows the archive to `paths` (relative to `base`, the current folder): files and
    /// folders inside `postmortems/` select its documents; other files, and the `.md` files of
    /// other folders, are read in as well so that they are checked against the archive.
    pub fn select(&mut self, base: &Path, paths: &[PathBuf]) -> Result<Selection> {
        let mut selection = Selection::default();
        if paths.is_empty() {
            selection.files = self.files.len();
            return Ok(selection);
        }
        let canonical_root = self
            .root
            .canonicalize()
            .map_err(|e| Error::io("cannot read", &self.root, e))?;
        let mut extra = BTreeSet::new();
        for path in paths {
            let canonical = base
                .join(path)
                .canonicalize()
                .map_err(|e| Error::Usage(format!("cannot check {}: {e}", path.display())))?;
            // Name files the way the archive does: relative to the root when inside it.
            let name = |full: &Path| {
                full.strip_prefix(&canonical_root)
                    .map_or_else(|_| full.to_path_buf(), Path::to_path_buf)
            };
            let candidates = if canonical.is_dir() {
                let walk = markdown_files(&canonical_root, &canonical);
                self.diagnostics.extend(walk.problems);
                walk.files
                    .iter()
                    .map(|f| name(&canonical_root.join(f)))
                    .collect()
            } else if name(&canonical) == Path::new(CONFIG_FILE) {
                Vec::new()
            } else {
                vec![name(&canonical)]
            };
            extra.extend(candidates.into_iter().filter(|f| !self.files.contains(f)));
            selection.prefixes.push(self.root.join(name(&canonical)));
        }
        for file in &extra {
            let parsed = read_document(&self.root, file, &self.config);
            self.keep(parsed);
        }
        selection.files = self
            .files
            .iter()
            .chain(&extra)
            .filter(|f| selection.includes(&self.root, f))
            .count();
        Ok(selection)
    }
}

/// Reads and parses `files` (relative to `root`) on all cores; results come back in the
/// order of `files`.
pub fn read_all(root: &Path, files: &[PathBuf], config: &Config) -> Vec<Parsed> {
    map_documents(root, files, config, |parsed| parsed)
}

/// Threads per core that read documents: reading a file that is not in the page cache waits
/// on the disk, and the other threads keep the core busy meanwhile.
const READERS_PER_CORE: usize = 4;

/// Reads and parses `files` on all cores and hands each result to `f` on the thread that
/// parsed it, so that work on the documents runs in parallel too; `f`'s results come back in
/// the order of `files`.
pub fn map_documents<T: Send>(
    root: &Path,
    files: &[PathBuf],
    config: &Config,
    f: impl Fn(Parsed) -> T + Sync,
) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from) * READERS_PER_CORE;
    let chunk = files.len().div_ceil(threads).max(64);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|file| f(read_document(root, file, config)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("document loading does not panic"))
            .collect()
    })
}

/// Reads and parses one document; `file` is relative to `root` (or absolute).
fn read_document(root: &Path, file: &Path, config: &Config) -> Parsed {
    let failed = |diagnostic| Parsed {
        document: None,
        complete: false,
        diagnostics: vec![diagnostic],
    };
    let bytes = match fs::read(root.join(file)) {
        Ok(bytes) => bytes,
        Err(e) => {
            let d = Diagnostic::error(
                file,
                Pos::START,
                Code::Unreadable,
                format!("cannot read the file: {e}"),
            )
            .with_hint("check that the file exists and is readable");
            return failed(d);
        }
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => model::parse(file, text, config.timezone),
        Err(e) => failed(not_utf8(file, &bytes, e)),
    }
}

fn not_utf8(path: &Path, bytes: &[u8], error: std::str::Utf8Error) -> Diagnostic {
    let valid = &bytes[..error.valid_up_to()];
    let line = valid.split(|b| *b == b'\n').count();
    let column = valid
        .rsplit(|b| *b == b'\n')
        .next()
        .map_or(1, |tail| String::from_utf8_lossy(tail).chars().count() + 1);
    Diagnostic::error(
        path,
        Pos { line, column },
        Code::Encoding,
        format!(
            "the file is not UTF-8: invalid byte 0x{:02X}",
            bytes[error.valid_up_to()]
        ),
    )
    .with_hint("save the file as UTF-8 (most editors offer this under \"Save with encoding\")")
}

/// Markdown files found by a walk, and the entries that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// `.md` files, relative to the root the walk was given, sorted.
    pub files: Vec<PathBuf>,
    /// Size and modification time of each file, in the order of `files`.
    pub stamps: Vec<Stamp>,
    /// Folders or files that could not be read, and broken links.
    pub problems: Vec<Diagnostic>,
}

/// What tells whether a file may have changed: its size and modification time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified: u128,
}

impl Stamp {
    /// The stamp of a file with metadata `meta`.
    pub fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
        }
    }
}

/// Every `.md` file under `postmortems/`, relative to `root`.
pub fn document_files(root: &Path) -> Walk {
    let dir = root.join(DOCUMENTS_DIR);
    if dir.exists() {
        markdown_files(root, &dir)
    } else {
        Walk::default()
    }
}

/// Every `.md` file under `dir`, relative to `root`, sorted. Hidden entries are skipped;
/// linked folders are followed, each real folder once, so a link loop cannot trap the walk.
/// Real folders come first and links after them in path order, so that a folder reached
/// both ways is always listed under the same path.
pub fn markdown_files(root: &Path, dir: &Path) -> Walk {
    let seen = Mutex::new(BTreeSet::new());
    let mut top = Listing::default();
    list_folder(root, dir, &seen, &mut top);
    // Reading 10 000 entries is mostly waiting on the file system: read the folders below
    // the top one on all cores. Without links, every folder has one path and is read once.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = top.subfolders.len().div_ceil(threads).max(1);
    let parts: Vec<Listing> = std::thread::scope(|scope| {
        let workers: Vec<_> = top
            .subfolders
            .chunks(chunk)
            .map(|folders| {
                let seen = &seen;
                scope.spawn(move || {
                    let mut listing = Listing::default();
                    list_tree(root, folders.to_vec(), seen, &mut listing);
                    listing
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("listing folders does not panic"))
            .collect()
    });
    let mut all = Listing {
        subfolders: Vec::new(),
        ..top
    };
    for part in parts {
        all.found.extend(part.found);
        all.problems.extend(part.problems);
        all.links.extend(part.links);
    }
    // Linked folders one at a time, in path order.
    let mut links: BTreeSet<PathBuf> = std::mem::take(&mut all.links).into_iter().collect();
    while let Some(link) = links.pop_first() {
        list_tree(root, vec![link], &seen, &mut all);
        links.extend(all.links.drain(..));
    }
    let Listing {
        mut found,
        mut problems,
        ..
    } = all;
    // Byte order of the paths: as deterministic as component order, and much cheaper.
    found.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let (files, stamps) = found.into_iter().unzip();
    Walk {
        files,
        stamps,
        problems,
    }
}

/// What reading folders found: files with their stamps, problems, real folders still to
/// read, and links to folders.
#[derive(Default)]
struct Listing {
    found: Vec<(PathBuf, Stamp)>,
    problems: Vec<Diagnostic>,
    subfolders: Vec<PathBuf>,
    links: Vec<PathBuf>,
}

/// Reads `folders` and every real folder below them into `listing`; links are left in
/// `listing.links`.
fn list_tree(
    root: &Path,
    mut folders: Vec<PathBuf>,
    seen: &Mutex<BTreeSet<PathBuf>>,
    listing: &mut Listing,
) {
    while let Some(folder) = folders.pop() {
        list_folder(root, &folder, seen, listing);
        folders.append(&mut listing.subfolders);
    }
}

/// Reads one folder into `listing`, unless a link already led to it.
fn list_folder(root: &Path, dir: &Path, seen: &Mutex<BTreeSet<PathBuf>>, listing: &mut Listing) {
    let shown = |path: &Path| path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let unreadable = |problems: &mut Vec<Diagnostic>, path: &Path, e: &io::Error| {
        problems.push(
            Diagnostic::error(
                &shown(path),
                Pos::START,
                Code::Unreadable,
                format!("cannot read: {e}"),
            )
            .with_hint("check that it exists and that you may read it"),
        );
    };
    let Ok(real) = dir.canonicalize() else {
        return;
    };
    if !seen.lock().map_or(true, |mut seen| seen.insert(real)) {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return unreadable(&mut listing.problems, dir, &e),
    };
    let relative = shown(dir);
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                unreadable(&mut listing.problems, dir, &e);
                continue;
            }
        };
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = dir.join(&name);
        let is_markdown = name.as_encoded_bytes().ends_with(b".md");
        // The entry's type comes with the folder listing; a file's size and time cost a
        // `stat` relative to the open folder; a link is followed with a full `stat`, to walk
        // a linked folder or report a broken link.
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => listing.subfolders.push(path),
            Ok(kind) if kind.is_file() => {
                if is_markdown {
                    match entry.metadata() {
                        Ok(meta) => listing.found.push((relative.join(&name), Stamp::of(&meta))),
                        Err(e) => unreadable(&mut listing.problems, &path, &e),
                    }
                }
            }
            _ => match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => listing.links.push(path),
                Ok(meta) if is_markdown => {
                    listing.found.push((relative.join(&name), Stamp::of(&meta)));
                }
                Ok(_) => {}
                Err(e) => unreadable(&mut listing.problems, &path, &e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_line_of_the_first_invalid_byte() {
        let bytes: &[u8] = &[b"---\nid: x\ntitle: caf".as_slice(), &[0xe9, b'\n']].concat();
        let err = std::str::from_utf8(bytes).unwrap_err();
        let d = not_utf8(Path::new("a.md"), bytes, err);
        assert_eq!(
            d.pos,
            Pos {
                line: 3,
                column: 11
            }
        );
        assert!(d.message.contains("0xE9"));
    }
}
