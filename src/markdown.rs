//! The one place Markdown is parsed: the sections of a body and the prose in it.
//!
//! HTML comments (`<!-- ... -->`) are the templates' guidance for writers; they are not content,
//! so a section holding only a comment counts as empty.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// The Markdown extensions `pm` understands, everywhere it reads Markdown.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// A level-2 heading and what follows it up to the next heading of level 1 or 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading's text.
    pub title: String,
    /// The heading's 1-based line within the body.
    pub line: usize,
    /// Whether anything but whitespace and HTML comments follows the heading.
    pub has_content: bool,
}

/// What checks need from a body, read in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// The level-2 sections, in order.
    pub sections: Vec<Section>,
    /// The runs of prose (text outside code and HTML), as byte ranges of the body.
    pub prose: Vec<Range<usize>>,
}

impl Outline {
    /// Marks the section being read, if any, as having content.
    fn mark(&mut self, current: Option<usize>) {
        if let Some(i) = current {
            self.sections[i].has_content = true;
        }
    }
}

/// Reads the sections and the prose of `body`.
pub fn outline(body: &str) -> Outline {
    let lines = LineIndex::new(body);
    let mut outline = Outline::default();
    // The section content belongs to: none before the first H2 or after an H1.
    let mut current: Option<usize> = None;
    let mut heading: Option<String> = None;
    let mut in_code = false;
    let mut html = String::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                match level {
                    HeadingLevel::H1 => current = None,
                    HeadingLevel::H2 => {
                        outline.sections.push(Section {
                            title: String::new(),
                            line: lines.line(range.start),
                            has_content: false,
                        });
                        current = Some(outline.sections.len() - 1);
                    }
                    _ => outline.mark(current),
                }
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(text) = heading.take()
                    && level == HeadingLevel::H2
                    && let Some(i) = current
                {
                    text.trim().clone_into(&mut outline.sections[i].title);
                }
            }
            Event::Text(text) | Event::Code(text) if heading.is_some() => {
                if let Some(title) = heading.as_mut() {
                    title.push_str(&text);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                outline.mark(current);
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::HtmlBlock) => html.clear(),
            Event::Html(text) => html.push_str(&text),
            Event::End(TagEnd::HtmlBlock) => {
                if !without_comments(&html).trim().is_empty() {
                    outline.mark(current);
                }
            }
            // A comment inside a paragraph (inline HTML): the paragraph's text decides.
            Event::Start(_)
            | Event::End(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::InlineHtml(_) => {}
            Event::Text(text) => {
                if !text.trim().is_empty() {
                    outline.mark(current);
                }
                if !in_code {
                    // Join runs split only by a line break or emphasis marks, so that a phrase
                    // wrapped onto the next line or half in italics reads as one.
                    let joins = outline.prose.last().is_some_and(|last| {
                        let gap = &body[last.end..range.start];
                        !gap.contains("\n\n")
                            && gap
                                .chars()
                                .all(|c| c.is_whitespace() || matches!(c, '*' | '_' | '~'))
                    });
                    match outline.prose.last_mut() {
                        Some(last) if joins => last.end = range.end,
                        _ => outline.prose.push(range),
                    }
                }
            }
            _ => outline.mark(current),
        }
    }
    outline
}

/// `text` with every `<!-- ... -->` removed (an unclosed comment runs to the end).
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start + 4..]
            .find("-->")
            .map_or("", |end| &rest[start + 4 + end + 3..]);
    }
    out.push_str(rest);
    out
}

/// The text of `body` without Markdown markup: words of prose, headings, tables and code (code
/// is text people search for), one block per line; HTML comments are left out.
pub fn plain_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            // A block of HTML comes line by line: keep the lines apart.
            Event::Html(html) => {
                out.push_str(without_comments(&html).trim());
                out.push('\n');
            }
            Event::InlineHtml(html) => out.push_str(without_comments(&html).trim()),
            _ => {}
        }
    }
    out
}

