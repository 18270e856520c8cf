//! `pm build`: the archive as a static website. Pages are planned from the archive
//! ([`plan`], pure), rendered with tera, and written into a folder that replaces the previous
//! site atomically ([`write`]).
//!
//! Every internal link is relative, so the folder works from `file://`, from a sub-path and
//! from the root of a host; nothing is fetched from elsewhere. Bodies are rendered by
//! [`crate::markdown::to_html`], which escapes raw HTML and drops unsafe links; templates are
//! autoescaped, and `| safe` is used for that rendered body only.

pub mod plan;
pub mod write;

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::templates::{self, Origin};
use plan::Page;
use write::SiteWriter;

/// What `pm build` was asked for.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The folder the site replaces.
    pub out: PathBuf,
    /// Only public, published postmortems, and nothing about the others.
    pub public: bool,
    /// Replace `out` even when `pm build` did not make it.
    pub force: bool,
    /// The day overdue actions are counted on.
    pub today: NaiveDate,
}

/// What a build did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// Files written (pages and assets).
    pub files: usize,
    /// Postmortems published in the site.
    pub documents: usize,
    /// Milliseconds taken.
    pub millis: u128,
}

/// Builds the site of `archive` into `options.out`.
pub fn build(archive: &Archive, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let sources = templates::site_templates(&archive.root)?;
    let tera = engine(&sources)?;
    let site = plan::plan(archive, options.public, options.today);
    let writer = SiteWriter::begin(&options.out, options.force)?;
    for (name, (_, text)) in &sources {
        if !is_template(name) {
            writer.write(name, text.as_bytes())?;
        }
    }
    for page in &site.pages {
        let html = render(&tera, &sources, page)?;
        writer.write(&page.path, html.as_bytes())?;
    }
    let files = writer.finish()?;
    Ok(BuildReport {
        files,
        documents: site.documents,
        millis: started.elapsed().as_millis(),
    })
}

/// Whether the file `name` of `templates/site/` is a template (rendered) or an asset (copied).
fn is_template(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html"))
}

/// Tera with every template of the site, autoescaping HTML.
fn engine(sources: &std::collections::BTreeMap<String, (Origin, String)>) -> Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html"]);
    let html: Vec<(&str, &str)> = sources
        .iter()
        .filter(|(name, _)| is_template(name))
        .map(|(name, (_, text))| (name.as_str(), text.as_str()))
        .collect();
    tera.add_raw_templates(html).map_err(|e| Error::Template {
        name: "templates/site".to_owned(),
        message: chain(&e),
    })?;
    Ok(tera)
}

fn render(
    tera: &tera::Tera,
    sources: &std::collections::BTreeMap<String, (Origin, String)>,
    page: &Page,
) -> Result<String> {
    let error = |e: &tera::Error| {
        let name = match sources.get(page.template) {
            Some((Origin::File(path), _)) => path.display().to_string(),
            _ => format!("templates/site/{} (built in)", page.template),
        };
        Error::Template {
            name,
            message: chain(e),
        }
    };
    let context = tera::Context::from_serialize(&page.context).map_err(|e| error(&e))?;
    tera.render(page.template, &context).map_err(|e| error(&e))
}

/// An error with its causes, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
