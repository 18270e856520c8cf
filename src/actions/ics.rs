//! Open follow-up actions as an iCalendar file (RFC 5545): one all-day event on each due date,
//! which every calendar imports (to-dos, `VTODO`, are ignored by several of them).

use std::fmt::Write as _;

use chrono::{DateTime, Days, Utc};

use super::Action;
use crate::model::{ActionStatus, Priority};

/// Content lines are folded after this many bytes (RFC 5545 §3.1).
const FOLD_AT: usize = 75;

/// An iCalendar file named `name` with an event for every open action of `actions` that has a
/// due date; `stamp` is when it was made (`DTSTAMP`).
pub fn calendar(actions: &[Action<'_>], name: &str, stamp: DateTime<Utc>) -> String {
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//postmortems//pm actions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push(&mut out, line);
    }
    push(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    for action in actions.iter().filter(|a| a.item.status.is_open()) {
        let Some(due) = action.item.due else { continue };
        let item = action.item;
        let id = action.id();
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}@postmortems", text(&id)));
        push(&mut out, &format!("DTSTAMP:{stamp}"));
        push(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", due.format("%Y%m%d")),
        );
        let next = due.checked_add_days(Days::new(1)).unwrap_or(due);
        push(
            &mut out,
            &format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
        );
        push(
            &mut out,
            &format!("SUMMARY:{}", text(&format!("Due: {}", item.title))),
        );
        let mut description = format!(
            "Action {id} of postmortem {} ({})",
            action.doc.id(),
            action.doc.front.title
        );
        for (label, value) in [
            ("Owner", item.owner.as_deref()),
            ("Team", action.team()),
            ("Priority", item.priority.map(Priority::as_str)),
            ("Status", Some(item.status.as_str())),
            ("Ticket", item.ticket.as_deref()),
        ] {
            if let Some(value) = value {
                let _ = write!(description, "\n{label}: {value}");
            }
        }
        push(&mut out, &format!("DESCRIPTION:{}", text(&description)));
        if let Some(ticket) = item.ticket.as_deref().filter(|t| is_web_link(t)) {
            push(&mut out, &format!("URL:{}", uri(ticket)));
        }
        if let Some(priority) = item.priority {
            push(&mut out, &format!("PRIORITY:{}", ics_priority(priority)));
        }
        if let Some(team) = action.team() {
            push(&mut out, &format!("CATEGORIES:{}", text(team)));
        }
        if item.status == ActionStatus::InProgress {
            push(&mut out, "COMMENT:in progress");
        }
        push(&mut out, "TRANSP:TRANSPARENT");
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

/// iCalendar priorities run 1 (highest) to 9; P0…P3 take 1, 3, 5, 7.
fn ics_priority(priority: Priority) -> u8 {
    match priority {
        Priority::P0 => 1,
        Priority::P1 => 3,
        Priority::P2 => 5,
        Priority::P3 => 7,
    }
}

fn is_web_link(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

/// A URI value: no escaping applies, so characters that would end the line are dropped.
fn uri(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma escaped; line breaks as `\n`;
/// other control characters dropped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line`, folded into pieces of at most 75 bytes (never inside a character), each
/// continuation starting with a space, every line ending in CRLF.
fn push(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = FOLD_AT;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space of a continuation counts towards its 75 bytes.
        limit = FOLD_AT - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a, b; c\\d\r\ne\nf\u{7}"), "a\\, b\\; c\\\\d\\ne\\nf");
    }

    #[test]
    fn long_lines_are_folded_at_75_bytes_between_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(100));
        push(&mut out, &line);
        let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.len() <= FOLD_AT), "{lines:?}");
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, line);
    }
}
