//! The Fluent bundles, one per language, parsed once on first use from the compiled-in .ftl
//! text, and the lookup that falls back to English and then to the id itself.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// The Fluent source of each language, as the window bundles it too.
const EN_FTL: &str = include_str!("../../../ui/src/lib/i18n/locales/en/overtime.ftl");
const DE_FTL: &str = include_str!("../../../ui/src/lib/i18n/locales/de/overtime.ftl");

/// A language the catalogue is complete in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    German,
}

impl Language {
    /// Every language, English (the reference) first.
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    /// German for a `de` locale in POSIX (`de_DE.UTF-8@euro`) or BCP 47 (`de-AT`) spelling,
    /// English for anything else, `C` and the empty string included.
    pub fn for_locale(locale: &str) -> Language {
        let name = locale.split(['.', '@']).next().unwrap_or_default();
        let language = name.split(['_', '-']).next().unwrap_or_default();
        if language.eq_ignore_ascii_case("de") {
            Language::German
        } else {
            Language::English
        }
    }

    /// The BCP 47 language tag: `en`, `de`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }

    /// The Fluent source of this language's catalogue.
    pub fn source(self) -> &'static str {
        match self {
            Language::English => EN_FTL,
            Language::German => DE_FTL,
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

// Parsed once per process: the text is compiled in and never changes, so this is a constant
// table built lazily, not shared state.
static ENGLISH: LazyLock<Bundle> = LazyLock::new(|| bundle(Language::English));
static GERMAN: LazyLock<Bundle> = LazyLock::new(|| bundle(Language::German));

fn bundle(language: Language) -> Bundle {
    let tag: LanguageIdentifier = language.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // Fluent wraps placeables in Unicode isolation marks by default; the tray and the
    // notifications show plain text, where those marks would be invisible noise.
    bundle.set_use_isolating(false);
    if language == Language::German {
        bundle.set_formatter(Some(german_number));
    }
    // A broken entry is left out rather than losing the whole language; the catalogue tests
    // make sure there is none.
    let resource = match FluentResource::try_new(language.source().to_owned()) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    // Only duplicate ids fail here, and the tests rule those out; the first one wins.
    let _ = bundle.add_resource(resource);
    bundle
}

/// Fluent's Rust side writes numbers the English way; German uses a decimal comma, as the
/// window's `Intl` does (40,5 °C).
fn german_number(
    value: &fluent_bundle::FluentValue<'_>,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    match value {
        fluent_bundle::FluentValue::Number(n) => Some(n.as_string().replace('.', ",")),
        _ => None,
    }
}

/// A message argument: text as it is, or a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(f64),
}

/// The strings of one language. Cheap to copy; the bundles behind it are built once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalogue {
    language: Language,
}

impl Catalogue {
    /// The catalogue for a POSIX (`de_DE.UTF-8`) or BCP 47 (`de-AT`) locale: German for
    /// `de*`, else English.
    pub fn for_locale(locale: &str) -> Catalogue {
        Catalogue::new(Language::for_locale(locale))
    }

    pub fn new(language: Language) -> Catalogue {
        Catalogue { language }
    }

    pub fn english() -> Catalogue {
        Catalogue::new(Language::English)
    }

    pub fn german() -> Catalogue {
        Catalogue::new(Language::German)
    }

    pub fn language(self) -> Language {
        self.language
    }

    /// The message `id` (`tray-entry-quit`) with its `$variables` set from `args`. Falls back to
    /// English where this language lacks the message, and to `id` itself where English does
    /// too; a variable missing from `args` shows as `{$name}`. Never fails.
    pub fn text(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        self.format(id, &fluent_args)
    }

