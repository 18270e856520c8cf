//! How incident text is cut into searchable terms.
//!
//! Two analyzers work side by side. Prose (`pm_prose`) splits on anything that is not a letter
//! or digit, lower-cases, folds accents to ASCII and stems English, so `timeouts` finds
//! `timeout` and `us-east-1` finds `us`, `east` and `1`. Identifiers (`pm_ident`) keep whole
//! what incident text is made of: `us-east-1`, `ORA-00600`, `max_connections`, `10.42.7.19`,
//! `db-3.internal` are each one lower-cased term, so they are found whole as well as by parts.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, Stemmer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Prose: words, lower-cased, folded, stemmed.
pub const PROSE: &str = "pm_prose";
/// Names: words, lower-cased and folded, not stemmed (`owner:diaz`).
pub const NAME: &str = "pm_name";
/// Identifiers with inner separators, kept whole.
pub const IDENT: &str = "pm_ident";
/// Keywords (ids of teams, services, tags, severities): the whole value, lower-cased.
pub const KEYWORD: &str = "pm_keyword";

/// Registers every analyzer with `manager`.
pub fn register(manager: &tantivy::tokenizer::TokenizerManager) {
    manager.register(PROSE, prose());
    manager.register(NAME, name());
    manager.register(IDENT, ident());
    manager.register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The prose analyzer as the index uses it: each word stemmed and, where the stem differs,
/// also as written, at the same position, the first time the word appears in the text.
/// Stems find `timeout` for `timeouts`; the words as written let a prefix find what stemming
/// cut short (`notificat*` finds `notification`, indexed as `notif`). Once per text is enough
/// to find the document, and keeping every occurrence was a tenth of the time of building an
/// index; a phrase ending in a prefix looks for the stems of such words ([`super`]).
pub fn prose() -> TextAnalyzer {
    prose_with(true)
}

/// The prose analyzer for query words: stems only, one term per word.
pub fn prose_stems() -> TextAnalyzer {
    prose_with(false)
}

fn prose_with(keep_words: bool) -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(CachedStemmer {
            keep_words,
            ..CachedStemmer::default()
        })
        .build()
}

/// The name analyzer: prose words as they are written, lower-cased and folded. Also cuts
/// query words that must not be stemmed.
pub fn name() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::default())
}

/// The identifier analyzer: `us-east-1`, `ORA-00600`, `10.42.7.19` each one term, lower-cased
/// and folded.
pub fn ident() -> TextAnalyzer {
    TextAnalyzer::builder(IdentTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The identifiers of `text` as [`ident`] finds them, as written, a space between each: the
/// same terms, from a text a fraction of the size. A document waiting in the index writer's
/// queue holds this instead of a second copy of its body.
pub fn identifiers(text: &str) -> String {
    let mut tokenizer = IdentTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut found = String::new();
    while stream.advance() {
        if !found.is_empty() {
            found.push(' ');
        }
        found.push_str(&stream.token().text);
    }
    found
}

/// The terms the site's search in the browser is made of: words as written ([`name`]) and
/// identifiers whole ([`ident`]), the index's own rules, without stemming (the browser
/// matches prefixes instead).
pub struct SiteTerms {
    words: TextAnalyzer,
    identifiers: TextAnalyzer,
}

impl Default for SiteTerms {
    fn default() -> Self {
        SiteTerms {
            words: name(),
            identifiers: ident(),
        }
    }
}

impl SiteTerms {
    /// Calls `each` with every term of `text`: its words, then its identifiers.
    pub fn each(&mut self, text: &str, mut each: impl FnMut(&str)) {
        for analyzer in [&mut self.words, &mut self.identifiers] {
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                each(&stream.token().text);
            }
        }
    }
}

/// English stemming that remembers each word's stem. Stemming every word anew was a third of
/// the time of building an index, while an archive uses a few thousand distinct words; each
/// indexing thread has its own copy of the analyzer, so the cache needs no lock.
#[derive(Clone)]
pub struct CachedStemmer {
    /// Each word seen, with its stem when that differs from it (most words are their own).
    stems: HashMap<String, Stem, BuildHasherDefault<WordHasher>>,
    stemmer: TextAnalyzer,
    /// Whether a word whose stem differs is also kept as written, once per text.
    keep_words: bool,
    /// The text being cut, counted from 1: which one a word was last kept as written in.
    text: u32,
}

/// A word's stem, when it differs from the word.
#[derive(Clone)]
struct Stem {
    stem: Option<String>,
    /// The last text ([`CachedStemmer::text`]) the word was kept as written in.
    kept_in: u32,
}

/// What stemming a word gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stemmed {
    /// The word is its own stem.
    Itself,
    /// The stem differs; `first` when the word was not seen before in this text.
    Differs { first: bool },
}

