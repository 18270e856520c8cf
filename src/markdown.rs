//! The one place Markdown is parsed: the sections of a body, the prose in it, its plain text and
//! its HTML for the site ([`to_html`], sanitized: documents are untrusted).
//!
//! HTML comments (`<!-- ... -->`) are the templates' guidance for writers; they are not content,
//! so a section holding only a comment counts as empty, and the HTML leaves them out.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

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

/// The text of raw HTML: comments and tags left out (a `<` that opens no tag stays).
fn html_text(html: &str) -> String {
    let text = without_comments(html);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find('<')
        && let Some(end) = rest[start..].find('>')
    {
        out.push_str(&rest[..start]);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text of `body` without Markdown markup: words of prose, headings, tables and code (code
/// is text people search for), one block per line; raw HTML gives its text, without its tags
/// and comments (a template's guidance is a comment).
pub fn plain_text(body: &str) -> String {
    plain_sections(body).text
}

/// A body's plain text ([`plain_text`]) and where its sections lie in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainText {
    /// The whole text.
    pub text: String,
    /// Each `#` or `##` heading's section: the heading's slug (`Root cause` is `root-cause`,
    /// as in the page's anchors) and the byte range of the text below it, up to the next such
    /// heading (its `###` subsections included). Text before the first heading is in none.
    pub sections: Vec<(String, Range<usize>)>,
    /// Where the first `#` or `##` heading starts (the text's length without one).
    pub first_heading: usize,
}

impl PlainText {
    /// The text without its `#` and `##` headings: what a reader finds under them. A draft
    /// whose sections are still empty has none.
    pub fn without_headings(&self) -> String {
        let mut out = self.text[..self.first_heading].to_owned();
        for (_, range) in &self.sections {
            out.push_str(&self.text[range.clone()]);
        }
        out
    }
}

/// The slug a section is known by in searches: its heading's (`Root cause` is `root-cause`).
pub fn section_slug(heading: &str) -> String {
    slug(heading, "section")
}

/// [`plain_text`] with its sections.
pub fn plain_sections(body: &str) -> PlainText {
    let mut out = String::with_capacity(body.len());
    let mut sections: Vec<(String, Range<usize>)> = Vec::new();
    let mut heading: Option<usize> = None;
    let mut first_heading = None;
    let mut html_block = String::new();
    for event in Parser::new_ext(body, options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => {
                if let Some((_, range)) = sections.last_mut() {
                    range.end = out.len();
                }
                heading = Some(out.len());
                first_heading.get_or_insert(out.len());
            }
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::TableCell) => out.push(' '),
            Event::End(TagEnd::Heading(level)) if level <= HeadingLevel::H2 => {
                let title = heading.take().map_or("", |start| &out[start..]);
                let slug = section_slug(title);
                out.push('\n');
                sections.push((slug, out.len()..out.len()));
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            // A block of HTML comes line by line, and a comment in it may span lines: read the
            // block whole, and keep its lines apart.
            Event::Start(Tag::HtmlBlock) => html_block.clear(),
            Event::Html(html) => html_block.push_str(&html),
            Event::End(TagEnd::HtmlBlock) => {
                for line in html_text(&html_block).lines() {
                    let line = line.trim();
                    if !line.is_empty() {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
            Event::InlineHtml(html) => out.push_str(html_text(&html).trim()),
            _ => {}
        }
    }
    if let Some((_, range)) = sections.last_mut() {
        range.end = out.len();
    }
    PlainText {
        first_heading: first_heading.unwrap_or(out.len()),
        text: out,
        sections,
    }
}

/// A postmortem body rendered to HTML, safe to insert into a page as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html {
    /// The HTML.
    pub html: String,
    /// Headings of level 2 and 3, in order, for a table of contents.
    pub headings: Vec<Heading>,
}

/// One heading of a rendered body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 2 for `##`, 3 for `###`.
    pub level: u8,
    /// The `id` of the heading in [`Html::html`], unique within the body.
    pub id: String,
    /// The heading's plain text (not HTML: escape it when putting it in a page).
    pub text: String,
}

/// Renders `body` (Markdown) to sanitized HTML. Raw HTML in the Markdown is shown as text
/// (escaped) unless `allow_html`, and then it is sanitized with ammonia.
///
/// Documents are untrusted: links and images keep only `http`, `https`, `mailto` and relative
/// targets (others lose their link and keep their text), a code fence's language is kept only
/// if it is a plain word, and headings get ids made from their text. With raw HTML, the result
/// goes through [`sanitizer`], which allows only what this renderer produces; without, every
/// tag is the renderer's own, with its text and attributes escaped, which a property test
/// checks against the sanitizer. HTML comments are the templates' guidance for writers and are
/// left out in both modes.
pub fn to_html(body: &str, allow_html: bool) -> Html {
    let mut ids = Ids::default();
    // The ids of the page around the body are not for its headings to take.
    for id in PAGE_IDS {
        ids.taken.insert((*id).to_owned());
    }
    let mut headings = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    // For each open link or image: whether it is kept.
    let mut links: Vec<bool> = Vec::new();
    // The open heading: where its start event is and its text so far.
    let mut heading: Option<(usize, String)> = None;
    // The raw HTML of the open HTML block.
    let mut html_block: Option<String> = None;
    for event in Parser::new_ext(body, render_options()) {
        let event = match event {
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some(String::new());
                continue;
            }
            Event::Html(html) if html_block.is_some() => {
                if let Some(block) = html_block.as_mut() {
                    block.push_str(&html);
                }
                continue;
            }
            Event::End(TagEnd::HtmlBlock) => {
                let block = html_block.take().unwrap_or_default();
                if allow_html {
                    events.push(Event::Html(block.into()));
                } else {
                    let text = without_comments(&block);
                    if !text.trim().is_empty() {
                        events.push(Event::Start(Tag::Paragraph));
                        events.push(Event::Text(text.trim_end().to_owned().into()));
                        events.push(Event::End(TagEnd::Paragraph));
                    }
                }
                continue;
            }
            Event::Html(html) | Event::InlineHtml(html) if !allow_html => {
                let text = without_comments(&html);
                if text.is_empty() {
                    continue;
                }
                Event::Text(text.into())
            }
            Event::Start(
                Tag::Link {
                    link_type,
                    ref dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    ref dest_url,
                    ..
                },
            ) => {
                // An email autolink is written out as `mailto:` + the address.
                let keep = link_type == LinkType::Email || is_safe_url(dest_url);
                links.push(keep);
                if !keep {
                    continue;
                }
                match event {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        ..
                    }) if !allow_html => Event::InlineHtml(link_tag(link_type, &dest_url, &title)),
                    event => event,
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if !links.pop().unwrap_or(true) {
                    continue;
                }
                event
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let language = info
                    .split(|c: char| c.is_ascii_whitespace() || c == ',')
                    .next()
                    .filter(|word| is_language(word))
                    .unwrap_or_default();
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
                    language.to_owned().into(),
                )))
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((events.len(), String::new()));
                // The id is known at the end of the heading; attributes from the document are
                // never kept.
                Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, text)) = heading.take() {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let id = ids.claim(&slug(&text, "section"));
                    events[start] = Event::Start(Tag::Heading {
                        level,
                        id: Some(id.clone().into()),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    });
                    if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                        headings.push(Heading {
                            level: level as u8,
                            id,
                            text,
                        });
                    }
                }
                event
            }
            Event::FootnoteReference(name) => {
                Event::FootnoteReference(ids.footnote(&name).to_owned().into())
            }
            Event::Start(Tag::FootnoteDefinition(name)) => Event::Start(Tag::FootnoteDefinition(
                ids.footnote(&name).to_owned().into(),
            )),
            event => event,
        };
        if let Some((_, text)) = heading.as_mut() {
            match &event {
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::SoftBreak | Event::HardBreak => text.push(' '),
                _ => {}
            }
        }
        events.push(event);
    }
    let mut html = String::with_capacity(body.len());
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Table alignment as classes: the site's Content-Security-Policy allows no inline style.
    for side in ["left", "center", "right"] {
        let style = format!(" style=\"text-align: {side}\"");
        if html.contains(&style) {
            html = html.replace(&style, &format!(" class=\"align-{side}\""));
        }
    }
    // Without raw HTML, every tag is one pulldown-cmark writes from the events above, its text
    // and attributes escaped: what the sanitizer allows, as a test checks. Raw HTML is
    // sanitized.
    if allow_html {
        html = sanitizer().clean(&html).to_string();
    }
    Html { html, headings }
}

