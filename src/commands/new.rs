//! `pm new`.

use std::fmt::Write as _;
use std::io::IsTerminal;

use super::{Context, OK, note, note_config_problems, print, style};
use crate::archive::{self, Config};
use crate::cli::NewArgs;
use crate::error::{Error, Result};
use crate::scaffold::{self, NewPostmortem};
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
    if args.edit {
        scaffold::open_in_editor(&created.path)?;
    }
    Ok(OK)
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
