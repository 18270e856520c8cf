//! The command line, as clap definitions only; [`crate::commands`] does the work.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::model::{ActionStatus, ActionType, Priority, Status, Visibility, yaml::parse_date};

const ABOUT: &str = "Write, check, search and publish incident postmortems kept as Markdown in git, and follow up on their actions";

const EXAMPLES: &str = "\
Examples:
  pm init my-archive                      start an archive
  pm new \"Checkout latency spike\" --service checkout-api --severity SEV2
  pm check                                validate every postmortem
  pm list --team payments --since 2026-01-01
  pm search dns timeout                   find past incidents
  pm actions --overdue                    follow-up actions past due (exit 1 if any)
  pm build --public                       publish the public postmortems into site/

The archive is the nearest folder holding pm.yaml, from the current folder upwards,
unless --archive DIR or PM_ARCHIVE names one.";

/// `pm`: incident postmortems as Markdown with YAML front matter.
#[derive(Debug, Parser)]
#[command(name = "pm", version, about = ABOUT, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// The archive folder (holding pm.yaml); default: found from the current folder upwards.
    #[arg(long, global = true, env = "PM_ARCHIVE", value_name = "DIR")]
    pub archive: Option<PathBuf>,

    /// Pretend today is this date (YYYY-MM-DD), for reproducible overdue and future checks.
    #[arg(long, global = true, env = "PM_TODAY", value_name = "DATE", value_parser = date_arg, hide = true)]
    pub today: Option<NaiveDate>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an archive: pm.yaml, postmortems/ and a .gitignore for .pm/.
    #[command(after_help = "\
Examples:
  pm init                   make the current folder an archive
  pm init ops/postmortems   create and set up a new folder
  pm init --templates       also copy the built-in templates into templates/ for editing")]
    Init(InitArgs),

    /// Scaffold a new postmortem from a template and print its path.
    #[command(after_help = "\
Examples:
  pm new \"Checkout latency spike after deploy\" --service checkout-api --severity SEV2
  pm new \"Disk filled on db-3\" --team platform --severity SEV3 --template brief --edit
  pm new \"Expired certificate caught in staging\" --template near-miss --date 2026-03-14
  pm new                    on a terminal: asks for the title, services and severity
  pm new --list-templates")]
    New(NewArgs),

    /// Validate postmortems and pm.yaml; report every problem with its file, line and column.
    #[command(after_help = "\
Examples:
  pm check                                  the whole archive
  pm check postmortems/2026                 only files under a folder
  pm check --format json | jq '.diagnostics[] | select(.level == \"error\")'
  pm check --deny-warnings                  also fail on warnings (for CI)

Exit status: 0 no errors, 1 errors (or warnings with --deny-warnings), 2 usage error.")]
    Check(CheckArgs),

    /// List postmortems, newest first, with filters.
    #[command(after_help = "\
Examples:
  pm list
  pm list --team payments --severity SEV1 --severity SEV2
  pm list --status published --since 2026-01-01 --until 2026-06-30
  pm list --format csv > postmortems.csv")]
    List(ListArgs),

    /// Full-text search, ranked, with snippets and counts by team, service and severity.
    #[command(after_help = "\
Query language:
  dns timeout                 both words (every word must match)
  \"connection refused\"        the exact phrase
  dns OR resolver             either word
  dns -draft                  without the word (a query starting with `-` goes after `--`)
  team:payments               a field: title team service tag severity status owner kind
  section:timeline:paged      the word in the body's sections headed `Timeline`
  time*                       words starting with `time`
  us-east-1 ORA-00600         identifiers are found whole and by their parts

Examples:
  pm search dns timeout
  pm search '\"certificate expired\" -draft' --team platform
  pm search 'owner:okafor status:published' --since 2026-01-01
  pm search checkout --public --format json

Exit status: 0 hits, 1 no hits, 2 a query that cannot be read (with its position).")]
    Search(SearchArgs),

    /// Past incidents most like one postmortem, and what they share.
    #[command(after_help = "\
Examples:
  pm related 2026-02-02-expired-certificate-api-gateway
  pm related 2026-02-02-expired-certificate-api-gateway --limit 3 --format json")]
    Related(RelatedArgs),

    /// Follow-up actions across the archive, by due date; `set` changes one in place.
    #[command(after_help = "\
Examples:
  pm actions                                 every action item, by due date then priority
  pm actions --status open --team payments
  pm actions --overdue                       exit 1 if any open action is past due (for CI)
  pm actions --due-within 14d --owner okafor
  pm actions --format ics > actions.ics      due dates of open actions, for a calendar
  pm actions set 2026-02-02-expired-certificate-api-gateway#2 --status done
  pm actions set PAY-77 --ticket https://tracker.example/PAY-77

