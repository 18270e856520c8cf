//! Changing one field of one action item in a postmortem's text, and nothing else.
//!
//! `pm actions set` must leave every other byte of the file as it was: comments, key order,
//! quoting, blank lines, line ends and the body. So the file is not re-serialized: the front
//! matter is read with `granit-parser`'s spans to find where the field's value is written (or
//! where a new entry belongs), only those bytes are replaced, and the result is read again to
//! prove that exactly that field changed before it is returned.

use std::fmt::{self, Write as _};
use std::ops::Range;

use granit_parser::{Event, Options, Parser, ScalarStyle, Span, StrInput, StructureStyle};

use super::split::split;
use super::yaml::{self, Entry, Node, Problem, Value};

/// What went wrong, for a message that names the line and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    /// The file line the problem is on (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl EditError {
    fn new(line: usize, message: String, hint: Option<&str>) -> Self {
        EditError {
            line,
            message,
            hint: hint.map(str::to_owned),
        }
    }
}

impl From<Problem> for EditError {
    fn from(problem: Problem) -> Self {
        EditError {
            line: problem.pos.line,
            message: problem.message,
            hint: problem.hint,
        }
    }
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for EditError {}

/// `text` (a whole postmortem file) with field `key` of action item `index` (0-based) of
/// `action_items` set to `value` (the value's plain text, e.g. `done`, `2026-11-29`,
/// `https://tracker.example/PAY-1`).
///
/// An existing value is replaced in its own quoting style (a plain value that would read
/// differently unquoted becomes double-quoted); an absent key is added as the item's last
/// entry. Everything else, a BOM and the body included, is kept byte for byte. Refused, with
/// the line: a file without readable front matter or `action_items`, an index past the last
/// item, an item that is not a mapping, and a current value that is a list, a mapping or a
/// `|`/`>` block of text. The result is read back before it is returned: if anything but that
/// one field would read differently, it is an error, not a file.
pub fn set_action_field(
    text: &str,
    index: usize,
    key: &str,
    value: &str,
) -> Result<String, EditError> {
    let parts = split(text)?;
    let yaml_start = offset_in(text, parts.yaml).ok_or_else(|| {
        EditError::new(
            1,
            "could not find the front matter in the text".to_owned(),
            None,
        )
    })?;
    // The project's own reader decides what is acceptable (no anchors, no duplicate keys, one
    // document), so an edit never starts from a document `pm check` would refuse to read.
    let before = yaml::parse(parts.yaml, parts.yaml_line)?;
    let root = read_spans(parts.yaml, parts.yaml_line)?;
    let item = find_item(root.as_ref(), parts.yaml_line, index)?;
    let edit = plan_edit(parts.yaml, item, index, key, value)?;

    let start = yaml_start + edit.range.start;
    let end = yaml_start + edit.range.end;
    let mut out = String::with_capacity(text.len() + edit.text.len());
    out.push_str(&text[..start]);
    out.push_str(&edit.text);
    out.push_str(&text[end..]);

    let mut expected = before;
    set_in_tree(&mut expected, index, key, value);
    verify(&out, parts.body, &expected).map_err(|why| {
        EditError::new(
            item.line,
            format!(
                "could not set `{key}` of action item #{} without changing the rest of the \
                 front matter ({why})",
                index + 1
            ),
            Some("edit the file by hand"),
        )
    })?;
    Ok(out)
}

/// Where `part`, a slice of `text`, starts in it.
fn offset_in(text: &str, part: &str) -> Option<usize> {
    let start = part.as_ptr().addr().checked_sub(text.as_ptr().addr())?;
    (text.get(start..start + part.len())? == part).then_some(start)
}

/// Bytes to put in place of a range of the front matter.
struct Edit {
    range: Range<usize>,
    text: String,
}

/// A YAML node with where it is written: byte offsets into the front matter and its file line.
#[derive(Debug)]
struct Spanned {
    /// Where the node starts; a block mapping starts at its first key.
    start: usize,
    /// Where the node ends: after a scalar's last character or a flow collection's bracket,
    /// at the next token for a block collection.
    end: usize,
    /// The file line of `start`.
    line: usize,
    /// The column of `start`, in characters.
    column: usize,
    shape: Shape,
}

#[derive(Debug)]
enum Shape {
    Scalar(String, ScalarStyle),
    Seq {
        flow: bool,
        items: Vec<Spanned>,
    },
    Map {
        flow: bool,
        entries: Vec<(Spanned, Spanned)>,
    },
    Alias,
}

impl Spanned {
    fn kind(&self) -> &'static str {
        match &self.shape {
            Shape::Scalar(..) => "text",
            Shape::Seq { .. } => "a list",
            Shape::Map { .. } => "a mapping",
            Shape::Alias => "an alias",
        }
    }