/// The opening tag of a link whose target was checked: what pulldown-cmark writes, with the
/// `rel` the sanitizer gives links.
fn link_tag(link_type: LinkType, url: &str, title: &str) -> CowStr<'static> {
    let mut tag = String::from("<a href=\"");
    if link_type == LinkType::Email {
        tag.push_str("mailto:");
    }
    // Writing into a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut tag, url);
    if !title.is_empty() {
        tag.push_str("\" title=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut tag, title);
    }
    tag.push_str("\" rel=\"noopener noreferrer\">");
    tag.into()
}

/// Ids the site's pages give their own elements, which headings in a body never get (a
/// `## Related` heading gets `related-2`).
pub const PAGE_IDS: &[&str] = &[
    "main",
    "contents",
    "follow-up",
    "related",
    "open",
    "docs",
    "counts",
    "overdue",
    "recent",
    "browse",
    "search",
    "results",
    "filters",
    "in-progress",
    "done",
    "wont-do",
];

/// [`options`] for rendering: without `{#id .class}` on headings, as ids are ours to give.
fn render_options() -> Options {
    let mut options = options();
    options.remove(Options::ENABLE_HEADING_ATTRIBUTES);
    options
}

/// The ids given out in one body: to headings and to footnotes, all unique.
#[derive(Debug, Default)]
struct Ids {
    taken: HashSet<String>,
    /// The next suffix to try for a slug, so that many equal headings stay cheap.
    next: HashMap<String, usize>,
    /// The id of each footnote, by its lower-cased name (names match regardless of case).
    footnotes: HashMap<String, String>,
}