Exit status: 0 ok, 1 with --overdue when an open action is past due, 2 usage error.")]
    Actions(ActionsArgs),

    /// Counts, time-to-detect/-mitigate/-resolve distributions and follow-through.
    #[command(after_help = "\
Examples:
  pm stats                                   the whole archive
  pm stats --by team --since 2026-01-01
  pm stats --by quarter --format csv > quarters.csv
  pm stats --public --format json

Durations are distributions (count, median, p90, max), in minutes in JSON and CSV.
Percentiles interpolate linearly between the two nearest values (like NumPy's default and
spreadsheets' PERCENTILE.INC), so the median of an even count is the mean of the middle two.")]
    Stats(StatsArgs),

    /// Publish the archive as a static website (default folder `site/`).
    #[command(after_help = "\
Examples:
  pm build                       everything, internal postmortems marked, into site/
  pm build --public --out public only public, published postmortems
  pm build --out /srv/pm --force replace a folder pm build did not make
  pm build --public --base-url https://example.com/pm/
                                 full URLs in the feed, and a sitemap

A build over a site pm made keeps the pages whose inputs did not change (it says how
many), and gives the same bytes as a build from scratch.")]
    Build(BuildArgs),

    /// Bring the search index up to date (search does it by itself), or rebuild it.
    #[command(after_help = "\
Examples:
  pm index              index what changed since the last run
  pm index --rebuild    throw the index away and build it from the files")]
    Index {
        /// Build the index again from scratch.
        #[arg(long)]
        rebuild: bool,
    },

    /// Bring a folder of existing postmortems into the archive, keeping all of their text.
    #[command(after_help = "\
Examples:
  pm import ../old-postmortems --dry-run        show what would be created and inferred
  pm import ../old-postmortems --team platform  every document owned by the team platform
  pm import ../their-repo/data --map mapping.yaml --exclude 'drafts/*'
  pm import ../notes --include '*.txt' --status published --visibility public

mapping.yaml maps their front-matter keys to our fields, e.g. `company: teams`.
Running it again imports only what is new.")]
    Import(ImportArgs),

    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  pm completions bash > ~/.local/share/bash-completion/completions/pm
  pm completions zsh > \"${fpath[1]}/_pm\"
  pm completions fish > ~/.config/fish/completions/pm.fish")]
    Completions {
        /// The shell.
        shell: Shell,
    },

    /// Print a man page (roff): pm's, or one subcommand's.
    #[command(after_help = "\
Examples:
  pm man > ~/.local/share/man/man1/pm.1 && man pm
  pm man check > ~/.local/share/man/man1/pm-check.1")]
    Man {
        /// The subcommand whose page to print; default: pm itself.
        command: Option<String>,
    },
}

/// Arguments of `pm init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to set up (created if missing); default: --archive, else the current folder.
    pub dir: Option<PathBuf>,
    /// Also copy the built-in templates into templates/ for editing.
    #[arg(long)]
    pub templates: bool,
}

/// Arguments of `pm new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// One line saying what happened; asked for on a terminal when left out.
    pub title: Option<String>,
    /// A service involved (repeatable); its owner becomes a team unless --team is given.
    #[arg(long = "service", short = 's', value_name = "SERVICE")]
    pub services: Vec<String>,
    /// An owning team (repeatable).
    #[arg(long = "team", short = 't', value_name = "TEAM")]
    pub teams: Vec<String>,
    /// One of the severities in pm.yaml.
    #[arg(long, value_name = "SEV")]
    pub severity: Option<String>,
    /// The incident date (YYYY-MM-DD); default: today.
    #[arg(long, value_parser = date_arg, value_name = "DATE")]
    pub date: Option<NaiveDate>,
    /// The template to start from.
    #[arg(long, value_name = "NAME", default_value = crate::templates::DEFAULT_TEMPLATE)]
    pub template: String,
    /// Open the new file in $VISUAL or $EDITOR.
    #[arg(long)]
    pub edit: bool,
    /// List the available templates and exit.
    #[arg(long, conflicts_with_all = ["title", "services", "teams", "severity", "date", "edit"])]
    pub list_templates: bool,
}

/// Output formats of `pm check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `path:line:col: level[code]: message`, for people and editors.
    Text,
    /// One JSON object, for programs.
    Json,
}

/// Arguments of `pm check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders to report on (default: the whole archive).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Output formats of data commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// Aligned columns that fit 100 characters.
    Table,
    /// A JSON array.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