    fn get(&self, key: &str) -> Option<&(Spanned, Spanned)> {
        match &self.shape {
            Shape::Map { entries, .. } => entries
                .iter()
                .find(|(k, _)| matches!(&k.shape, Shape::Scalar(text, _) if text == key)),
            _ => None,
        }
    }
}

/// Deeper than this is refused; the project's reader already stops at 16 levels.
const MAX_DEPTH: usize = 32;

/// Reads the first document of `yaml` into [`Spanned`] nodes; `None` when it has none.
fn read_spans(yaml: &str, first_line: usize) -> Result<Option<Spanned>, EditError> {
    let mut options = Options::default();
    options.emit_comments = false;
    options.emit_unresolved_aliases = true;
    let mut reader = SpanReader {
        events: Parser::new_from_str_with_options(yaml, options),
        first_line,
    };
    loop {
        let (event, _) = reader.next()?;
        match event {
            Event::StreamEnd => return Ok(None),
            Event::DocumentStart(..) => {
                let (event, span) = reader.next()?;
                return reader.node(event, span, 0).map(Some);
            }
            _ => {}
        }
    }
}

struct SpanReader<'a> {
    events: Parser<'a, StrInput<'a>>,
    first_line: usize,
}

impl<'a> SpanReader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), EditError> {
        match self.events.next() {
            Some(Ok(next)) => Ok(next),
            Some(Err(error)) => Err(EditError::new(
                error.marker().line().max(1) + self.first_line - 1,
                format!("invalid YAML: {}", error.info()),
                None,
            )),
            None => Err(invalid(self.first_line)),
        }
    }

    fn line(&self, span: &Span) -> usize {
        span.start.line().max(1) + self.first_line - 1
    }

    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Spanned, EditError> {
        let line = self.line(&span);
        let range = span.byte_range().ok_or_else(|| invalid(line))?;
        if depth > MAX_DEPTH {
            return Err(EditError::new(
                line,
                format!("nested more than {MAX_DEPTH} levels deep"),
                None,
            ));
        }
        let (shape, end) = match event {
            Event::Scalar(text, style, ..) => (Shape::Scalar(text.into_owned(), style), range.end),
            Event::Alias(_) | Event::UnresolvedAlias(_) => (Shape::Alias, range.end),
            Event::SequenceStart(style, ..) => {
                let mut items = Vec::new();
                let end = loop {
                    match self.next()? {
                        (Event::SequenceEnd, span) => break self.end_of(&span)?,
                        (event, span) => items.push(self.node(event, span, depth + 1)?),
                    }
                };
                let flow = style == StructureStyle::Flow;
                (Shape::Seq { flow, items }, end)
            }
            Event::MappingStart(style, ..) => {
                let mut entries = Vec::new();
                let end = loop {
                    match self.next()? {
                        (Event::MappingEnd, span) => break self.end_of(&span)?,
                        (event, span) => {
                            let key = self.node(event, span, depth + 1)?;
                            let (event, span) = self.next()?;
                            entries.push((key, self.node(event, span, depth + 1)?));
                        }
                    }
                };
                let flow = style == StructureStyle::Flow;
                (Shape::Map { flow, entries }, end)
            }
            _ => return Err(invalid(line)),
        };
        Ok(Spanned {
            start: range.start,
            end,
            line,
            column: span.start.col(),
            shape,
        })
    }

    fn end_of(&self, span: &Span) -> Result<usize, EditError> {
        span.byte_range()
            .map(|range| range.end)
            .ok_or_else(|| invalid(self.line(span)))
    }
}

fn invalid(line: usize) -> EditError {
    EditError::new(line, "invalid YAML: expected a value".to_owned(), None)
}

/// Action item `index` of the document whose front matter is `root`.
fn find_item(
    root: Option<&Spanned>,
    yaml_line: usize,
    index: usize,
) -> Result<&Spanned, EditError> {
    let Some(root) = root.filter(|root| matches!(root.shape, Shape::Map { .. })) else {
        return Err(EditError::new(
            yaml_line,
            "the front matter is not a mapping of `key: value`".to_owned(),
            Some("start the front matter with `id:`, `title:`, `status:` and `severity:`"),
        ));
    };
    let Some((key, list)) = root.get("action_items") else {
        return Err(EditError::new(
            root.line,
            "the front matter has no `action_items`".to_owned(),
            Some("add the action item under `action_items:` first"),
        ));
    };
    let items = match &list.shape {
        Shape::Seq { items, .. } => items.as_slice(),
        // `action_items:` with nothing after it holds no items, like `[]`.
        Shape::Scalar(text, ScalarStyle::Plain)
            if list.start == list.end
                || matches!(text.as_str(), "~" | "null" | "Null" | "NULL") =>
        {
            &[]
        }
        _ => {
            return Err(EditError::new(
                list.line,
                format!("`action_items` is {}, not a list", list.kind()),
                Some("write each action item on its own line starting with `- `"),
            ));
        }
    };
    let Some(item) = items.get(index) else {
        let count = items.len();
        let plural = if count == 1 { "" } else { "s" };
        return Err(EditError::new(
            key.line,
            format!(
                "there is no action item #{}: the document has {count} action item{plural}",
                index.saturating_add(1)
            ),
            None,
        ));
    };
    Ok(item)
}

