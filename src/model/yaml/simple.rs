//! The plain block YAML that nearly all front matter is written in, read without the full
//! parser: `key: value` lines, lists of `- item` and `- key: value`, one-line `[a, b]` lists
//! and `{k: v}` mappings, quoted text on one line, `>` and `|` text blocks, blank and comment
//! lines.
//!
//! It gives up (`None`) on anything else, and on anything it is unsure of: then the full
//! parser reads the text, and reports what is wrong with it. Where it does answer, the tree is
//! the one the full parser builds, positions included; a property test holds the two to that.
//! Reading front matter this way takes about a third of the instructions (85 000 for a 1 KB
//! front matter, against 230 000), and front matter is most of what loading an archive costs.

use super::{Entry, Node, Value};
use crate::diagnostic::Pos;

/// Deepest nesting read here; deeper text is left to the full parser and its limit.
const MAX_DEPTH: usize = 8;

/// Reads `text`, whose first line is line `first_line` of its file, or gives up.
pub(super) fn parse(text: &str, first_line: usize) -> Option<Node> {
    if !text.ends_with('\n') || !plain_characters(text) {
        return None;
    }
    let mut reader = Reader {
        lines: text.split_terminator('\n').collect(),
        at: 0,
        first_line,
    };
    if reader
        .lines
        .iter()
        .any(|line| ["---", "...", "%"].iter().any(|m| line.starts_with(m)))
    {
        return None;
    }
    let (indent, first) = reader.peek()?;
    if indent != 0 {
        return None;
    }
    let root = reader.map(indent, first, 0)?;
    reader.peek().is_none().then_some(root)
}

/// Whether every character is one YAML reads as itself: printable, no tabs, no carriage
/// returns, no byte-order mark, no line breaks but `\n`.
fn plain_characters(text: &str) -> bool {
    if text.is_ascii() {
        return text
            .bytes()
            .all(|b| b == b'\n' || (b' '..=b'~').contains(&b));
    }
    text.chars().all(|c| {
        matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}' | '\u{10000}'..)
    })
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    /// The next line to read.
    at: usize,
    first_line: usize,
}

impl<'a> Reader<'a> {
    /// Moves past blank and comment lines; the next line's indentation and the text after it.
    fn peek(&mut self) -> Option<(usize, &'a str)> {
        while let Some(line) = self.lines.get(self.at) {
            let text = line.trim_start_matches(' ');
            if text.is_empty() || text.starts_with('#') {
                self.at += 1;
            } else {
                return Some((line.len() - text.len(), text));
            }
        }
        None
    }

    /// Where `part`, a slice of line `index`, starts.
    fn pos(&self, index: usize, part: &str) -> Pos {
        let line = self.lines[index];
        let offset = part.as_ptr().addr() - line.as_ptr().addr();
        Pos {
            line: self.first_line + index,
            column: line[..offset].chars().count() + 1,
        }
    }

    /// A mapping whose keys sit at column `indent`, the first of them at the start of `first`
    /// on the current line.
    fn map(&mut self, indent: usize, first: &'a str, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let pos = self.pos(self.at, first);
        let mut entries: Vec<Entry> = Vec::new();
        let mut text = first;
        loop {
            let (key, rest) = split_key(text)?;
            if entries.iter().any(|e| e.key == key) {
                return None;
            }
            let index = self.at;
            let key_pos = self.pos(index, text);
            self.at += 1;
            let value = self.value(index, rest, indent, depth + 1)?;
            entries.push(Entry {
                key: key.to_owned(),
                key_pos,
                value,
            });
            match self.peek() {
                Some((next, line)) if next == indent && !is_item(line) => text = line,
                Some((next, _)) if next >= indent => return None,
                _ => break,
            }
        }
        Some(Node {
            pos,
            value: Value::Map(entries),
        })
    }

