//! Reading incident times.
//!
//! Times are RFC 3339 with an offset, or naive and read in the archive's timezone.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::diagnostic::Code;
use crate::model::yaml::Invalid;

/// Naive layouts accepted, tried in order.
const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Reads `text` as a point in time; naive times are taken to be in `tz`.
pub fn parse_time(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, Invalid> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at);
    }
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(at);
        }
    }
    let naive = NAIVE_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| invalid(format!("`{text}` is not a date and time")))?;
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(at) => Ok(at.fixed_offset()),
        LocalResult::Ambiguous(..) => Err(invalid(format!(
            "`{text}` happens twice in {tz} (the clocks went back)"
        ))),
        LocalResult::None => Err(invalid(format!(
            "`{text}` does not exist in {tz} (the clocks went forward)"
        ))),
    }
}

fn invalid(message: String) -> Invalid {
    Invalid {
        code: Code::InvalidTime,
        message,
        hint: Some(
            "write RFC 3339 such as 2026-03-14T09:12:00+01:00, or 2026-03-14 09:12 for the \
             archive's timezone"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_and_naive_times() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let with_offset = parse_time("2026-03-14T09:12:00+01:00", berlin).unwrap();
        assert_eq!(with_offset.to_rfc3339(), "2026-03-14T09:12:00+01:00");
        let naive = parse_time("2026-07-01 09:12", berlin).unwrap();
        assert_eq!(naive.to_rfc3339(), "2026-07-01T09:12:00+02:00");
        let utc = parse_time("2026-07-01T09:12:00Z", berlin).unwrap();
        assert_eq!(utc.offset().local_minus_utc(), 0);
    }

    #[test]
    fn rejects_impossible_and_ambiguous_local_times() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert!(parse_time("2026-13-45T10:00:00+01:00", berlin).is_err());
        assert!(
            parse_time("2026-03-29 02:30", berlin)
                .unwrap_err()
                .message
                .contains("forward")
        );
        assert!(
            parse_time("2026-10-25 02:30", berlin)
                .unwrap_err()
                .message
                .contains("twice")
        );
        assert!(parse_time("yesterday", berlin).is_err());
    }
}
