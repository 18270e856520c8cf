//! `pm.yaml`: the archive's title, timezone, severities, teams, services and rules.

use std::path::Path;

use chrono_tz::Tz;
use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Level, Pos, suggestion};
use crate::model::yaml::{self, Fields, FromNode, Invalid, Node, Problem, Value};

/// The name of the configuration file that marks an archive's root.
pub const CONFIG_FILE: &str = "pm.yaml";

/// Blame-laden phrases warned about when `pm.yaml` does not set `blame_words`.
pub const DEFAULT_BLAME_WORDS: &[&str] = &[
    "human error",
    "should have",
    "should've",
    "careless",
    "negligence",
    "negligent",
    "fault of",
    "to blame",
    "incompetent",
    "sloppy",
    "lazy",
];

/// A severity level the archive uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityLevel {
    /// Its id, e.g. `SEV2`.
    pub id: String,
    /// What it means.
    pub description: String,
}

/// A team that owns services and postmortems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    /// Its id, used in documents.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its chat channel.
    pub chat: Option<String>,
    /// Its on-call rotation.
    pub oncall: Option<String>,
}

/// A service some team runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    /// Its id, used in documents.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The id of the team that owns it.
    pub owner: Option<String>,
    /// How critical it is (1 = most).
    pub tier: Option<u8>,
}

/// A level-2 heading published postmortems must have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequiredSection {
    /// The heading text.
    pub name: String,
    /// Whether it may be left out (written `Name?`); if present it must not be empty.
    pub optional: bool,
}

/// The archive's configuration, read from `pm.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// The archive's title.
    pub title: String,
    /// Where the published site will live.
    pub base_url: Option<String>,
    /// Whether raw HTML in postmortems reaches the site (sanitized) instead of being shown as
    /// text.
    pub allow_html: bool,
    /// Zone for times written without an offset.
    #[serde(serialize_with = "serialize_tz")]
    pub timezone: Tz,
    /// Severity levels, most severe first.
    pub severities: Vec<SeverityLevel>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Services and their owners.
    pub services: Vec<Service>,
    /// Sections published postmortems must have.
    pub required_sections: Vec<RequiredSection>,
    /// Phrases `pm check` warns about.
    pub blame_words: Vec<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn serialize_tz<S: serde::Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

impl Default for Config {
    fn default() -> Self {
        let level = |id: &str, description: &str| SeverityLevel {
            id: id.to_owned(),
            description: description.to_owned(),
        };
        Config {
            title: "Postmortems".to_owned(),
            base_url: None,
            allow_html: false,
            timezone: Tz::UTC,
            severities: vec![
                level("SEV1", "Full outage or data loss for many customers"),
                level("SEV2", "Major feature degraded for many customers"),
                level("SEV3", "Minor or partial degradation"),
                level("SEV4", "No customer impact; near miss"),
            ],
            teams: Vec::new(),
            services: Vec::new(),
            required_sections: ["Summary", "Impact", "Timeline"]
                .iter()
                .map(|name| RequiredSection {
                    name: (*name).to_owned(),
                    optional: false,
                })
                .collect(),
            blame_words: DEFAULT_BLAME_WORDS
                .iter()
                .map(|w| (*w).to_owned())
                .collect(),
        }
    }
}

/// What reading `pm.yaml` gave: the configuration (defaults where it was silent or wrong)
/// and every problem found.
#[derive(Debug, Clone)]
pub struct ParsedConfig {
    /// The configuration.
    pub config: Config,
    /// Problems, each naming `pm.yaml` and a line.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the file could be read at all; when not, no command can trust the archive.
    pub readable: bool,
}

impl Config {
    /// The team with this id.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }

    /// The service with this id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The severity level with this id.
    pub fn severity(&self, id: &str) -> Option<&SeverityLevel> {
        self.severities.iter().find(|s| s.id == id)
    }

    /// The rank of severity `id`: its place in `severities` (1 = most severe), or one past
    /// the last for a severity `pm.yaml` does not define.
    pub fn severity_rank(&self, id: &str) -> usize {
        self.severities
            .iter()
            .position(|s| s.id == id)
            .map_or(self.severities.len() + 1, |i| i + 1)
    }

