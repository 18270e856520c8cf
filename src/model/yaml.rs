//! YAML read into a small tree that remembers where every key and value came from.
//!
//! Front matter and `pm.yaml` are read in two steps. First the text becomes [`Node`]s with
//! their positions: plain block YAML through a reader of that subset (`simple`), anything
//! else through the events of `granit-parser` (the YAML parser under `serde-saphyr`), refusing
//! anchors and aliases, nesting deeper than 16 levels and duplicate keys (the subset reader
//! leaves all three to the other). Then [`Fields`] reads a mapping field by field into typed
//! values. Reading field by field is what lets `pm check` report every bad field of a
//! document at once, each at its own line, and suggest the key that was meant when one is
//! misspelled.

use std::fmt::Write as _;

use chrono::NaiveDate;
use granit_parser::{Event, Options, Parser, ScalarStyle, ScanError, Span, StrInput};

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Level, Pos, did_you_mean, suggestion};

mod simple;

/// Front matter larger than this is refused before it is parsed.
pub const MAX_YAML_BYTES: usize = 64 * 1024;
/// Deepest nesting of lists and mappings accepted.
const MAX_DEPTH: usize = 16;

/// A YAML value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value starts, in file coordinates.
    pub pos: Pos,
    /// The value.
    pub value: Value,
}

/// A YAML value. Scalars keep their text: the typed readers decide what it means.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// Any scalar: a string, or the source text of a number or boolean.
    Scalar(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<Entry>),
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value.
    pub value: Node,
}

impl Value {
    /// A short noun for messages: "a list", "a mapping", "text", "nothing".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Scalar(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Parses `text`, whose first line is line `first_line` of its file.
pub fn parse(text: &str, first_line: usize) -> Result<Node, Problem> {
    simple::parse(text, first_line).map_or_else(|| parse_fully(text, first_line), Ok)
}

/// Parses `text` with the full YAML parser.
fn parse_fully(text: &str, first_line: usize) -> Result<Node, Problem> {
    let mut options = Options::default();
    options.emit_comments = false;
    // Report an alias without its anchor the same way as any alias, not as a parse error.
    options.emit_unresolved_aliases = true;
    let mut reader = Reader {
        events: Parser::new_from_str_with_options(text, options),
        line_offset: first_line - 1,
    };
    let mut root = None;
    loop {
        let (event, span) = reader.next()?;
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart(..) if root.is_some() => {
                return Err(Problem::new(
                    reader.pos(&span),
                    Code::Yaml,
                    "more than one YAML document".to_owned(),
                    Some("front matter is one YAML document: remove the `...` line".to_owned()),
                ));
            }
            Event::DocumentStart(..) => {
                let (event, span) = reader.next()?;
                root = Some(reader.node(event, &span, 0)?);
            }
            _ => {}
        }
    }
    Ok(root.unwrap_or(Node {
        pos: Pos::line(first_line),
        value: Value::Null,
    }))
}

