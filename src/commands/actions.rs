//! `pm actions` and `pm actions set`.

use std::fmt::Write as _;
use std::io::IsTerminal;

use super::table::{self, Column, csv_row};
use super::{Context, FINDINGS, OK, note, open_filtered, plural, print, printable, style};
use crate::actions::{self, Action, ActionFilter, Change};
use crate::archive::Archive;
use crate::cli::{ActionSetArgs, ActionsArgs, ActionsCommand, ActionsFormat, ActionsListArgs};
use crate::error::{Error, Result};
use crate::views::ActionRow;

/// Lists follow-up actions, or changes one.
pub fn run(context: &Context, args: &ActionsArgs) -> Result<u8> {
    match &args.command {
        Some(ActionsCommand::Set(set_args)) => set(context, set_args),
        None => list(context, &args.list),
    }
}

fn list(context: &Context, args: &ActionsListArgs) -> Result<u8> {
    let filter = ActionFilter::from(args);
    let archive = open_filtered(context, |config| filter.undefined_value(config))?;
    let clock = context.clock(archive.config.timezone);
    let today = clock.today;
    let selected = filter.select(&archive.documents, today);
    if selected.is_empty() && std::io::stdout().is_terminal() {
        note("no action items match\n");
    }
    let rows: Vec<ActionRow<'_>> = selected.iter().map(|a| ActionRow::new(a, today)).collect();
    let out = match args.format {
        ActionsFormat::Json => {
            let json =
                serde_json::to_string_pretty(&rows).map_err(|e| Error::Failed(e.to_string()))?;
            format!("{json}\n")
        }
        ActionsFormat::Csv => csv(&rows),
        ActionsFormat::Table => table(&rows),
        ActionsFormat::Ics => {
            let left_out = selected
                .iter()
                .filter(|a| a.item.status.is_open() && a.item.due.is_none())
                .count();
            if left_out > 0 {
                note(&format!(
                    "note: {left_out} open action item{} without a due date left out of the calendar\n",
                    plural(left_out)
                ));
            }
            actions::calendar(&selected, &archive.config.title, clock.now.to_utc())
        }
    };
    print(&out)?;
    if !args.overdue {
        return Ok(OK);
    }
    let summary = overdue_summary(&selected, today);
    if args.format == ActionsFormat::Table {
        print(&summary)?;
    } else {
        note(&summary);
    }
    Ok(if selected.is_empty() { OK } else { FINDINGS })
}

impl From<&ActionsListArgs> for ActionFilter {
    fn from(args: &ActionsListArgs) -> Self {
        ActionFilter {
            statuses: args.statuses.clone(),
            owners: args.owners.clone(),
            teams: args.teams.clone(),
            services: args.services.clone(),
            priorities: args.priorities.clone(),
            types: args.types.clone(),
            overdue: args.overdue,
            due_within: args.due_within,
            since: args.since,
            until: args.until,
        }
    }
}

