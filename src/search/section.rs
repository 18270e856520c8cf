//! Words within one section of a body: `section:timeline:failover`.
//!
//! The body is indexed once, as one text. Beside it, a fast field records for each document
//! which of the body's words (token positions) each `#` or `##` section spans, keyed by the
//! heading's slug. A section query reads the positions of its words in the body and keeps
//! the documents where they stand inside a section of that name. Indexing the sections as
//! text of their own would have indexed every body twice: 70 % more time to build an index.

use std::fmt::Write as _;
use std::ops::Range;

use tantivy::columnar::BytesColumn;
use tantivy::postings::Postings;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::tokenizer::{Class, class_at};

/// The fast field's value for a body's plain text and its sections (slug and byte range, as
/// [`crate::markdown::PlainText`] gives them): one `slug start end` line per section, in
/// word positions as the prose analyzer numbers them (one per run of letters and digits).
pub fn encode(text: &str, sections: &[(String, Range<usize>)]) -> Vec<u8> {
    let mut out = String::new();
    let mut words = WordCounter::new(text);
    for (slug, range) in sections {
        let start = words.before(range.start);
        let end = words.before(range.end);
        let _ = writeln!(out, "{slug} {start} {end}");
    }
    out.into_bytes()
}

/// Counts the words that start before a byte offset; offsets must come in increasing order.
struct WordCounter<'a> {
    text: &'a str,
    at: usize,
    count: u32,
    in_word: bool,
}

impl<'a> WordCounter<'a> {
    fn new(text: &'a str) -> Self {
        WordCounter {
            text,
            at: 0,
            count: 0,
            in_word: false,
        }
    }

    fn before(&mut self, offset: usize) -> u32 {
        let end = offset.min(self.text.len());
        let bytes = self.text.as_bytes();
        while self.at < end {
            // Eight ASCII bytes at a time, as a mask of the letters and digits: a word starts at
            // each one that follows something else. That is less than half the instructions of
            // testing sixteen bytes one by one (47 M to 20 M at 1 000 postmortems); any other
            // text is counted character by character.
            if let Some(chunk) = bytes
                .get(self.at..end)
                .and_then(|rest| rest.first_chunk::<8>())
                .map(|chunk| u64::from_le_bytes(*chunk))
                .filter(|chunk| chunk & HIGH_BITS == 0)
            {
                let words = alphanumeric(chunk);
                let before = (words << 8) | (u64::from(self.in_word) << 7);
                self.count += (words & !before).count_ones();
                self.in_word = words >> 63 == 1;
                self.at += 8;
                continue;
            }
            let (class, len) = class_at(self.text, self.at);
            let word = class == Class::Word;
            self.count += u32::from(word && !self.in_word);
            self.in_word = word;
            self.at += len;
        }
        self.count
    }
}

/// The high bit of each of eight bytes.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `byte` in each of eight bytes.
const fn each(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// Of eight ASCII bytes, the high bit of each that is a letter or a digit. A byte `b` below
/// 0x80 plus `0x80 - lo` has its high bit set when `b >= lo`, and plus `0x7f - hi` when
/// `b > hi`; neither sum carries into the next byte.
fn alphanumeric(bytes: u64) -> u64 {
    let within =
        |bytes: u64, lo: u8, hi: u8| (bytes + each(0x80 - lo)) & !(bytes + each(0x7f - hi));
    // `| 0x20` makes capitals small and moves no other byte into `a..=z`.
    (within(bytes | each(0x20), b'a', b'z') | within(bytes, b'0', b'9')) & HIGH_BITS
}

/// Whether a section whose heading has `slug` is one a search for `wanted` means: the same
/// slug, or one that starts with it at a word (`root-cause` is `Root cause and contributing
/// factors`, but `root` is not `Rooted`).
fn names(slug: &str, wanted: &str) -> bool {
    slug.strip_prefix(wanted)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// The word ranges of the sections `slug` names ([`names`]) in an encoded value.
fn ranges(encoded: &[u8], slug: &str) -> Vec<Range<u32>> {
    let text = String::from_utf8_lossy(encoded);
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            names(parts.next()?, slug).then_some(())?;
            let start = parts.next()?.parse().ok()?;
            let end = parts.next()?.parse().ok()?;
            Some(start..end)
        })
        .collect()
}

/// Documents whose section `slug` holds `terms` in a row (one term: that word).
#[derive(Debug, Clone)]
pub struct SectionQuery {
    body: Field,
    sections: Field,
    slug: String,
    terms: Vec<Term>,
}

impl SectionQuery {
    /// `terms` of the `body` field, in the sections named `slug`, as the fast field
    /// `sections` records them ([`encode`]).
    pub fn new(body: Field, sections: Field, slug: String, terms: Vec<Term>) -> Self {
        SectionQuery {
            body,
            sections,
            slug,
            terms,
        }
    }