/// Turns byte offsets into 1-based lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset)
    }

    /// The 1-based column (in characters) of byte `offset`.
    pub fn column(&self, offset: usize) -> usize {
        let start = self.starts[self.line(offset) - 1];
        self.text[start..offset].chars().count() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_level_two_sections_and_their_lines() {
        let body = "Intro\n\n## Summary\nText.\n\n## Impact\n\n### Detail\n\n## Timeline\n";
        let got: Vec<_> = outline(body)
            .sections
            .into_iter()
            .map(|s| (s.title, s.line, s.has_content))
            .collect();
        assert_eq!(
            got,
            [
                ("Summary".to_owned(), 3, true),
                ("Impact".to_owned(), 6, true),
                ("Timeline".to_owned(), 10, false)
            ]
        );
    }

    #[test]
    fn a_section_with_only_a_comment_is_empty() {
        let body = "## Summary\n<!-- One paragraph: what happened. -->\n\n## Impact\n<!--\nmulti\nline\n-->\nReal text.\n";
        let got: Vec<_> = outline(body)
            .sections
            .into_iter()
            .map(|s| s.has_content)
            .collect();
        assert_eq!(got, [false, true]);
    }

    #[test]
    fn tables_and_lists_are_content() {
        let body = "## Timeline\n| Time | Event |\n|---|---|\n| 09:12 | x |\n## Actions\n- one\n";
        assert!(outline(body).sections.iter().all(|s| s.has_content));
    }

    #[test]
    fn a_level_one_heading_ends_a_section() {
        let body = "## Summary\n# Appendix\nText.\n## Impact\nMore.\n";
        let got: Vec<_> = outline(body)
            .sections
            .into_iter()
            .map(|s| (s.title, s.has_content))
            .collect();
        assert_eq!(
            got,
            [("Summary".to_owned(), false), ("Impact".to_owned(), true)]
        );
    }

    #[test]
    fn wrapped_and_emphasised_prose_is_one_run() {
        let body = "It was human\nerror, *not* that.\n\nNext paragraph.\n";
        let runs: Vec<_> = outline(body).prose.into_iter().map(|r| &body[r]).collect();
        assert_eq!(
            runs,
            ["It was human\nerror, *not* that.", "Next paragraph."]
        );
    }

    #[test]
    fn plain_text_keeps_words_and_code_and_drops_markup_and_comments() {
        let body = "## Impact\n<!-- guidance -->\n**503** from `kube-proxy`.\n\n| a | b |\n|---|---|\n| x | y |\n\n```\nmax_connections=10\n```\n";
        let text = plain_text(body);
        assert!(
            text.starts_with("Impact\n\n503 from kube-proxy.\na b \nx y \n"),
            "{text:?}"
        );
        let html = plain_text("<div>\nfirst line\nsecond line\n</div>\n");
        assert!(html.contains("first line\nsecond line"), "{html:?}");
        assert!(text.contains("max_connections=10"), "{text:?}");
        assert!(
            !text.contains("guidance") && !text.contains('*') && !text.contains('|'),
            "{text:?}"
        );
    }

    #[test]
    fn prose_skips_code() {
        let body = "Some text.\n\n```\ncareless code\n```\n\nMore `inline` text.\n";
        let runs: Vec<_> = outline(body).prose.into_iter().map(|r| &body[r]).collect();
        assert!(runs.iter().all(|r| !r.contains("careless")), "{runs:?}");
        assert!(runs.contains(&"Some text."));
    }

    #[test]
    fn maps_offsets_to_lines_and_columns() {
        let index = LineIndex::new("ab\ncdé\nf");
        assert_eq!((index.line(0), index.column(0)), (1, 1));
        assert_eq!((index.line(4), index.column(4)), (2, 2));
        assert_eq!((index.line(8), index.column(8)), (3, 1));
    }
}
