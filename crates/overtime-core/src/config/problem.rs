//! What is wrong with a setting, as data: a catalogue message (`config-outOfRange`) and its
//! arguments. Each front end renders it in its user's language — the window with the Fluent
//! catalogue it bundles, the CLI and the API in English — so the same mistake reads the same
//! everywhere and no validator holds wording of its own.

use std::collections::BTreeMap;
use std::fmt;

use overtime_i18n::{Arg, Catalogue};
use serde::Serialize;
use ts_rs::TS;

/// One problem with a setting: the catalogue message that says what is wrong and what to do,
/// and the values it names.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Problem {
    /// The Fluent message id, e.g. `config-outOfRange`.
    pub id: String,
    /// The message's variables: text as the user wrote it, or numbers each language writes its
    /// own way (40,5 °C in German).
    #[ts(type = "Record<string, string | number>")]
    pub args: BTreeMap<String, ProblemArg>,
}

/// A message variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ProblemArg {
    Text(String),
    /// Finite when made by [`Problem::number`]: a value that is not (a NaN typed into the
    /// file) is kept as text, since JSON has no NaN.
    Number(f64),
}

impl Problem {
    pub fn new(id: &str) -> Problem {
        Problem {
            id: id.to_owned(),
            args: BTreeMap::new(),
        }
    }

    /// Adds a variable shown as written (`"25:00"`, a key, a port).
    pub fn text(mut self, name: &str, value: impl fmt::Display) -> Problem {
        self.args
            .insert(name.to_owned(), ProblemArg::Text(value.to_string()));
        self
    }

    /// Adds a variable each language writes as a number (a measurement such as 40.5 °C, or a
    /// weekday index a message selects its name by).
    pub fn number(mut self, name: &str, value: f64) -> Problem {
        let arg = if value.is_finite() {
            ProblemArg::Number(value)
        } else {
            ProblemArg::Text(value.to_string())
        };
        self.args.insert(name.to_owned(), arg);
        self
    }

    /// The problem in `catalogue`'s language.
    pub fn render(&self, catalogue: Catalogue) -> String {
        let args: Vec<(&str, Arg<'_>)> = self
            .args
            .iter()
            .map(|(name, value)| {
                let arg = match value {
                    ProblemArg::Text(text) => Arg::Text(text),
                    ProblemArg::Number(n) => Arg::Number(*n),
                };
                (name.as_str(), arg)
            })
            .collect();
        catalogue.text_with(&self.id, &args)
    }

    /// The problem in English, as the CLI, the API and the log write it.
    pub fn english(&self) -> String {
        self.render(Catalogue::english())
    }
}
