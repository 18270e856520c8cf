//! The query language of `pm search`, parsed into a small tree before it meets the index.
//!
//! ```text
//! dns timeout                 both words (all words must match)
//! "connection refused"        the exact phrase
//! dns OR resolver             either word
//! -draft                      without the word
//! team:payments               a field: title team service tag severity status owner kind
//! section:timeline:failover   a word (or "a phrase") in the body's sections of that heading
//! time*                       words starting with `time`
//! ```
//!
//! `AND` may be written out; `OR` binds tighter than the implicit `AND`, so
//! `checkout timeout OR latency` means checkout AND (timeout OR latency).

use std::fmt;

use crate::markdown;

/// The fields a query can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The title.
    Title,
    /// An owning team.
    Team,
    /// A service involved.
    Service,
    /// A tag.
    Tag,
    /// The severity.
    Severity,
    /// The status.
    Status,
    /// The owner of an action item.
    Owner,
    /// The kind.
    Kind,
    /// The sections of the body under a heading with this slug (`root-cause` for
    /// `## Root cause`).
    Section(String),
}

impl Field {
    /// Every field, with the name a query uses.
    pub const NAMES: &[(&str, Field)] = &[
        ("title", Field::Title),
        ("team", Field::Team),
        ("service", Field::Service),
        ("tag", Field::Tag),
        ("severity", Field::Severity),
        ("status", Field::Status),
        ("owner", Field::Owner),
        ("kind", Field::Kind),
    ];
}

/// What one item of the query looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// A word, in every text field or in one field; `prefix` for `time*`.
    Word {
        /// The field named, if any.
        field: Option<Field>,
        /// The word as written.
        text: String,
        /// Whether it ended in `*`.
        prefix: bool,
    },
    /// Words that must follow each other.
    Phrase {
        /// The field named, if any.
        field: Option<Field>,
        /// The words as written, without the quotes.
        text: String,
    },
}

/// A clause, possibly negated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `-word`: documents with it are left out.
    pub negated: bool,
    /// What it looks for.
    pub clause: Clause,
}

/// A parsed query: every group must match; within a group, any item (`a OR b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The groups.
    pub groups: Vec<Vec<Item>>,
}

