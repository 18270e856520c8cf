//! `pm build`: the archive as a static website. Pages are planned from the archive
//! ([`plan`], pure), rendered with tera, and written into a folder that replaces the previous
//! site atomically ([`write`]).
//!
//! Every internal link is relative, so the folder works from `file://`, from a sub-path and
//! from the root of a host; nothing is fetched from elsewhere. Bodies are rendered by
//! [`crate::markdown::to_html`], which escapes raw HTML and drops unsafe links; templates are
//! autoescaped, and `| safe` is used for that rendered body only.

mod charts;
mod figures;
pub mod plan;
pub mod search;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use chrono::NaiveDate;

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::hash::Fingerprint;
use crate::templates::{self, Origin};
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
    /// Where the site will live (`--base-url`, else `base_url` of `pm.yaml`), for the feed
    /// and the sitemap. Internal links stay relative either way.
    pub base_url: Option<String>,
}

/// What a build did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// Files written (pages and assets).
    pub files: usize,
    /// Files kept from the previous build (pages and files for programs whose inputs did not
    /// change), of `files`.
    pub kept: usize,
    /// Postmortems published in the site.
    pub documents: usize,
    /// Milliseconds taken.
    pub millis: u128,
    /// Whether `sitemap.xml` was written (it needs a base URL).
    pub sitemap: bool,
}

/// How far a build has come, for progress on long builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Pages rendered and written so far.
    pub done: usize,
    /// Pages in all.
    pub total: usize,
}

/// Pages between two progress reports.
const PROGRESS_EVERY: usize = 1000;

/// Builds the site of `archive` into `options.out`, calling `progress` every thousand pages
/// (from any thread).
pub fn build(
    archive: &Archive,
    options: &BuildOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildReport> {
    let started = Instant::now();
    refuse_archive_folders(archive, &options.out)?;
    let base_url = options.base_url.as_deref().map(base_url).transpose()?;
    let sources = templates::site_templates(&archive.root)?;
    let tera = engine(&sources)?;
    let shared = shared_inputs(&sources, &archive.config, options, base_url.as_deref());
    let writer = SiteWriter::begin(&options.out, options.force, shared)?;
    for (name, (_, text)) in &sources {
        if !is_template(name) {
            writer.write(name, text.as_bytes())?;
        }
    }
    let documents = plan::documents(archive, options.public);
    let edition = plan::Edition {
        public: options.public,
        today: options.today,
        base_url: base_url.as_deref(),
    };
    // The first error stops every thread.
    let failed = AtomicBool::new(false);
    let pages = Pages {
        tera: &tera,
        sources: &sources,
        writer: &writer,
        failed: &failed,
        progress,
    };
    std::thread::scope(|scope| {
        // The search index is made from the postmortems alone, while the rest is planned.
        let search = scope.spawn(|| {
            pages.stop_on_error(
                search::files(&documents, &archive.config)
                    .into_iter()
                    .try_for_each(|(path, bytes)| writer.write(&path, &bytes)),
            )
        });
        let written = pages.write(plan::plan(archive, &documents, edition));
        let searched = search
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        written.and(searched)
    })?;
    let kept = writer.files_kept();
    let files = writer.finish()?;
    Ok(BuildReport {
        files,
        kept,
        documents: documents.len(),
        millis: started.elapsed().as_millis(),
        sitemap: base_url.is_some(),
    })
}

/// What writes the pages of a site.
struct Pages<'b> {
    tera: &'b tera::Tera,
    sources: &'b BTreeMap<String, (Origin, String)>,
    writer: &'b SiteWriter,
    /// Set by the first thread that fails, so that the others stop.
    failed: &'b AtomicBool,
    progress: &'b (dyn Fn(Progress) + Sync),
}

