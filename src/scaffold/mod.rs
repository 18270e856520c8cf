//! `pm init` and `pm new`: setting up an archive and scaffolding new postmortems.
//!
//! A new document's front matter is made by serializing the model, never by pasting user
//! text into YAML, and is read back before the file is written: whatever the title holds
//! (quotes, colons, `---`, template syntax), it comes back as the same title.

mod slug;

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, TimeZone};

use crate::archive::{self, CONFIG_FILE, Config, DOCUMENTS_DIR};
use crate::diagnostic::undefined_hint;
use crate::error::{Error, Result};
use crate::fsx;
use crate::model::{self, FrontMatter, Status, Visibility};
use crate::templates::{self, BodyContext, PostmortemTemplate, TEMPLATES_DIR};

pub use slug::{MAX_SLUG_BYTES, slugify};

/// The `pm.yaml` that `pm init` writes.
pub const STARTER_CONFIG: &str = include_str!("starter-pm.yaml");

/// What `pm init` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InitReport {
    /// Files and folders created, relative to the archive.
    pub created: Vec<PathBuf>,
    /// Files that existed and were left alone.
    pub kept: Vec<PathBuf>,
    /// Whether `.pm/` was added to an existing `.gitignore`.
    pub gitignore_extended: bool,
}

/// Sets up an archive in `dir`: `pm.yaml`, `postmortems/`, `.gitignore`; with `templates`,
/// also copies the built-in templates into `templates/`. Whatever exists is kept as it is,
/// so `pm init` can finish an interrupted set-up or add templates to an existing archive.
pub fn init(dir: &Path, with_templates: bool) -> Result<InitReport> {
    let mut report = InitReport::default();
    fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    create_file(dir, Path::new(CONFIG_FILE), STARTER_CONFIG, &mut report)?;
    let documents = dir.join(DOCUMENTS_DIR);
    if !documents.is_dir() {
        fs::create_dir_all(&documents).map_err(|e| Error::io("cannot create", &documents, e))?;
        report.created.push(PathBuf::from(DOCUMENTS_DIR).join(""));
    }
    // Git does not keep empty folders; the marker keeps postmortems/ in a fresh repository.
    create_file(
        dir,
        &Path::new(DOCUMENTS_DIR).join(".gitkeep"),
        "",
        &mut report,
    )?;
    ignore_derived_data(dir, &mut report)?;
    if with_templates {
        for (path, text) in templates::BUILT_IN {
            let relative = Path::new(TEMPLATES_DIR).join(path);
            create_file(dir, &relative, text, &mut report)?;
        }
    }
    Ok(report)
}

fn create_file(dir: &Path, relative: &Path, text: &str, report: &mut InitReport) -> Result<()> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
    }
    match fsx::write_new(&path, text.as_bytes()) {
        Ok(()) => report.created.push(relative.to_path_buf()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            report.kept.push(relative.to_path_buf());
        }
        Err(e) => return Err(Error::io("cannot create", path, e)),
    }
    Ok(())
}

/// Makes sure `.gitignore` ignores `.pm/`, adding one line and keeping every other byte.
fn ignore_derived_data(dir: &Path, report: &mut InitReport) -> Result<()> {
    let path = dir.join(".gitignore");
    let existing = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return create_file(dir, Path::new(".gitignore"), ".pm/\n", report);
        }
        Err(e) => return Err(Error::io("cannot read", path, e)),
    };
    let ignored = existing
        .lines()
        .any(|line| matches!(line.trim(), ".pm" | ".pm/" | "/.pm" | "/.pm/"));
    if ignored {
        report.kept.push(".gitignore".into());
        return Ok(());
    }
    let separator = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    let updated = format!("{existing}{separator}.pm/\n");
    fsx::write_replace(&path, updated.as_bytes())
        .map_err(|e| Error::io("cannot write", &path, e))?;
    report.gitignore_extended = true;
    Ok(())
}

