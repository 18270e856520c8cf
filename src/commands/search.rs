//! `pm search`, `pm related` and `pm index`.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Context, FINDINGS, OK, note, note_config_problems, plural, print, printable, style};
use crate::archive::{self, Config};
use crate::cli::{RelatedArgs, SearchArgs, SearchFormat};
use crate::error::{Error, Result};
use crate::query::Filter;
use crate::search::query::Query;
use crate::search::{Filters, Hit, QueryField, Refresh, SearchIndex, SearchResults};

/// The archive's `pm.yaml`, its problems noted on standard error.
fn config(context: &Context) -> Result<Config> {
    let parsed = archive::load_config(&context.root()?)?;
    note_config_problems(&parsed.diagnostics);
    Ok(parsed.config)
}

/// Opens the index, up to date, and says on standard error what had to be done.
fn open_index(context: &Context, config: &Config) -> Result<SearchIndex> {
    let (index, refresh) = SearchIndex::open(&context.root()?, config)?;
    note_refresh(&refresh);
    Ok(index)
}

/// Asks the index; when that fails (a damaged file that opening the index did not reveal),
/// rebuilds the index once and asks again.
fn ask<T>(
    context: &Context,
    config: &Config,
    index: &SearchIndex,
    question: impl Fn(&SearchIndex) -> Result<T>,
) -> Result<T> {
    question(index).or_else(|_| {
        note("note: search index rebuilt: reading it failed\n");
        let (rebuilt, _) = SearchIndex::rebuild(&context.root()?, config)?;
        question(&rebuilt)
    })
}

fn note_refresh(refresh: &Refresh) {
    if let Some(reason) = &refresh.rebuilt {
        note(&format!("note: search index rebuilt: {reason}\n"));
    }
}

/// `pm search`.
pub fn search(context: &Context, args: &SearchArgs) -> Result<u8> {
    // A query that cannot be read is told at once, before any indexing.
    let query = args.query.join(" ");
    let parsed = crate::search::query::parse(&query).map_err(|e| {
        Error::Usage(format!(
            "cannot read the query {}\n  {query}\n  {}^\n  hint: see `pm search --help` for the query language",
            e,
            " ".repeat(e.column.saturating_sub(1))
        ))
    })?;
    let config = config(context)?;
    let filter = Filter::from(&args.filter);
    if let Some(message) = filter
        .undefined_value(&config)
        .or_else(|| undefined_in_query(&parsed, &config))
    {
        return Err(Error::Usage(message));
    }
    let index = open_index(context, &config)?;
    let filters = Filters {
        filter,
        kinds: args.kinds.clone(),
        public: args.public,
    };
    let results = ask(context, &config, &index, |index| {
        index.search(&parsed, &filters, args.limit)
    })?;
    match args.format {
        SearchFormat::Json => {
            #[derive(Serialize)]
            struct Out<'a> {
                query: &'a str,
                #[serde(flatten)]
                results: &'a SearchResults,
            }
            let json = serde_json::to_string_pretty(&Out {
                query: &query,
                results: &results,
            })
            .map_err(|e| Error::Failed(e.to_string()))?;
            print(&format!("{json}\n"))?;
        }
        SearchFormat::Text => print(&render(&results))?,
    }
    Ok(if results.total == 0 { FINDINGS } else { OK })
}

/// A team, service or severity the query names (`team:paymnts`) that `pm.yaml` does not
/// define, with the likely meaning: the same mistake as a wrong `--team`, and as clear.
fn undefined_in_query(parsed: &Query, config: &Config) -> Option<String> {
    // Values are matched without regard to case, as the index stores them.
    let as_defined = |field, defined: Vec<&str>| -> Vec<String> {
        parsed
            .values(&field)
            .into_iter()
            .map(|value| {
                defined
                    .iter()
                    .find(|id| id.eq_ignore_ascii_case(value))
                    .map_or_else(|| value.to_owned(), |id| (*id).to_owned())
            })
            .collect()
    };
    let named = Filter {
        teams: as_defined(
            QueryField::Team,
            config.teams.iter().map(|t| t.id.as_str()).collect(),
        ),
        services: as_defined(
            QueryField::Service,
            config.services.iter().map(|s| s.id.as_str()).collect(),
        ),
        severities: as_defined(
            QueryField::Severity,
            config.severities.iter().map(|s| s.id.as_str()).collect(),
        ),
        ..Filter::default()
    };
    named.undefined_value(config)
}