impl Ids {
    /// `base`, or `base-2`, `base-3`… whichever is free first; now taken.
    fn claim(&mut self, base: &str) -> String {
        let mut n = self.next.get(base).copied().unwrap_or(1);
        loop {
            let id = if n == 1 {
                base.to_owned()
            } else {
                format!("{base}-{n}")
            };
            n += 1;
            if self.taken.insert(id.clone()) {
                self.next.insert(base.to_owned(), n);
                return id;
            }
        }
    }

    /// The id of footnote `name`, the same for its references and its definition.
    fn footnote(&mut self, name: &str) -> &str {
        let key = name.to_lowercase();
        if !self.footnotes.contains_key(&key) {
            let id = self.claim(&format!("fn-{}", slug(name, "note")));
            self.footnotes.insert(key.clone(), id);
        }
        &self.footnotes[&key]
    }
}

/// Lower-case ASCII letters and digits of `text` joined by single dashes, transliterated from
/// other scripts; `fallback` when nothing is left.
fn slug(text: &str, fallback: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(text, " ").to_ascii_lowercase();
    let slug = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug
    }
}

/// Whether `id` could be one of ours: a non-empty slug.
fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether a code fence's language is a plain word that can go into a class name.
fn is_language(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
}

/// Whether a link or image target may stay: `http:`, `https:`, `mailto:` or relative.
///
/// A browser ignores tabs and newlines anywhere in a URL and control characters and spaces at
/// its ends, and reads the scheme up to the first `:`. This goes further, so that no spelling
/// slips through: it drops every control, space and invisible character, decodes
/// percent-escapes and character references (pulldown-cmark and html5ever have decoded them
/// once already; a second layer does not fool a browser, but costs nothing to refuse), and
/// refuses any `:` that comes before a `/`, `?` or `#` unless what precedes it is an allowed
/// scheme. Relative targets such as `../x.html`, `#frag` or `//host/x` are kept.
fn is_safe_url(url: &str) -> bool {
    let decoded = decode_percent(&decode_references(url));
    [url, decoded.as_str()].into_iter().all(|url| {
        let compact: String = url.chars().filter(|c| !is_invisible(*c)).collect();
        match compact.find([':', '/', '?', '#']) {
            Some(i) if compact[i..].starts_with(':') => {
                let scheme = compact[..i].to_ascii_lowercase();
                matches!(scheme.as_str(), "http" | "https" | "mailto")
            }
            _ => true,
        }
    })
}

/// Characters a reader does not see in a URL.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(
            c,
            '\u{ad}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
        )
}

/// `url` with `%xx` escapes decoded, repeatedly (at most a few times), as UTF-8 where valid.
fn decode_percent(url: &str) -> String {
    let mut text = url.to_owned();
    for _ in 0..4 {
        if !text.contains('%') {
            break;
        }
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(byte) if bytes[i] == b'%' => {
                    out.push(byte);
                    i += 3;
                }
                _ => {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
        }
        let decoded = String::from_utf8_lossy(&out).into_owned();
        if decoded == text {
            break;
        }
        text = decoded;
    }
    text
}

