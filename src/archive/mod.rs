//! The archive on disk: finding its root, reading `pm.yaml`, loading every postmortem.
//!
//! This is the only module that reads `postmortems/`. Loading never stops at a bad file: each
//! file's problems are collected and the rest of the archive still loads.

pub mod config;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::model::{self, Postmortem};
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
    /// The documents whose identity could be read, sorted by path.
    pub documents: Vec<Postmortem>,
    /// Problems found while reading the documents.
    pub diagnostics: Vec<Diagnostic>,
}

/// Finds the archive root: `explicit` if given (it must hold `pm.yaml`), else the nearest of
/// `start` and its parents that holds `pm.yaml`, the way git finds a repository.
pub fn locate(explicit: Option<&Path>, start: &Path) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        let dir = start.join(dir);
        return if dir.join(CONFIG_FILE).is_file() {
            Ok(dir)
        } else {
            Err(Error::NoArchive { start: dir })
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
        let files = document_files(root)?;
        let mut documents = Vec::with_capacity(files.len());
        let mut diagnostics = Vec::new();
        for (document, problems) in load_all(root, &files, &config) {
            documents.extend(document);
            diagnostics.extend(problems);
        }
        Ok(Archive {
            root: root.to_path_buf(),
            config,
            config_diagnostics,
            files,
            documents,
            diagnostics,
        })
    }

    /// The document with this id.
    pub fn document(&self, id: &str) -> Option<&Postmortem> {
        self.documents.iter().find(|d| d.id() == id)
    }

    /// Reads one more file from outside `postmortems/` into the archive, the way its own
    /// documents are read, so that it is checked against them.
    pub fn add_file(&mut self, path: &Path) {
        let (document, diagnostics) = read_document(&self.root, path, &self.config);
        self.documents.extend(document);
        self.diagnostics.extend(diagnostics);
    }
}

/// Loads `files` in parallel; results come back in the order of `files`.
fn load_all(
    root: &Path,
    files: &[PathBuf],
    config: &Config,
) -> Vec<(Option<Postmortem>, Vec<Diagnostic>)> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = files.len().div_ceil(threads).max(64);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|file| read_document(root, file, config))
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
fn read_document(
    root: &Path,
    file: &Path,
    config: &Config,
) -> (Option<Postmortem>, Vec<Diagnostic>) {
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
            return (None, vec![d]);
        }
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let parsed = model::parse(file, text, config.timezone);
            (parsed.document, parsed.diagnostics)
        }
        Err(e) => (None, vec![not_utf8(file, &bytes, e)]),
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

/// Every `.md` file under `postmortems/`, relative to `root`, sorted; hidden entries skipped.
pub fn document_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let dir = root.join(DOCUMENTS_DIR);
    match fs::metadata(&dir) {
        Ok(_) => collect_markdown(root, &dir, &mut files)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("cannot read", dir, e)),
    }
    files.sort();
    Ok(files)
}

fn collect_markdown(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("cannot read", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot read", dir, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // `file_type` does not follow symlinks, so a link loop cannot trap the walk.
        let kind = entry
            .file_type()
            .map_err(|e| Error::io("cannot read", &path, e))?;
        if kind.is_dir() {
            collect_markdown(root, &path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "md") && path.is_file() {
            files.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
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