fn render(results: &SearchResults) -> String {
    let mut out = String::new();
    if results.fuzzy {
        out.push_str(
            "No exact matches; showing postmortems with near spellings of your words.\n\n",
        );
    }
    for (n, hit) in results.hits.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}{}. {}{}",
            style::BOLD,
            n + 1,
            printable(&hit.title),
            style::BOLD.render_reset()
        );
        let date = hit.date.map_or_else(String::new, |d| d.to_string());
        let _ = writeln!(
            out,
            "   {}{} · {date} · {} · {}{}",
            style::DIM,
            hit.id,
            hit.severity,
            hit.status,
            style::DIM.render_reset()
        );
        let _ = writeln!(
            out,
            "   teams: {} · services: {}",
            list(&hit.teams),
            list(&hit.services)
        );
        if !hit.snippet.is_empty() {
            let _ = writeln!(out, "   {}", highlight(hit));
        }
        out.push('\n');
    }
    let f = &results.facets;
    let counts = |counts: &[crate::search::FacetCount]| {
        list(
            &counts
                .iter()
                .map(|c| format!("{} {}", c.value, c.count))
                .collect::<Vec<_>>(),
        )
    };
    let _ = writeln!(
        out,
        "{} postmortem{} match{}{}",
        results.total,
        plural(results.total),
        if results.total == 1 { "es" } else { "" },
        if results.hits.len() < results.total {
            format!(" (showing {}; --limit for more)", results.hits.len())
        } else {
            String::new()
        }
    );
    if results.total > 0 {
        let _ = writeln!(out, "  by team:     {}", counts(&f.teams));
        let _ = writeln!(out, "  by service:  {}", counts(&f.services));
        let _ = writeln!(out, "  by severity: {}", counts(&f.severities));
    }
    out
}

fn list(values: &[String]) -> String {
    if values.is_empty() {
        "none".to_owned()
    } else {
        values.join(", ")
    }
}

/// The snippet on one line, matched words in bold (plain when not on a terminal).
fn highlight(hit: &Hit) -> String {
    let chars: Vec<char> = printable(&hit.snippet.replace(['\n', '\r', '\t'], " "))
        .chars()
        .collect();
    let mut out = String::from("…");
    let mut at = 0;
    for [start, end] in &hit.highlights {
        let (start, end) = ((*start).min(chars.len()), (*end).min(chars.len()));
        if start < at {
            continue;
        }
        out.extend(&chars[at..start]);
        let _ = write!(out, "{}", style::MATCH);
        out.extend(&chars[start..end]);
        let _ = write!(out, "{}", style::MATCH.render_reset());
        at = end;
    }
    out.extend(&chars[at..]);
    out.push('…');
    out
}

/// `pm related`.
pub fn related(context: &Context, args: &RelatedArgs) -> Result<u8> {
    let config = config(context)?;
    let index = open_index(context, &config)?;
    let found = ask(context, &config, &index, |index| {
        index.related(&args.id, args.limit)
    })?;
    let Some(related) = found else {
        return Err(Error::Usage(format!(
            "there is no postmortem `{}` in the index\n  hint: `pm list --format json` shows every id",
            args.id
        )));
    };
    match args.format {
        SearchFormat::Json => {
            let json =
                serde_json::to_string_pretty(&related).map_err(|e| Error::Failed(e.to_string()))?;
            print(&format!("{json}\n"))?;
        }
        SearchFormat::Text => {
            let mut out = String::new();
            for r in &related {
                let date = r.date.map_or_else(String::new, |d| d.to_string());
                let _ = writeln!(
                    out,
                    "{}{}{}  {date}  {}",
                    style::BOLD,
                    printable(&r.title),
                    style::BOLD.render_reset(),
                    r.severity
                );
                let _ = writeln!(
                    out,
                    "   {}{}{}",
                    style::DIM,
                    r.id,
                    style::DIM.render_reset()
                );
                let _ = writeln!(out, "   {}", reasons(r));
            }
            if related.is_empty() {
                note("no related postmortems found\n");
            }
            print(&out)?;
        }
    }
    Ok(if related.is_empty() { FINDINGS } else { OK })
}

/// Why a related incident is related, in a line.
pub fn reasons(r: &crate::search::Related) -> String {
    let mut reasons = Vec::new();
    if !r.shared_services.is_empty() {
        reasons.push(format!("same service: {}", r.shared_services.join(", ")));
    }
    if !r.shared_tags.is_empty() {
        reasons.push(format!("same tags: {}", r.shared_tags.join(", ")));
    }
    if !r.shared_terms.is_empty() {
        reasons.push(format!("shared words: {}", r.shared_terms.join(", ")));
    }
    if reasons.is_empty() {
        "similar wording".to_owned()
    } else {
        reasons.join(" · ")
    }
}

/// `pm index`.
pub fn index(context: &Context, rebuild: bool) -> Result<u8> {
    let config = config(context)?;
    let started = std::time::Instant::now();
    let (index, refresh) = if rebuild {
        SearchIndex::rebuild(&context.root()?, &config)?
    } else {
        let (index, refresh) = SearchIndex::open(&context.root()?, &config)?;
        note_refresh(&refresh);
        (index, refresh)
    };
    print(&format!(
        "{} postmortem{} in the index: {} indexed, {} removed ({} ms)\n",
        index.len(),
        plural(index.len()),
        refresh.indexed,
        refresh.removed,
        started.elapsed().as_millis()
    ))?;
    Ok(OK)
}
