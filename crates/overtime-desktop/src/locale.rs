//! Turns a POSIX locale name (`de_DE.UTF-8@euro`) into a BCP 47 tag (`de-DE`) the web view's
//! `Intl` understands, and refuses the names that have none (`C`, `POSIX`), which would
//! otherwise make `Intl` throw and leave the window blank.

/// The locale the system names for messages: the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
/// that is set and not empty, as POSIX writes it (`de_DE.UTF-8`).
pub fn system_posix() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
}

/// `Some("de-DE")` for `de_DE.UTF-8`; `None` for `C`, `C.UTF-8`, `POSIX` or anything odd.
pub fn to_bcp47(posix: &str) -> Option<String> {
    let name = posix.split(['.', '@']).next()?.trim();
    if name.is_empty() || name.eq_ignore_ascii_case("c") || name.eq_ignore_ascii_case("posix") {
        return None;
    }
    let mut parts = name.split(['_', '-']);
    let language = parts.next()?;
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut tag = language.to_ascii_lowercase();
    if let Some(region) = parts.next() {
        if region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()) {
            tag.push('-');
            tag.push_str(&region.to_ascii_uppercase());
        } else {
            return None;
        }
    }
    Some(tag)
}

#[cfg(test)]
mod tests {
    use super::to_bcp47;

    #[test]
    fn posix_names_become_bcp47_tags_or_nothing() {
        let cases = [
            ("de_DE.UTF-8", Some("de-DE")),
            ("en_US.utf8", Some("en-US")),
            ("fr_FR@euro", Some("fr-FR")),
            ("de", Some("de")),
            ("C", None),
            ("C.UTF-8", None),
            ("POSIX", None),
            ("", None),
            ("en_USA", None),
            ("x1_DE", None),
        ];
        for (posix, want) in cases {
            assert_eq!(to_bcp47(posix).as_deref(), want, "{posix}");
        }
    }
}