/// The bytes to replace or insert so that `key` of `item` reads as `value`.
fn plan_edit(
    yaml: &str,
    item: &Spanned,
    index: usize,
    key: &str,
    value: &str,
) -> Result<Edit, EditError> {
    let number = index + 1;
    let Shape::Map { flow, entries } = &item.shape else {
        return Err(EditError::new(
            item.line,
            format!(
                "action item #{number} is {}, not a mapping of `key: value`",
                item.kind()
            ),
            Some("write the action item as `- title: …` with one `key: value` per line"),
        ));
    };
    let flow = *flow;
    let Some((key_node, current)) = item.get(key) else {
        return Ok(add_entry(yaml, item, flow, entries, key, value));
    };
    let by_hand = Some("edit it by hand");
    match &current.shape {
        Shape::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded) => Err(EditError::new(
            key_node.line,
            format!("`{key}` of action item #{number} is a block of text (`|` or `>`)"),
            by_hand,
        )),
        Shape::Scalar(..) if current.start == current.end => {
            // Written without a value (`ticket:`): the value goes after the colon.
            fill_empty(yaml, key_node, flow, value).ok_or_else(|| {
                EditError::new(
                    key_node.line,
                    format!("`{key}` of action item #{number} is written in an unusual way"),
                    by_hand,
                )
            })
        }
        Shape::Scalar(_, style) => Ok(Edit {
            range: current.start..current.end,
            text: render(value, *style, flow),
        }),
        Shape::Seq { .. } | Shape::Map { .. } | Shape::Alias => Err(EditError::new(
            key_node.line,
            format!(
                "`{key}` of action item #{number} is {}, not a single value",
                current.kind()
            ),
            by_hand,
        )),
    }
}

/// Writes `value` for a key written without one: ` value` after its colon, or `: value` after
/// the key in a flow mapping (`{title: a, ticket}`).
fn fill_empty(yaml: &str, key: &Spanned, flow: bool, value: &str) -> Option<Edit> {
    let value = render(value, ScalarStyle::Plain, flow);
    if let Some(at) = after_colon(yaml, key) {
        Some(Edit {
            range: at..at,
            text: format!(" {value}"),
        })
    } else if flow {
        Some(Edit {
            range: key.end..key.end,
            text: format!(": {value}"),
        })
    } else {
        None
    }
}

/// Just after the `:` that follows `key`, if one does.
fn after_colon(yaml: &str, key: &Spanned) -> Option<usize> {
    let rest = yaml.get(key.end..)?;
    let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[blanks..]
        .starts_with(':')
        .then_some(key.end + blanks + 1)
}

/// Adds `key: value` as the last entry of `item`.
fn add_entry(
    yaml: &str,
    item: &Spanned,
    flow: bool,
    entries: &[(Spanned, Spanned)],
    key: &str,
    value: &str,
) -> Edit {
    let entry = format!(
        "{}: {}",
        render(key, ScalarStyle::Plain, flow),
        render(value, ScalarStyle::Plain, flow)
    );
    if flow {
        let Some((last_key, last_value)) = entries.last() else {
            // `{}` becomes `{key: value}`.
            let at = (item.start + 1).min(item.end);
            return Edit {
                range: at..at,
                text: entry,
            };
        };
        let at = if last_value.start == last_value.end {
            // `{a: b, c:}` or `{a: b, c}`: after the colon, if there is one.
            after_colon(yaml, last_key).unwrap_or(last_key.end)
        } else {
            last_value.end
        };
        return Edit {
            range: at..at,
            text: format!(", {entry}"),
        };
    }
    let column = entries.first().map_or(item.column, |(key, _)| key.column);
    let at = entries
        .last()
        .map_or(item.end, |(_, value)| after_block_value(yaml, value));
    let eol = line_end_before(yaml, at);
    let indent = " ".repeat(column);
    let text = if at == 0 || yaml[..at].ends_with('\n') {
        format!("{indent}{entry}{eol}")
    } else {
        // The front matter ends without a line break: start a new line first.
        format!("{eol}{indent}{entry}")
    };
    Edit {
        range: at..at,
        text,
    }
}

