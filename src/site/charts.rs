//! Charts of the stats page and the team pages, as inline SVG made here, in Rust: no script,
//! no request. Every chart is an `<svg role="img">` with a title and a description, every mark
//! has a `<title>` with its figure, and severities differ by pattern as well as by colour, so
//! that a chart reads without colour (and the page shows the same figures as a table).
//!
//! Colours come from the stylesheet (classes such as `fg-1`, `ink`, `grid`), which follows the
//! light or dark scheme. All text is escaped.

use std::fmt::Write as _;

use chrono::{Datelike, Months, NaiveDate};

use crate::stats::{FollowThrough, human_minutes};

/// A chart's size: the stats page's or a team page's smaller one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Full width.
    Large,
    /// A team page's.
    Small,
}

/// Postmortems of one month, by severity rank (index 0 = rank 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// The month's first day.
    pub start: NaiveDate,
    /// How many of each severity, in `pm.yaml`'s order.
    pub counts: Vec<usize>,
}

/// The months from the one holding `first` to the one holding `last`, at most `limit` (the
/// latest), each with its counts of `dates_and_ranks` (incident date, severity rank from 1).
pub fn months(
    dates_and_ranks: impl Iterator<Item = (NaiveDate, usize)> + Clone,
    severities: usize,
    last: NaiveDate,
    limit: u32,
) -> Vec<Month> {
    let month_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let last = month_of(last);
    let Some(first) = dates_and_ranks.clone().map(|(d, _)| month_of(d)).min() else {
        return Vec::new();
    };
    let earliest = last
        .checked_sub_months(Months::new(limit.saturating_sub(1)))
        .unwrap_or(first)
        .max(first);
    let mut out = Vec::new();
    let mut start = earliest;
    while start <= last {
        out.push(Month {
            start,
            counts: vec![0; severities],
        });
        let Some(next) = start.checked_add_months(Months::new(1)) else {
            break;
        };
        start = next;
    }
    for (date, rank) in dates_and_ranks {
        let date = month_of(date);
        if date < earliest || date > last || rank == 0 || rank > severities {
            continue;
        }
        let at = i64::from(date.year() - earliest.year()) * 12 + i64::from(date.month0())
            - i64::from(earliest.month0());
        if let Some(month) = usize::try_from(at).ok().and_then(|at| out.get_mut(at)) {
            month.counts[rank - 1] += 1;
        }
    }
    out
}

/// `&`, `<`, `>`, `"` and `'` as entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Classes colouring the four patterns in severity charts: the severities' colours.
const SEVERITY_INK: [&str; 4] = ["fg-1", "fg-2", "fg-3", "fg-4"];
/// Classes colouring the patterns of the follow-through chart: done, overdue, open, won't do.
const FOLLOW_INK: [&str; 4] = ["ok", "late", "todo", "dropped"];

/// The opening of a chart: `<svg>` with its title and description, and four patterns (solid,
/// stripes, dots, lines) coloured by the classes `ink`, ids prefixed with `id` (unique on the
/// page).
fn open(
    id: &str,
    (width, height): (u32, u32),
    title: &str,
    description: &str,
    ink: [&str; 4],
) -> String {
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc><defs>",
        escape(title),
        escape(description)
    );
    // Solid, stripes, dots, lines: the four ranks differ without colour; further ranks repeat.
    for (rank, class) in (1..=4).zip(ink) {
        let _ = write!(
            svg,
            "<pattern id=\"{id}-p{rank}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"{}>\
             <rect width=\"6\" height=\"6\" class=\"bg\"/>{}</pattern>",
            if rank == 2 {
                " patternTransform=\"rotate(45)\""
            } else {
                ""
            },
            match rank {
                1 => format!("<rect width=\"6\" height=\"6\" class=\"{class}\"/>"),
                2 => format!("<rect width=\"3\" height=\"6\" class=\"{class}\"/>"),
                3 => format!("<circle cx=\"3\" cy=\"3\" r=\"1.6\" class=\"{class}\"/>"),
                _ => format!("<rect width=\"6\" height=\"2\" class=\"{class}\"/>"),
            }
        );
    }
    svg.push_str("</defs>");
    svg
}

/// The pattern fill of severity rank `rank` (from 1).
fn fill(id: &str, rank: usize) -> String {
    format!("url(#{id}-p{})", (rank - 1) % 4 + 1)
}

