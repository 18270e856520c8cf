//! `pm new`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{Context, OK, note, note_config_problems, print, printable, style};
use crate::archive::{self, Config};
use crate::cli::NewArgs;
use crate::error::{Error, Result};
use crate::scaffold::{self, NewPostmortem};
use crate::search::SearchIndex;
use crate::templates::{self, PostmortemTemplate};

/// Creates a postmortem and prints its path.
pub fn run(context: &Context, args: &NewArgs) -> Result<u8> {
    let root = context.root()?;
    if args.list_templates {
        let templates = templates::postmortem_templates(Some(&root))?;
        let width = templates.keys().map(String::len).max().unwrap_or(0);
        let mut out = String::new();
        for (name, template) in &templates {
            let description = match template {
                Ok(template) => template.description.clone(),
                Err(e) => format!("(cannot be used: {e})"),
            };
            let _ = writeln!(out, "{name:width$}  {description}");
        }
        print(&out)?;
        return Ok(OK);
    }
    let template = &templates::postmortem_template(Some(&root), &args.template)?;
    let parsed = archive::load_config(&root)?;
    note_config_problems(&parsed.diagnostics);
    let config = parsed.config;
    let clock = context.clock(config.timezone);
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();

    let mut request = NewPostmortem {
        title: args.title.clone().unwrap_or_default(),
        services: args.services.clone(),
        teams: args.teams.clone(),
        severity: args.severity.clone(),
        date: args.date.unwrap_or(clock.today),
        authors: scaffold::git_user_name(&root).into_iter().collect(),
    };
    if args.title.is_none() {
        if !interactive {
            return Err(Error::Usage(
                "no title given, and pm new only asks for one on a terminal\n  hint: pm new \"What happened, in one line\" --severity SEV2"
                    .to_owned(),
            ));
        }
        ask(&config, template, &mut request)?;
    } else if request.severity.is_none() && template.severity.is_none() && interactive {
        request.severity = Some(ask_severity(&config, None)?);
    }

    let created = scaffold::create(&root, &config, template, &request)?;
    let shown = context.shown(
        &root,
        created.path.strip_prefix(&root).unwrap_or(&created.path),
    );
    print(&format!("{}\n", shown.display()))?;
    note(&format!(
        "{}Created {} ({}, {}, teams: {}){}\n{}next: fill in the sections, then run `pm check {}`{}\n",
        style::DIM,
        created.id,
        created.front.severity,
        created.front.status,
        if created.front.teams.is_empty() {
            "none".to_owned()
        } else {
            created.front.teams.join(", ")
        },
        style::DIM.render_reset(),
        style::DIM,
        shown.display(),
        style::DIM.render_reset(),
    ));
    seen_before(&root, &config, &created.id, clock.today);
    if args.edit {
        scaffold::open_in_editor(&created.path)?;
    }
    Ok(OK)
}

/// Archives larger than this are not indexed just to answer "seen this before?": building
/// their index would take longer than a second.
const QUICK_INDEX_FILES: usize = 2_000;

/// Prints, on standard error, the three past incidents most like the new one and their
/// still-open action items. Best effort: any trouble here leaves `pm new`'s result alone.
fn seen_before(root: &Path, config: &Config, id: &str, today: NaiveDate) {
    if !SearchIndex::exists(root) && archive::document_files(root).files.len() > QUICK_INDEX_FILES {
        return;
    }
    let related = match SearchIndex::open(root, config).and_then(|(index, _)| index.related(id, 3))
    {
        Ok(Some(related)) if !related.is_empty() => related,
        Ok(_) => return,
        Err(e) => {
            note(&format!(
                "note: could not look for related postmortems: {e}\n"
            ));
            return;
        }
    };
    let files: Vec<PathBuf> = related.iter().map(|r| PathBuf::from(&r.path)).collect();
    let documents = archive::read_all(root, &files, config);
    let mut out = String::from("\nSeen this before? Past incidents like this one:\n");
    for (r, parsed) in related.iter().zip(documents) {
        let _ = writeln!(out, "  {}  {}", r.id, printable(&r.title));
        let _ = writeln!(out, "    {}", super::search::reasons(r));
        let Some(doc) = parsed.document else { continue };
        for (i, item) in doc.front.action_items.iter().enumerate() {
            if item.status.is_open() {
                let due = item.due.map_or_else(String::new, |d| {
                    format!(
                        ", due {d}{}",
                        if item.is_overdue(today) {
                            ", overdue"
                        } else {
                            ""
                        }
                    )
                });
                let _ = writeln!(
                    out,
                    "    open: {} ({}{due}) [{}]",
                    printable(&item.title),
                    item.owner.as_deref().unwrap_or("no owner"),
                    doc.action_id(i)
                );
            }
        }
    }
    note(&out);
}

/// Asks for the title, services and severity on the terminal.
fn ask(config: &Config, template: &PostmortemTemplate, request: &mut NewPostmortem) -> Result<()> {
    let theme = dialoguer::theme::SimpleTheme;
    let title: String = dialoguer::Input::with_theme(&theme)
        .with_prompt("Title (one line: what happened)")
        .validate_with(|text: &String| {
            scaffold::validate_title(text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .interact_text()
        .map_err(prompt_error)?;
    request.title = title;
    if request.services.is_empty() && !config.services.is_empty() {
        let labels: Vec<String> = config
            .services
            .iter()
            .map(|s| format!("{} ({})", s.id, s.owner.as_deref().unwrap_or("no owner")))
            .collect();
        let chosen = dialoguer::MultiSelect::with_theme(&theme)
            .with_prompt("Services involved (space to select, enter to confirm)")
            .items(&labels)
            .interact()
            .map_err(prompt_error)?;
        request.services = chosen
            .into_iter()
            .map(|i| config.services[i].id.clone())
            .collect();
    }
    if request.severity.is_none() {
        request.severity = Some(ask_severity(config, template.severity.as_deref())?);
    }
    Ok(())
}

fn ask_severity(config: &Config, default: Option<&str>) -> Result<String> {
    let labels: Vec<String> = config
        .severities
        .iter()
        .map(|s| format!("{}: {}", s.id, s.description))
        .collect();
    let default = default
        .and_then(|d| config.severities.iter().position(|s| s.id == d))
        .unwrap_or(0);
    let chosen = dialoguer::Select::with_theme(&dialoguer::theme::SimpleTheme)
        .with_prompt("Severity")
        .items(&labels)
        .default(default)
        .interact()
        .map_err(prompt_error)?;
    Ok(config.severities[chosen].id.clone())
}

#[allow(clippy::needless_pass_by_value)] // the shape `map_err` hands over
fn prompt_error(error: dialoguer::Error) -> Error {
    Error::Failed(format!(
        "cannot ask on the terminal: {error}; nothing was created"
    ))
}