    /// A list whose `-` marks sit at column `indent`, starting at the current line;
    /// `indentless` when they sit at the column of the key it is the value of.
    fn seq(&mut self, indent: usize, indentless: bool, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut pos = None;
        let mut items = Vec::new();
        while let Some((next, line)) = self.peek() {
            if next != indent || !is_item(line) {
                break;
            }
            let index = self.at;
            let item = line[1..].trim_start_matches(' ');
            if item.is_empty() {
                return None;
            }
            // The full parser places a list without indentation where its first item starts.
            pos.get_or_insert_with(|| self.pos(index, if indentless { item } else { line }));
            if split_key(item).is_some() {
                let column = indent + line.len() - item.len();
                items.push(self.map(column, item, depth + 1)?);
            } else {
                self.at += 1;
                items.push(self.value(index, &line[1..], indent, depth + 1)?);
            }
        }
        Some(Node {
            pos: pos?,
            value: Value::Seq(items),
        })
    }

    /// The value that follows a key or a `-` on line `index` (already read), as `rest`; the
    /// key or mark sits at column `indent`.
    fn value(&mut self, index: usize, rest: &'a str, indent: usize, depth: usize) -> Option<Node> {
        let text = rest.trim_start_matches(' ').trim_end_matches(' ');
        if text.is_empty() {
            return match self.peek() {
                Some((next, line)) if next > indent && split_key(line).is_some() => {
                    self.map(next, line, depth)
                }
                Some((next, line)) if next >= indent && is_item(line) => {
                    self.seq(next, next == indent, depth)
                }
                Some((next, _)) if next > indent => None,
                // An empty value sits where the `:` is, the column before `rest`.
                _ => {
                    let after = self.pos(index, rest);
                    Some(Node {
                        pos: Pos {
                            column: after.column - 1,
                            ..after
                        },
                        value: Value::Null,
                    })
                }
            };
        }
        let pos = self.pos(index, text);
        let value = match text.as_bytes()[0] {
            b'"' => Value::Scalar(double_quoted(text)?.to_owned()),
            b'\'' => Value::Scalar(single_quoted(text)?),
            b'[' | b'{' => return self.flow(index, text, depth),
            b'>' | b'|' => return self.block(text, indent),
            _ => plain(text, false)?,
        };
        Some(Node { pos, value })
    }

    /// A one-line `[a, b]` list or `{k: v, l: w}` mapping of plain words.
    fn flow(&self, index: usize, text: &'a str, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (inner, mapping) = match text.strip_prefix('[') {
            Some(rest) => (rest.strip_suffix(']')?, false),
            None => (text.strip_prefix('{')?.strip_suffix('}')?, true),
        };
        let pieces = inner
            .split(',')
            .map(|piece| piece.trim_matches(' '))
            .filter(|_| !inner.trim_start_matches(' ').is_empty());
        let word = |text: &str| {
            Some(Node {
                pos: self.pos(index, text),
                value: plain(text, true)?,
            })
        };
        let value = if mapping {
            let mut entries: Vec<Entry> = Vec::new();
            for piece in pieces {
                let (key, rest) = split_key(piece)?;
                if entries.iter().any(|e| e.key == key) {
                    return None;
                }
                entries.push(Entry {
                    key: key.to_owned(),
                    key_pos: self.pos(index, piece),
                    value: word(rest.trim_start_matches(' '))?,
                });
            }
            Value::Map(entries)
        } else {
            Value::Seq(pieces.map(word).collect::<Option<_>>()?)
        };
        Some(Node {
            pos: self.pos(index, text),
            value,
        })
    }