/// `3 overdue action items: Ana Diaz 2 (since 2026-01-31), …`, one owner per line.
fn overdue_summary(selected: &[Action<'_>], today: chrono::NaiveDate) -> String {
    let owners = actions::overdue_by_owner(selected, today);
    let total: usize = owners.iter().map(|(_, count, _)| count).sum();
    if total == 0 {
        return "no open action item is past due\n".to_owned();
    }
    let mut out = format!(
        "\n{}{total} overdue action item{}{}, by owner:\n",
        style::ERROR,
        plural(total),
        style::ERROR.render_reset()
    );
    let width = owners
        .iter()
        .map(|(owner, ..)| owner.map_or(8, |o| printable(o).chars().count()))
        .max()
        .unwrap_or(0);
    for (owner, count, oldest) in owners {
        let days = (today - oldest).num_days();
        let _ = writeln!(
            out,
            "  {:width$}  {count}  oldest due {oldest} ({days} day{} ago)",
            owner.map_or_else(|| "no owner".to_owned(), printable),
            plural(days),
        );
    }
    out
}

const CSV_HEADER: &[&str] = &[
    "id",
    "title",
    "type",
    "owner",
    "team",
    "priority",
    "due",
    "status",
    "overdue",
    "days_overdue",
    "closed",
    "ticket",
    "doc_id",
    "doc_title",
    "doc_date",
    "doc_path",
];

fn csv(rows: &[ActionRow<'_>]) -> String {
    let mut out = csv_row(CSV_HEADER.iter().map(|h| (*h).to_owned()));
    let text = |v: Option<String>| v.unwrap_or_default();
    for r in rows {
        out.push_str(&csv_row([
            r.id.clone(),
            r.title.to_owned(),
            text(r.kind.map(|k| k.to_string())),
            text(r.owner.map(str::to_owned)),
            text(r.team.map(str::to_owned)),
            text(r.priority.map(|p| p.to_string())),
            text(r.due.map(|d| d.to_string())),
            r.status.to_string(),
            r.overdue.to_string(),
            text(r.days_overdue.map(|d| d.to_string())),
            text(r.closed.map(|d| d.to_string())),
            text(r.ticket.map(str::to_owned)),
            r.doc_id.to_owned(),
            r.doc_title.to_owned(),
            r.doc_date.to_string(),
            r.doc_path.clone(),
        ]));
    }
    out
}

fn table(rows: &[ActionRow<'_>]) -> String {
    let cells = |f: &dyn Fn(&ActionRow<'_>) -> String| rows.iter().map(f).collect();
    let columns = [
        Column {
            header: "DUE",
            min: 10,
            cells: cells(&|r| r.due.map(|d| d.to_string()).unwrap_or_default()),
        },
        Column {
            header: "PRI",
            min: 3,
            cells: cells(&|r| r.priority.map(|p| p.to_string()).unwrap_or_default()),
        },
        Column {
            header: "STATUS",
            min: 11,
            // The word says it, not only a colour: tables are read without colour too.
            cells: cells(&|r| {
                if r.overdue {
                    "OVERDUE".to_owned()
                } else {
                    r.status.to_string()
                }
            }),
        },
        Column {
            header: "OWNER",
            min: 14,
            cells: cells(&|r| r.owner.unwrap_or_default().to_owned()),
        },
        Column {
            header: "TEAM",
            min: 10,
            cells: cells(&|r| r.team.unwrap_or_default().to_owned()),
        },
        Column {
            header: "ID",
            // Never cut: the id is what `pm actions set` takes.
            min: rows.iter().map(|r| r.id.chars().count()).max().unwrap_or(0),
            cells: cells(&|r| r.id.clone()),
        },
        Column {
            header: "TITLE",
            min: 20,
            cells: cells(&|r| r.title.to_owned()),
        },
    ];
    table::render(&columns)
}

fn set(context: &Context, args: &ActionSetArgs) -> Result<u8> {
    for (flag, value) in [("--ticket", &args.ticket), ("--owner", &args.owner)] {
        if let Some(value) = value
            && crate::model::title_problem(value).is_some()
        {
            return Err(Error::Usage(format!(
                "{flag} must be one line of text, not empty"
            )));
        }
    }
    let root = context.root()?;
    let archive = Archive::open(&root)?;
    let action =
        actions::find(&archive.documents, &args.id).map_err(|e| Error::Usage(e.to_string()))?;
    let relative = action.doc.path.clone();
    let index = action.index;
    let path = root.join(&relative);
    let shown = context.shown(&root, &relative);
    // Work on the file as it is now, not as it was when the archive was read.
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("cannot read", &path, e))?;
    let tz = archive.config.timezone;
    let fresh = crate::model::parse(&relative, &text, tz);
    let doc = fresh
        .document
        .filter(|d| {
            fresh.complete && d.front.action_items.len() > index && d.id() == action.doc.id()
        })
        .ok_or_else(|| {
            Error::Failed(format!(
                "{} changed while pm was reading it; run the command again",
                shown.display()
            ))
        })?;
    let change = Change {
        status: args.status,
        ticket: args.ticket.clone(),
        owner: args.owner.clone(),
        due: args.due,
        priority: args.priority,
        closed: args.closed,
    };
    let today = context.clock(tz).today;
    let (new_text, changed) = actions::edit(&doc, &text, index, &change, today, tz)?;
    let id = doc.action_id(index);
    if changed.is_empty() {
        print(&format!("{id}: nothing to change, it already is so\n"))?;
        return Ok(OK);
    }
    // Another editor may have saved the file meanwhile: never write over its change.
    if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
        return Err(Error::Failed(format!(
            "{} changed while pm was changing it, so it was left as it is now; run the command again",
            shown.display()
        )));
    }
    crate::fsx::write_replace(&path, new_text.as_bytes())
        .map_err(|e| Error::io("cannot write", &path, e))?;
    let mut out = format!(
        "{}{}{}\n",
        style::BOLD,
        shown.display(),
        style::BOLD.render_reset()
    );
    for c in &changed {
        let _ = writeln!(
            out,
            "  {id}: {} {} → {}",
            c.key,
            c.before
                .as_deref()
                .map_or_else(|| "(none)".to_owned(), printable),
            printable(&c.after)
        );
    }
    print(&out)?;
    Ok(OK)
}