/// A round upper bound for an axis of counts up to `max`: 1, 2, 5, 10, 20, 50…
fn nice_max(max: usize) -> usize {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= max {
                return (m * step).max(1);
            }
        }
        step *= 10;
    }
}

/// Postmortems per month as bars stacked by severity (`names` in rank order), with a legend.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn per_month(id: &str, months: &[Month], names: &[&str], size: Size) -> String {
    let (bar, height) = match size {
        Size::Large => (22_u32, 240_u32),
        Size::Small => (14, 160),
    };
    let (left, top, bottom) = (36_u32, 28_u32, 34_u32);
    let count = u32::try_from(months.len()).unwrap_or(u32::MAX);
    let width = (left + count * bar + 10).max(320);
    let plot = height - top - bottom;
    let max = months
        .iter()
        .map(|m| m.counts.iter().sum::<usize>())
        .max()
        .unwrap_or(0);
    let top_value = nice_max(max);
    let total: usize = months.iter().flat_map(|m| &m.counts).sum();
    let span = match (months.first(), months.last()) {
        (Some(a), Some(b)) => format!(
            " from {} to {}",
            a.start.format("%B %Y"),
            b.start.format("%B %Y")
        ),
        _ => String::new(),
    };
    let mut svg = open(
        id,
        (width, height),
        "Postmortems per month, by severity",
        &format!("{total} postmortems{span}; the busiest month had {max}."),
        SEVERITY_INK,
    );
    // Legend.
    let mut x = left;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{}\" class=\"edge\"/>\
             <text x=\"{}\" y=\"16\" class=\"ink\">{}</text>",
            fill(id, i + 1),
            x + 16,
            escape(name)
        );
        x += 24 + 8 * u32::try_from(name.chars().count()).unwrap_or(8);
    }
    // Axis: zero, half and the top.
    for value in [0, top_value / 2, top_value] {
        let y = top + plot - (f64::from(plot) * value as f64 / top_value as f64) as u32;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" class=\"grid\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"ink small\">{value}</text>",
            width - 6,
            left - 4,
            y + 4
        );
    }
    let label_every = match (size, months.len()) {
        (Size::Large, 0..=12) => 1,
        (Size::Large, 13..=24) | (Size::Small, 0..=24) => 3,
        _ => 6,
    };
    for (i, month) in months.iter().enumerate() {
        let x = left + u32::try_from(i).unwrap_or(0) * bar + 2;
        let mut y = top + plot;
        for (r, &n) in month.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let h = (f64::from(plot) * n as f64 / top_value as f64).round() as u32;
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{h}\" fill=\"{}\" class=\"edge\">\
                 <title>{}: {n} {}</title></rect>",
                bar - 4,
                fill(id, r + 1),
                month.start.format("%B %Y"),
                escape(names.get(r).copied().unwrap_or("?"))
            );
        }
        if i % label_every == 0 {
            let label = if (i == 0 || month.start.month() == 1) && size == Size::Small {
                month.start.format("%b '%y").to_string()
            } else if i == 0 || month.start.month() == 1 {
                month.start.format("%b %Y").to_string()
            } else {
                month.start.format("%b").to_string()
            };
            let _ = write!(
                svg,
                "<text x=\"{x}\" y=\"{}\" class=\"ink small\">{label}</text>",
                height - bottom + 16
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One row of a strip plot: a label, the severity rank that fills its dots, and its values in
/// minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Strip<'a> {
    /// The row's label (`SEV1`).
    pub label: &'a str,
    /// Its severity rank, from 1.
    pub rank: usize,
    /// Its durations, in minutes, shortest first.
    pub minutes: Vec<i64>,
    /// Their median.
    pub median: Option<f64>,
}

/// Ticks of the logarithmic time axis: a minute to a month.
const TICKS: [(f64, &str); 7] = [
    (1.0, "1 min"),
    (10.0, "10 min"),
    (60.0, "1 h"),
    (360.0, "6 h"),
    (1440.0, "1 d"),
    (10080.0, "1 w"),
    (43200.0, "30 d"),
];

/// Most dots in a row of a strip plot: more add bytes, not insight.
const MAX_DOTS: usize = 300;

/// At most `most` of `sorted`, evenly spaced quantiles (the first and last included), so that
/// a large row keeps its shape and its extremes.
fn sample(sorted: &[i64], most: usize) -> Vec<i64> {
    if sorted.len() <= most || most < 2 {
        return sorted.to_vec();
    }
    (0..most)
        .map(|i| sorted[i * (sorted.len() - 1) / (most - 1)])
        .collect()
}

/// Durations per row as dots on a logarithmic axis (rows of more than [`MAX_DOTS`] show that
/// many evenly spaced quantiles), each row's median marked with a bar: the
/// shape of a heavy-tailed distribution, which a mean hides.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn strips(id: &str, title: &str, rows: &[Strip<'_>], size: Size) -> String {
    let (width, row_height) = match size {
        Size::Large => (640_u32, 44_u32),
        Size::Small => (420, 34),
    };
    let (left, right, top) = (64_u32, 16_u32, 8_u32);
    let rows_count = u32::try_from(rows.len()).unwrap_or(0);
    let height = top + rows_count * row_height + 28;
    let longest = rows
        .iter()
        .flat_map(|r| r.minutes.iter())
        .copied()
        .max()
        .unwrap_or(60)
        .max(60) as f64;
    // Ticks up to the first at or beyond the longest duration.
    let shown = TICKS.iter().take_while(|(m, _)| *m < longest).count() + 1;
    let ticks: Vec<(f64, &str)> = TICKS.iter().copied().take(shown).collect();
    let high = ticks.last().map_or(60.0, |t| t.0).max(longest).ln();
    let plot = f64::from(width - left - right);
    let x_of = |minutes: f64| f64::from(left) + plot * minutes.max(1.0).ln() / high;
    let count: usize = rows.iter().map(|r| r.minutes.len()).sum();
    let medians = rows
        .iter()
        .filter_map(|r| {
            r.median
                .map(|m| format!("{} {}", r.label, human_minutes(m)))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = open(
        id,
        (width, height),
        title,
        &format!(
            "{count} postmortems on a logarithmic time axis, one row per severity. Medians: {}.",
            if medians.is_empty() { "none" } else { &medians }
        ),
        SEVERITY_INK,
    );
    let bottom = top + rows_count * row_height;
    for (minutes, label) in &ticks {
        let x = x_of(*minutes);
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{bottom}\" class=\"grid\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"ink small\">{label}</text>",
            bottom + 16
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let y0 = top + u32::try_from(r).unwrap_or(0) * row_height;
        let middle = y0 + row_height / 2;
        let _ = write!(
            svg,
            "<text x=\"4\" y=\"{}\" class=\"ink\">{} <tspan class=\"small\">n={}</tspan></text>",
            middle + 4,
            escape(row.label),
            row.minutes.len()
        );
        for (i, &m) in sample(&row.minutes, MAX_DOTS).iter().enumerate() {
            // Spread the dots over the row in a fixed pattern, so that equal values stay visible.
            let jitter = (i * 7 % 11) as f64 / 10.0 - 0.5;
            let y = f64::from(middle) + jitter * f64::from(row_height - 16);
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{}\" class=\"edge\"><title>{}: {}</title></circle>",
                x_of(m as f64),
                fill(id, row.rank),
                escape(row.label),
                human_minutes(m as f64)
            );
        }
        if let Some(median) = row.median {
            let x = x_of(median);
            let _ = write!(
                svg,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" class=\"median\">\
                 <title>{} median: {}</title></line>",
                y0 + 3,
                y0 + row_height - 3,
                escape(row.label),
                human_minutes(median)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: a label and a count each, longest first as given.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn bars(id: &str, title: &str, rows: &[(&str, usize)]) -> String {
    let (width, row_height, left) = (560_u32, 24_u32, 150_u32);
    let height = u32::try_from(rows.len()).unwrap_or(0) * row_height + 8;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let described = rows
        .iter()
        .map(|(label, n)| format!("{label} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = open(id, (width, height), title, &described, SEVERITY_INK);
    let plot = f64::from(width - left - 48);
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = 4 + u32::try_from(i).unwrap_or(0) * row_height;
        let w = (plot * *n as f64 / max as f64).round().max(1.0) as u32;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"ink\">{}</text>\
             <rect x=\"{left}\" y=\"{}\" width=\"{w}\" height=\"{}\" class=\"bar\"><title>{}: {n}</title></rect>\
             <text x=\"{}\" y=\"{}\" class=\"ink\">{n}</text>",
            left - 8,
            y + 16,
            escape(label),
            y + 3,
            row_height - 8,
            escape(label),
            left + w + 6,
            y + 16,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Follow-through bars: per row (a team), its actions as done, won't do, open and overdue
/// segments, each with its own pattern and a count in words beside it.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn follow_through(id: &str, rows: &[(&str, &FollowThrough)], size: Size) -> String {
    let (width, row_height, left) = match size {
        Size::Large => (640_u32, 30_u32, 170_u32),
        Size::Small => (420, 30, 90),
    };
    let legend = 24;
    let height = legend + u32::try_from(rows.len()).unwrap_or(0) * row_height + 6;
    let max = rows.iter().map(|r| r.1.actions).max().unwrap_or(0).max(1);
    let described = rows
        .iter()
        .map(|(team, f)| {
            format!(
                "{team}: {} actions, {} done, {} won't do, {} open of which {} overdue",
                f.actions, f.done, f.wont_do, f.open, f.overdue
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = open(
        id,
        (width, height),
        "Follow-through of action items",
        &described,
        FOLLOW_INK,
    );
    // Segments: done (solid), won't do (lines), open (dots), overdue (stripes, warning colour).
    let segments: [(&str, usize); 4] = [("done", 1), ("won't do", 4), ("open", 3), ("overdue", 2)];
    let mut x = left;
    for (name, pattern) in segments {
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{}\" class=\"edge ft\"/>\
             <text x=\"{}\" y=\"14\" class=\"ink small\">{name}</text>",
            fill(id, pattern),
            x + 16
        );
        x += 24 + 7 * u32::try_from(name.len()).unwrap_or(8);
    }
    let plot = f64::from(width - left - 130);
    for (i, (team, f)) in rows.iter().enumerate() {
        let y = legend + u32::try_from(i).unwrap_or(0) * row_height;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"ink\">{}</text>",
            left - 8,
            y + 18,
            escape(team)
        );
        let mut x = f64::from(left);
        let open_not_overdue = f.open - f.overdue.min(f.open);
        for ((name, pattern), n) in
            segments
                .iter()
                .zip([f.done, f.wont_do, open_not_overdue, f.overdue])
        {
            if n == 0 {
                continue;
            }
            let w = plot * n as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\" class=\"edge ft\">\
                 <title>{}: {n} {name}</title></rect>",
                y + 5,
                row_height - 10,
                fill(id, *pattern),
                escape(team)
            );
            x += w;
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" class=\"ink small\">{}/{} done{}</text>",
            x + 6.0,
            y + 18,
            f.done,
            f.actions,
            if f.overdue > 0 {
                format!(", {} overdue", f.overdue)
            } else {
                String::new()
            }
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn months_run_from_the_first_to_the_last_with_gaps_as_zeros() {
        let data = [
            (date("2026-01-15"), 1),
            (date("2026-03-02"), 2),
            (date("2026-03-30"), 2),
        ];
        let months = months(data.iter().copied(), 3, date("2026-04-10"), 36);
        let starts: Vec<String> = months.iter().map(|m| m.start.to_string()).collect();
        assert_eq!(
            starts,
            ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
        );
        assert_eq!(months[0].counts, [1, 0, 0]);
        assert_eq!(months[1].counts, [0, 0, 0]);
        assert_eq!(months[2].counts, [0, 2, 0]);
    }

    #[test]
    fn months_keep_only_the_latest() {
        let data = [(date("2020-01-15"), 1), (date("2026-03-02"), 1)];
        let months = months(data.iter().copied(), 1, date("2026-03-02"), 12);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].start, date("2025-04-01"));
        assert_eq!(months.iter().map(|m| m.counts[0]).sum::<usize>(), 1);
    }

    #[test]
    fn large_rows_are_drawn_as_quantiles_with_their_extremes() {
        let values: Vec<i64> = (0..1000).collect();
        let drawn = sample(&values, 300);
        assert_eq!(drawn.len(), 300);
        assert_eq!((drawn[0], drawn[299]), (0, 999));
        assert!(drawn.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(sample(&[3, 1], 300), [3, 1]);
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(
            [0, 1, 3, 7, 10, 11, 49, 120].map(nice_max),
            [1, 1, 5, 10, 10, 20, 50, 200]
        );
    }

    #[test]
    fn text_in_charts_is_escaped() {
        let svg = bars("t", "<b>", &[("</text><script>x</script>", 2)]);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;/text&gt;&lt;script&gt;"));
    }
}