/// Filters shared by the commands that select postmortems.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only postmortems of this team (repeatable: any of them).
    #[arg(long = "team", value_name = "TEAM")]
    pub teams: Vec<String>,
    /// Only postmortems involving this service (repeatable).
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Only this severity (repeatable).
    #[arg(long = "severity", value_name = "SEV")]
    pub severities: Vec<String>,
    /// Only this status: draft, in-review, published (repeatable).
    #[arg(long = "status", value_name = "STATUS", value_parser = status_arg)]
    pub statuses: Vec<Status>,
    /// Only postmortems with this tag (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only incidents on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = date_arg, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Only incidents on or before this date (YYYY-MM-DD).
    #[arg(long, value_parser = date_arg, value_name = "DATE")]
    pub until: Option<NaiveDate>,
}

/// Arguments of `pm list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which postmortems.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Table)]
    pub format: DataFormat,
}

/// Output formats of `pm search` and `pm related`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchFormat {
    /// Ranked hits for people, matched words highlighted on a terminal.
    Text,
    /// One JSON object, for programs.
    Json,
}

/// Arguments of `pm search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query; several words are joined with spaces.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Which postmortems.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only this kind: incident, near-miss, security (repeatable).
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// Only what a public build would show: public and published.
    #[arg(long)]
    pub public: bool,
    /// At most this many hits.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    pub format: SearchFormat,
}

/// Arguments of `pm related`.
#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// The postmortem's id.
    pub id: String,
    /// At most this many.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    pub format: SearchFormat,
}

/// Arguments of `pm actions`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ActionsArgs {
    /// Change an action instead of listing.
    #[command(subcommand)]
    pub command: Option<ActionsCommand>,
    /// Which actions, and how to show them.
    #[command(flatten)]
    pub list: ActionsListArgs,
}

/// What `pm actions` can do besides listing.
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// Change fields of one action item in its file, keeping every other byte as it was.
    #[command(after_help = "\
Examples:
  pm actions set 2026-02-02-expired-certificate-api-gateway#2 --status done
  pm actions set 2026-02-02-expired-certificate-api-gateway#3 --status in-progress
  pm actions set PAY-77 --ticket https://tracker.example/PAY-77 --due 2026-12-15
  pm actions set PAY-77 --owner \"Ana Diaz\"

An action is named by its own `id`, or by `<postmortem id>#<n>` (n = its position, from 1).
Setting done or wont-do also records `closed:` (today, or --closed) when it is missing.")]
    Set(ActionSetArgs),
}

/// Output formats of `pm actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionsFormat {
    /// Aligned columns; titles are cut to fit, ids never.
    Table,
    /// A JSON array.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// An iCalendar file: an all-day event on the due date of each open action.
    Ics,
}

/// Arguments of `pm actions` when listing.
#[derive(Debug, Args)]
pub struct ActionsListArgs {
    /// Only this status: open, in-progress, done, wont-do (repeatable).
    #[arg(long = "status", value_name = "STATUS", value_parser = keyword_arg::<ActionStatus>)]
    pub statuses: Vec<ActionStatus>,
    /// Only actions whose owner's name contains this, ignoring case (repeatable).
    #[arg(long = "owner", value_name = "NAME")]
    pub owners: Vec<String>,
    /// Only actions of this team: the action's own, else its postmortem's first (repeatable).
    #[arg(long = "team", value_name = "TEAM")]
    pub teams: Vec<String>,
    /// Only actions of postmortems involving this service (repeatable).
    #[arg(long = "service", value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Only this priority: P0, P1, P2, P3 (repeatable).
    #[arg(long = "priority", value_name = "P", value_parser = keyword_arg::<Priority>)]
    pub priorities: Vec<Priority>,
    /// Only this type: prevent, detect, mitigate, process (repeatable).
    #[arg(long = "type", value_name = "TYPE", value_parser = keyword_arg::<ActionType>)]
    pub types: Vec<ActionType>,
    /// Only open actions past due, with a summary per owner; exit 1 if there are any.
    #[arg(long)]
    pub overdue: bool,
    /// Only open actions due within this time, overdue ones included: `14d`, `2w`, `14`.
    #[arg(long, value_name = "DAYS", value_parser = days_arg)]
    pub due_within: Option<u64>,
    /// Only actions of incidents on or after this date (YYYY-MM-DD).
    #[arg(long, value_parser = date_arg, value_name = "DATE")]
    pub since: Option<NaiveDate>,
    /// Only actions of incidents on or before this date (YYYY-MM-DD).
    #[arg(long, value_parser = date_arg, value_name = "DATE")]
    pub until: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ActionsFormat::Table)]
    pub format: ActionsFormat,
}