/// A fast hash for short words (the multiply-rotate of rustc's `FxHasher`); the standard
/// hasher's protection against chosen keys is not needed for a cache of stems.
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time: most words are one or two steps.
        let mut add = |word: u64| {
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
        };
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            add(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        add(u64::from_le_bytes(tail));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Words remembered before the cache starts over, to bound its memory.
const MAX_CACHED_STEMS: usize = 200_000;

impl Default for CachedStemmer {
    fn default() -> Self {
        CachedStemmer {
            stems: HashMap::default(),
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            keep_words: false,
            text: 0,
        }
    }
}

impl CachedStemmer {
    /// Whether the stem of `word` differs from it, and if so whether the word is new to this
    /// text; the stem is left in `stem`. Each word's stem is remembered, so that a word seen
    /// before is looked up once.
    fn stem_into(&mut self, word: &str, stem: &mut String) -> Stemmed {
        let text = self.text;
        if let Some(known) = self.stems.get_mut(word) {
            return known.seen(text, stem);
        }
        let found = self.stem_of(word);
        if self.stems.len() >= MAX_CACHED_STEMS {
            self.stems.clear();
        }
        let mut known = Stem {
            stem: found,
            kept_in: 0,
        };
        let stemmed = known.seen(text, stem);
        self.stems.insert(word.to_owned(), known);
        stemmed
    }

    /// The stem of a word not seen before, when it differs from the word. A number's plural
    /// (`503s`, `1990s`) is the number, which English stemming leaves alone: it removes an
    /// `s` only after a vowel.
    fn stem_of(&mut self, word: &str) -> Option<String> {
        if let Some(number) = word.strip_suffix('s')
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(number.to_owned());
        }
        let mut stream = self.stemmer.token_stream(word);
        (stream.advance() && stream.token().text != word).then(|| stream.token().text.clone())
    }
}

impl Stem {
    /// The word seen in `text`: its stem, if it differs, left in `stem`.
    fn seen(&mut self, text: u32, stem: &mut String) -> Stemmed {
        let Some(found) = &self.stem else {
            return Stemmed::Itself;
        };
        stem.clear();
        stem.push_str(found);
        let first = self.kept_in != text;
        self.kept_in = text;
        Stemmed::Differs { first }
    }
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            stemmer: self,
            inner,
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    stemmer: CachedStemmer,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        // Never 0, which no word was kept in.
        self.stemmer.text = self.stemmer.text.checked_add(1).unwrap_or(1);
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            stem: String::new(),
            stem_next: false,
        }
    }
}