    /// Owners of `services`, in order, without repeats.
    pub fn owners_of<'a>(&'a self, services: &[String]) -> Vec<&'a str> {
        let mut owners: Vec<&str> = Vec::new();
        for owner in services
            .iter()
            .filter_map(|s| self.service(s)?.owner.as_deref())
        {
            if !owners.contains(&owner) {
                owners.push(owner);
            }
        }
        owners
    }

    /// Parses the text of `pm.yaml`; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> ParsedConfig {
        let root = match yaml::parse(text, 1) {
            Ok(root) => root,
            Err(problem) => {
                return ParsedConfig {
                    config: Config::default(),
                    diagnostics: vec![problem.into_diagnostic(path, Level::Error)],
                    readable: false,
                };
            }
        };
        if root.value == Value::Null {
            return ParsedConfig {
                config: Config::default(),
                diagnostics: Vec::new(),
                readable: true,
            };
        }
        let (config, mut problems) = read_config(&root);
        problems.sort_by_key(|p| p.pos);
        let diagnostics = problems
            .into_iter()
            .map(|p| {
                let level = if p.code == Code::UnownedService {
                    Level::Warning
                } else {
                    Level::Error
                };
                p.into_diagnostic(path, level)
            })
            .collect();
        ParsedConfig {
            config,
            diagnostics,
            readable: true,
        }
    }
}

impl FromNode for Tz {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        let text = yaml::scalar_text(node)?;
        text.parse().map_err(|_| {
            let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
            Invalid::value(
                format!("`{text}` is not a timezone name"),
                Some(suggestion(text, names).unwrap_or_else(|| {
                    "use an IANA zone name such as Europe/Berlin or UTC".to_owned()
                })),
            )
        })
    }
}

impl FromNode for RequiredSection {
    fn from_node(node: &Node) -> Result<Self, Invalid> {
        let text = yaml::scalar_text(node)?.trim();
        let (name, optional) = match text.strip_suffix('?') {
            Some(name) => (name.trim_end(), true),
            None => (text, false),
        };
        Ok(RequiredSection {
            name: name.to_owned(),
            optional,
        })
    }
}

fn read_config(root: &Node) -> (Config, Vec<Problem>) {
    let defaults = Config::default();
    let mut f = Fields::new(root, "pm.yaml");
    let title = f.optional("title").unwrap_or(defaults.title);
    let base_url = f.optional("base_url");
    let allow_html = f.optional("allow_html").unwrap_or(defaults.allow_html);
    let timezone = f.optional("timezone").unwrap_or(defaults.timezone);
    let severities = f.items("severities", "severity", read_severity);
    let teams = f.items("teams", "team", read_team);
    let services = f.items("services", "service", read_service);
    let required_sections = f
        .optional("required_sections")
        .unwrap_or(defaults.required_sections);
    let blame_words = f.optional("blame_words").unwrap_or(defaults.blame_words);
    let mut problems = f.finish();
    problems.extend(consistency_problems(&severities, &teams, &services));
    let severities = identified(severities, |s| &s.id);
    let config = Config {
        title,
        base_url,
        allow_html,
        timezone,
        severities: if severities.is_empty() {
            defaults.severities
        } else {
            severities
        },
        teams: identified(teams, |t| &t.id),
        services: identified(services, |s| &s.id),
        required_sections,
        blame_words,
    };
    (config, problems)
}

/// The entries that have an id; those without one were reported and take no further part.
fn identified<T>(items: Vec<(Pos, T)>, id: fn(&T) -> &String) -> Vec<T> {
    items
        .into_iter()
        .map(|(_, item)| item)
        .filter(|item| !id(item).is_empty())
        .collect()
}

/// The non-empty ids of `items`, with their positions.
fn ids<T>(items: &[(Pos, T)], id: fn(&T) -> &String) -> Vec<(Pos, &str)> {
    items
        .iter()
        .map(|(pos, item)| (*pos, id(item).as_str()))
        .filter(|(_, id)| !id.is_empty())
        .collect()
}

