//! Splitting a document into its `---` front matter and its Markdown body.

use crate::diagnostic::{Code, Pos};
use crate::model::yaml::{MAX_YAML_BYTES, Problem};

/// A document cut in two, borrowing from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// The file line the YAML starts on.
    pub yaml_line: usize,
    /// Everything after the closing fence's line, byte for byte.
    pub body: &'a str,
    /// The file line the body starts on.
    pub body_line: usize,
}

/// The byte-order mark some editors put at the start of UTF-8 files.
const BOM: char = '\u{feff}';

/// Cuts `text` at its front matter fences. A leading BOM and CRLF line ends are accepted.
pub fn split(text: &str) -> Result<Split<'_>, Problem> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Problem {
            code: Code::FrontMatter,
            pos: Pos::START,
            message: "the file is empty".to_owned(),
            hint: Some("start a postmortem with `pm new \"Title\"`".to_owned()),
        });
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if !is_fence(first) {
        return Err(Problem {
            code: Code::FrontMatter,
            pos: Pos::START,
            message: "no front matter: the first line must be `---`".to_owned(),
            hint: Some(
                "open the file with a `---` line, the metadata (id, title, status, severity), \
                   and a closing `---` line"
                    .to_owned(),
            ),
        });
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (index, line) in lines.enumerate() {
        if is_fence(line) {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_line: index + 3,
            });
        }
        offset += line.len();
        if offset - yaml_start > MAX_YAML_BYTES {
            return Err(Problem {
                code: Code::FrontMatter,
                pos: Pos::START,
                message: format!(
                    "the front matter is larger than {} KiB, or its closing `---` is missing",
                    MAX_YAML_BYTES / 1024
                ),
                hint: Some(
                    "front matter holds metadata; move long text into the Markdown body".to_owned(),
                ),
            });
        }
    }
    Err(Problem {
        code: Code::FrontMatter,
        pos: Pos::START,
        message: "the front matter opened on line 1 is never closed".to_owned(),
        hint: Some("add a line with just `---` after the last metadata field".to_owned()),
    })
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\n', '\r', ' ', '\t']) == "---"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let s = split("---\nid: a\n---\n## Summary\n").unwrap();
        assert_eq!(s.yaml, "id: a\n");
        assert_eq!(s.body, "## Summary\n");
        assert_eq!((s.yaml_line, s.body_line), (2, 4));
    }

    #[test]
    fn accepts_bom_and_crlf() {
        let s = split("\u{feff}---\r\nid: a\r\n---\r\nbody\r\n").unwrap();
        assert_eq!(s.yaml, "id: a\r\n");
        assert_eq!(s.body, "body\r\n");
    }

    #[test]
    fn a_closing_fence_at_end_of_file_leaves_an_empty_body() {
        assert_eq!(split("---\nid: a\n---").unwrap().body, "");
    }

    #[test]
    fn reports_empty_missing_and_unclosed_front_matter() {
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("  \n\n").unwrap_err().message.contains("empty"));
        assert!(
            split("# Title\n")
                .unwrap_err()
                .message
                .contains("no front matter")
        );
        let unclosed = split("---\nid: a\n## Summary\n").unwrap_err();
        assert!(unclosed.message.contains("never closed"));
    }

    #[test]
    fn stops_reading_huge_front_matter_early() {
        let huge = format!("---\n{}", "a: b\n".repeat(2_000_000));
        assert!(split(&huge).unwrap_err().message.contains("KiB"));
    }
}