    /// A `>` (folded) or `|` (literal) block of text under a key or mark at column `indent`,
    /// `header` being its first line: its lines, all at one indentation, no trailing spaces.
    fn block(&mut self, header: &str, indent: usize) -> Option<Node> {
        let folded = header.starts_with('>');
        let strip = match &header[1..] {
            "-" => true,
            "" => false,
            _ => return None,
        };
        let index = self.at;
        let first = self.lines.get(index)?;
        let at = first.len() - first.trim_start_matches(' ').len();
        if at <= indent || at == first.len() {
            return None;
        }
        let mut text = String::new();
        let mut blanks = 0;
        while let Some(line) = self.lines.get(self.at) {
            if line.is_empty() {
                blanks += 1;
                self.at += 1;
                continue;
            }
            let content = line.trim_start_matches(' ');
            let own = line.len() - content.len();
            if own < at && !content.is_empty() {
                break;
            }
            if content.is_empty() || (folded && own > at) || line.ends_with(' ') {
                return None;
            }
            if !text.is_empty() {
                let breaks = if folded { blanks } else { blanks + 1 };
                if breaks == 0 {
                    text.push(' ');
                }
                text.extend(std::iter::repeat_n('\n', breaks));
            }
            text.push_str(&line[at..]);
            blanks = 0;
            self.at += 1;
        }
        if !strip {
            text.push('\n');
        }
        Some(Node {
            pos: Pos {
                line: self.first_line + index,
                column: at + 1,
            },
            value: Value::Scalar(text),
        })
    }
}

/// Whether `line` (after its indentation) is a list item.
fn is_item(line: &str) -> bool {
    line == "-" || line.starts_with("- ")
}

/// `key: rest` or `key:` with a key of letters, digits, `_`, `-` and `.`: the key and what
/// follows the `:`.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let colon = text.find(':')?;
    let (key, rest) = (&text[..colon], &text[colon + 1..]);
    let word = key.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_alphanumeric() || b == b'_' || (i > 0 && (b == b'-' || b == b'.'))
    });
    let keyword = matches!(key, "null" | "Null" | "NULL");
    (!key.is_empty() && word && !keyword && (rest.is_empty() || rest.starts_with(' ')))
        .then_some((key, rest))
}

/// A plain scalar (`in_list`: inside `[…]` or `{…}`), or `None` for any text that would not
/// be one whole plain scalar on its own.
fn plain(text: &str, in_list: bool) -> Option<Value> {
    let first = *text.as_bytes().first()?;
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first)
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || (in_list && text.contains(['[', ']', '{', '}', '#', '"', '\'']))
    {
        return None;
    }
    Some(if matches!(text, "~" | "null" | "Null" | "NULL") {
        Value::Null
    } else {
        Value::Scalar(text.to_owned())
    })
}

/// The text of `"…"` without escapes, when nothing follows it.
fn double_quoted(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['"', '\\'])).then_some(inner)
}

