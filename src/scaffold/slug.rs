//! Slugs: the file-name-safe part of an id, made from a title.

/// Longest slug, in bytes.
pub const MAX_SLUG_BYTES: usize = 80;

/// A lowercase ASCII slug of `title`: letters and digits joined by single dashes, transliterated
/// from other scripts, at most [`MAX_SLUG_BYTES`] long, never empty, never `.`/`..`. A title
/// with nothing to transliterate gets `incident-<hash>`. Ids put the date first, so a file name
/// can never be a reserved device name such as `con` either.
pub fn slugify(title: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(title, " ").to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for word in ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let extra = usize::from(!slug.is_empty()) + word.len();
        if slug.len() + extra > MAX_SLUG_BYTES {
            if slug.is_empty() {
                slug.push_str(&word[..MAX_SLUG_BYTES]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        return format!("incident-{:08x}", fnv1a(title.as_bytes()));
    }
    slug
}

/// A small stable hash (FNV-1a, folded to 32 bits), so the same title gives the same slug on
/// every machine and Rust version.
fn fnv1a(bytes: &[u8]) -> u32 {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    #[allow(clippy::cast_possible_truncation)] // folding 64 bits into 32 on purpose
    let folded = (hash ^ (hash >> 32)) as u32;
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn makes_readable_slugs() {
        assert_eq!(
            slugify("Checkout latency spike after payment-gateway deploy"),
            "checkout-latency-spike-after-payment-gateway-deploy"
        );
        assert_eq!(
            slugify("  Ärger mit der Datenbank: 503!  "),
            "arger-mit-der-datenbank-503"
        );
        assert_eq!(
            slugify("x\": y --- visibility: public"),
            "x-y-visibility-public"
        );
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("{{ 7*7 }}"), "7-7");
    }

    #[test]
    fn transliterates_other_scripts() {
        assert_eq!(slugify("Сбой оплаты"), "sboi-oplaty");
        assert!(
            slugify("支付失败")
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-')
        );
    }

    #[test]
    fn never_empty() {
        for title in ["", "!!!", "---", "\u{200b}"] {
            let slug = slugify(title);
            assert!(
                slug.starts_with("incident-") && slug.len() == 17,
                "{title:?} -> {slug}"
            );
        }
        assert_eq!(slugify("!!!"), slugify("!!!"), "stable");
        assert_ne!(slugify("!!!"), slugify("???"));
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let slug = slugify(&"incident ".repeat(2000));
        assert!(slug.len() <= MAX_SLUG_BYTES);
        assert!(slug.ends_with("incident"));
        assert_eq!(slugify(&"a".repeat(200)).len(), MAX_SLUG_BYTES);
    }

    proptest! {
        #[test]
        fn slugs_are_always_safe(title in any::<String>()) {
            let slug = slugify(&title);
            prop_assert!(!slug.is_empty() && slug.len() <= MAX_SLUG_BYTES);
            prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
        }
    }
}