    /// As [`Catalogue::text`], with arguments that may be numbers: a number selects a variant
    /// (`[0] Monday`) and is written as a number rather than as text.
    pub fn text_with(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, *text),
                Arg::Number(n) => fluent_args.set(*name, *n),
            }
        }
        self.format(id, &fluent_args)
    }

    fn format(&self, id: &str, fluent_args: &FluentArgs<'_>) -> String {
        let order: &[&Bundle] = match self.language {
            Language::English => &[&*ENGLISH],
            Language::German => &[&*GERMAN, &*ENGLISH],
        };
        for bundle in order {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text: Cow<'_, str> =
                    bundle.format_pattern(pattern, Some(fluent_args), &mut errors);
                return text.into_owned();
            }
        }
        id.to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast;

    use super::*;

    /// Message id → the variables it uses, for one language's source; panics on a syntax error.
    fn shape(language: Language) -> BTreeMap<String, BTreeSet<String>> {
        let resource = fluent_syntax::parser::parse(language.source())
            .unwrap_or_else(|(_, errors)| panic!("{language:?} does not parse: {errors:?}"));
        let mut out = BTreeMap::new();
        for entry in resource.body {
            match entry {
                ast::Entry::Message(m) => {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    for a in &m.attributes {
                        pattern_vars(&a.value, &mut vars);
                    }
                    let id = m.id.name.to_owned();
                    assert!(
                        out.insert(id.clone(), vars).is_none(),
                        "{language:?}: {id} twice"
                    );
                }
                ast::Entry::Junk { content } => panic!("{language:?}: broken entry {content}"),
                _ => {}
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, into: &mut BTreeSet<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expression_vars(expression, into);
            }
        }
    }

    fn expression_vars(e: &ast::Expression<&str>, into: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, into);
                for v in variants {
                    pattern_vars(&v.value, into);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, into),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, into: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                into.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, into),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, into);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_language_has_every_english_message_with_the_same_variables() {
        let english = shape(Language::English);
        assert!(english.len() > 200, "{} messages", english.len());
        for language in Language::ALL {
            let other = shape(language);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{language:?} lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{language:?} has {extra:?} that English lacks"
            );
            for (id, vars) in &english {
                assert_eq!(&other[id], vars, "{language:?} {id}: other variables");
            }
        }
    }

    /// keys.ts as the window needs it: the English ids in file order, in dotted spelling.
    fn ui_keys() -> String {
        let mut out = String::from(
            "// Generated from ui/src/lib/i18n/locales/en/overtime.ftl by\n\
             // `OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-i18n` (tests on both sides fail when it\n\
             // is stale): every message id in the dotted spelling components use, so tsc checks `t(key)`.\n\n\
             export const messageKeys = [\n",
        );
        let resource = fluent_syntax::parser::parse(EN_FTL).unwrap_or_else(|(r, _)| r);
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                out.push_str(&format!("  '{}',\n", m.id.name.replace('-', ".")));
            }
        }
        out.push_str("] as const;\n\nexport type MessageKey = (typeof messageKeys)[number];\n");
        out
    }

    #[test]
    fn the_window_key_list_matches_the_english_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/i18n/keys.ts");
        let want = ui_keys();
        if std::env::var_os("OVERTIME_UPDATE_BINDINGS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/i18n/keys.ts is stale: run OVERTIME_UPDATE_BINDINGS=1 cargo test -p overtime-i18n"
        );
    }

    #[test]
    fn the_locale_picks_german_for_de_and_english_for_the_rest() {
        let cases = [
            ("de_DE.UTF-8", Language::German),
            ("de_AT", Language::German),
            ("de-CH", Language::German),
            ("DE", Language::German),
            ("de_DE@euro", Language::German),
            ("en_US.UTF-8", Language::English),
            ("fr_FR", Language::English),
            ("C", Language::English),
            ("POSIX", Language::English),
            ("", Language::English),
            ("desktop", Language::English),
        ];
        for (locale, want) in cases {
            assert_eq!(Catalogue::for_locale(locale).language(), want, "{locale}");
        }
    }

    #[test]
    fn text_fills_variables_without_isolation_marks() {
        let de = Catalogue::german();
        assert_eq!(de.text("gpu-since", &[("time", "14:05")]), "seit 14:05");
        assert_eq!(de.text("mode-idle", &[]), "Leerlauf");
        assert_eq!(
            Catalogue::english().text("override-until", &[("mode", "Idle"), ("time", "14:00")]),
            "Manual: Idle until 14:00"
        );
        assert!(
            Catalogue::english()
                .text("settings-providers-hookHelp", &[])
                .contains("{gpu}, {uuid} and {until}")
        );
    }

    #[test]
    fn an_unknown_id_shows_itself() {
        assert_eq!(Catalogue::german().text("no-such-id", &[]), "no-such-id");
    }
}