/// The text of `'…'`, `''` read as `'`, when nothing follows it.
fn single_quoted(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut quotes = inner.split('\'');
    out.push_str(quotes.next()?);
    while let Some(empty) = quotes.next() {
        // Every quote inside must be doubled: `a''b` splits into `a`, ``, `b`.
        if !empty.is_empty() {
            return None;
        }
        out.push('\'');
        out.push_str(quotes.next()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse_fully;
    use super::*;
    use crate::model::split::split;
    use proptest::prelude::*;

    /// The fast reader answers, and with the full parser's tree.
    fn assert_same(text: &str) {
        let fast = parse(text, 2).unwrap_or_else(|| panic!("gave up on:\n{text}"));
        assert_eq!(Ok(fast), parse_fully(text, 2), "{text}");
    }

    #[test]
    fn reads_what_front_matter_is_made_of_as_the_full_parser_does() {
        assert_same(
            "# a comment\nid: a-b\ntitle: Hello wörld [1], {2} and \"3\"\nempty:\nspaced:   \n\
             summary: >\n  Line one\n  line two\n\n\n  para two\n\
             short: >-\n   one\n   two\nlit: |\n  keep\n    this\n\n  and this\nstrip: |-\n  a\n\
             seq:\n  - a\n  -   'q''s'\n  - \"d\"\n  - ~\n\
             indentless:\n- x\n- [y]\n\
             acts:\n  - title: T\n    owner: Ö\n    # between\n\n    due:\n  -   title: U\n      due: 2016-01-01\n      tags:\n      - z\n\
             nested:\n    deeper:\n        deepest: 1\n    back: 2\n\
             flow: [a, b c,ö,  null ]\nnone: []\nnul: ~\nq: 'x'   \nurl: http://x.example/a#b\nlast:\n",
        );
        for text in [
            "a: >\n  x\nb: 1\n",
            "a:\n  - b: >\n      folded\n    c: d\n",
            "a: |\n  x\n\n\nb: 1\n",
            "a: 1\n",
        ] {
            assert_same(text);
        }
    }

    #[test]
    fn gives_up_on_what_it_does_not_read() {
        for text in [
            "- item\n",
            "a: b: c\n",
            "a: x # comment\n",
            "a: \"x\\n\"\n",
            "a: &anchor x\n",
            "a: [x, [y]]\n",
            "a: >+\n  x\n",
            "a: >\n  x\n    more\n",
            "a: plain\n  continued\n",
            "a: 1\na: 2\n",
            "a:\tb\n",
            "a: b\r\n",
            "---\na: b\n",
            "  a: b\n",
            "a: b",
            "? a\n: b\n",
        ] {
            assert_eq!(parse(text, 1), None, "{text}");
        }
    }

    #[test]
    fn reads_every_example_and_synthetic_postmortem() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("postmortems");
        let mut texts: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flat_map(|year| std::fs::read_dir(year.unwrap().path()).unwrap())
            .map(|file| std::fs::read_to_string(file.unwrap().path()).unwrap())
            .collect();
        assert!(texts.len() >= 10);
        texts.extend((0..200).map(|n| crate::synth::document(n, 7).0));
        for text in &texts {
            assert_same(split(text).unwrap().yaml);
        }
    }

    /// Writes YAML like front matter, steered by `choices`: keys, scalars of every style,
    /// nested mappings and lists at varied indentation, text blocks, comments, blank lines;
    /// then a few characters inserted or removed, so that much of it is just off the subset.
    struct Writer<'a> {
        choices: &'a [u8],
        at: usize,
        out: String,
    }

    const KEYS: &[&str] = &[
        "id", "title", "a-b", "a.b", "1", "x_y", "null", "~", "k x", "-k", "\"q\"",
    ];
    const SCALARS: &[&str] = &[
        "plain words",
        "2026-01-01",
        "x.y-z_1",
        "'quoted: text'",
        "\"quoted # text\"",
        "a",
        "b c",
        "a  b",
        "x: y",
        "x:",
        "a#b",
        "a #b",
        "~",
        "null",
        "Null",
        "NULL",
        "''",
        "'q''s'",
        "'q's'",
        "\"d\"",
        "\"e\\n\"",
        "\"a\" b",
        "ö",
        "wörld ü",
        "1.10",
        "-5",
        "- x",
        "[a, b]",
        "[a, ]",
        "[]",
        "[ ]",
        "[ö, b c,d]",
        "[a, [b]]",
        "{a: b}",
        "&x a",
        "*x",
        "!t a",
        "`x`",
        "@x",
        "%x",
        "http://x",
        "a,b",
        "?x",
        ":x",
        "a:b",
        "a'b",
        "\u{2028}",
        "\u{85}",
        "\u{feff}",
        "\u{7f}",
    ];
    const HEADERS: &[&str] = &[">", ">-", "|", "|-", ">+", "|2", "> # c", ">  "];
    const LINES: &[&str] = &[
        "word",
        "two words",
        "",
        "  more",
        "# hash",
        "trail ",
        "ö ü",
        " ",
    ];

    impl Writer<'_> {
        fn pick(&mut self, n: usize) -> usize {
            let choice = self.choices.get(self.at).copied().unwrap_or(0);
            self.at += 1;
            usize::from(choice) % n
        }

        fn one(&mut self, from: &[&'static str]) -> &'static str {
            from[self.pick(from.len())]
        }

        fn indent(&mut self, n: usize) {
            self.out.extend(std::iter::repeat_n(' ', n));
        }

        fn extra(&mut self) {
            match self.pick(8) {
                0 => self.out.push('\n'),
                1 => {
                    let n = self.pick(6);
                    self.indent(n);
                    self.out.push_str("# note\n");
                }
                _ => {}
            }
        }

        fn map(&mut self, indent: usize, depth: usize, inline: bool) {
            for n in 0..=self.pick(4) {
                if n > 0 || !inline {
                    self.indent(indent);
                }
                let key = self.one(KEYS);
                self.out.push_str(key);
                self.out.push(':');
                self.value(indent, depth);
                self.extra();
            }
        }

        fn value(&mut self, indent: usize, depth: usize) {
            match self.pick(if depth < 3 { 8 } else { 5 }) {
                0..=2 => {
                    let spaces = self.one(&[" ", "  ", ""]);
                    self.out.push_str(spaces);
                    let piece = self.one(SCALARS);
                    self.out.push_str(piece);
                    let trailing = self.one(&[" ", "", ""]);
                    self.out.push_str(trailing);
                    self.out.push('\n');
                }
                3 => {
                    self.out.push(' ');
                    let piece = self.one(HEADERS);
                    self.out.push_str(piece);
                    self.out.push('\n');
                    let at = indent + self.pick(4);
                    for _ in 0..=self.pick(4) {
                        let line = self.one(LINES);
                        if !line.is_empty() {
                            self.indent(at);
                        }
                        self.out.push_str(line);
                        self.out.push('\n');
                    }
                }
                4 => self.out.push('\n'),
                5 => {
                    self.out.push('\n');
                    let step = self.pick(4) + 1;
                    self.map(indent + step, depth + 1, false);
                }
                6 => {
                    self.out.push('\n');
                    let step = self.pick(3);
                    self.seq(indent + step, depth + 1);
                }
                _ => {
                    self.out.push_str(" [");
                    for n in 0..self.pick(4) {
                        if n > 0 {
                            let comma = self.one(&[",", ", ", " , "]);
                            self.out.push_str(comma);
                        }
                        let piece = self.one(SCALARS);
                        self.out.push_str(piece);
                    }
                    self.out.push_str("]\n");
                }
            }
        }

        fn seq(&mut self, indent: usize, depth: usize) {
            for _ in 0..=self.pick(3) {
                self.indent(indent);
                self.out.push('-');
                let gap = self.pick(3);
                self.indent(gap);
                match self.pick(3) {
                    0 => self.map(indent + 1 + gap, depth + 1, true),
                    1 => self.value(indent, depth + 1),
                    _ => {
                        let piece = self.one(SCALARS);
                        self.out.push_str(piece);
                        self.out.push('\n');
                    }
                }
                self.extra();
            }
        }

        fn mutate(&mut self) {
            for _ in 0..self.pick(3) {
                let mut at = self.pick(self.out.len().max(1));
                while !self.out.is_char_boundary(at) {
                    at -= 1;
                }
                match self.pick(12) {
                    0 => {
                        if at < self.out.len() {
                            self.out.remove(at);
                        }
                    }
                    n => self.out.insert(
                        at,
                        [' ', ':', '#', '-', '\'', '"', '\t', '\n', '\r', '[', '>'][n - 1],
                    ),
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn where_the_fast_reader_answers_the_full_parser_agrees(
            choices in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut writer = Writer { choices: &choices, at: 0, out: String::new() };
            writer.map(0, 0, false);
            writer.mutate();
            if let Some(fast) = parse(&writer.out, 2) {
                prop_assert_eq!(Ok(fast), parse_fully(&writer.out, 2), "{}", writer.out);
            }
        }
    }
}
