//! Templates: the built-in ones embedded in the binary, and the archive's own in `templates/`.
//!
//! This is the only module that knows both. A file in the archive's `templates/postmortem/`
//! with the name of a built-in template replaces it; other names add templates.
//!
//! A postmortem template is Markdown rendered with tera, optionally opened by front matter
//! of template settings:
//!
//! ```markdown
//! ---
//! description: A short write-up for SEV3 and SEV4 incidents
//! severity: SEV3          # default when `pm new` gets no --severity
//! kind: incident
//! tags: [database]
//! ---
//! ## Summary
//! <!-- Guidance for the writer, in HTML comments. -->
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostic::Level;
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::model::split::split;
use crate::model::yaml::{self, Fields, Problem, Value};

/// Where the archive keeps its templates, relative to its root.
pub const TEMPLATES_DIR: &str = "templates";
/// The sub-folder of postmortem templates.
pub const POSTMORTEM_DIR: &str = "postmortem";
/// The template `pm new` uses without `--template`.
pub const DEFAULT_TEMPLATE: &str = "standard";

/// The built-in templates: path under `templates/`, and contents.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "postmortem/standard.md",
        include_str!("../templates/postmortem/standard.md"),
    ),
    (
        "postmortem/brief.md",
        include_str!("../templates/postmortem/brief.md"),
    ),
    (
        "postmortem/near-miss.md",
        include_str!("../templates/postmortem/near-miss.md"),
    ),
    (
        "postmortem/security.md",
        include_str!("../templates/postmortem/security.md"),
    ),
];

/// The sub-folder of site templates and assets.
pub const SITE_DIR: &str = "site";

/// The built-in site templates and the stylesheet: file name under `templates/site/`, and
/// contents. `pm build` renders `*.html` with tera and copies the rest.
pub const SITE_BUILT_IN: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/site/base.html")),
    ("index.html", include_str!("../templates/site/index.html")),
    (
        "postmortem.html",
        include_str!("../templates/site/postmortem.html"),
    ),
    ("groups.html", include_str!("../templates/site/groups.html")),
    ("group.html", include_str!("../templates/site/group.html")),
    ("board.html", include_str!("../templates/site/board.html")),
    ("stats.html", include_str!("../templates/site/stats.html")),
    ("list.html", include_str!("../templates/site/list.html")),
    (
        "actions.html",
        include_str!("../templates/site/actions.html"),
    ),
    ("404.html", include_str!("../templates/site/404.html")),
    ("search.html", include_str!("../templates/site/search.html")),
    ("feed.xml", include_str!("../templates/site/feed.xml")),
    ("sitemap.xml", include_str!("../templates/site/sitemap.xml")),
    ("style.css", include_str!("../templates/site/style.css")),
    ("search.js", include_str!("../templates/site/search.js")),
];

/// The site's templates and assets by file name: the built-in ones, each replaced by the
/// archive's file of the same name in `templates/site/`, which may also add files (partials
/// that its templates include).
pub fn site_templates(root: &Path) -> Result<BTreeMap<String, (Origin, String)>> {
    let mut files: BTreeMap<String, (Origin, String)> = SITE_BUILT_IN
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (Origin::BuiltIn, (*text).to_owned())))
        .collect();
    for (name, origin, text) in archive_files(root, SITE_DIR, "")? {
        files.insert(name, (origin, text));
    }
    Ok(files)
}

/// The archive's own files in `templates/SUB/` whose names end with `suffix` (hidden ones
/// left out): the name without the suffix, where it came from, and its text.
fn archive_files(root: &Path, sub: &str, suffix: &str) -> Result<Vec<(String, Origin, String)>> {
    let dir = root.join(TEMPLATES_DIR).join(sub);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("cannot read", dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io("cannot read", &dir, e))?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(suffix))
            .filter(|n| !n.starts_with('.') && !n.is_empty() && path.is_file())
        else {
            continue;
        };
        let text = fs::read_to_string(&path).map_err(|e| Error::io("cannot read", &path, e))?;
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        files.push((name.to_owned(), Origin::File(shown), text));
    }
    Ok(files)
}