/// `url` with numeric character references (`&#58;`, `&#x3A`) and the named ones that can
/// hide a scheme (`&colon;`, `&Tab;`, `&NewLine;`) decoded.
fn decode_references(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let named = [("&colon;", ':'), ("&tab;", '\t'), ("&newline;", '\n')]
            .into_iter()
            .find(|(name, _)| {
                rest.get(..name.len())
                    .is_some_and(|r| r.eq_ignore_ascii_case(name))
            });
        if let Some((name, c)) = named {
            out.push(c);
            rest = &rest[name.len()..];
            continue;
        }
        let Some(number) = rest.strip_prefix("&#") else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let (digits, radix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        if len == 0 {
            out.push('&');
            rest = &rest[1..];
            continue;
        }
        let c = u32::from_str_radix(&digits[..len], radix)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        out.push(c);
        rest = &digits[len..];
        rest = rest.strip_prefix(';').unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

/// The sanitizer of bodies with raw HTML in them: ammonia allowing exactly what
/// [`to_html`] produces (plus a few inert formatting tags people write as raw HTML), with URLs
/// limited to `http`, `https`, `mailto` and relative ones. Scripts and styles go with their
/// content; comments go too.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let headings = ["h1", "h2", "h3", "h4", "h5", "h6"];
        let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::from([
            ("a", HashSet::from(["href", "title"])),
            ("img", HashSet::from(["src", "alt", "title"])),
            ("code", HashSet::from(["class"])),
            ("sup", HashSet::from(["class"])),
            ("div", HashSet::from(["class", "id"])),
            ("th", HashSet::from(["class"])),
            ("td", HashSet::from(["class"])),
            ("ol", HashSet::from(["start"])),
            ("input", HashSet::from(["type", "checked", "disabled"])),
        ]);
        attributes.extend(headings.map(|h| (h, HashSet::from(["id"]))));
        let mut builder = ammonia::Builder::empty();
        builder
            .add_tags(headings)
            .add_tags([
                // What pulldown-cmark writes with our options.
                "p",
                "br",
                "hr",
                "em",
                "strong",
                "del",
                "code",
                "pre",
                "blockquote",
                "ul",
                "ol",
                "li",
                "table",
                "thead",
                "tbody",
                "tr",
                "th",
                "td",
                "a",
                "img",
                "sup",
                "div",
                "input",
                // Inert formatting that documents may write as raw HTML.
                "b",
                "i",
                "u",
                "s",
                "sub",
                "kbd",
                "mark",
                "details",
                "summary",
                "dl",
                "dt",
                "dd",
            ])
            .generic_attributes(HashSet::new())
            .tag_attributes(attributes)
            .set_tag_attribute_value("input", "disabled", "")
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer"))
            .strip_comments(true)
            .attribute_filter(filter_attribute);
        builder
    });
    &SANITIZER
}

/// Keeps an allowed attribute only with a value [`to_html`] could have produced.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let keep = match (element, attribute) {
        ("a", "href") | ("img", "src") => is_safe_url(value),
        (_, "id") => is_slug(value),
        ("code", "class") => value.strip_prefix("language-").is_some_and(is_language),
        ("sup", "class") => matches!(value, "footnote-reference" | "footnote-definition-label"),
        ("div", "class") => value == "footnote-definition",
        ("th" | "td", "class") => matches!(value, "align-left" | "align-center" | "align-right"),
        // A task list marker; an `<input>` of any other type is made one.
        ("input", "type") => return Some(Cow::Borrowed("checkbox")),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
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

/// A heading or a list item of a Markdown text: what `pm import` reads titles, sections and
/// action items from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading, ATX (`# Title`) or setext (underlined with `===` or `---`).
    Heading {
        /// 1 to 6.
        level: u8,
        /// Its text, markup removed.
        text: String,
        /// Its 1-based line.
        line: usize,
    },
    /// A list item.
    Item {
        /// 0 for an item of a top-level list, 1 for one nested in it, and so on.
        depth: usize,
        /// `Some(true)` for `- [x]`, `Some(false)` for `- [ ]`, `None` for a plain item.
        checked: Option<bool>,
        /// Its own text, markup removed, lines joined; nested lists are items of their own.
        text: String,
        /// Its 1-based line.
        line: usize,
    },
}