/// Entries that refer to each other or repeat: unknown owners, missing owners, repeated ids.
/// Each entry comes with its position, so problems point at the entry's own line.
fn consistency_problems(
    severities: &[(Pos, SeverityLevel)],
    teams: &[(Pos, Team)],
    services: &[(Pos, Service)],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let team_ids: Vec<&str> = ids(teams, |t| &t.id)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    for (list, entries) in [
        ("severities", ids(severities, |s| &s.id)),
        ("teams", ids(teams, |t| &t.id)),
        ("services", ids(services, |s| &s.id)),
    ] {
        for (i, (pos, id)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(_, earlier)| earlier == id) {
                problems.push(Problem {
                    pos: *pos,
                    code: Code::Config,
                    message: format!("`{id}` is defined twice in `{list}`"),
                    hint: Some("give each entry its own id".to_owned()),
                });
            }
        }
    }
    for (pos, service) in services.iter().filter(|(_, s)| !s.id.is_empty()) {
        match service.owner.as_deref() {
            None => problems.push(Problem {
                pos: *pos,
                code: Code::UnownedService,
                message: format!("service `{}` has no owning team", service.id),
                hint: Some(
                    "add `owner: <team id>`: every service needs a team that runs it".to_owned(),
                ),
            }),
            Some(owner) if !team_ids.contains(&owner) => problems.push(Problem {
                pos: *pos,
                code: Code::UnknownTeam,
                message: format!(
                    "service `{}` is owned by `{owner}`, which is not a team in `teams`",
                    service.id
                ),
                hint: Some(
                    suggestion(owner, team_ids.iter().copied())
                        .unwrap_or_else(|| "add the team to `teams`".to_owned()),
                ),
            }),
            Some(_) => {}
        }
    }
    problems
}

fn read_severity(f: &mut Fields<'_>) -> SeverityLevel {
    let id = f.required("id");
    let description = f.optional("description").unwrap_or_default();
    SeverityLevel {
        id: id.unwrap_or_default(),
        description,
    }
}

fn read_team(f: &mut Fields<'_>) -> Team {
    let id: String = f.required("id").unwrap_or_default();
    let name = f.optional("name");
    let chat = f.optional("chat");
    let oncall = f.optional("oncall");
    Team {
        name: name.unwrap_or_else(|| id.clone()),
        id,
        chat,
        oncall,
    }
}

fn read_service(f: &mut Fields<'_>) -> Service {
    let id: String = f.required("id").unwrap_or_default();
    let name = f.optional("name");
    let owner = f.optional("owner");
    let tier = f.optional("tier");
    Service {
        name: name.unwrap_or_else(|| id.clone()),
        id,
        owner,
        tier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ParsedConfig {
        Config::parse(Path::new("pm.yaml"), text)
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let parsed = parse("");
        assert!(parsed.readable && parsed.diagnostics.is_empty());
        assert_eq!(parsed.config, Config::default());
    }

    #[test]
    fn reads_teams_services_and_sections() {
        let parsed = parse(
            "timezone: Europe/Berlin\nteams:\n  - { id: pay, name: Payments }\nservices:\n  - { id: gw, owner: pay, tier: 1 }\nrequired_sections: [Summary, Lessons learned?]\n",
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let c = parsed.config;
        assert_eq!(c.timezone.name(), "Europe/Berlin");
        assert_eq!(c.service("gw").unwrap().tier, Some(1));
        assert_eq!(c.owners_of(&["gw".into(), "gw".into()]), ["pay"]);
        assert_eq!(
            c.required_sections[1],
            RequiredSection {
                name: "Lessons learned".into(),
                optional: true
            }
        );
    }

    #[test]
    fn flags_unknown_owners_missing_owners_and_repeats() {
        let parsed = parse(
            "teams:\n  - id: pay\n  - id: pay\nservices:\n  - { id: gw, owner: paymnts }\n  - { id: db }\n",
        );
        let got: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.pos.line, d.code, d.level))
            .collect();
        assert_eq!(
            got,
            [
                (3, Code::Config, crate::diagnostic::Level::Error),
                (5, Code::UnknownTeam, crate::diagnostic::Level::Error),
                (6, Code::UnownedService, crate::diagnostic::Level::Warning),
            ]
        );
    }

    #[test]
    fn suggests_keys_and_timezones() {
        let parsed = parse("timezone: Europe/Berln\nteam: []\n");
        let hints: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter_map(|d| d.hint.as_deref())
            .collect();
        assert_eq!(
            hints,
            ["did you mean `Europe/Berlin`?", "did you mean `teams`?"]
        );
    }
}