/// The stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: &'a mut CachedStemmer,
    /// The stem to emit after the word as written, when `stem_next`.
    stem: String,
    stem_next: bool,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if self.stem_next {
            self.stem_next = false;
            std::mem::swap(&mut self.tail.token_mut().text, &mut self.stem);
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let keep_words = self.stemmer.keep_words;
        let word = &mut self.tail.token_mut().text;
        match self.stemmer.stem_into(word, &mut self.stem) {
            Stemmed::Itself => {}
            Stemmed::Differs { first: true } if keep_words => self.stem_next = true,
            Stemmed::Differs { .. } => std::mem::swap(word, &mut self.stem),
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The terms `analyzer` makes of `text`.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

/// Words as the prose and name analyzers see them: runs of letters and digits, lower-cased,
/// with accents folded to ASCII (`Café` is `cafe`). The same terms as tantivy's
/// `SimpleTokenizer`, `LowerCaser` and `AsciiFoldingFilter` in a row, in one pass over the
/// text: an ASCII word, nearly all of incident text, is copied and lower-cased, and only a
/// word with other characters goes through tantivy's filters.
#[derive(Clone)]
pub struct WordTokenizer {
    token: Token,
    /// Lower-cases and folds a word that is not ASCII.
    other: TextAnalyzer,
}

impl Default for WordTokenizer {
    fn default() -> Self {
        WordTokenizer {
            token: Token::default(),
            other: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

/// The stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    offset: usize,
    token: &'a mut Token,
    other: &'a mut TextAnalyzer,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            offset: 0,
            token: &mut self.token,
            other: &mut self.other,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = self.offset;
        // The start of the next word.
        loop {
            match bytes.get(at) {
                Some(&byte) if byte.is_ascii() => {
                    if WORD_BYTES[usize::from(byte)] != 0 {
                        break;
                    }
                    at += 1;
                }
                Some(_) => match class_beyond_ascii(text, at) {
                    (Class::Word, _) => break,
                    (_, len) => at += len,
                },
                None => {
                    self.offset = at;
                    return false;
                }
            }
        }
        // Its end, and whether it must be lower-cased or folded: most words need neither.
        let start = at;
        let mut seen = 0u8;
        loop {
            for &byte in &bytes[at..] {
                let flags = WORD_BYTES[usize::from(byte)];
                if flags == 0 {
                    break;
                }
                seen |= flags;
                at += 1;
            }
            // The scan stops at the end, at an ASCII byte that is not a letter or digit, or at
            // a character beyond ASCII, which may be a letter.
            if bytes.get(at).is_none_or(u8::is_ascii) {
                break;
            }
            match class_beyond_ascii(text, at) {
                (Class::Word, len) => {
                    seen |= BEYOND;
                    at += len;
                }
                _ => break,
            }
        }
        let (upper, ascii) = (seen & UPPER != 0, seen & BEYOND == 0);
        self.offset = at;
        let word = &text[start..at];
        let token = &mut *self.token;
        token.text.clear();
        if ascii {
            token.text.push_str(word);
            if upper {
                token.text.make_ascii_lowercase();
            }
        } else {
            let mut stream = self.other.token_stream(word);
            while stream.advance() {
                token.text.push_str(&stream.token().text);
            }
        }
        token.offset_from = start;
        token.offset_to = at;
        token.position = token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Characters that join the parts of an identifier: `us-east-1`, `max_connections`,
/// `10.42.7.19`, `api/v2`, `host:8080`.
fn joins(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_joiner)
}

/// Whether a byte is a joiner ([`joins`]). Written with `|`, which the compiler turns into
/// vector code over sixteen bytes; with `||` or `matches!` it does not, and finding
/// identifiers takes 2.5 times as many instructions.
#[allow(clippy::needless_bitwise_bool)]
const fn is_joiner(byte: u8) -> bool {
    (byte == b'-') | (byte == b'_') | (byte == b'.') | (byte == b'/') | (byte == b':')
}

/// What a character is to the analyzers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// A letter or digit: part of a word.
    Word,
    /// A character that joins the parts of an identifier ([`joins`]).
    Join,
    /// Anything else: it ends a word.
    Other,
}

/// The class of each ASCII byte, looked up rather than worked out: the analyzers run over
/// every body in the archive.
const ASCII_CLASSES: [Class; 128] = {
    let mut classes = [Class::Other; 128];
    let mut byte: u8 = 0;
    while byte < 128 {
        if byte.is_ascii_alphanumeric() {
            classes[byte as usize] = Class::Word;
        } else if is_joiner(byte) {
            classes[byte as usize] = Class::Join;
        }
        byte += 1;
    }
    classes
};

/// What a byte is to a word ([`WORD_BYTES`]): an ASCII lower-case letter or digit, or an
/// upper-case letter. [`BEYOND`] marks a word with a character beyond ASCII.
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const BEYOND: u8 = 4;

/// [`LOWER`] or [`UPPER`] for each byte that is [`Class::Word`] in [`ASCII_CLASSES`], 0 for
/// the rest: words are scanned a byte at a time.
const WORD_BYTES: [u8; 256] = {
    let mut flags = [0; 256];
    let mut byte: u8 = 0;
    while byte < 128 {
        if matches!(ASCII_CLASSES[byte as usize], Class::Word) {
            flags[byte as usize] = if byte.is_ascii_uppercase() {
                UPPER
            } else {
                LOWER
            };
        }
        byte += 1;
    }
    flags
};

/// The class of the character at byte `at` of `text` (which must be a character boundary
/// within it) and its length in bytes.
#[inline]
pub(super) fn class_at(text: &str, at: usize) -> (Class, usize) {
    match text.as_bytes().get(at) {
        Some(&byte) if byte.is_ascii() => (ASCII_CLASSES[usize::from(byte)], 1),
        _ => class_beyond_ascii(text, at),
    }
}

#[cold]
#[inline(never)]
fn class_beyond_ascii(text: &str, at: usize) -> (Class, usize) {
    match text.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) if c.is_alphanumeric() => (Class::Word, c.len_utf8()),
        Some(c) => (Class::Other, c.len_utf8()),
        None => (Class::Other, 1),
    }
}

/// Whether `word` is an identifier: parts of letters or digits joined by separators.
pub fn is_identifier(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    word.contains(joins) && word.chars().all(|c| c.is_alphanumeric() || joins(c))
}

/// Where the first joiner of `bytes` is: sixteen bytes are looked at in one step.
fn find_joiner(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(16);
    let mut base = 0;
    for chunk in &mut chunks {
        let any = chunk
            .iter()
            .fold(0u8, |any, &b| any | u8::from(is_joiner(b)));
        if any != 0 {
            return chunk.iter().position(|&b| is_joiner(b)).map(|i| base + i);
        }
        base += 16;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| is_joiner(b))
        .map(|i| base + i)
}

/// Emits each identifier of a text, without the separators at its ends (a sentence's final
/// dot is not part of `us-east-1.`); plain words are left to the prose analyzer.
#[derive(Clone, Default)]
pub struct IdentTokenizer {
    token: Token,
}

/// The stream of [`IdentTokenizer`].
pub struct IdentTokenStream<'a> {
    text: &'a str,
    offset: usize,
    token: &'a mut Token,
}

