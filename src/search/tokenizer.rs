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
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
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
/// also as written, at the same position. Stems find `timeout` for `timeouts`; the words as
/// written let a prefix find what stemming cut short (`notificat*` finds `notification`,
/// indexed as `notif`).
pub fn prose() -> TextAnalyzer {
    prose_with(true)
}

/// The prose analyzer for query words: stems only, one term per word.
pub fn prose_stems() -> TextAnalyzer {
    prose_with(false)
}

fn prose_with(keep_words: bool) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer {
            keep_words,
            ..CachedStemmer::default()
        })
        .build()
}

/// The name analyzer: prose words as they are written, lower-cased and folded. Also cuts
/// query words that must not be stemmed.
pub fn name() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The identifier analyzer: `us-east-1`, `ORA-00600`, `10.42.7.19` each one term, lower-cased
/// and folded.
pub fn ident() -> TextAnalyzer {
    TextAnalyzer::builder(IdentTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
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
    stems: HashMap<String, String, BuildHasherDefault<WordHasher>>,
    stemmer: TextAnalyzer,
    /// Whether a word whose stem differs is also kept as written.
    keep_words: bool,
}

/// A fast hash for short words (the multiply-rotate of rustc's `FxHasher`); the standard
/// hasher's protection against chosen keys is not needed for a cache of stems.
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*byte)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
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
        }
    }
}

impl CachedStemmer {
    /// The stem of `word`.
    fn stem(&mut self, word: &str) -> &str {
        if !self.stems.contains_key(word) {
            let mut stream = self.stemmer.token_stream(word);
            let stem = if stream.advance() {
                stream.token().text.clone()
            } else {
                word.to_owned()
            };
            drop(stream);
            if self.stems.len() >= MAX_CACHED_STEMS {
                self.stems.clear();
            }
            self.stems.insert(word.to_owned(), stem);
        }
        &self.stems[word]
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
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            stem_next: None,
        }
    }
}

/// The stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: &'a mut CachedStemmer,
    /// The stem still to emit after the word as written.
    stem_next: Option<String>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(stem) = self.stem_next.take() {
            self.tail.token_mut().text = stem;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let keep_words = self.stemmer.keep_words;
        let word = &mut self.tail.token_mut().text;
        let stem = self.stemmer.stem(word);
        if stem != word.as_str() {
            if keep_words {
                self.stem_next = Some(stem.to_owned());
            } else {
                word.clear();
                word.push_str(stem);
            }
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

/// Characters that join the parts of an identifier: `us-east-1`, `max_connections`,
/// `10.42.7.19`, `api/v2`, `host:8080`.
fn joins(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | '/' | ':')
}

/// Whether `word` is an identifier: parts of letters or digits joined by separators.
pub fn is_identifier(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    word.contains(joins) && word.chars().all(|c| c.is_alphanumeric() || joins(c))
}

/// The character at byte `at` of `text` and its length in bytes.
fn char_at(text: &str, at: usize) -> (char, usize) {
    match text.as_bytes()[at] {
        byte if byte.is_ascii() => (char::from(byte), 1),
        _ => text[at..]
            .chars()
            .next()
            .map_or((' ', 1), |c| (c, c.len_utf8())),
    }
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
        // Byte by byte with a fast path for ASCII: this runs over every body in the archive.
        let text = self.text;
        let mut at = self.offset;
        while at < text.len() {
            let (c, len) = char_at(text, at);
            if !c.is_alphanumeric() {
                at += len;
                continue;
            }
            let start = at;
            let mut end = at;
            let mut joiner = false;
            let mut inner_joiner = false;
            while at < text.len() {
                let (c, len) = char_at(text, at);
                if c.is_alphanumeric() {
                    inner_joiner |= joiner;
                    at += len;
                    end = at;
                } else if joins(c) {
                    joiner = true;
                    at += len;
                } else {
                    break;
                }
            }
            if inner_joiner {
                self.offset = at;
                self.token.text.clear();
                self.token.text.push_str(&text[start..end]);
                self.token.offset_from = start;
                self.token.offset_to = end;
                self.token.position = self.token.position.wrapping_add(1);
                return true;
            }
        }
        self.offset = text.len();
        false
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
        assert_eq!(
            terms(&mut prose(), "Timeouts in us-east-1"),
            ["timeouts", "timeout", "in", "us", "east", "1"]
        );
    }

    #[test]
    fn recognises_identifiers() {
        assert!(is_identifier("us-east-1"));
        assert!(is_identifier("\"max_connections\""));
        assert!(!is_identifier("timeout"));
        assert!(!is_identifier("503"));
    }
}