/// The headings and list items of `text`, in order; code blocks are not read for them.
pub fn blocks(text: &str) -> Vec<Block> {
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    let mut heading: Option<usize> = None;
    let mut open_items: Vec<usize> = Vec::new();
    let mut depth = 0_usize;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                #[allow(clippy::cast_possible_truncation)] // 1 to 6
                let level = level as u8;
                out.push(Block::Heading {
                    level,
                    text: String::new(),
                    line: lines.line(range.start),
                });
                heading = Some(out.len() - 1);
            }
            Event::End(TagEnd::Heading(_)) => heading = None,
            Event::Start(Tag::List(_)) => depth += 1,
            Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                out.push(Block::Item {
                    depth: depth.saturating_sub(1),
                    checked: None,
                    text: String::new(),
                    line: lines.line(range.start),
                });
                open_items.push(out.len() - 1);
            }
            Event::End(TagEnd::Item) => {
                open_items.pop();
            }
            Event::TaskListMarker(done) => {
                if let Some(Block::Item { checked, .. }) =
                    open_items.last().and_then(|i| out.get_mut(*i))
                {
                    *checked = Some(done);
                }
            }
            Event::Text(part) | Event::Code(part) => {
                let target = heading.or_else(|| open_items.last().copied());
                match target.and_then(|i| out.get_mut(i)) {
                    Some(Block::Heading { text, .. } | Block::Item { text, .. }) => {
                        text.push_str(&part);
                    }
                    None => {}
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(Block::Item { text, .. }) =
                    open_items.last().and_then(|i| out.get_mut(*i))
                {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }
    for block in &mut out {
        let (Block::Heading { text, .. } | Block::Item { text, .. }) = block;
        *text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out
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
            text.starts_with("Impact\n503 from kube-proxy.\na b \nx y \n"),
            "{text:?}"
        );
        let html = plain_text("<div>\nfirst line\nsecond line\n</div>\n");
        assert_eq!(html, "first line\nsecond line\n");
        // A template's guidance: a comment over several lines, a table in it.
        let guidance = plain_text(
            "## Timeline\n<!-- One row per event:\n| Time | Event |\n|---|---|\n-->\n\nText <b>bold</b> <!-- a\nnote --> 1 < 2.\n",
        );
        assert_eq!(guidance, "Timeline\nText bold  1 < 2.\n");
        let sections = plain_sections(
            "Before.\n# Title\n## Impact\n\n## Timeline\nAt 09:12.\n### Detail\nMore.\n",
        );
        assert_eq!(
            sections.without_headings(),
            "Before.\nAt 09:12.\nDetail\nMore.\n"
        );
        assert_eq!(
            plain_sections("## Impact\n## Timeline\n").without_headings(),
            ""
        );
        assert_eq!(
            plain_sections("No heading.\n").without_headings(),
            "No heading.\n"
        );
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

    /// A tag's name and its attributes' names and values.
    type Element = (String, Vec<(String, String)>);

    /// The tags of `html` (as ammonia or pulldown-cmark write it: text `<` escaped, values in
    /// double quotes) with their attributes, names lower-cased. Rough, but independent of the
    /// code under test.
    fn tags(html: &str) -> Vec<Element> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            rest = &rest[open + 1..];
            rest = rest.strip_prefix('/').unwrap_or(rest);
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let name = rest[..end].to_ascii_lowercase();
            rest = &rest[end..];
            let mut attributes = Vec::new();
            loop {
                rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
                if rest.is_empty() || rest.starts_with('>') {
                    break;
                }
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                    .unwrap_or(rest.len());
                let attribute = rest[..end].to_ascii_lowercase();
                rest = &rest[end..];
                let mut value = String::new();
                if let Some(quoted) = rest.strip_prefix("=\"") {
                    let end = quoted.find('"').unwrap_or(quoted.len());
                    value = quoted[..end].replace("&amp;", "&");
                    rest = quoted.get(end + 1..).unwrap_or("");
                } else if let Some(bare) = rest.strip_prefix('=') {
                    let end = bare
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(bare.len());
                    value = bare[..end].to_owned();
                    rest = &bare[end..];
                }
                attributes.push((attribute, value));
            }
            found.push((name, attributes));
        }
        found
    }

    /// The scheme a browser would read in `url`, lower-cased, if any.
    fn scheme(url: &str) -> Option<String> {
        let url: String = url.chars().filter(|c| *c > ' ').collect();
        let end = url.find([':', '/', '?', '#'])?;
        url[end..]
            .starts_with(':')
            .then(|| url[..end].to_ascii_lowercase())
    }

    /// Asserts that `html` holds nothing that runs code or loads from a forbidden scheme.
    fn assert_safe(html: &str) {
        let lower = html.to_ascii_lowercase();
        for bad in [
            "<script", "<style", "<iframe", "<object", "<embed", "<form", "<svg", "<math", "<link",
            "<meta", "<base",
        ] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
        for (name, attributes) in tags(html) {
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric()),
                "tag {name:?} in {html}"
            );
            for (attribute, value) in attributes {
                assert!(
                    [
                        "href", "title", "src", "alt", "id", "class", "style", "start", "type",
                        "checked", "disabled", "rel"
                    ]
                    .contains(&attribute.as_str()),
                    "attribute {attribute:?} on {name} in {html}"
                );
                if attribute == "href" || attribute == "src" {
                    assert!(
                        matches!(
                            scheme(&value).as_deref(),
                            None | Some("http" | "https" | "mailto")
                        ),
                        "{attribute}={value:?} in {html}"
                    );
                }
                assert_ne!(attribute, "style", "{html}");
                if attribute == "type" {
                    assert_eq!(value, "checkbox", "{html}");
                }
            }
        }
    }

    /// Renders `body` in both modes, checks both are safe, and returns them.
    fn render_both(body: &str) -> [String; 2] {
        [false, true].map(|allow_html| {
            let html = to_html(body, allow_html).html;
            assert_safe(&html);
            html
        })
    }

    /// The `href`s (or `src`s) in `html`.
    fn urls(html: &str, attribute: &str) -> Vec<String> {
        tags(html)
            .into_iter()
            .flat_map(|(_, attributes)| attributes)
            .filter(|(name, _)| name == attribute)
            .map(|(_, value)| value)
            .collect()
    }

    #[test]
    fn renders_tables_footnotes_task_lists_and_strikethrough() {
        let body = "| Time | Event |\n|:--|--:|\n| 09:12 | ~~up~~ down |\n\nSlow disk[^Disk].\n\n[^disk]: It was full.\n\n- [x] page on-call\n- [ ] add alert\n";
        for html in render_both(body) {
            assert!(
                html.contains("<table><thead><tr><th class=\"align-left\">Time</th>"),
                "{html}"
            );
            assert!(
                html.contains("<td class=\"align-right\"><del>up</del> down</td>"),
                "{html}"
            );
            assert!(html.contains("<a href=\"#fn-disk\""), "{html}");
            assert!(
                html.contains("<div class=\"footnote-definition\" id=\"fn-disk\">"),
                "{html}"
            );
            // Without raw HTML the writer's `<input … />`, with it the sanitizer's `<input …>`.
            let inputs: Vec<_> = tags(&html)
                .into_iter()
                .filter(|(name, _)| name == "input")
                .map(|(_, attributes)| attributes)
                .collect();
            let attribute = |name: &str| (name.to_owned(), String::new());
            let checkbox = ("type".to_owned(), "checkbox".to_owned());
            assert_eq!(
                inputs,
                [
                    vec![
                        attribute("disabled"),
                        checkbox.clone(),
                        attribute("checked")
                    ],
                    vec![attribute("disabled"), checkbox]
                ],
                "{html}"
            );
            assert!(html.contains("\nadd alert"), "{html}");
        }
    }

    #[test]
    fn headings_get_unique_ids_and_level_two_and_three_make_the_contents() {
        let body = "# Title\n\n## Root *cause*\n\n### Root cause\n\n## Root cause\n\n#### Deep\n\n## Ärger: `503`!\n\n## !!!\n\n## Root cause 2\n\nSee[^root-cause].\n\n[^root-cause]: x\n";
        let rendered = to_html(body, false);
        let got: Vec<_> = rendered
            .headings
            .iter()
            .map(|h| (h.level, h.id.as_str(), h.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, "root-cause", "Root cause"),
                (3, "root-cause-2", "Root cause"),
                (2, "root-cause-3", "Root cause"),
                (2, "arger-503", "Ärger: 503!"),
                (2, "section", "!!!"),
                (2, "root-cause-2-2", "Root cause 2"),
            ]
        );
        let html = rendered.html;
        assert!(html.contains("<h1 id=\"title\">Title</h1>"), "{html}");
        assert!(
            html.contains("<h2 id=\"root-cause\">Root <em>cause</em></h2>"),
            "{html}"
        );
        assert!(html.contains("<h4 id=\"deep\">"), "{html}");
        assert!(html.contains("id=\"fn-root-cause\""), "{html}");
        let ids: Vec<_> = urls(&html, "id");
        let unique: HashSet<_> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len(), "{ids:?}");
    }

    #[test]
    fn headings_never_take_the_ids_of_the_page_around_them() {
        let html = to_html("## Related\n\n## Main\n\n## Timeline\n", false);
        let ids: Vec<&str> = html.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["related-2", "main-2", "timeline"]);
    }

    #[test]
    fn heading_attributes_in_the_document_are_text() {
        let rendered = to_html("## Title {#main .evil onclick=x}\n", false);
        assert_eq!(rendered.headings[0].id, "title-main-evil-onclick-x");
        assert!(
            rendered
                .html
                .contains(">Title {#main .evil onclick=x}</h2>"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn raw_html_is_text_unless_allowed_and_then_sanitized() {
        let body = "<script>alert(1)</script>\n\nSome <b>bold</b> and <img src=x onerror=alert(1)>.\n\n<!-- guidance -->\n";
        let [escaped, allowed] = render_both(body);
        assert!(
            escaped.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
            "{escaped}"
        );
        assert!(
            escaped
                .contains("Some &lt;b&gt;bold&lt;/b&gt; and &lt;img src=x onerror=alert(1)&gt;."),
            "{escaped}"
        );
        assert!(!allowed.contains("alert"), "{allowed}");
        assert!(
            allowed.contains("Some <b>bold</b> and <img src=\"x\">."),
            "{allowed}"
        );
        for html in [escaped, allowed] {
            assert!(!html.contains("guidance"), "{html}");
        }
    }

    #[test]
    fn hostile_documents_render_safely_in_both_modes() {
        let hostile = [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//evil/x.js></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "x <img src=x onerror=alert(1)> y",
            "<svg onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<a href=\"javascript:x\">a</a>",
            "<a href=\"jav&#x61;script:x\">a</a>",
            "<a href=\"  JAVA\tSCRIPT:x\">a</a>",
            "<iframe src=\"https://evil\"></iframe><object data=x></object><embed src=x>",
            "<form action=x><input type=text name=password><button formaction=x>go</button></form>",
            "<style>body{display:none}</style>",
            "<div style=\"background:url(javascript:x)\" onclick=x>d</div>",
            "<p onmouseover=alert(1)>p</p>",
            "<base href=\"javascript:x\"><meta http-equiv=refresh content=0;url=javascript:x>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<td style=\"text-align: left; background: url(x)\">",
            "<code class=\"language-x onclick\">c</code>",
            "</div></div></body><script>alert(1)</script>",
            "```\"><script>alert(1)</script>\ncode\n```",
            "[a](x \"\\\"onmouseover=alert(1)\")",
            "![\"onerror=alert(1)](x.png)",
            "## <img src=x onerror=alert(1)>",
            "[^\"><script>]: x\n\nref[^\"><script>]",
        ];
        for body in hostile {
            render_both(body);
        }
        let [escaped, allowed] = render_both("```\"><script>\ncode\n```\n");
        for html in [escaped, allowed] {
            assert!(html.starts_with("<pre><code>code"), "{html}");
        }
    }

    #[test]
    fn drops_unsafe_link_targets_however_written_and_keeps_the_text() {
        let targets = [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "jav&#x61;script:alert(1)",
            "jav&#97;script:alert(1)",
            "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
            "javascript&colon;alert(1)",
            "javascript&#58;alert(1)",
            "javascript&amp;colon;alert(1)",
            "java&Tab;script:alert(1)",
            "java&#9;script:alert(1)",
            "java&#10;script:alert(1)",
            "java&#13;script:alert(1)",
            "&#1;javascript:alert(1)",
            "&#x20;javascript:alert(1)",
            "<java\tscript:alert(1)>",
            "<  javascript:alert(1)>",
            "java%09script:alert(1)",
            "%6Aavascript:alert(1)",
            "javascript%3Aalert(1)",
            "javascript%253Aalert(1)",
            "java\\script:alert(1)",
            "java&#x200B;script:alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "DATA:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "ftp://example.com/x",
            "intent://x#Intent;end",
        ];
        for target in targets {
            for body in [
                format!("[click]({target})"),
                format!("[click][r]\n\n[r]: {target}"),
                format!("![click]({target})"),
                format!("[![click]({target})]({target})"),
            ] {
                for html in render_both(&body) {
                    assert!(
                        urls(&html, "href").is_empty() && urls(&html, "src").is_empty(),
                        "{body:?} -> {html}"
                    );
                    assert!(html.contains("click"), "{body:?} -> {html}");
                }
            }
        }
        for autolink in [
            "<javascript:alert(1)>",
            "<data:text/html,x>",
            "<VBSCRIPT:x>",
        ] {
            for html in render_both(autolink) {
                assert!(urls(&html, "href").is_empty(), "{autolink} -> {html}");
            }
        }
    }

    #[test]
    fn keeps_safe_links_and_images() {
        let body = "[site](https://status.example.com/a?b=1&c=2 \"Status\") [plain](http://x.y) \
            [mail](mailto:oncall@example.com) <sre@example.com> <https://example.com> \
            [up](../2024-01-01-outage.html) [here](#timeline) [page](runbook.html) \
            [root](/runbooks/db) [host](//example.com/x) [colon](a/b:c)\n\n\
            ![graph](img/latency.png \"p99\")\n";
        for html in render_both(body) {
            assert_eq!(
                urls(&html, "href"),
                [
                    "https://status.example.com/a?b=1&c=2",
                    "http://x.y",
                    "mailto:oncall@example.com",
                    "mailto:sre@example.com",
                    "https://example.com",
                    "../2024-01-01-outage.html",
                    "#timeline",
                    "runbook.html",
                    "/runbooks/db",
                    "//example.com/x",
                    "a/b:c",
                ],
                "{html}"
            );
            assert!(html.contains("title=\"Status\""), "{html}");
            assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
            assert!(
                tags(&html).contains(&(
                    "img".to_owned(),
                    [
                        ("src", "img/latency.png"),
                        ("alt", "graph"),
                        ("title", "p99")
                    ]
                    .map(|(name, value)| (name.to_owned(), value.to_owned()))
                    .to_vec()
                )),
                "{html}"
            );
        }
        let raw = to_html(
            "<a href=\"https://x.y/\">x</a> <img src=\"a.png\" alt=\"a\">",
            true,
        )
        .html;
        assert_eq!(urls(&raw, "href"), ["https://x.y/"]);
        assert_eq!(urls(&raw, "src"), ["a.png"]);
    }

    #[test]
    fn code_fences_keep_only_plain_languages() {
        let body = "```rust\nfn main() {}\n```\n\n```c++ extra words\nx\n```\n\n```rust,ignore\ny\n```\n\n```a\"b\nz\n```\n\n```\nplain\n```\n";
        for html in render_both(body) {
            assert!(
                html.contains("<pre><code class=\"language-rust\">fn main() {}"),
                "{html}"
            );
            assert!(
                html.contains("<pre><code class=\"language-c++\">x"),
                "{html}"
            );
            assert!(
                html.contains("<pre><code class=\"language-rust\">y"),
                "{html}"
            );
            assert!(html.contains("<pre><code>z"), "{html}");
            assert!(html.contains("<pre><code>plain"), "{html}");
        }
    }

    #[test]
    fn decides_url_schemes_like_a_browser_and_then_some() {
        for safe in [
            "",
            "x",
            "#a",
            "../x.html",
            "/a",
            "//h/x",
            "a/b:c",
            "a?b:c",
            "https://x",
            "HTTP://x",
            " mailto:a@b",
        ] {
            assert!(is_safe_url(safe), "{safe:?}");
        }
        for unsafe_url in [
            "javascript:x",
            " \u{1}\tjava\nscript\r:x",
            "java\u{200b}script:x",
            "jav&#x61;script:x",
            "javascript&colon;x",
            "javascript&#0000058x",
            "%6a%61vascript:x",
            "java%2573cript:x",
            "data:x",
            "vbscript:x",
            "a:b",
            "&#xffffffff;:x",
        ] {
            assert!(!is_safe_url(unsafe_url), "{unsafe_url:?}");
        }
    }

    #[test]
    fn survives_deep_nesting() {
        for body in [
            format!("{}x", "> ".repeat(500)),
            "<b>".repeat(2_000),
            "[".repeat(10_000),
            "![".repeat(2_000) + &"](x)".repeat(2_000),
            (0..300)
                .flat_map(|i| ["  ".repeat(i), "- x\n".to_owned()])
                .collect(),
        ] {
            render_both(&body);
        }
    }

    /// What a browser reads in `html`: its tags with their attributes other than `rel`, and
    /// its text, character references decoded in both and NUL characters left out (a
    /// browser's parser drops them).
    fn reading(html: &str) -> (Vec<Element>, String) {
        let decode = |text: &str| {
            let text = text
                .replace('\0', "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&nbsp;", "\u{a0}");
            decode_references(&text).replace("&amp;", "&")
        };
        let tags = tags(html)
            .into_iter()
            .map(|(name, attributes)| {
                let attributes = attributes
                    .into_iter()
                    .filter(|(attribute, _)| attribute != "rel")
                    .map(|(attribute, value)| (attribute, decode(&value)))
                    .collect();
                (name, attributes)
            })
            .collect();
        let mut text = String::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            text.push_str(&rest[..open]);
            rest = &rest[open..];
            // The end of the tag, past quoted values, which may hold `>`.
            let mut quoted = false;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    quoted ^= c == '"';
                    c == '>' && !quoted
                })
                .map_or(rest.len(), |(i, _)| i + 1);
            rest = &rest[end..];
        }
        text.push_str(rest);
        (tags, decode(&text))
    }

    proptest::proptest! {
        #[test]
        fn any_input_renders_safely(body in any_body()) {
            render_both(&body);
        }

        /// Without raw HTML, the body is not sent through the sanitizer (a sixth of the time
        /// of building a site): it would keep every tag, attribute and character.
        #[test]
        fn without_raw_html_the_sanitizer_would_change_nothing(body in any_body()) {
            let html = to_html(&body, false).html;
            let cleaned = sanitizer().clean(&html).to_string();
            proptest::prop_assert_eq!(reading(&html), reading(&cleaned));
        }
    }

    /// Text made of Markdown and HTML pieces, hostile ones included, and arbitrary characters.
    fn any_body() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            any::<String>(),
            proptest::sample::select(vec![
                "<",
                ">",
                "\"",
                "'",
                "&",
                "&#x61;",
                "&colon;",
                "%3A",
                "\n",
                "\t",
                "\u{0}",
                "[",
                "]",
                "(",
                ")",
                "!",
                "`",
                "```",
                "#",
                "## ",
                "|",
                "-",
                "*",
                "[^a]",
                "[^a]: ",
                "javascript:",
                "data:",
                "<script>",
                "</script>",
                "<svg ",
                "<img ",
                "onerror=",
                "href=",
                "src=",
                "<a ",
                "<!--",
                "-->",
                "<style>",
                "<iframe>",
                "x",
                " ",
                "{#id}",
                // Links with titles and quotes, autolinks.
                "[l](https://a.example/?q=\"1\"&r=2 't<i>\"tle')",
                "![i](a.png 'o\"k')",
                "<ops@example.com>",
                "<https://a.example/'\">",
            ])
            .prop_map(str::to_owned),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    #[test]
    fn blocks_are_headings_and_items_outside_code() {
        let text = "Title\n=====\n\n```\n# not a heading\n```\n\n## Action items\n\n- [x] Done *now*\n  - nested\n- [ ] Open\n  second line\n- plain\n";
        let got = blocks(text);
        assert_eq!(
            got,
            [
                Block::Heading {
                    level: 1,
                    text: "Title".into(),
                    line: 1
                },
                Block::Heading {
                    level: 2,
                    text: "Action items".into(),
                    line: 8
                },
                Block::Item {
                    depth: 0,
                    checked: Some(true),
                    text: "Done now".into(),
                    line: 10
                },
                Block::Item {
                    depth: 1,
                    checked: None,
                    text: "nested".into(),
                    line: 11
                },
                Block::Item {
                    depth: 0,
                    checked: Some(false),
                    text: "Open second line".into(),
                    line: 12
                },
                Block::Item {
                    depth: 0,
                    checked: None,
                    text: "plain".into(),
                    line: 14
                },
            ]
        );
    }
}