/// Where a line after a block mapping's last value, `node`, starts: after the line its last
/// scalar ends on, or for a `|`/`>` block after its trailing blank lines (which a `|+` keeps).
fn after_block_value(yaml: &str, node: &Spanned) -> usize {
    match &node.shape {
        Shape::Scalar(_, ScalarStyle::Literal | ScalarStyle::Folded) => {
            let end = node.end.min(yaml.len());
            let line_start = yaml[..end].rfind('\n').map_or(0, |at| at + 1);
            if yaml[line_start..end].bytes().all(|b| b == b' ') {
                line_start
            } else {
                after_line(yaml, end)
            }
        }
        Shape::Map {
            flow: false,
            entries,
        } if !entries.is_empty() => entries
            .last()
            .map_or(node.end, |(_, value)| after_block_value(yaml, value)),
        Shape::Seq { flow: false, items } if !items.is_empty() => items
            .last()
            .map_or(node.end, |value| after_block_value(yaml, value)),
        _ => after_line(yaml, node.end),
    }
}

/// The start of the line after the one `at` is on, or the end of `yaml`.
fn after_line(yaml: &str, at: usize) -> usize {
    yaml.get(at..)
        .and_then(|rest| rest.find('\n'))
        .map_or(yaml.len(), |newline| at + newline + 1)
}

/// The line break that ends the line before `at`; `\n` when there is none to copy.
fn line_end_before(yaml: &str, at: usize) -> &'static str {
    let before = &yaml[..at];
    let line_end = if before.ends_with('\n') {
        before
    } else {
        // Inserting at the very end of text without a final line break: copy the first one.
        yaml.find('\n').map_or("", |newline| &yaml[..=newline])
    };
    if line_end.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// `value` as YAML source in `style` where it can be written so, else double-quoted.
fn render(value: &str, style: ScalarStyle, flow: bool) -> String {
    match style {
        ScalarStyle::Plain if is_safe_plain(value, flow) => value.to_owned(),
        ScalarStyle::SingleQuoted if !value.chars().any(needs_escape) => {
            format!("'{}'", value.replace('\'', "''"))
        }
        _ => double_quoted(value),
    }
}

/// Characters only a double-quoted scalar can hold: control characters (line breaks and tabs
/// among them), line and paragraph separators, the BOM and the two non-characters YAML forbids.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Whether `value`, written without quotes after `key: ` (in a `{…}` mapping when `flow`),
/// reads back as exactly `value`, as text rather than nothing.
fn is_safe_plain(value: &str, flow: bool) -> bool {
    let flow_indicator = |c: char| matches!(c, ',' | '[' | ']' | '{' | '}');
    // The project reads these plain words, and nothing at all, as an absent value.
    if matches!(value, "" | "~" | "null" | "Null" | "NULL")
        || value.chars().any(needs_escape)
        || value.starts_with(' ')
        || value.ends_with(' ')
        || value.contains(" #")
        || (flow && value.chars().any(flow_indicator))
    {
        return false;
    }
    // A plain character after `-`, `?` or `:` that keeps it from being an indicator.
    let safe_after = |c: Option<char>| c.is_some_and(|c| c != ' ' && !(flow && flow_indicator(c)));
    let mut chars = value.chars();
    let first = chars.next();
    let second = chars.next();
    let first_ok = match first {
        Some('-' | '?' | ':') => safe_after(second),
        Some(c) => !"-?:,[]{}#&*!|>'\"%@`".contains(c),
        None => false,
    };
    first_ok
        && value
            .match_indices(':')
            .all(|(at, _)| safe_after(value[at + 1..].chars().next()))
}