impl Pages<'_> {
    /// Renders and writes every page of `site`, keeping those the previous build made from
    /// the same inputs, and the files for programs beside them.
    ///
    /// Pages are rendered and written on every core, each worker taking the next page from the
    /// end of the list (the heaviest, the group pages, come last in the plan) and dropping it
    /// when written.
    fn write(&self, mut site: plan::Site<'_>) -> Result<()> {
        let total = site.pages.len();
        let pages = Mutex::new(std::mem::take(&mut site.pages));
        let done = AtomicUsize::new(0);
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let (site, pages, done) = (&site, &pages, &done);
        std::thread::scope(|scope| {
            // The files for programs, kept like pages when made from the same views.
            let api = scope.spawn(move || {
                self.stop_on_error(plan::ApiFile::ALL.into_iter().try_for_each(|file| {
                    self.writer
                        .keep_or_write(file.path(), site.api_inputs(file), || site.api_file(file))
                }))
            });
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(move || -> Result<()> {
                        while !self.failed.load(Ordering::Relaxed) {
                            let next = pages.lock().unwrap_or_else(PoisonError::into_inner).pop();
                            let Some(page) = next else {
                                break;
                            };
                            self.stop_on_error(self.page(site, page))?;
                            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                            if done % PROGRESS_EVERY == 0 {
                                (self.progress)(Progress { done, total });
                            }
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .chain([api])
                .try_for_each(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        })
    }

    /// `result`, telling every thread to stop if it is an error.
    fn stop_on_error(&self, result: Result<()>) -> Result<()> {
        if result.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        result
    }

    /// Keeps `page` from the previous build if it is made from the same inputs, else renders
    /// and writes it.
    fn page(&self, site: &plan::Site<'_>, page: plan::Page) -> Result<()> {
        let (path, template, inputs) = (page.path.clone(), page.template, site.inputs(&page));
        self.writer.keep_or_write(&path, inputs, || {
            render(self.tera, self.sources, template, &site.context(page)).map(String::into_bytes)
        })
    }
}

/// A fingerprint of what every page of this build is made from: `pm` itself (a new one may
/// render differently), the templates, `pm.yaml`, the edition and the day. `None` when `pm`'s
/// own file cannot be read, so that nothing is kept.
fn shared_inputs(
    sources: &BTreeMap<String, (Origin, String)>,
    config: &crate::archive::Config,
    options: &BuildOptions,
    base_url: Option<&str>,
) -> Option<u64> {
    let pm = std::env::current_exe().and_then(std::fs::metadata).ok()?;
    let pm = crate::archive::Stamp::of(&pm);
    let templates = sources.iter().fold(
        Fingerprint::new("site")
            .str(env!("CARGO_PKG_VERSION"))
            .u64(pm.size)
            .bytes(&pm.modified.to_le_bytes()),
        |f, (name, (_, text))| f.str(name).str(text),
    );
    templates
        .str(&format!("{config:?}"))
        .json(&(options.public, options.today, base_url))
        .finish()
}

/// `url` checked (`http` or `https`) and ending in `/`, so page paths can follow it.
fn base_url(url: &str) -> Result<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => {
            Ok(if url.ends_with('/') {
                url.to_owned()
            } else {
                format!("{url}/")
            })
        }
        _ => Err(Error::Usage(format!(
            "the base URL `{url}` is not an http or https address\n  hint: write it in full, such as --base-url https://postmortems.example.com/"
        ))),
    }
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

/// Whether the file `name` of `templates/site/` is a template (rendered: HTML and XML) or an
/// asset (copied).
fn is_template(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("xml"))
}

/// Tera with every template of the site, autoescaping HTML and XML. Templates are added one
/// by one so that an error names the file it is in; those that extend or include others come
/// after them (tera resolves inheritance when a template is added).
fn engine(sources: &BTreeMap<String, (Origin, String)>) -> Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    let html: Vec<(&str, &str)> = sources
        .iter()
        .filter(|(name, _)| is_template(name))
        .map(|(name, (_, text))| (name.as_str(), text.as_str()))
        .collect();
    if let Err(e) = tera.add_raw_templates(html.iter().copied()) {
        // Find the file at fault: each on its own, with every other one beside it.
        let name = html
            .iter()
            .find(|(name, text)| {
                let mut alone = tera::Tera::default();
                let others = html.iter().filter(|(other, _)| other != name).copied();
                alone.add_raw_templates(others).is_ok()
                    && alone.add_raw_template(name, text).is_err()
            })
            .map_or_else(
                || "templates/site".to_owned(),
                |(name, _)| template_name(sources, name),
            );
        return Err(Error::Template {
            name,
            message: templates::error_chain(&e),
        });
    }
    Ok(tera)
}

/// Where template `name` comes from, for messages.
fn template_name(sources: &BTreeMap<String, (Origin, String)>, name: &str) -> String {
    match sources.get(name) {
        Some((Origin::File(path), _)) => path.display().to_string(),
        _ => format!("templates/site/{name} (built in)"),
    }
}

fn render(
    tera: &tera::Tera,
    sources: &BTreeMap<String, (Origin, String)>,
    template: &str,
    context: &tera::Context,
) -> Result<String> {
    tera.render(template, context).map_err(|e| Error::Template {
        name: template_name(sources, template),
        message: templates::error_chain(&e),
    })
}