/// An error with its causes, on one line: tera puts the useful part in the causes.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(message, ": {cause}");
        source = cause.source();
    }
    message
}

/// Where a template came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in `pm`.
    BuiltIn,
    /// A file in the archive.
    File(PathBuf),
}

/// A postmortem template, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmortemTemplate {
    /// Its name, the file name without `.md`.
    pub name: String,
    /// One line saying when to use it.
    pub description: String,
    /// The severity a new document gets when none is given.
    pub severity: Option<String>,
    /// The kind a new document gets.
    pub kind: Kind,
    /// Tags a new document starts with.
    pub tags: Vec<String>,
    /// The tera source of the body.
    pub body: String,
    /// The line of the template file the body starts on, for error messages.
    pub body_line: usize,
    /// Where it came from.
    pub origin: Origin,
}

/// What a postmortem template's body can use.
#[derive(Debug, Clone, Serialize)]
pub struct BodyContext<'a> {
    /// The new document's id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The incident date, `YYYY-MM-DD`.
    pub date: String,
    /// Its severity.
    pub severity: &'a str,
    /// Its kind.
    pub kind: &'a str,
    /// Its teams.
    pub teams: &'a [String],
    /// Its services.
    pub services: &'a [String],
    /// Its authors.
    pub authors: &'a [String],
    /// The archive's timezone name.
    pub timezone: &'a str,
}

impl PostmortemTemplate {
    /// The template's file, as messages name it.
    pub fn file(&self) -> PathBuf {
        match &self.origin {
            Origin::BuiltIn => Path::new(TEMPLATES_DIR)
                .join(POSTMORTEM_DIR)
                .join(format!("{}.md", self.name)),
            Origin::File(path) => path.clone(),
        }
    }

    /// Renders the body for a new document.
    pub fn render(&self, context: &BodyContext<'_>) -> Result<String> {
        let context = tera::Context::from_serialize(context).map_err(|e| self.error(&e))?;
        // A comment as tall as the settings block keeps tera's line numbers those of the file.
        let padded = format!("{{#{}#}}{}", "\n".repeat(self.body_line - 1), self.body);
        let name = self.file().display().to_string();
        let mut tera = tera::Tera::default();
        tera.add_raw_template(&name, &padded)
            .map_err(|e| self.error(&e))?;
        tera.render(&name, &context).map_err(|e| self.error(&e))
    }

    fn error(&self, error: &dyn std::error::Error) -> Error {
        Error::Template {
            name: self.file().display().to_string(),
            message: error_chain(error),
        }
    }
}

/// The text of every postmortem template by name: built-in ones, replaced or joined by the
/// files in `root/templates/postmortem/`.
fn sources(root: Option<&Path>) -> Result<BTreeMap<String, (Origin, String)>> {
    let mut sources = BTreeMap::new();
    for (path, text) in BUILT_IN {
        if let Some(file) = path.strip_prefix("postmortem/") {
            let name = file.trim_end_matches(".md");
            sources.insert(name.to_owned(), (Origin::BuiltIn, (*text).to_owned()));
        }
    }
    let Some(root) = root else {
        return Ok(sources);
    };
    for (name, origin, text) in archive_files(root, POSTMORTEM_DIR, ".md")? {
        sources.insert(name, (origin, text));
    }
    Ok(sources)
}

/// The postmortem template called `name`; only that one is read, so a broken template does
/// not stand in the way of the others.
pub fn postmortem_template(root: Option<&Path>, name: &str) -> Result<PostmortemTemplate> {
    let mut sources = sources(root)?;
    if let Some((origin, text)) = sources.remove(name) {
        return parse(name, &text, origin);
    }
    let names: Vec<&str> = sources.keys().map(String::as_str).collect();
    Err(Error::Usage(format!(
        "there is no template `{name}`\n  hint: {}",
        crate::diagnostic::allowed_values_hint(name, &names)
    )))
}