/// What a new postmortem should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPostmortem {
    /// One line.
    pub title: String,
    /// Services involved.
    pub services: Vec<String>,
    /// Owning teams; empty means the owners of `services`.
    pub teams: Vec<String>,
    /// Severity; `None` takes the template's default.
    pub severity: Option<String>,
    /// Incident date.
    pub date: NaiveDate,
    /// Authors.
    pub authors: Vec<String>,
}

/// A postmortem `pm new` created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The new file.
    pub path: PathBuf,
    /// Its id.
    pub id: String,
    /// Its front matter, as written.
    pub front: FrontMatter,
}

/// Checks a title given on the command line: one non-empty line of text.
pub fn validate_title(title: &str) -> Result<&str> {
    let title = title.trim();
    match model::title_problem(title) {
        None => Ok(title),
        Some(problem) => Err(Error::Usage(format!(
            "the title {problem}\n  hint: say in one line of text what happened; details belong in the summary"
        ))),
    }
}

/// Creates a postmortem from `template` in the archive at `root`; never overwrites a file.
/// The same title on the same day gets `-2`, `-3`, … appended to its id.
pub fn create(
    root: &Path,
    config: &Config,
    template: &PostmortemTemplate,
    request: &NewPostmortem,
) -> Result<Created> {
    let title = validate_title(&request.title)?;
    let severity = request
        .severity
        .clone()
        .or_else(|| template.severity.clone())
        .ok_or_else(|| {
            Error::Usage(format!(
                "no severity given\n  hint: add --severity, one of: {}",
                severity_ids(config).join(", ")
            ))
        })?;
    let severity = known("severity", &severity, &severity_ids(config)).map_err(|e| {
        if request.severity.is_none() {
            Error::Failed(format!(
                "template `{}` sets `severity: {severity}`, which pm.yaml does not define\n  hint: pass --severity, or fix the template",
                template.name
            ))
        } else {
            e
        }
    })?;
    let service_ids: Vec<&str> = config.services.iter().map(|s| s.id.as_str()).collect();
    let team_ids: Vec<&str> = config.teams.iter().map(|t| t.id.as_str()).collect();
    let mut services = Vec::new();
    for service in &request.services {
        push_unique(&mut services, known("service", service, &service_ids)?);
    }
    let mut teams = Vec::new();
    for team in &request.teams {
        push_unique(&mut teams, known("team", team, &team_ids)?);
    }
    if teams.is_empty() {
        teams = config
            .owners_of(&services)
            .into_iter()
            .map(str::to_owned)
            .collect();
    }

    let dir = root
        .join(DOCUMENTS_DIR)
        .join(request.date.format("%Y").to_string());
    fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let taken: BTreeSet<String> = archive::document_files(root)
        .files
        .iter()
        .filter_map(|f| Some(f.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    let base = format!("{}-{}", request.date.format("%Y-%m-%d"), slugify(title));

    for n in 1.. {
        let id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if taken.contains(&id) {
            continue;
        }
        let front = FrontMatter {
            id: id.clone(),
            title: title.to_owned(),
            status: Status::Draft,
            visibility: Visibility::Internal,
            severity: severity.clone(),
            kind: template.kind,
            teams: teams.clone(),
            services: services.clone(),
            tags: template.tags.clone(),
            authors: request.authors.clone(),
            incident_commander: None,
            summary: None,
            started_at: None,
            detected_at: None,
            mitigated_at: None,
            resolved_at: None,
            trigger: None,
            detection: None,
            links: Vec::new(),
            related: Vec::new(),
            action_items: Vec::new(),
            imported: model::FreeMap::default(),
        };
        let body = template.render(&BodyContext {
            id: &id,
            title,
            date: request.date.to_string(),
            severity: &severity,
            kind: template.kind.as_str(),
            teams: &teams,
            services: &services,
            authors: &request.authors,
            timezone: config.timezone.name(),
        })?;
        let text = document_text(&front, &body, request.date, config)?;
        let path = dir.join(format!("{id}.md"));
        match fsx::write_new(&path, text.as_bytes()) {
            Ok(()) => return Ok(Created { path, id, front }),
            // Another `pm new` took this name a moment ago: try the next one.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io("cannot create", path, e)),
        }
    }
    unreachable!("the loop only ends by returning")
}

fn severity_ids(config: &Config) -> Vec<&str> {
    config.severities.iter().map(|s| s.id.as_str()).collect()
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// `value` if `config` knows it as a `what`, else a usage error naming the likely one.
fn known(what: &str, value: &str, allowed: &[&str]) -> Result<String> {
    if allowed.contains(&value) {
        return Ok(value.to_owned());
    }
    let hint = undefined_hint(what, value, allowed);
    Err(Error::Usage(format!(
        "`{value}` is not a {what} defined in pm.yaml\n  hint: {hint}"
    )))
}

/// The whole text of a new document: serialized front matter, a commented guide to the fields
/// still to fill in, and the body. Read back to make sure it means what was serialized.
fn document_text(
    front: &FrontMatter,
    body: &str,
    date: NaiveDate,
    config: &Config,
) -> Result<String> {
    let yaml = serde_saphyr::to_string(front)
        .map_err(|e| Error::Failed(format!("cannot write the front matter: {e}")))?;
    let example = config
        .timezone
        .from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(9, 12, 0).unwrap_or_default()))
        .earliest()
        .map_or_else(
            || format!("{date}T09:12:00Z"),
            |t| t.fixed_offset().to_rfc3339(),
        );
    let guide = format!(
        "\
# Fill these in as you learn more, then remove the leading `# `.
# Times: RFC 3339 with an offset, or local time in {tz} such as `{date} 09:12`.
# summary: >
#   One paragraph: what happened, who was affected, how it ended.
# incident_commander: Name
# started_at: {example}   # impact began
# detected_at:
# mitigated_at:
# resolved_at:
# trigger: deploy            # a free word: deploy, config-change, capacity, expiry, ...
# detection: alert           # alert | customer | internal | other
# action_items:
#   - title: What will be done, in one line
#     type: prevent          # prevent | detect | mitigate | process
#     owner: Name
#     priority: P2           # P0 | P1 | P2 | P3
#     due: YYYY-MM-DD
#     status: open           # open | in-progress | done | wont-do
",
        tz = config.timezone.name(),
    );
    let text = format!("---\n{yaml}{guide}---\n\n{body}");
    let parsed = model::parse(Path::new("new.md"), &text, config.timezone);
    match parsed.document {
        Some(doc) if doc.front == *front && parsed.diagnostics.is_empty() => Ok(text),
        _ => Err(Error::Failed(format!(
            "the new document would not read back as written, so nothing was created: {}",
            parsed
                .diagnostics
                .first()
                .map_or("its values changed", |d| d.message.as_str())
        ))),
    }
}

/// The user's name from `git config user.name`, run in `dir`, if git knows one.
pub fn git_user_name(dir: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(dir)
        .output()
        .ok()?;
    let name = String::from_utf8(output.stdout).ok()?;
    let name = name.trim();
    (output.status.success() && !name.is_empty()).then(|| name.to_owned())
}

/// Opens `path` in the user's editor (`$VISUAL`, else `$EDITOR`) and waits for it.
pub fn open_in_editor(path: &Path) -> Result<()> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .ok_or_else(|| {
            Error::Failed(format!(
                "neither $VISUAL nor $EDITOR is set, so {} was not opened\n  hint: export EDITOR=vim (or your editor), or open the file yourself",
                path.display()
            ))
        })?;
    // Like git: the shell reads the variable, so `code --wait` and quoted paths with spaces
    // both work; the file name is passed as an argument, never pasted into the command.
    let status = if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", &editor])
            .arg(path)
            .status()
    } else {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$@\""))
            .arg(&editor)
            .arg(path)
            .status()
    }
    .map_err(|e| Error::Failed(format!("cannot start the editor `{editor}`: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "the editor `{editor}` exited with {status}"
        )))
    }
}