impl Query {
    /// The values the query asks of `field` (`team:payments` gives `payments`), prefixes
    /// (`team:pay*`) left out.
    pub fn values(&self, field: &Field) -> Vec<&str> {
        self.groups
            .iter()
            .flatten()
            .filter_map(|item| match &item.clause {
                Clause::Word {
                    field: Some(f),
                    text,
                    prefix: false,
                }
                | Clause::Phrase {
                    field: Some(f),
                    text,
                } if f == field => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Why a query could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// 1-based character position of the problem in the query.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.column, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Item(Item),
    And,
    Or,
}

/// Parses a query.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let tokens = tokenize(query)?;
    if tokens.is_empty() {
        return Err(QueryError {
            column: 1,
            message: "the query is empty".to_owned(),
        });
    }
    let mut groups: Vec<Vec<Item>> = Vec::new();
    let mut pending: Option<(Token, usize)> = None;
    let mut previous_was_item = false;
    for (token, column) in tokens {
        match token {
            Token::Item(item) => {
                let joins_previous = matches!(pending, Some((Token::Or, _)));
                if joins_previous && item.negated {
                    return Err(QueryError {
                        column,
                        message: "a `-` word cannot be one side of OR".to_owned(),
                    });
                }
                match groups.last_mut() {
                    Some(group) if joins_previous => {
                        if group.iter().any(|i| i.negated) {
                            return Err(QueryError {
                                column,
                                message: "a `-` word cannot be one side of OR".to_owned(),
                            });
                        }
                        group.push(item);
                    }
                    _ => groups.push(vec![item]),
                }
                pending = None;
                previous_was_item = true;
            }
            operator => {
                let name = if operator == Token::Or { "OR" } else { "AND" };
                if !previous_was_item {
                    return Err(QueryError {
                        column,
                        message: format!("`{name}` needs a word before it"),
                    });
                }
                pending = Some((operator, column));
                previous_was_item = false;
            }
        }
    }
    if let Some((operator, column)) = pending {
        let name = if operator == Token::Or { "OR" } else { "AND" };
        return Err(QueryError {
            column,
            message: format!("`{name}` needs a word after it"),
        });
    }
    Ok(Query { groups })
}

/// Cuts the query into items and operators, each with its 1-based column.
fn tokenize(query: &str) -> Result<Vec<(Token, usize)>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let negated = chars[i] == '-';
        if negated {
            i += 1;
            if i == chars.len() || chars[i].is_whitespace() {
                return Err(QueryError {
                    column: start + 1,
                    message: "`-` needs a word right after it, as in `-draft`".to_owned(),
                });
            }
        }
        // A known field name followed by `:` names a field; anything else with a colon
        // (`host:8080`) is just a word.
        let mut field = None;
        let word_end = (i..chars.len())
            .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
            .unwrap_or(chars.len());
        let word: String = chars[i..word_end].iter().collect();
        // What names the field (`team:`, `section:timeline:`), and what to say when no value
        // follows it.
        let named = match word.split_once(':') {
            Some((name, rest)) if name.eq_ignore_ascii_case("section") => {
                let Some((section, _)) = rest.split_once(':').filter(|(s, _)| !s.is_empty()) else {
                    return Err(QueryError {
                        column: start + 1,
                        message:
                            "`section:` takes a heading and a word, as in `section:timeline:failover`"
                                .to_owned(),
                    });
                };
                let written = format!("{name}:{section}:");
                Some((
                    Field::Section(markdown::section_slug(section)),
                    format!("`{written}` needs a word right after it, as in `{written}failover`"),
                    written,
                ))
            }
            Some((name, _)) => Field::NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, f)| {
                    let written = format!("{name}:");
                    (
                        f.clone(),
                        format!("`{written}` needs a value right after it, as in `{written}value`"),
                        written,
                    )
                }),
            None => None,
        };
        if let Some((named, missing, written)) = named {
            field = Some(named);
            i += written.chars().count();
            if i == chars.len() || chars[i].is_whitespace() {
                return Err(QueryError {
                    column: start + 1,
                    message: missing,
                });
            }
        }
        let clause = if chars[i] == '"' {
            let Some(close) = (i + 1..chars.len()).find(|&j| chars[j] == '"') else {
                return Err(QueryError {
                    column: i + 1,
                    message: "this quote is never closed".to_owned(),
                });
            };
            let text: String = chars[i + 1..close].iter().collect();
            if text.trim().is_empty() {
                return Err(QueryError {
                    column: i + 1,
                    message: "the quotes hold no words".to_owned(),
                });
            }
            i = close + 1;
            Clause::Phrase { field, text }
        } else {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let mut text: String = chars[i..end].iter().collect();
            i = end;
            if let Some(at) = text.find('"') {
                return Err(QueryError {
                    column: start + 1 + text[..at].chars().count(),
                    message: "a quote inside a word; put the whole phrase in quotes".to_owned(),
                });
            }
            if field.is_none() && !negated && (text == "AND" || text == "OR") {
                let operator = if text == "OR" { Token::Or } else { Token::And };
                tokens.push((operator, start + 1));
                continue;
            }
            let prefix = text.len() > 1 && text.ends_with('*');
            if prefix {
                text.pop();
                if let Some(Field::Section(_)) = field {
                    return Err(QueryError {
                        column: i,
                        message: "a section is searched for whole words or a phrase, not a prefix"
                            .to_owned(),
                    });
                }
            }
            if !text.chars().any(char::is_alphanumeric) {
                return Err(QueryError {
                    column: start + 1,
                    message: format!("`{text}` has no letters or digits to search for"),
                });
            }
            Clause::Word {
                field,
                text,
                prefix,
            }
        };
        tokens.push((Token::Item(Item { negated, clause }), start + 1));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Item {
        Item {
            negated: false,
            clause: Clause::Word {
                field: None,
                text: text.to_owned(),
                prefix: false,
            },
        }
    }

    #[test]
    fn words_are_all_required_and_or_binds_tighter() {
        let q = parse("checkout timeout OR latency").unwrap();
        assert_eq!(
            q.groups,
            vec![
                vec![word("checkout")],
                vec![word("timeout"), word("latency")]
            ]
        );
        assert_eq!(
            parse("a AND b").unwrap().groups,
            vec![vec![word("a")], vec![word("b")]]
        );
    }

    #[test]
    fn reads_phrases_fields_prefixes_and_exclusions() {
        let q =
            parse("team:payments \"connection refused\" time* -draft title:\"dns down\"").unwrap();
        let items: Vec<&Item> = q.groups.iter().flatten().collect();
        assert_eq!(
            items[0].clause,
            Clause::Word {
                field: Some(Field::Team),
                text: "payments".into(),
                prefix: false
            }
        );
        assert_eq!(
            items[1].clause,
            Clause::Phrase {
                field: None,
                text: "connection refused".into()
            }
        );
        assert_eq!(
            items[2].clause,
            Clause::Word {
                field: None,
                text: "time".into(),
                prefix: true
            }
        );
        assert!(items[3].negated);
        assert_eq!(
            items[4].clause,
            Clause::Phrase {
                field: Some(Field::Title),
                text: "dns down".into()
            }
        );
    }

    #[test]
    fn a_section_is_named_by_its_heading_slug() {
        let q = parse("section:Root_Cause:dns section:timeline:\"failed over\"").unwrap();
        let items: Vec<&Item> = q.groups.iter().flatten().collect();
        let section = Some(Field::Section("root-cause".into()));
        assert_eq!(
            items[0].clause,
            Clause::Word {
                field: section,
                text: "dns".into(),
                prefix: false
            }
        );
        assert_eq!(
            items[1].clause,
            Clause::Phrase {
                field: Some(Field::Section("timeline".into())),
                text: "failed over".into()
            }
        );
        let error = |q: &str| parse(q).unwrap_err();
        assert!(
            error("section:timeline")
                .message
                .contains("a heading and a word")
        );
        assert!(
            error("section::dns")
                .message
                .contains("a heading and a word")
        );
        assert!(error("section:timeline:").message.contains("needs a word"));
        assert_eq!(error("dns section:timeline:fail*").column, 26);
    }

    #[test]
    fn unknown_prefixes_with_a_colon_are_words() {
        let q = parse("host:8080 us-east-1").unwrap();
        assert_eq!(
            q.groups,
            vec![vec![word("host:8080")], vec![word("us-east-1")]]
        );
    }

    #[test]
    fn bad_queries_say_where() {
        let error = |q: &str| parse(q).unwrap_err();
        assert_eq!(error("title:").column, 1);
        assert!(error("title:").message.contains("needs a value"));
        assert_eq!(error("dns \"connection refused").column, 5);
        assert!(error("dns \"connection").message.contains("never closed"));
        assert_eq!(error("AND AND").column, 1);
        assert_eq!(error("dns AND AND x").column, 9);
        assert!(error("dns OR").message.contains("after"));
        assert!(error("   ").message.contains("empty"));
        assert_eq!(error("dns -").column, 5);
        assert!(error("a OR -b").message.contains("OR"));
        assert!(error("!!!").message.contains("no letters"));
    }
}