/// Every postmortem template by name, each parsed or with the error that stops it.
pub fn postmortem_templates(
    root: Option<&Path>,
) -> Result<BTreeMap<String, Result<PostmortemTemplate>>> {
    Ok(sources(root)?
        .into_iter()
        .map(|(name, (origin, text))| {
            let template = parse(&name, &text, origin);
            (name, template)
        })
        .collect())
}

/// Parses a template's text: optional front matter of settings, then the tera body.
fn parse(name: &str, text: &str, origin: Origin) -> Result<PostmortemTemplate> {
    let mut template = PostmortemTemplate {
        name: name.to_owned(),
        description: String::new(),
        severity: None,
        kind: Kind::Incident,
        tags: Vec::new(),
        body: text.strip_prefix('\u{feff}').unwrap_or(text).to_owned(),
        body_line: 1,
        origin,
    };
    if !template.body.starts_with("---") {
        return Ok(template);
    }
    let shown = template.file();
    let fail = |problem: Problem| Error::Template {
        name: shown.display().to_string(),
        message: problem.into_diagnostic(&shown, Level::Error).to_string(),
    };
    let parts = split(text).map_err(fail)?;
    let root = yaml::parse(parts.yaml, parts.yaml_line).map_err(fail)?;
    if root.value != Value::Null {
        let mut f = Fields::new(&root, "template settings");
        template.description = f.optional("description").unwrap_or_default();
        template.severity = f.optional("severity");
        template.kind = f.optional("kind").unwrap_or(Kind::Incident);
        template.tags = f.list("tags");
        if let Some(problem) = f.finish().into_iter().next() {
            return Err(fail(problem));
        }
    }
    parts.body.clone_into(&mut template.body);
    template.body_line = parts.body_line;
    Ok(template)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context<'a>() -> BodyContext<'a> {
        BodyContext {
            id: "2026-03-14-x",
            title: "{{ 7*7 }} <b>",
            date: "2026-03-14".into(),
            severity: "SEV2",
            kind: "incident",
            teams: &[],
            services: &[],
            authors: &[],
            timezone: "Europe/Berlin",
        }
    }

    #[test]
    fn every_built_in_template_parses_and_renders() {
        let templates = postmortem_templates(None).unwrap();
        assert_eq!(
            templates.keys().map(String::as_str).collect::<Vec<_>>(),
            ["brief", "near-miss", "security", "standard"]
        );
        for (name, template) in templates {
            let template = template.unwrap();
            assert!(!template.description.is_empty(), "{name}");
            let body = template.render(&context()).unwrap();
            assert!(body.starts_with("## Summary"), "{name}");
            assert!(body.contains("Europe/Berlin"), "{name}");
        }
        assert_eq!(
            postmortem_template(None, "near-miss").unwrap().kind,
            Kind::NearMiss
        );
        let brief = postmortem_template(None, "brief").unwrap();
        assert_eq!(brief.severity.as_deref(), Some("SEV3"));
    }

    #[test]
    fn an_unknown_template_name_is_a_usage_error_with_a_suggestion() {
        let err = postmortem_template(None, "standrd").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("did you mean `standard`?"),
            "{err}"
        );
    }

    #[test]
    fn template_syntax_errors_name_the_file_and_its_line() {
        let text = "---\ndescription: x\n---\n## Summary\n{{ oops(\n";
        let template = parse("t", text, Origin::File("templates/postmortem/t.md".into())).unwrap();
        let err = template.render(&context()).unwrap_err().to_string();
        assert!(
            err.starts_with("template templates/postmortem/t.md:"),
            "{err}"
        );
        assert!(
            err.contains("5:"),
            "the line in the file, after the settings: {err}"
        );
    }

    #[test]
    fn unknown_settings_are_rejected_naming_the_file() {
        let err = parse("t", "---\nseverty: SEV2\n---\nbody\n", Origin::BuiltIn).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("did you mean `severity`?"), "{err}");
        assert!(err.contains("templates/postmortem/t.md:2:1"), "{err}");
    }
}