/// `value` as a double-quoted YAML scalar.
fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) => {
                let code = u32::from(c);
                let _ = if code <= 0xff {
                    write!(out, "\\x{code:02X}")
                } else {
                    write!(out, "\\u{code:04X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Sets `key` of action item `index` in the tree `root` to the text `value`, as the edit
/// should have; a tree without that item is left alone (and then fails verification).
fn set_in_tree(root: &mut Node, index: usize, key: &str, value: &str) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let Some(list) = entries.iter_mut().find(|e| e.key == "action_items") else {
        return;
    };
    let Value::Seq(items) = &mut list.value.value else {
        return;
    };
    let Some(Node {
        pos,
        value: Value::Map(fields),
    }) = items.get_mut(index)
    else {
        return;
    };
    let node = Node {
        pos: *pos,
        value: Value::Scalar(value.to_owned()),
    };
    match fields.iter_mut().find(|e| e.key == key) {
        Some(entry) => entry.value = node,
        None => fields.push(Entry {
            key: key.to_owned(),
            key_pos: *pos,
            value: node,
        }),
    }
}

/// Checks that `text` still has its front matter and `body`, and that its front matter reads
/// as `expected`, positions aside; says what differs if not.
fn verify(text: &str, body: &str, expected: &Node) -> Result<(), String> {
    let parts = split(text).map_err(|problem| problem.message)?;
    if parts.body != body {
        return Err("the body would change".to_owned());
    }
    let after = yaml::parse(parts.yaml, parts.yaml_line)
        .map_err(|problem| format!("line {}: {}", problem.pos.line, problem.message))?;
    if same(&after, expected) {
        Ok(())
    } else {
        Err("the front matter would read differently".to_owned())
    }
}

/// Whether two trees hold the same keys and values, wherever they were written.
fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Null, Value::Null) => true,
        (Value::Scalar(a), Value::Scalar(b)) => a == b,
        (Value::Seq(a), Value::Seq(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(a, b)| a.key == b.key && same(&a.value, &b.value))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    const DOC: &str = "\
---
id: 2026-03-14-checkout-latency
title: Checkout latency spike  # the short version
status: published
severity: SEV2
# Follow-ups agreed in the review.
action_items:
  - title: Add a latency alert
    owner: ana
    status: open  # waiting on vendor
    due: 2026-04-01
  - title: 'Cap the retry budget'
    status: 'in-progress'
    ticket: \"https://tracker.example/PAY-1\"

  # The big one.
  - title: Load-test checkout
    status: open
related: []
---
## Summary

status: open
";

    fn set(text: &str, index: usize, key: &str, value: &str) -> String {
        match set_action_field(text, index, key, value) {
            Ok(out) => out,
            Err(error) => panic!("{error:?}"),
        }
    }

    fn error(text: &str, index: usize, key: &str, value: &str) -> EditError {
        match set_action_field(text, index, key, value) {
            Ok(out) => panic!("expected an error, got:\n{out}"),
            Err(error) => error,
        }
    }

    #[test]
    fn replaces_a_plain_value_and_keeps_its_trailing_comment() {
        assert_eq!(
            set(DOC, 0, "status", "done"),
            DOC.replace(
                "    status: open  # waiting on vendor\n",
                "    status: done  # waiting on vendor\n"
            )
        );
    }

    #[test]
    fn quoted_values_keep_their_quotes() {
        assert_eq!(
            set(DOC, 1, "status", "it's done"),
            DOC.replace("status: 'in-progress'", "status: 'it''s done'")
        );
        assert_eq!(
            set(DOC, 1, "ticket", r#"https://t.example/"a"\b"#),
            DOC.replace(
                r#"ticket: "https://tracker.example/PAY-1""#,
                r#"ticket: "https://t.example/\"a\"\\b""#
            )
        );
    }

    #[test]
    fn single_quotes_give_way_to_double_quotes_for_a_line_break() {
        assert_eq!(
            set(DOC, 1, "status", "a\nb"),
            DOC.replace("status: 'in-progress'", r#"status: "a\nb""#)
        );
    }

    #[test]
    fn only_the_item_asked_for_changes() {
        let out = set(DOC, 1, "title", "Cap retries");
        assert_eq!(
            out,
            DOC.replace("title: 'Cap the retry budget'", "title: 'Cap retries'")
        );
        // Comments elsewhere, the other items, key order and the body are as they were.
        assert_eq!(
            set(DOC, 2, "status", "done"),
            DOC.replace(
                "  - title: Load-test checkout\n    status: open\n",
                "  - title: Load-test checkout\n    status: done\n"
            )
        );
    }

    #[test]
    fn adds_a_missing_key_after_the_first_item() {
        assert_eq!(
            set(DOC, 0, "ticket", "https://x.example/a?b=1#c"),
            DOC.replace(
                "    due: 2026-04-01\n",
                "    due: 2026-04-01\n    ticket: https://x.example/a?b=1#c\n"
            )
        );
    }

    #[test]
    fn adds_a_missing_key_before_a_blank_line_and_comment() {
        assert_eq!(
            set(DOC, 1, "closed", "2026-11-29"),
            DOC.replace(
                "    ticket: \"https://tracker.example/PAY-1\"\n\n",
                "    ticket: \"https://tracker.example/PAY-1\"\n    closed: 2026-11-29\n\n"
            )
        );
    }

    #[test]
    fn adds_a_missing_key_to_the_last_item_before_the_next_top_level_key() {
        assert_eq!(
            set(DOC, 2, "closed", "2026-11-29"),
            DOC.replace(
                "    status: open\nrelated: []\n",
                "    status: open\n    closed: 2026-11-29\nrelated: []\n"
            )
        );
    }

    #[test]
    fn adds_a_missing_key_at_the_end_of_the_front_matter() {
        let doc = "---\nid: x\naction_items:\n- title: a\n  status: open\n---\nbody\n";
        assert_eq!(
            set(doc, 0, "ticket", "PAY-1"),
            "---\nid: x\naction_items:\n- title: a\n  status: open\n  ticket: PAY-1\n---\nbody\n"
        );
    }

    #[test]
    fn adds_after_nested_values_and_block_text() {
        let doc = "\
---
action_items:
  - title: a
    tags:
      - x
      - y  # last
    note: |
      keep
      this

  - title: b
    note: |+
      kept

  - title: c
    sub: {a: 1,
      b: 2}
---
";
        let out = set(doc, 0, "status", "done");
        assert_eq!(
            out,
            doc.replace("      this\n\n", "      this\n\n    status: done\n")
        );
        assert_eq!(
            set(doc, 1, "status", "done"),
            doc.replace("      kept\n\n", "      kept\n\n    status: done\n")
        );
        assert_eq!(
            set(doc, 2, "status", "done"),
            doc.replace("      b: 2}\n", "      b: 2}\n    status: done\n")
        );
        let doc =
            "---\naction_items:\n  - title: a\n    tags:\n      - x\n      - y  # last\n---\n";
        assert_eq!(
            set(doc, 0, "status", "done"),
            doc.replace("y  # last\n", "y  # last\n    status: done\n")
        );
    }

    #[test]
    fn fills_a_key_written_without_a_value() {
        let doc = "---\naction_items:\n  - title: a\n    ticket:\n    closed:   # when\n---\n";
        assert_eq!(
            set(doc, 0, "ticket", "PAY-1"),
            doc.replace("ticket:\n", "ticket: PAY-1\n")
        );
        assert_eq!(
            set(doc, 0, "closed", "2026-11-29"),
            doc.replace("closed:   # when", "closed: 2026-11-29   # when")
        );
        assert_eq!(
            set(doc, 0, "status", "done"),
            doc.replace("# when\n", "# when\n    status: done\n")
        );
    }

    #[test]
    fn null_words_are_replaced_like_any_plain_value() {
        let doc = "---\naction_items:\n  - title: a\n    ticket: ~\n    closed: null\n---\n";
        let out = set(doc, 0, "ticket", "PAY-1");
        assert_eq!(out, doc.replace("ticket: ~", "ticket: PAY-1"));
        let out = set(&out, 0, "closed", "null");
        assert_eq!(
            out,
            doc.replace("ticket: ~", "ticket: PAY-1")
                .replace("closed: null", "closed: \"null\"")
        );
    }

    #[test]
    fn flow_items_are_edited_in_place() {
        let doc = "---\naction_items:\n  - { title: a, status: open }\n  - {}\n  - {title: c, ticket:}\n  - {title: d, ticket}\n---\n";
        assert_eq!(
            set(doc, 0, "status", "done"),
            doc.replace("status: open }", "status: done }")
        );
        assert_eq!(
            set(doc, 0, "ticket", "https://x.example/a"),
            doc.replace(
                "status: open }",
                "status: open, ticket: https://x.example/a }"
            )
        );
        assert_eq!(
            set(doc, 0, "ticket", "a,b"),
            doc.replace("status: open }", "status: open, ticket: \"a,b\" }")
        );
        assert_eq!(
            set(doc, 1, "status", "done"),
            doc.replace("{}", "{status: done}")
        );
        assert_eq!(
            set(doc, 2, "ticket", "T-1"),
            doc.replace("ticket:}", "ticket: T-1}")
        );
        assert_eq!(
            set(doc, 2, "status", "done"),
            doc.replace("ticket:}", "ticket:, status: done}")
        );
        assert_eq!(
            set(doc, 3, "ticket", "T-1"),
            doc.replace("ticket}", "ticket: T-1}")
        );
        assert_eq!(
            set(doc, 3, "status", "done"),
            doc.replace("ticket}", "ticket, status: done}")
        );
        let flow_list = "---\naction_items: [{title: a}, {title: b, status: open}]\n---\n";
        assert_eq!(
            set(flow_list, 0, "status", "done"),
            flow_list.replace("{title: a}", "{title: a, status: done}")
        );
        assert_eq!(
            set(flow_list, 1, "status", "[x]"),
            flow_list.replace("status: open}", "status: \"[x]\"}")
        );
    }

    #[test]
    fn values_that_would_read_differently_are_double_quoted() {
        let doc = "---\naction_items:\n  - title: a\n    status: open\n---\n";
        for (value, written) in [
            ("https://x.example/a?b=1#c", "https://x.example/a?b=1#c"),
            ("a,b [c] {d}", "a,b [c] {d}"),
            ("-1", "-1"),
            ("a: b", "\"a: b\""),
            ("a:", "\"a:\""),
            ("a #b", "\"a #b\""),
            ("#x", "\"#x\""),
            ("[x]", "\"[x]\""),
            ("'x", "\"'x\""),
            ("\"x", "\"\\\"x\""),
            ("- x", "\"- x\""),
            ("-", "\"-\""),
            ("&a", "\"&a\""),
            ("*a", "\"*a\""),
            ("!a", "\"!a\""),
            ("|", "\"|\""),
            ("%a", "\"%a\""),
            (" x", "\" x\""),
            ("x ", "\"x \""),
            ("", "\"\""),
            ("~", "\"~\""),
            ("Null", "\"Null\""),
            ("a\tb", "\"a\\tb\""),
            ("bell\u{7}", "\"bell\\x07\""),
            ("line\u{2028}", "\"line\\u2028\""),
        ] {
            assert_eq!(
                set(doc, 0, "status", value),
                doc.replace("status: open", &format!("status: {written}")),
                "{value:?}"
            );
        }
    }

    #[test]
    fn a_crlf_file_changes_only_in_the_value() {
        let doc = DOC.replace('\n', "\r\n");
        let out = set(&doc, 0, "status", "in-progress");
        let at = doc.find("status: open  #").unwrap() + "status: ".len();
        assert_eq!(out[..at], doc[..at]);
        assert_eq!(&out[at..at + "in-progress".len()], "in-progress");
        assert_eq!(out[at + "in-progress".len()..], doc[at + "open".len()..]);
        assert_eq!(
            set(&doc, 0, "ticket", "PAY-2"),
            doc.replace(
                "    due: 2026-04-01\r\n",
                "    due: 2026-04-01\r\n    ticket: PAY-2\r\n"
            )
        );
    }

    #[test]
    fn a_bom_and_the_body_are_kept() {
        let doc = format!("\u{feff}{DOC}");
        assert_eq!(
            set(&doc, 2, "status", "done"),
            format!("\u{feff}{}", set(DOC, 2, "status", "done"))
        );
        let err = error(&format!("\u{feff}{DOC}"), 5, "status", "done");
        assert_eq!(err.line, 7);
    }

    #[test]
    fn an_index_past_the_last_item_is_refused() {
        let err = error(DOC, 3, "status", "done");
        assert_eq!(
            err,
            EditError {
                line: 7,
                message: "there is no action item #4: the document has 3 action items".to_owned(),
                hint: None,
            }
        );
        let one = "---\nid: x\naction_items:\n  - title: a\n---\n";
        assert_eq!(
            error(one, 1, "status", "done").message,
            "there is no action item #2: the document has 1 action item"
        );
        assert_eq!(error(one, usize::MAX, "status", "done").line, 3);
    }

    #[test]
    fn a_document_without_action_items_is_refused() {
        let err = error("---\nid: x\ntitle: y\n---\nbody\n", 0, "status", "done");
        assert_eq!(err.line, 2);
        assert_eq!(err.message, "the front matter has no `action_items`");
        let err = error("---\nid: x\naction_items: none\n---\n", 0, "status", "done");
        assert_eq!(err.line, 3);
        assert_eq!(err.message, "`action_items` is text, not a list");
        let err = error("---\nid: x\naction_items:\n---\n", 0, "status", "done");
        assert_eq!(err.line, 3);
        assert_eq!(
            err.message,
            "there is no action item #1: the document has 0 action items"
        );
        let err = error("---\n---\nbody\n", 0, "status", "done");
        assert_eq!(err.line, 2);
        let err = error("---\n- a\n---\nbody\n", 0, "status", "done");
        assert_eq!(
            err.message,
            "the front matter is not a mapping of `key: value`"
        );
    }

    #[test]
    fn unreadable_front_matter_is_refused_with_its_line() {
        assert_eq!(error("# Title\n", 0, "status", "done").line, 1);
        assert_eq!(error("", 0, "status", "done").line, 1);
        let err = error(
            "---\nid: x\naction_items:\n  - title: [a\n---\n",
            0,
            "status",
            "done",
        );
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        let err = error(
            "---\nid: x\naction_items:\n  - title: a\n    title: b\n---\n",
            0,
            "status",
            "done",
        );
        assert_eq!(err.line, 5);
        assert!(err.message.contains("more than once"), "{}", err.message);
        let err = error(
            "---\nid: &x a\naction_items:\n  - title: *x\n---\n",
            0,
            "status",
            "done",
        );
        assert!(err.message.contains("anchors"), "{}", err.message);
    }

    #[test]
    fn an_item_that_is_not_a_mapping_is_refused() {
        let doc = "---\nid: x\naction_items:\n  - title: a\n  - just text\n  - [a, b]\n---\n";
        let err = error(doc, 1, "status", "done");
        assert_eq!(err.line, 5);
        assert_eq!(
            err.message,
            "action item #2 is text, not a mapping of `key: value`"
        );
        assert_eq!(error(doc, 2, "status", "done").line, 6);
    }

    #[test]
    fn lists_mappings_and_blocks_of_text_are_left_to_a_person() {
        let doc = "\
---
action_items:
  - title: a
    status:
      - open
    owner: {name: ana}
    ticket: |
      PAY-1
    closed: >-
      soon
---
";
        for (key, line, what) in [
            ("status", 4, "is a list, not a single value"),
            ("owner", 6, "is a mapping, not a single value"),
            ("ticket", 7, "is a block of text (`|` or `>`)"),
            ("closed", 9, "is a block of text (`|` or `>`)"),
        ] {
            let err = error(doc, 0, key, "done");
            assert_eq!(err.line, line, "{key}");
            assert_eq!(err.message, format!("`{key}` of action item #1 {what}"));
            assert_eq!(err.hint.as_deref(), Some("edit it by hand"));
        }
    }

    #[test]
    fn a_multi_line_plain_value_is_replaced_whole() {
        let doc =
            "---\naction_items:\n  - title: a long\n      title  # c\n    status: open\n---\n";
        assert_eq!(
            set(doc, 0, "title", "short"),
            "---\naction_items:\n  - title: short  # c\n    status: open\n---\n"
        );
    }

    #[test]
    fn a_tagged_value_keeps_its_tag() {
        let doc = "---\naction_items:\n  - title: a\n    status: !!str open\n---\n";
        assert_eq!(
            set(doc, 0, "status", "done"),
            doc.replace("!!str open", "!!str done")
        );
    }

    #[test]
    fn errors_read_as_a_line_and_a_message() {
        let err = error(DOC, 3, "status", "done");
        assert_eq!(
            err.to_string(),
            "line 7: there is no action item #4: the document has 3 action items"
        );
    }

    /// Fixtures for the property test: a document, the item, the key, and the byte range of
    /// the document the edit may touch.
    fn fixtures() -> Vec<(String, usize, &'static str, Range<usize>)> {
        let mut out = Vec::new();
        let mut add = |doc: &str, index: usize, key: &'static str, anchor: &str, len: usize| {
            let at = doc.find(anchor).unwrap() + anchor.len();
            out.push((doc.to_owned(), index, key, at..at + len));
        };
        add(DOC, 0, "status", "    status: ", "open".len());
        add(
            DOC,
            1,
            "status",
            "budget'\n    status: ",
            "'in-progress'".len(),
        );
        add(
            DOC,
            1,
            "ticket",
            "    ticket: ",
            "\"https://tracker.example/PAY-1\"".len(),
        );
        add(DOC, 0, "ticket", "    due: 2026-04-01\n", 0);
        add(DOC, 2, "closed", "    status: open\n", 0);
        let flow = "---\naction_items:\n  - {title: a, status: open}\n  - {}\n---\nb\n";
        add(flow, 0, "status", "status: ", "open".len());
        add(flow, 0, "ticket", "status: open", 0);
        add(flow, 1, "ticket", "open}\n  - {", 0);
        out
    }

    proptest! {
        #[test]
        fn any_ascii_value_reads_back_and_nothing_else_changes(
            // Any ASCII, and short runs of what YAML reads specially.
            value in prop_oneof![
                "[\\x00-\\x7f]{0,12}",
                "[-?:#,\\[\\]{}'\" a.~!&*|>%@`\\\\\\t\\n]{0,6}",
            ],
            which in 0..8_usize,
        ) {
            let (doc, index, key, range) = &fixtures()[which];
            let out = set_action_field(doc, *index, key, &value);
            let out = match out {
                Ok(out) => out,
                Err(error) => return Err(TestCaseError::fail(format!("{error:?}"))),
            };
            // Only the bytes in `range` were replaced.
            let suffix = doc.len() - range.end;
            prop_assert!(out.len() >= range.start + suffix);
            prop_assert_eq!(&out[..range.start], &doc[..range.start]);
            prop_assert_eq!(&out[out.len() - suffix..], &doc[range.end..]);
            // And the field reads back as the value.
            let parts = split(&out).unwrap();
            let root = yaml::parse(parts.yaml, parts.yaml_line).unwrap();
            let mut expected = yaml::parse(split(doc).unwrap().yaml, 2).unwrap();
            set_in_tree(&mut expected, *index, key, &value);
            prop_assert!(same(&root, &expected));
            let Value::Map(entries) = &root.value else { panic!("not a map") };
            let list = &entries.iter().find(|e| e.key == "action_items").unwrap().value;
            let Value::Seq(items) = &list.value else { panic!("not a list") };
            let Value::Map(fields) = &items[*index].value else { panic!("not a map") };
            let field = &fields.iter().find(|e| e.key == *key).unwrap().value;
            prop_assert_eq!(&field.value, &Value::Scalar(value.clone()));
        }
    }
}
