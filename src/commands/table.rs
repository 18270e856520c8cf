//! Plain-text output shared by the data commands: aligned tables that fit the terminal width
//! we promise, and RFC 4180 CSV rows.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::printable;

/// Widest table a command prints.
const TABLE_WIDTH: usize = 100;

/// A column: its header, the narrowest it may be squeezed to, and its cells.
pub(super) struct Column {
    pub header: &'static str,
    pub min: usize,
    pub cells: Vec<String>,
}

/// The columns side by side under their headers, squeezed to fit [`TABLE_WIDTH`]; nothing for
/// no rows. Values are shown with control characters replaced.
pub(super) fn render(columns: &[Column]) -> String {
    let rows = columns.first().map_or(0, |c| c.cells.len());
    if rows == 0 {
        return String::new();
    }
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            c.cells
                .iter()
                .map(|s| s.width())
                .chain([c.header.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Squeeze the widest squeezable columns first, one character at a time, until it fits.
    let gaps = 2 * (columns.len() - 1);
    while widths.iter().sum::<usize>() + gaps > TABLE_WIDTH {
        let Some(widest) = (0..columns.len())
            .filter(|&i| widths[i] > columns[i].min)
            .max_by_key(|&i| widths[i] - columns[i].min)
        else {
            break;
        };
        widths[widest] -= 1;
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let line = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| pad(&truncate(&printable(cell), *width), *width))
            .collect::<Vec<_>>()
            .join("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_row(columns.iter().map(|c| c.header).collect());
    for row in 0..rows {
        push_row(columns.iter().map(|c| c.cells[row].as_str()).collect());
    }
    out
}

/// One RFC 4180 row: fields with commas, quotes or line breaks are quoted, quotes doubled.
pub(super) fn csv_row(fields: impl IntoIterator<Item = String>) -> String {
    let mut row = fields
        .into_iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

/// `text` cut to `width` display columns, ending in `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            csv_row(["a".into(), "b,c".into(), "say \"hi\"".into()]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
    }

    #[test]
    fn wide_tables_are_squeezed_to_fit() {
        let columns = [
            Column {
                header: "A",
                min: 3,
                cells: vec!["x".repeat(80)],
            },
            Column {
                header: "B",
                min: 3,
                cells: vec!["y".repeat(80)],
            },
        ];
        let out = render(&columns);
        assert!(out.lines().all(|l| l.width() <= TABLE_WIDTH), "{out}");
        assert!(out.contains('…'));
    }
}
