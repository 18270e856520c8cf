//! One module per subcommand: each turns parsed arguments into library calls and prints the
//! result. This is the only layer that prints; it returns the exit code to `main`.

mod actions;
mod build;
mod check;
mod import;
mod init;
mod list;
mod new;
pub(crate) mod search;
mod shell;
mod stats;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::check::Clock;
use crate::cli::{Cli, Command};
use crate::error::{Error, Result};

/// Exit code: all good.
pub const OK: u8 = 0;
/// Exit code: findings (errors in `pm check`) or failure.
pub const FINDINGS: u8 = 1;

/// Runs the command `cli` describes and returns the process exit code.
pub fn run(cli: Cli) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("cannot read", ".", e))?;
    let context = Context {
        cwd,
        archive: cli.archive,
        today: cli.today,
    };
    match cli.command {
        Command::Init(args) => init::run(&context, &args),
        Command::New(args) => new::run(&context, &args),
        Command::Check(args) => check::run(&context, &args),
        Command::List(args) => list::run(&context, &args),
        Command::Search(args) => search::search(&context, &args),
        Command::Related(args) => search::related(&context, &args),
        Command::Actions(args) => actions::run(&context, &args),
        Command::Stats(args) => stats::run(&context, &args),
        Command::Build(args) => build::run(&context, &args),
        Command::Index { rebuild } => search::index(&context, rebuild),
        Command::Import(args) => import::run(&context, &args),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man { command } => shell::man(command.as_deref()),
    }
}

/// What every command needs to know about where and when it runs.
#[derive(Debug, Clone)]
pub struct Context {
    /// The current folder.
    pub cwd: PathBuf,
    /// `--archive` / `PM_ARCHIVE`.
    pub archive: Option<PathBuf>,
    /// `PM_TODAY`, replacing the real date.
    pub today: Option<NaiveDate>,
}

impl Context {
    /// The archive root.
    pub fn root(&self) -> Result<PathBuf> {
        crate::archive::locate(self.archive.as_deref(), &self.cwd)
    }

    /// Today and now in `tz`; with `PM_TODAY`, now is the last second of that day.
    pub fn clock(&self, tz: Tz) -> Clock {
        let real_now = Utc::now().with_timezone(&tz);
        match self.today {
            None => Clock {
                now: real_now.fixed_offset(),
                today: real_now.date_naive(),
            },
            Some(today) => {
                let end = today.and_time(NaiveTime::MIN) + Duration::days(1) - Duration::seconds(1);
                let now: DateTime<FixedOffset> = tz
                    .from_local_datetime(&end)
                    .earliest()
                    .map_or_else(|| real_now.fixed_offset(), |t| t.fixed_offset());
                Clock { now, today }
            }
        }
    }

    /// How to show the file `relative` of the archive at `root`: relative to the current
    /// folder when inside it, else in full.
    pub fn shown(&self, root: &Path, relative: &Path) -> PathBuf {
        let full = root.join(relative);
        full.strip_prefix(&self.cwd)
            .map_or_else(|_| full.clone(), Path::to_path_buf)
    }
}

/// Writes `text` to standard output, colours stripped unless it is a terminal.
fn print(text: &str) -> Result<()> {
    let mut out = anstream::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .or_else(ignore_broken_pipe)
}

/// `s` for a count other than one: `{n} file{}`.
fn plural<N: PartialEq + From<u8> + Copy>(n: N) -> &'static str {
    if n == N::from(1) { "" } else { "s" }
}

/// Writes `text` to standard error, for notes and progress.
fn note(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = err.write_all(text.as_bytes());
}

/// `text` with control characters (escape sequences, line breaks) shown as `�`, so that a
/// document's values cannot move the cursor, recolour the terminal or break a row.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Says on standard error that `pm.yaml` has errors the command worked around, so that
/// results read with a fallback (a default timezone, say) do not go unnoticed.
fn note_config_problems(diagnostics: &[crate::diagnostic::Diagnostic]) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        note(&format!(
            "note: pm.yaml has {errors} error{}; defaults stand in for what cannot be read. Run `pm check` to see them\n",
            if errors == 1 { "" } else { "s" }
        ));
    }
}

/// The archive, for a command that filters it: notes on `pm.yaml`'s problems, a usage error
/// when `undefined` finds a filter value `pm.yaml` does not define, then a note on files that
/// could not be read.
fn open_filtered(
    context: &Context,
    undefined: impl FnOnce(&crate::archive::Config) -> Option<String>,
) -> Result<crate::archive::Archive> {
    let archive = crate::archive::Archive::open(&context.root()?)?;
    note_config_problems(&archive.config_diagnostics);
    if let Some(message) = undefined(&archive.config) {
        return Err(Error::Usage(message));
    }
    note_unreadable(&archive);
    Ok(archive)
}

/// Says on standard error how many postmortem files could not be read and are left out.
fn note_unreadable(archive: &crate::archive::Archive) {
    let unreadable = archive.files.len() - archive.documents.len();
    if unreadable > 0 {
        note(&format!(
            "note: {unreadable} file{} could not be read and {} left out; run `pm check` to see why\n",
            if unreadable == 1 { "" } else { "s" },
            if unreadable == 1 { "is" } else { "are" },
        ));
    }
}

/// `pm list | head` closes the pipe early; that is not an error worth reporting.
fn ignore_broken_pipe(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(Error::io("cannot write", "standard output", e))
    }
}

/// Styles used in terminal output.
mod style {
    use anstyle::{AnsiColor, Style};

    pub const ERROR: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    pub const WARNING: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
    pub const HINT: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
    pub const BOLD: Style = Style::new().bold();
    pub const DIM: Style = Style::new().dimmed();
    pub const MATCH: Style = Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
}