impl Tokenizer for IdentTokenizer {
    type TokenStream<'a> = IdentTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> IdentTokenStream<'a> {
        self.token.reset();
        IdentTokenStream {
            text,
            offset: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for IdentTokenStream<'_> {
    fn advance(&mut self) -> bool {
        // Most text has no identifier: skip to the next joiner, then look at the piece of
        // letters, digits and joiners around it. A piece trimmed of its joiners is an
        // identifier when joiners remain inside it.
        let text = self.text;
        let bytes = text.as_bytes();
        let mut at = self.offset;
        loop {
            let Some(found) = find_joiner(&bytes[at..]) else {
                self.offset = text.len();
                return false;
            };
            let joiner = at + found;
            // No piece begins before `self.offset`: the text starts there, or a character
            // that is neither letter, digit nor joiner ended the piece before.
            let mut start = joiner;
            while start > self.offset {
                let Some(c) = text[..start].chars().next_back() else {
                    break;
                };
                if !c.is_alphanumeric() && !joins(c) {
                    break;
                }
                start -= c.len_utf8();
            }
            let mut end = joiner;
            while end < text.len() {
                match class_at(text, end) {
                    (Class::Other, _) => break,
                    (_, len) => end += len,
                }
            }
            let piece = &text[start..end];
            let trimmed = piece.trim_start_matches(joins);
            let from = start + piece.len() - trimmed.len();
            let trimmed = trimmed.trim_end_matches(joins);
            at = end;
            if trimmed.contains(joins) {
                self.offset = end;
                self.token.text.clear();
                self.token.text.push_str(trimmed);
                self.token.offset_from = from;
                self.token.offset_to = from + trimmed.len();
                self.token.position = self.token.position.wrapping_add(1);
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ident_terms(text: &str) -> Vec<String> {
        let mut analyzer = TextAnalyzer::builder(IdentTokenizer::default())
            .filter(LowerCaser)
            .build();
        terms(&mut analyzer, text)
    }

    #[test]
    fn keeps_identifiers_whole() {
        assert_eq!(
            ident_terms(
                "In us-east-1, ORA-00600 and max_connections on 10.42.7.19; db-3.internal."
            ),
            [
                "us-east-1",
                "ora-00600",
                "max_connections",
                "10.42.7.19",
                "db-3.internal"
            ]
        );
        assert!(ident_terms("plain words and 503 only").is_empty());
    }

    #[test]
    fn prose_is_split_and_stemmed() {
        assert_eq!(
            terms(
                &mut prose_stems(),
                "Timeouts in us-east-1: Café max_connections"
            ),
            ["timeout", "in", "us", "east", "1", "cafe", "max", "connect"]
        );
        // A number's plural is the number; a word that is not a number keeps its `s`.
        assert_eq!(
            terms(&mut prose_stems(), "503s 1990s s 5xxs"),
            ["503", "1990", "s", "5xxs"]
        );
        assert_eq!(
            terms(&mut prose(), "Timeouts in us-east-1"),
            ["timeouts", "timeout", "in", "us", "east", "1"]
        );
    }

    #[test]
    fn prose_keeps_a_word_as_written_once_per_text() {
        let mut prose = prose();
        let text = "timeouts, timeouts and more timeouts";
        let once = ["timeouts", "timeout", "timeout", "and", "more", "timeout"];
        assert_eq!(terms(&mut prose, text), once);
        // The next text (the next document) keeps it again, cache or not.
        assert_eq!(terms(&mut prose, text), once);
        let mut stream = prose.token_stream(text);
        let mut positions = Vec::new();
        while stream.advance() {
            positions.push(stream.token().position);
        }
        assert_eq!(positions, [0, 0, 1, 2, 3, 4], "the stem keeps every place");
    }

    /// Text with what breaks words and joins identifiers, in ASCII and beyond.
    fn incident_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9]{1,8}",
                "[ .,;:/_()\\-]{1,3}",
                Just("É".to_owned()),
                Just("ß".to_owned()),
                Just("東京".to_owned()),
                Just("—".to_owned()),
                Just("İ".to_owned()),
                // Any one character.
                ".",
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    /// Tokens with their offsets and positions.
    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            let t = stream.token();
            tokens.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        tokens
    }

    proptest! {
        #[test]
        fn words_are_tantivys_simple_lowercased_folded_words(text in incident_text()) {
            let mut tantivy_words = TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build();
            prop_assert_eq!(tokens(&mut name(), &text), tokens(&mut tantivy_words, &text));
        }

        #[test]
        fn identifiers_are_pieces_with_inner_joiners(text in incident_text()) {
            // The rule, said plainly: cut at what is neither letter, digit nor joiner, trim
            // the joiners off each piece, keep the pieces that still hold one.
            let expected: Vec<String> = text
                .split(|c: char| !c.is_alphanumeric() && !joins(c))
                .map(|piece| piece.trim_matches(joins))
                .filter(|piece| piece.contains(joins))
                .map(str::to_owned)
                .collect();
            let mut analyzer = TextAnalyzer::from(IdentTokenizer::default());
            let found = tokens(&mut analyzer, &text);
            for (text_, from, to, _) in &found {
                prop_assert_eq!(&text[*from..*to], text_.as_str());
            }
            let found: Vec<String> = found.into_iter().map(|t| t.0).collect();
            prop_assert_eq!(found, expected);
        }

        #[test]
        fn identifiers_alone_give_the_same_terms(text in incident_text()) {
            let mut analyzer = ident();
            prop_assert_eq!(
                terms(&mut analyzer, &identifiers(&text)),
                terms(&mut analyzer, &text)
            );
        }
    }

    #[test]
    fn recognises_identifiers() {
        assert!(is_identifier("us-east-1"));
        assert!(is_identifier("\"max_connections\""));
        assert!(!is_identifier("timeout"));
        assert!(!is_identifier("503"));
    }
}
