//! `pm check`: every rule a postmortem must follow, applied to a loaded archive.
//!
//! Each rule is a small function that looks at one document (or at all of them, for rules
//! across documents) and pushes diagnostics; none stops the others.

mod rules;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::archive::Archive;
use crate::diagnostic::Diagnostic;

/// The moment a check runs, injected so that results are reproducible.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Now, for "in the future".
    pub now: DateTime<FixedOffset>,
    /// Today, for "overdue".
    pub today: NaiveDate,
}

/// Every problem in the archive: `pm.yaml`, files that could not be read, and every rule's
/// findings, sorted by file and position.
pub fn check(archive: &Archive, clock: Clock) -> Vec<Diagnostic> {
    let mut out = archive.config_diagnostics.clone();
    out.extend(archive.diagnostics.iter().cloned());
    for doc in archive.all_documents() {
        rules::document(doc, &archive.config, clock, &mut out);
    }
    rules::across_documents(archive, &mut out);
    out.sort_by(|a, b| (&a.path, a.pos, a.code).cmp(&(&b.path, b.pos, b.code)));
    out.dedup();
    out
}
