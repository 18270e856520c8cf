//! The library's error type: failures that stop a command, as opposed to problems found in
//! documents (those are [`Diagnostic`](crate::diagnostic::Diagnostic)s and are collected).

use std::io;
use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// A failure that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done: "cannot read", "cannot create", …
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// No `pm.yaml` in the folder or any parent.
    #[error(
        "no pm.yaml found in {} or any folder above it\n  hint: run `pm init` to start an archive here, or point at one with --archive DIR or PM_ARCHIVE",
        start.display()
    )]
    NoArchive {
        /// Where the search started.
        start: PathBuf,
    },
    /// The folder named by `--archive` or `PM_ARCHIVE` holds no `pm.yaml`.
    #[error(
        "no pm.yaml in {} (the folder --archive or PM_ARCHIVE names)\n  hint: run `pm init {}` to start an archive there, or name another folder",
        dir.display(), dir.display()
    )]
    NotAnArchive {
        /// The folder named.
        dir: PathBuf,
    },
    /// `pm.yaml` or a template's settings could not be read.
    #[error("the configuration cannot be used:\n{}", diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Config {
        /// What is wrong with it.
        diagnostics: Vec<Diagnostic>,
    },
    /// A template could not be parsed or rendered.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name or file.
        name: String,
        /// What went wrong, with tera's explanation.
        message: String,
    },
    /// The command was called wrongly (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The command could not do what was asked, for a reason the message explains.
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The process exit code for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
