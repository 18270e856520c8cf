//! Problems found in documents and in `pm.yaml`, as data.
//!
//! A diagnostic names the file, the line and column, what is wrong and what to do about it.
//! Parsing and checking collect them instead of stopping at the first, so one `pm check`
//! run shows everything there is to fix.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Must be fixed: `pm check` exits 1.
    Error,
    /// Worth fixing: `pm check` exits 1 only with `--deny-warnings`.
    Warning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// What kind of problem a diagnostic reports; stable names for scripts and docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code's stable kebab-case name, as printed in `error[name]`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    Unreadable => "unreadable": "The file could not be read.",
    Encoding => "encoding": "The file is not UTF-8 text.",
    FrontMatter => "front-matter": "The `---` front matter block is missing, unclosed, empty or too large.",
    Yaml => "yaml": "The front matter is not valid YAML (syntax, indentation, tabs, anchors, nesting).",
    DuplicateKey => "duplicate-key": "A key appears twice in one mapping.",
    UnknownKey => "unknown-key": "A key that `pm` does not know (often a typo).",
    MissingField => "missing-field": "A required field is absent or empty.",
    InvalidValue => "invalid-value": "A value has the wrong type or is not one of the allowed values.",
    InvalidTime => "invalid-time": "A date or time that cannot be read.",
    InvalidId => "invalid-id": "An id that is not `YYYY-MM-DD-slug` or does not match the file name.",
    DuplicateId => "duplicate-id": "Two documents (or two action items) share an id.",
    TimeOrder => "time-order": "Times out of order: started <= detected <= mitigated <= resolved.",
    FutureTime => "future-time": "A time that lies in the future.",
    UnknownSeverity => "unknown-severity": "A severity that `pm.yaml` does not define.",
    UnknownTeam => "unknown-team": "A team that `pm.yaml` does not define.",
    UnknownService => "unknown-service": "A service that `pm.yaml` does not define.",
    UnownedService => "unowned-service": "A service without an owning team in `pm.yaml`.",
    ActionOwner => "action-owner": "An action item without an owner.",
    ActionDue => "action-due": "An action item without a due date.",
    ActionOverdue => "action-overdue": "An open action item whose due date has passed.",
    MissingSection => "missing-section": "A required section (level-2 heading) is missing.",
    EmptySection => "empty-section": "A required section has no content.",
    UnknownRelated => "unknown-related": "`related` names an id that no document has.",
    BlameWording => "blame-wording": "Wording that points at people rather than systems.",
    Config => "config": "`pm.yaml` has a value that cannot be used.",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A place in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Pos {
    /// The start of a file.
    pub const START: Pos = Pos { line: 1, column: 1 };

    /// A position at the start of `line`.
    pub fn line(line: usize) -> Pos {
        Pos { line, column: 1 }
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, as the user would type it (relative to the archive root when inside it).
    pub path: PathBuf,
    /// Where in the file.
    #[serde(flatten)]
    pub pos: Pos,
    /// Error or warning.
    pub level: Level,
    /// What kind of problem.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `pos` in `path`.
    pub fn error(path: &Path, pos: Pos, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            pos,
            level: Level::Error,
            code,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `pos` in `path`.
    pub fn warning(path: &Path, pos: Pos, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(path, pos, code, message)
        }
    }

    /// The same diagnostic with a hint saying what to do.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: level[code]: message`, then the hint on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.path.display(),
            self.pos.line,
            self.pos.column,
            self.level,
            self.code,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word = word.to_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    // A unique candidate the word begins (`search` for `search-api`) is what was meant.
    let extending: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| word.len() >= 3 && c.to_lowercase().starts_with(&word))
        .collect();
    if let [only] = extending[..] {
        return Some(only);
    }
    candidates
        .into_iter()
        .map(|candidate| {
            let score = strsim::normalized_damerau_levenshtein(&word, &candidate.to_lowercase());
            (score, candidate)
        })
        // One edit in four letters is a typo; two in four is a different word (SEV9 vs SEV1).
        .filter(|(score, _)| *score >= 0.77)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// "did you mean `x`?" when one of `candidates` is close enough to `word`.
pub fn suggestion<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(word, candidates).map(|best| format!("did you mean `{best}`?"))
}

/// A hint naming the allowed values, led by the likeliest one when `value` looks like a typo.
pub fn allowed_values_hint(value: &str, allowed: &[&str]) -> String {
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match did_you_mean(value, allowed.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? Allowed: {list}"),
        None => format!("allowed: {list}"),
    }
}

/// The hint for a `what` (team, service, severity) that `pm.yaml` does not define.
pub fn undefined_hint(what: &str, value: &str, defined: &[&str]) -> String {
    if defined.is_empty() {
        format!("pm.yaml defines no {what} yet; add `{value}` there first")
    } else {
        format!(
            "{}; or add `{value}` to pm.yaml",
            allowed_values_hint(value, defined)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_key_for_a_typo() {
        let keys = ["severity", "services", "status", "summary"];
        assert_eq!(did_you_mean("serverity", keys), Some("severity"));
        assert_eq!(did_you_mean("servics", keys), Some("services"));
        assert_eq!(did_you_mean("xyz", keys), None);
        assert_eq!(did_you_mean("SEV9", ["SEV1", "SEV2"]), None);
        assert_eq!(did_you_mean("ownr", ["owner", "team"]), Some("owner"));
        assert_eq!(
            did_you_mean("search", ["search-api", "catalog-api"]),
            Some("search-api")
        );
        assert_eq!(
            did_you_mean("pay", ["payments", "payment-gateway"]),
            None,
            "ambiguous"
        );
        let ids = ["2026-07-08-driver-app-login-loop"];
        assert_eq!(
            did_you_mean("2026-01-19-order-events-consumer-lag", ids),
            None
        );
    }

    #[test]
    fn displays_as_path_line_column_level_code() {
        let d = Diagnostic::error(
            Path::new("a.md"),
            Pos { line: 3, column: 7 },
            Code::UnknownKey,
            "unknown key `x`",
        )
        .with_hint("remove it");
        assert_eq!(
            d.to_string(),
            "a.md:3:7: error[unknown-key]: unknown key `x`\n  hint: remove it"
        );
    }

    #[test]
    fn code_names_are_unique() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