/// Arguments of `pm actions set`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("change").required(true).multiple(true)))]
pub struct ActionSetArgs {
    /// The action: its own id, or `<postmortem id>#<n>`.
    pub id: String,
    /// The new status: open, in-progress, done, wont-do.
    #[arg(long, group = "change", value_parser = keyword_arg::<ActionStatus>)]
    pub status: Option<ActionStatus>,
    /// The ticket tracking it (a URL or a tracker key).
    #[arg(long, group = "change", value_name = "URL")]
    pub ticket: Option<String>,
    /// Who does it.
    #[arg(long, group = "change", value_name = "NAME")]
    pub owner: Option<String>,
    /// When it is due (YYYY-MM-DD).
    #[arg(long, group = "change", value_parser = date_arg, value_name = "DATE")]
    pub due: Option<NaiveDate>,
    /// How urgent: P0, P1, P2, P3.
    #[arg(long, group = "change", value_parser = keyword_arg::<Priority>)]
    pub priority: Option<Priority>,
    /// The day it was done or dropped [default with --status done or wont-do: today].
    #[arg(long, group = "change", value_parser = date_arg, value_name = "DATE")]
    pub closed: Option<NaiveDate>,
}

/// What `pm stats` breaks figures down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsBy {
    /// Owning team (a postmortem of two teams counts for both).
    Team,
    /// Service involved (a postmortem counts for each of its services).
    Service,
    /// Severity.
    Severity,
    /// Quarter of the incident date (`2026-Q1`).
    Quarter,
    /// Month of the incident date (`2026-03`).
    Month,
}

/// Arguments of `pm stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Which postmortems.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only what a public build would show: public and published.
    #[arg(long)]
    pub public: bool,
    /// Also break the figures down by this.
    #[arg(long, value_enum, value_name = "BY")]
    pub by: Option<StatsBy>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Table)]
    pub format: DataFormat,
}

fn date_arg(text: &str) -> Result<NaiveDate, String> {
    parse_date(text)
}

fn status_arg(text: &str) -> Result<Status, String> {
    keyword_arg(text)
}

/// A keyword of the model (`done`, `P1`), with the model's own "did you mean" message.
fn keyword_arg<T: std::str::FromStr<Err = crate::model::yaml::Invalid>>(
    text: &str,
) -> Result<T, String> {
    text.parse::<T>().map_err(|invalid| match invalid.hint {
        Some(hint) => format!("{}; {hint}", invalid.message),
        None => invalid.message,
    })
}

/// A number of days: `14d`, `2w` or `14`.
fn days_arg(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, per) = if let Some(n) = text.strip_suffix(['d', 'D']) {
        (n, 1)
    } else if let Some(n) = text.strip_suffix(['w', 'W']) {
        (n, 7)
    } else {
        (text, 1)
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .filter(|&days| days <= 36_500)
        .ok_or_else(|| {
            format!("`{text}` is not a number of days; write it like `14d`, `2w` or `14`")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_help_shows_an_example() {
        let cli = Cli::command();
        for sub in cli.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                help.contains("pm "),
                "`pm {}` has no example",
                sub.get_name()
            );
        }
    }
}

/// `pm build`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// The folder to write, replaced as a whole when the build is complete [default: `site/`
    /// in the archive].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only postmortems that are public and published, and nothing about the others.
    #[arg(long)]
    pub public: bool,
    /// Replace the folder even if `pm build` did not make it.
    #[arg(long)]
    pub force: bool,
    /// Where the site will be published, for the Atom feed and the sitemap [default:
    /// `base_url` of pm.yaml]. Links between pages stay relative.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

/// Arguments of `pm import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The folder holding the postmortems to bring in (read, never changed).
    #[arg(value_name = "SRC_DIR")]
    pub source: PathBuf,
    /// Print what would be created and every inference; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// A YAML file mapping their front-matter keys to our fields (`company: teams`).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// An owning team of every document (repeatable); one defined in pm.yaml.
    #[arg(long = "team", short = 't', value_name = "TEAM")]
    pub teams: Vec<String>,
    /// A service of every document (repeatable); one defined in pm.yaml.
    #[arg(long = "service", short = 's', value_name = "SERVICE")]
    pub services: Vec<String>,
    /// The severity of documents whose source gives none [default: the least severe in
    /// pm.yaml].
    #[arg(long, value_name = "SEV")]
    pub severity: Option<String>,
    /// The status of every document.
    #[arg(long, value_parser = status_arg, default_value = "draft", value_name = "STATUS")]
    pub status: Status,
    /// The visibility of every document.
    #[arg(long, value_parser = visibility_arg, default_value = "internal", value_name = "VISIBILITY")]
    pub visibility: Visibility,
    /// Import files matching this glob whatever they look like (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files matching this glob (repeatable); wins over --include.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not add unknown teams and services to pm.yaml; report them instead.
    #[arg(long)]
    pub no_config_changes: bool,
}

fn visibility_arg(text: &str) -> Result<Visibility, String> {
    text.parse::<Visibility>()
        .map_err(|invalid| match invalid.hint {
            Some(hint) => format!("{}; {hint}", invalid.message),
            None => invalid.message,
        })
}