/// Builds [`Node`]s from granit-parser's events. Scalars keep their text (`1.10` stays
/// `1.10`, `no` stays `no`); the typed readers decide what it means.
struct Reader<'a> {
    events: Parser<'a, StrInput<'a>>,
    line_offset: usize,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), Problem> {
        match self.events.next() {
            Some(Ok(next)) => Ok(next),
            Some(Err(error)) => Err(self.scan_error(&error)),
            None => Err(Problem::new(
                Pos::line(self.line_offset + 1),
                Code::Yaml,
                "invalid YAML: the text ends too early".to_owned(),
                None,
            )),
        }
    }

    fn pos(&self, span: &Span) -> Pos {
        Pos {
            line: span.start.line().max(1) + self.line_offset,
            column: span.start.col() + 1,
        }
    }

    fn node(&mut self, event: Event<'a>, span: &Span, depth: usize) -> Result<Node, Problem> {
        let pos = self.pos(span);
        if event.anchor_id().is_some_and(|id| id != 0)
            || matches!(event, Event::Alias(_) | Event::UnresolvedAlias(_))
        {
            return Err(Problem::new(
                pos,
                Code::Yaml,
                "YAML anchors and aliases (`&name`, `*name`) are not allowed".to_owned(),
                Some("write the value out in full".to_owned()),
            ));
        }
        if depth >= MAX_DEPTH && matches!(event, Event::SequenceStart(..) | Event::MappingStart(..))
        {
            return Err(too_deep(pos));
        }
        let value = match event {
            Event::Scalar(text, ScalarStyle::Plain, ..)
                if matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL") =>
            {
                Value::Null
            }
            Event::Scalar(text, ..) => Value::Scalar(text.into_owned()),
            Event::SequenceStart(..) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (event, span) => items.push(self.node(event, &span, depth + 1)?),
                    }
                }
                Value::Seq(items)
            }
            Event::MappingStart(..) => Value::Map(self.entries(depth)?),
            _ => {
                return Err(Problem::new(
                    pos,
                    Code::Yaml,
                    "invalid YAML: expected a value".to_owned(),
                    None,
                ));
            }
        };
        Ok(Node { pos, value })
    }

    fn entries(&mut self, depth: usize) -> Result<Vec<Entry>, Problem> {
        let mut entries: Vec<Entry> = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                return Ok(entries);
            }
            let key = self.node(event, &span, depth + 1)?;
            let key_text = match key.value {
                Value::Scalar(text) => text,
                Value::Null => String::new(),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(Problem::new(
                        key.pos,
                        Code::Yaml,
                        "invalid YAML: a mapping key must be plain text".to_owned(),
                        Some("write the key as a word, like `title:`".to_owned()),
                    ));
                }
            };
            if entries.iter().any(|e| e.key == key_text) {
                return Err(Problem::new(
                    key.pos,
                    Code::DuplicateKey,
                    format!("key `{key_text}` appears more than once"),
                    Some(
                        "keep one of them: with two, which one counts would be a guess".to_owned(),
                    ),
                ));
            }
            let (event, span) = self.next()?;
            entries.push(Entry {
                key: key_text,
                key_pos: key.pos,
                value: self.node(event, &span, depth + 1)?,
            });
        }
    }

    fn scan_error(&self, error: &ScanError) -> Problem {
        let marker = error.marker();
        let pos = Pos {
            line: marker.line().max(1) + self.line_offset,
            column: marker.col() + 1,
        };
        let info = error.info();
        // The parser's own guard against deep flow nesting (`[[[[…`) can fire before ours.
        if info.contains("recursion limit") || info.contains("nesting limit") {
            return too_deep(pos);
        }
        let hint = if info.contains("tab") {
            "indent with spaces; YAML does not allow tabs for indentation"
        } else {
            "check the indentation and quoting on this line and the one before it"
        };
        Problem::new(
            pos,
            Code::Yaml,
            format!("invalid YAML: {info}"),
            Some(hint.to_owned()),
        )
    }
}

fn too_deep(pos: Pos) -> Problem {
    Problem::new(
        pos,
        Code::Yaml,
        format!("nested more than {MAX_DEPTH} levels deep"),
        Some("flatten the structure".to_owned()),
    )
}

/// A problem in YAML text, before it is tied to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where, in file coordinates.
    pub pos: Pos,
    /// What kind.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

impl Problem {
    fn new(pos: Pos, code: Code, message: String, hint: Option<String>) -> Self {
        Problem {
            pos,
            code,
            message,
            hint,
        }
    }

    /// The problem as a diagnostic of `level` in the file at `path`.
    pub fn into_diagnostic(self, path: &Path, level: Level) -> Diagnostic {
        Diagnostic {
            path: path.to_path_buf(),
            pos: self.pos,
            level,
            code: self.code,
            message: self.message,
            hint: self.hint,
        }
    }
}

/// Why a node could not be read as a value: a message and, maybe, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// [`Code::InvalidValue`] or [`Code::InvalidTime`].
    pub code: Code,
    /// What is wrong with the value.
    pub message: String,
    /// What would be accepted.
    pub hint: Option<String>,
}

impl Invalid {
    /// A value of the wrong kind or outside the allowed set.
    pub fn value(message: impl Into<String>, hint: Option<String>) -> Self {
        Invalid {
            code: Code::InvalidValue,
            message: message.into(),
            hint,
        }
    }
}

/// A type that can be read from a YAML node.
pub trait FromNode: Sized {
    /// Reads the value, or says why it cannot.
    fn from_node(node: &Node) -> Result<Self, Invalid>;
}

/// The text of a scalar, or an error naming what was found instead.
pub fn scalar_text(node: &Node) -> Result<&str, Invalid> {
    match &node.value {
        Value::Scalar(s) => Ok(s),
        other => Err(Invalid::value(
            format!("expected text, found {}", other.kind()),
            None,
        )),
    }
}

impl FromNode for String {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        scalar_text(node).map(str::to_owned)
    }
}

impl FromNode for u8 {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        let text = scalar_text(node)?;
        text.parse().map_err(|_| {
            Invalid::value(
                format!("`{text}` is not a small whole number"),
                Some("use a number from 0 to 255".to_owned()),
            )
        })
    }
}

