//! What the user typed into a settings field, read into a typed value — or a field error that
//! says what to write instead. Prices stay exact decimals (never floats) and a decimal comma
//! ("0,32", as German and most of Europe write it) reads like a point.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::FieldError;
use crate::config::Problem;

/// Collects the field errors of one form while its fields are read.
#[derive(Debug, Default)]
pub struct Fields {
    pub errors: Vec<FieldError>,
}

impl Fields {
    pub fn reject(&mut self, field: impl Into<String>, problem: Problem) {
        self.errors.push(FieldError::new(field.into(), problem));
    }

    /// An exact decimal; `None` (and a field error) when it does not read.
    pub fn decimal(&mut self, field: &str, text: &str) -> Option<Decimal> {
        parse_decimal(text).map_err(|m| self.reject(field, m)).ok()
    }

    /// An exact decimal, or `None` for an empty field; `Err(())` after a field error.
    pub fn optional_decimal(&mut self, field: &str, text: &str) -> Result<Option<Decimal>, ()> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        self.decimal(field, text).map(Some).ok_or(())
    }

    /// A whole number that fits `T`; ranges beyond the type's are left to the configuration's
    /// own validation, which knows them.
    pub fn whole<T: TryFrom<u64>>(&mut self, field: &str, text: &str) -> Option<T> {
        let t = text.trim();
        let parsed = if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse::<u64>().ok().and_then(|n| T::try_from(n).ok())
        } else {
            None
        };
        if parsed.is_none() {
            let problem = if t.is_empty() {
                Problem::new("config-field-emptyWhole")
            } else if t.bytes().all(|b| b.is_ascii_digit()) {
                Problem::new("config-field-tooLarge").text("text", t)
            } else {
                Problem::new("config-field-notWhole").text("text", t)
            };
            self.reject(field, problem);
        }
        parsed
    }

    /// A measurement (not money), point or comma; `None` for an empty field, `Err(())` after a
    /// field error.
    pub fn optional_number(&mut self, field: &str, text: &str) -> Result<Option<f64>, ()> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        match parse_decimal(text) {
            Ok(d) => Ok(d.to_string().parse::<f64>().ok()),
            Err(_) => {
                self.reject(
                    field,
                    Problem::new("config-field-notANumber").text("text", text.trim()),
                );
                Err(())
            }
        }
    }
}

/// Reads `0.32`, `0,32`, `12`, `-0.05` (a sign is kept so validation can say why a negative
/// price is refused). Rejected: thousands separators, both a point and a comma, exponents,
/// anything else.
pub fn parse_decimal(text: &str) -> Result<Decimal, Problem> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let separators = digits.matches(['.', ',']).count();
    let (int_part, frac_part) = match digits.find(['.', ',']) {
        Some(at) => (&digits[..at], &digits[at + 1..]),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let readable = separators <= 1
        && all_digits(int_part)
        && all_digits(frac_part)
        && !(int_part.is_empty() && frac_part.is_empty());
    if t.is_empty() {
        return Err(Problem::new("config-price-empty"));
    }
    if !readable {
        return Err(Problem::new("config-price-notDecimal").text("text", t));
    }
    let sign = if t.starts_with('-') { "-" } else { "" };
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let normal = if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    };
    Decimal::from_str_exact(&normal)
        .or_else(|_| Decimal::from_str(&normal))
        .map_err(|_| Problem::new("config-price-tooManyDigits").text("text", t))
}

/// Splits a command line into its program and arguments: spaces separate, double quotes keep
/// spaces together, a backslash escapes the next character. Hooks run without a shell, so
/// nothing else is special.
pub fn split_command(text: &str) -> Result<Vec<String>, Problem> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(next) => current.push(next),
                    None => current.push('\\'),
                }
            }
            '"' => {
                in_word = true;
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    args.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if quoted {
        return Err(Problem::new("config-command-unclosedQuote"));
    }
    if in_word {
        args.push(current);
    }
    Ok(args)
}

/// The inverse of [`split_command`]: arguments with spaces, quotes or backslashes are quoted.
pub fn join_command(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty() && !a.contains(|c: char| c.is_whitespace() || c == '"' || c == '\\') {
                a.clone()
            } else {
                let escaped = a.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{escaped}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_with_a_point_or_a_decimal_comma_and_stay_exact() {
        let cases = [
            ("0.32", "0.32"),
            ("0,32", "0.32"),
            (" 0,3215 ", "0.3215"),
            ("12", "12"),
            (",5", "0.5"),
            ("3.", "3"),
            ("-0,05", "-0.05"),
            ("0.1000", "0.1000"),
        ];
        for (typed, want) in cases {
            assert_eq!(parse_decimal(typed).unwrap().to_string(), want, "{typed}");
        }
    }

    #[test]
    fn ambiguous_or_foreign_text_is_refused_with_what_to_write() {
        for typed in [
            "", "abc", "1.234,56", "1,234.5", "1e3", "0.3€", "--1", ".", "1 000",
        ] {
            let err = parse_decimal(typed).unwrap_err().english();
            assert!(err.contains("0.32"), "{typed}: {err}");
        }
    }

    #[test]
    fn whole_numbers_must_be_digits_that_fit_the_field() {
        let mut f = Fields::default();
        assert_eq!(f.whole::<u16>("api.port", " 47615 "), Some(47615));
        assert_eq!(f.whole::<u16>("api.port", "70000"), None);
        assert_eq!(f.whole::<u32>("electricity.rest_of_pc_w", "-5"), None);
        assert_eq!(f.whole::<u32>("electricity.rest_of_pc_w", ""), None);
        let fields: Vec<_> = f.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "api.port",
                "electricity.rest_of_pc_w",
                "electricity.rest_of_pc_w"
            ]
        );
        assert!(f.errors[0].message.contains("too large"));
        assert!(f.errors[1].message.contains("not a whole number"));
    }

    #[test]
    fn command_lines_split_like_a_shell_without_its_expansions() {
        let cases: &[(&str, &[&str])] = &[
            (
                "my-cli list --gpu {gpu} --until {until}",
                &["my-cli", "list", "--gpu", "{gpu}", "--until", "{until}"],
            ),
            (
                "\"/opt/My Market/cli\" start  $HOME",
                &["/opt/My Market/cli", "start", "$HOME"],
            ),
            ("say \"\" done", &["say", "", "done"]),
            ("a\\ b c\\\"d", &["a b", "c\"d"]),
            ("   ", &[]),
        ];
        for (line, want) in cases {
            let got = split_command(line).unwrap();
            assert_eq!(got, *want, "{line}");
            assert_eq!(split_command(&join_command(&got)).unwrap(), got, "{line}");
        }
        assert!(split_command("cli \"unclosed").is_err());
    }
}