    /// The documents of one segment that match, in order.
    fn matching(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        let name = reader.schema().get_field_name(self.sections);
        let Some(column) = reader.fast_fields().bytes(name)? else {
            return Ok(Vec::new());
        };
        let index = reader.inverted_index(self.body)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            match index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(p) => postings.push(p),
                None => return Ok(Vec::new()),
            }
        }
        let Some((first, rest)) = postings.split_first_mut() else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); self.terms.len()];
        let mut encoded = Vec::new();
        let mut doc = first.doc();
        while doc != TERMINATED {
            // Every term must be in the document: move to the first one they all share.
            if let Some(ahead) = rest.iter_mut().map(|p| p.seek(doc)).find(|&d| d > doc) {
                doc = first.seek(ahead);
                continue;
            }
            let spans = section_ranges(&column, doc, &self.slug, &mut encoded);
            if !spans.is_empty() {
                first.positions(&mut positions[0]);
                for (p, out) in rest.iter_mut().zip(&mut positions[1..]) {
                    p.positions(out);
                }
                if in_a_row_within(&positions, &spans) {
                    found.push(doc);
                }
            }
            doc = first.advance();
        }
        Ok(found)
    }
}

fn section_ranges(
    column: &BytesColumn,
    doc: DocId,
    slug: &str,
    buffer: &mut Vec<u8>,
) -> Vec<Range<u32>> {
    let mut spans = Vec::new();
    for ord in column.term_ords(doc) {
        buffer.clear();
        if column.ord_to_bytes(ord, buffer).unwrap_or(false) {
            spans.extend(ranges(buffer, slug));
        }
    }
    spans
}

/// Whether some position `p` of the first word has word `i` at `p + i` for every `i`, all
/// within one of `spans`.
fn in_a_row_within(positions: &[Vec<u32>], spans: &[Range<u32>]) -> bool {
    let last = u32::try_from(positions.len().saturating_sub(1)).unwrap_or(u32::MAX);
    positions[0].iter().any(|&p| {
        spans
            .iter()
            .any(|s| s.contains(&p) && s.contains(&p.saturating_add(last)))
            && positions[1..]
                .iter()
                .zip(1..)
                .all(|(list, i)| list.binary_search(&(p + i)).is_ok())
    })
}

impl Query for SectionQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SectionWeight(self.clone())))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, true);
        }
    }
}

struct SectionWeight(SectionQuery);

impl Weight for SectionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = BitSet::with_max_value(reader.max_doc());
        for doc in self.0.matching(reader)? {
            docs.insert(doc);
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.0.matching(reader)?.binary_search(&doc).is_ok() {
            Ok(Explanation::new("in the section", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown;
    use proptest::prelude::*;
    use tantivy::tokenizer::TokenStream as _;

    #[test]
    fn sections_are_counted_in_words() {
        let plain = markdown::plain_sections(
            "Intro words here.\n\n## Timeline\n\nAt 10:02 the `db-1` failed.\n\n### Detail\n\nmore\n\n## Root cause\n\nA bad deploy.\n",
        );
        let encoded = String::from_utf8(encode(&plain.text, &plain.sections)).unwrap();
        // intro(0) words(1) here(2) | timeline(3) at 10 02 the db 1 failed detail more (4..13)
        // | root(13) cause(14) a bad deploy (15..18)
        assert_eq!(encoded, "timeline 4 13\nroot-cause 15 18\n");
        assert_eq!(ranges(encoded.as_bytes(), "timeline"), vec![4..13]);
        assert!(ranges(encoded.as_bytes(), "impact").is_empty());
        // A heading is named by its first words too, but only by whole words.
        assert_eq!(ranges(encoded.as_bytes(), "root"), vec![15..18]);
        assert!(ranges(encoded.as_bytes(), "time").is_empty());
        assert!(ranges(encoded.as_bytes(), "root-c").is_empty());
    }

    proptest! {
        #[test]
        fn words_are_counted_where_the_prose_analyzer_numbers_them(
            text in "([a-z0-9]{1,6}|[ .,_-]{1,2}|é|東京|—){0,30}",
            cut in 0usize..200,
        ) {
            let mut analyzer = crate::search::tokenizer::name();
            let mut stream = analyzer.token_stream(&text);
            let mut starts = Vec::new();
            while stream.advance() {
                starts.push(stream.token().offset_from);
            }
            let cut = (0..=cut.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            let mut counter = WordCounter::new(&text);
            let before = starts.iter().filter(|&&s| s < cut).count();
            prop_assert_eq!(counter.before(cut) as usize, before);
            prop_assert_eq!(counter.before(text.len()) as usize, starts.len());
        }
    }

    #[test]
    fn words_are_counted_as_the_tokenizer_cuts_them_in_any_script() {
        let text = "café—résumé 東京 x_y 3.5 ü";
        let mut counter = WordCounter::new(text);
        // café | résumé | 東京 | x | y | 3 | 5 | ü: letters and digits of any script.
        assert_eq!(counter.before(text.find("東京").unwrap()), 2);
        assert_eq!(counter.before(text.len()), 8);
    }

    #[test]
    fn words_in_a_row_must_stay_in_one_span() {
        let positions = vec![vec![2, 9], vec![3, 10]];
        let spans = |list: &[(u32, u32)]| -> Vec<Range<u32>> {
            list.iter().map(|&(start, end)| start..end).collect()
        };
        assert!(in_a_row_within(&positions, &spans(&[(0, 4)])));
        assert!(!in_a_row_within(&positions, &spans(&[(0, 3)])));
        assert!(in_a_row_within(&positions, &spans(&[(0, 3), (9, 11)])));
        assert!(!in_a_row_within(&[vec![5], vec![7]], &spans(&[(0, 20)])));
    }
}