impl FromNode for bool {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        match scalar_text(node)? {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(Invalid::value(
                format!("`{other}` is not true or false"),
                Some("write `true` or `false`".to_owned()),
            )),
        }
    }
}

impl FromNode for NaiveDate {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        let text = scalar_text(node)?;
        parse_date(text).map_err(|message| Invalid {
            code: Code::InvalidTime,
            message,
            hint: Some("write a date as YYYY-MM-DD, e.g. 2026-04-01".to_owned()),
        })
    }
}

/// Reads a calendar date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(format!("`{text}` is not a date of the form YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a real calendar date"))
}

/// A list; a single scalar is read as a one-element list, and nothing as an empty one.
impl<T: FromNode> FromNode for Vec<T> {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        match &node.value {
            Value::Null => Ok(Vec::new()),
            Value::Seq(items) => items.iter().map(T::from_node).collect(),
            Value::Scalar(_) => Ok(vec![T::from_node(node)?]),
            Value::Map(_) => Err(Invalid::value("expected a list, found a mapping", None)),
        }
    }
}

/// Declares a closed set of kebab-case keywords read from YAML, with a "did you mean" on typos.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &[$name] = &[$($name::$variant,)*];
            /// The spelling of every value, in order.
            pub const NAMES: &[&str] = &[$($text,)*];

            /// The value's spelling in documents.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::model::yaml::Invalid;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::model::yaml::Invalid::value(
                        format!("`{s}` is not a valid {}", $crate::model::yaml::describe(stringify!($name))),
                        Some($crate::diagnostic::allowed_values_hint(s, $name::NAMES)),
                    )),
                }
            }
        }

        impl $crate::model::yaml::FromNode for $name {
            fn from_node(node: &$crate::model::yaml::Node) -> Result<Self, $crate::model::yaml::Invalid> {
                $crate::model::yaml::scalar_text(node)?.parse()
            }
        }
    };
}
pub(crate) use keyword_enum;

/// `ActionStatus` → "action status", for messages.
#[doc(hidden)]
pub fn describe(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Reads the fields of one mapping, remembering which keys were asked for so that every
/// other key can be reported as unknown, with the closest known key as a suggestion.
pub struct Fields<'a> {
    entries: &'a [Entry],
    pos: Pos,
    what: &'static str,
    known: Vec<&'static str>,
    missing: Vec<&'static str>,
    problems: Vec<Problem>,
}

impl<'a> Fields<'a> {
    /// Starts reading `node`, a mapping described as `what` in messages ("front matter",
    /// "action item"). A node that is not a mapping yields one problem and no fields.
    pub fn new(node: &'a Node, what: &'static str) -> Self {
        let mut fields = Fields {
            entries: &[],
            pos: node.pos,
            what,
            known: Vec::new(),
            missing: Vec::new(),
            problems: Vec::new(),
        };
        match &node.value {
            Value::Map(entries) => fields.entries = entries,
            other => fields.problems.push(Problem::new(
                node.pos,
                Code::InvalidValue,
                format!(
                    "expected the {what} to be a mapping of `key: value`, found {}",
                    other.kind()
                ),
                None,
            )),
        }
        fields
    }

    /// Where the mapping starts.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// The raw node of `key`, if present and not null; marks the key as known.
    pub fn node(&mut self, key: &'static str) -> Option<&'a Node> {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
            .filter(|n| n.value != Value::Null)
    }

    /// An optional field; a present but invalid value is reported and read as absent.
    pub fn optional<T: FromNode>(&mut self, key: &'static str) -> Option<T> {
        let node = self.node(key)?;
        self.read(key, node)
    }

    /// A required field: absent, null or blank text is reported as missing.
    pub fn required<T: FromNode>(&mut self, key: &'static str) -> Option<T> {
        match self.node(key) {
            Some(node) if !matches!(&node.value, Value::Scalar(s) if s.trim().is_empty()) => {
                self.read(key, node)
            }
            _ => {
                // Reported by `finish`, which knows whether a misspelt key was meant.
                self.missing.push(key);
                None
            }
        }
    }

    fn read<T: FromNode>(&mut self, key: &str, node: &Node) -> Option<T> {
        match T::from_node(node) {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.problems.push(Problem::new(
                    node.pos,
                    invalid.code,
                    format!("`{key}`: {}", invalid.message),
                    invalid.hint,
                ));
                None
            }
        }
    }

