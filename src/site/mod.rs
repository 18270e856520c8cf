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

use std::path::{Path, PathBuf};
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
    refuse_archive_folders(archive, &options.out)?;
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

/// Refuses, even with `--force`, an output folder that would replace the archive or part of
/// it: its root or a folder above it, or a folder of postmortems or templates.
fn refuse_archive_folders(archive: &Archive, out: &Path) -> Result<()> {
    let real = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let root = real(&archive.root);
    // The output folder may not exist yet: resolve its nearest existing ancestor.
    let mut existing = out.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = real(&existing);
    out.extend(rest.iter().rev());
    let inside = |dir: &str| out.starts_with(root.join(dir));
    if root.starts_with(&out)
        || inside(crate::archive::DOCUMENTS_DIR)
        || inside(templates::TEMPLATES_DIR)
    {
        return Err(Error::Usage(format!(
            "refusing to build into {}: it holds the archive's own files\n  hint: pick a folder of its own, such as `--out site`",
            out.display()
        )));
    }
    Ok(())
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
        message: templates::error_chain(&e),
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
            message: templates::error_chain(e),
        }
    };
    let context = tera::Context::from_serialize(&page.context).map_err(|e| error(&e))?;
    tera.render(page.template, &context).map_err(|e| error(&e))
}
