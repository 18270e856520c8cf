//! `postmortems`: incident postmortems as Markdown with YAML front matter, kept in git.
//!
//! The `pm` binary is a thin layer over this library. Data flows one way:
//!
//! ```text
//! files ──archive──▶ Archive (config + documents) ──▶ check  (diagnostics)
//!                                                 └─▶ query  (list, filters)
//! templates ──scaffold──▶ new documents
//! ```
//!
//! - [`model`]: the document model and its parser (pure, no I/O);
//! - [`archive`]: finding the archive, reading `pm.yaml` and every postmortem;
//! - [`check`]: the rules `pm check` applies;
//! - [`scaffold`]: `pm init` and `pm new`;
//! - [`import`]: `pm import`, bringing an existing folder of postmortems in;
//! - [`commands`]: one function per subcommand, turning arguments into library calls.

pub mod actions;
pub mod archive;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod error;
mod fsx;
pub mod hash;
pub mod import;
pub mod markdown;
pub mod model;
pub mod query;
pub mod scaffold;
pub mod search;
pub mod site;
pub mod stats;
#[doc(hidden)]
pub mod synth;
pub mod templates;
pub mod views;

pub use archive::{Archive, Config};
pub use diagnostic::{Code, Diagnostic, Level, Pos};
pub use error::{Error, Result};
pub use model::{ActionItem, FrontMatter, Postmortem};