    /// A list field that may be absent. A single value counts as a one-element list; each bad
    /// element is reported at its own position and left out, the good ones are kept.
    pub fn list<T: FromNode>(&mut self, key: &'static str) -> Vec<T> {
        let Some(node) = self.node(key) else {
            return Vec::new();
        };
        let Value::Seq(elements) = &node.value else {
            return self.read::<Vec<T>>(key, node).unwrap_or_default();
        };
        let mut values = Vec::with_capacity(elements.len());
        for element in elements {
            match T::from_node(element) {
                Ok(value) => values.push(value),
                Err(invalid) => self.problems.push(Problem::new(
                    element.pos,
                    invalid.code,
                    format!("`{key}`: {}", invalid.message),
                    invalid.hint,
                )),
            }
        }
        values
    }

    /// Reports a problem found while interpreting a field's value.
    pub fn report(&mut self, pos: Pos, invalid: Invalid) {
        self.problems.push(Problem::new(
            pos,
            invalid.code,
            invalid.message,
            invalid.hint,
        ));
    }

    /// A list of mappings, each read by `read` as a `what`, one value per element so that
    /// positions in the list stay the positions in the file; their problems join this reader's.
    pub fn items<T>(
        &mut self,
        key: &'static str,
        what: &'static str,
        read: fn(&mut Fields<'_>) -> T,
    ) -> Vec<(Pos, T)> {
        let Some(node) = self.node(key) else {
            return Vec::new();
        };
        let Value::Seq(nodes) = &node.value else {
            self.report(
                node.pos,
                Invalid::value(
                    format!("`{key}`: expected a list, found {}", node.value.kind()),
                    Some(format!(
                        "write each {what} on its own line starting with `- `"
                    )),
                ),
            );
            return Vec::new();
        };
        let mut items = Vec::with_capacity(nodes.len());
        for node in nodes {
            let mut fields = Fields::new(node, what);
            items.push((node.pos, read(&mut fields)));
            self.problems.extend(fields.finish());
        }
        items
    }

    /// Reports every missing required key and every key never asked for, and returns all
    /// problems found, in file order. A misspelt key for a missing one is one problem, not two.
    pub fn finish(mut self) -> Vec<Problem> {
        let mut explained = Vec::new();
        for entry in self.entries {
            if self.known.contains(&entry.key.as_str()) {
                continue;
            }
            let best = did_you_mean(&entry.key, self.known.iter().copied());
            let hint = suggestion(&entry.key, self.known.iter().copied())
                .unwrap_or_else(|| format!("known keys: {}", self.known.join(", ")));
            let mut message = format!("unknown key `{}` in the {}", entry.key, self.what);
            if let Some(best) = best.filter(|b| self.missing.contains(b)) {
                let _ = write!(message, ", and `{best}` is missing");
                explained.push(best);
            }
            self.problems.push(Problem::new(
                entry.key_pos,
                Code::UnknownKey,
                message,
                Some(hint),
            ));
        }
        for key in self.missing.iter().filter(|k| !explained.contains(k)) {
            self.problems.push(Problem::new(
                self.pos,
                Code::MissingField,
                format!("the {} has no `{key}`", self.what),
                Some(format!("add `{key}:` with a value")),
            ));
        }
        self.problems.sort_by_key(|p| p.pos);
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_entry<'a>(node: &'a Node, key: &str) -> &'a Node {
        let Value::Map(entries) = &node.value else {
            panic!("not a map")
        };
        &entries.iter().find(|e| e.key == key).unwrap().value
    }

    #[test]
    fn keeps_positions_offset_to_the_file() {
        let node = parse("id: x\ntitle: hello\n", 2).unwrap();
        assert_eq!(map_entry(&node, "title").pos, Pos { line: 3, column: 8 });
    }

    #[test]
    fn numbers_keep_their_source_text() {
        let node = parse("a: 1.10\nb: 007\nc: 1_000\nd: true\n", 1).unwrap();
        for (key, text) in [("a", "1.10"), ("b", "007"), ("c", "1_000"), ("d", "true")] {
            assert_eq!(map_entry(&node, key).value, Value::Scalar(text.to_owned()));
        }
    }

    #[test]
    fn yaml_one_one_booleans_stay_text() {
        let node = parse("title: no\n", 1).unwrap();
        assert_eq!(
            map_entry(&node, "title").value,
            Value::Scalar("no".to_owned())
        );
    }

    #[test]
    fn rejects_duplicate_keys_at_the_second_one() {
        let err = parse("visibility: public\nvisibility: internal\n", 2).unwrap_err();
        assert_eq!(err.code, Code::DuplicateKey);
        assert_eq!(err.pos.line, 3);
        assert!(err.message.contains("`visibility`"), "{}", err.message);
    }

