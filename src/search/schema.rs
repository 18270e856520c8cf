//! The index's fields: the one place they are defined.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, NumericOptions, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use super::tokenizer::{IDENT, KEYWORD, NAME, PROSE};

/// Bumped whenever the fields or the analyzers change; an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 6;

/// The name of [`Fields::rank`], which queries order by.
pub const RANK: &str = "rank";

/// Every field of the index.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The file, relative to the archive root: the key documents are replaced by.
    pub path: Field,
    /// The document id.
    pub id: Field,
    /// The title (prose, boosted in queries).
    pub title: Field,
    /// The summary (prose).
    pub summary: Field,
    /// The body as plain text (prose; not stored: snippets read the file).
    pub body: Field,
    /// Where the body's sections lie among its words (fast field; [`super::section`]), for
    /// `section:timeline:failover`. Their words are the body's: nothing is indexed twice.
    pub sections: Field,
    /// Identifiers from title, summary, body and action items, kept whole.
    pub ident: Field,
    /// Action item titles (prose).
    pub actions: Field,
    /// Action item owners (names).
    pub owners: Field,
    /// Owning teams.
    pub teams: Field,
    /// Services involved.
    pub services: Field,
    /// Tags.
    pub tags: Field,
    /// Severity.
    pub severity: Field,
    /// Status.
    pub status: Field,
    /// Kind.
    pub kind: Field,
    /// Trigger.
    pub trigger: Field,
    /// Visibility.
    pub visibility: Field,
    /// `/team/…`, `/service/…`, `/severity/…` for facet counts.
    pub facets: Field,
    /// The incident date as the number `YYYYMMDD`.
    pub date: Field,
    /// Minutes from impact to detection (fast field; -1 when unknown).
    pub time_to_detect: Field,
    /// Minutes from impact to mitigation.
    pub time_to_mitigate: Field,
    /// Minutes from impact to resolution.
    pub time_to_resolve: Field,
    /// The order of documents with equal scores (fast field): the incident date above, a
    /// stable hash of the id below, so the newer incident comes first and ties between two of
    /// the same day always fall the same way.
    pub rank: Field,
}

fn text(tokenizer: &str, positions: bool, stored: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// The schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let minutes = || NumericOptions::default().set_fast();
    let keyword = || text(KEYWORD, false, true);
    let fields = Fields {
        path: b.add_text_field("path", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text(PROSE, true, true)),
        summary: b.add_text_field("summary", text(PROSE, true, true)),
        body: b.add_text_field("body", text(PROSE, true, false)),
        sections: b.add_bytes_field("sections", FAST),
        ident: b.add_text_field("ident", text(IDENT, false, false)),
        actions: b.add_text_field("actions", text(PROSE, true, false)),
        owners: b.add_text_field("owners", text(NAME, true, false)),
        teams: b.add_text_field("teams", keyword()),
        services: b.add_text_field("services", keyword()),
        tags: b.add_text_field("tags", keyword()),
        severity: b.add_text_field("severity", keyword()),
        status: b.add_text_field("status", keyword()),
        kind: b.add_text_field("kind", keyword()),
        trigger: b.add_text_field("trigger", keyword()),
        visibility: b.add_text_field("visibility", keyword()),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        date: b.add_i64_field("date", INDEXED | STORED | FAST),
        time_to_detect: b.add_i64_field("time_to_detect", minutes()),
        time_to_mitigate: b.add_i64_field("time_to_mitigate", minutes()),
        time_to_resolve: b.add_i64_field("time_to_resolve", minutes()),
        rank: b.add_u64_field(RANK, NumericOptions::default().set_fast()),
    };
    (b.build(), fields)
}