    #[test]
    fn rejects_anchors_aliases_and_deep_nesting() {
        let err = parse("a: &x [1]\nb: *x\n", 1).unwrap_err();
        assert!(err.message.contains("anchors"), "{}", err.message);
        let deep = format!("a: {}{}", "[".repeat(20), "]".repeat(20));
        assert!(parse(&deep, 1).unwrap_err().message.contains("nested"));
        let deepest = format!("a: {}", "[".repeat(MAX_YAML_BYTES - 3));
        assert!(parse(&deepest, 1).unwrap_err().message.contains("nested"));
    }

    #[test]
    fn an_alias_without_its_anchor_is_refused_as_an_alias() {
        let err = parse("a: 1\nb: *x\n", 3).unwrap_err();
        assert!(
            err.message.contains("anchors and aliases"),
            "{}",
            err.message
        );
        assert_eq!(err.pos, Pos { line: 4, column: 4 });
    }

    #[test]
    fn only_plain_null_words_are_null() {
        let node = parse("a: ~\nb: null\nc:\nd: \"null\"\ne: 'NULL'\n", 1).unwrap();
        for key in ["a", "b", "c"] {
            assert_eq!(map_entry(&node, key).value, Value::Null, "{key}");
        }
        assert_eq!(
            map_entry(&node, "d").value,
            Value::Scalar("null".to_owned())
        );
        assert_eq!(
            map_entry(&node, "e").value,
            Value::Scalar("NULL".to_owned())
        );
    }

    #[test]
    fn empty_text_is_null_and_a_second_document_is_refused() {
        assert_eq!(
            parse("", 2).unwrap(),
            Node {
                pos: Pos::line(2),
                value: Value::Null
            }
        );
        let err = parse("a: 1\n...\nb: 2\n", 2).unwrap_err();
        assert_eq!(err.pos.line, 4);
        assert!(err.message.contains("more than one YAML document"));
    }

    #[test]
    fn keys_must_be_plain_text() {
        let err = parse("? [a, b]\n: c\n", 1).unwrap_err();
        assert!(err.message.contains("mapping key must be plain text"));
        let node = parse("1: one\n\"quoted\": two\n", 1).unwrap();
        assert_eq!(map_entry(&node, "1").value, Value::Scalar("one".to_owned()));
        assert_eq!(
            map_entry(&node, "quoted").value,
            Value::Scalar("two".to_owned())
        );
    }

    #[test]
    fn nesting_is_counted_in_block_style_too() {
        let mut text = String::new();
        for depth in 0..20 {
            writeln!(text, "{}k{depth}:", "  ".repeat(depth)).unwrap();
        }
        writeln!(text, "{}leaf: 1", "  ".repeat(20)).unwrap();
        let err = parse(&text, 1).unwrap_err();
        assert!(
            err.message.contains("nested more than 16"),
            "{}",
            err.message
        );
        assert!(parse("a:\n  b:\n    c: [1, {d: 2}]\n", 1).is_ok());
    }

    #[test]
    fn rejects_tabs_with_a_hint() {
        let err = parse("a:\n\t- b\n", 1).unwrap_err();
        assert_eq!(err.code, Code::Yaml);
        assert!(err.hint.unwrap().contains("tabs"));
    }

    #[test]
    fn fields_report_unknown_keys_with_a_suggestion() {
        let node = parse("title: x\nserverity: SEV2\n", 2).unwrap();
        let mut fields = Fields::new(&node, "front matter");
        let _: Option<String> = fields.required("title");
        let _: Option<String> = fields.optional("severity");
        let problems = fields.finish();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::UnknownKey);
        assert_eq!(problems[0].pos.line, 3);
        assert_eq!(
            problems[0].hint.as_deref(),
            Some("did you mean `severity`?")
        );
    }

    #[test]
    fn dates_must_be_real() {
        assert!(parse_date("2026-04-01").is_ok());
        assert!(
            parse_date("2026-13-45")
                .unwrap_err()
                .contains("real calendar date")
        );
        assert!(parse_date("2026-4-1").is_err());
        assert!(parse_date("next week").is_err());
    }

    #[test]
    fn a_scalar_reads_as_a_one_element_list() {
        let node = parse("teams: payments\n", 1).unwrap();
        let teams = Vec::<String>::from_node(map_entry(&node, "teams")).unwrap();
        assert_eq!(teams, ["payments"]);
    }
}
