//! `overtime secrets`: store, list and delete the Vast.ai API key and the BOINC password in the
//! OS keyring. Values come from stdin (hidden when typed at a terminal), never from the command
//! line, where they would land in shell history and in `ps`; nothing here ever prints one.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Context, bail};
use overtime_agent::secrets::{LayeredStore, SecretName, SecretSource, SecretStore};
use zeroize::Zeroizing;

/// Longest value accepted on stdin; anything longer is a file piped in by mistake.
const MAX_VALUE_BYTES: u64 = 64 * 1024;

#[derive(clap::Args)]
pub struct SecretsArgs {
    #[command(subcommand)]
    command: SecretsCommand,
}

#[derive(clap::Subcommand)]
enum SecretsCommand {
    /// Store a secret in the OS keyring. The value is read from stdin: typed (hidden) at a
    /// terminal, or piped, e.g. `printf %s "$KEY" | overtime secrets set vast-api-key`.
    Set {
        /// Which secret: vast-api-key or boinc-password.
        #[arg(value_parser = parse_name)]
        name: SecretName,
    },
    /// Show which secrets are set and where from (environment or keyring); never their values.
    Status,
    /// Remove a secret from the OS keyring.
    Delete {
        /// Which secret: vast-api-key or boinc-password.
        #[arg(value_parser = parse_name)]
        name: SecretName,
    },
}

fn parse_name(s: &str) -> Result<SecretName, overtime_agent::secrets::UnknownSecretName> {
    s.parse()
}

/// Runs `overtime secrets …` against this process's environment over the OS keyring. Blocks on
/// the keyring (fine for a one-shot command).
pub fn run(args: SecretsArgs) -> anyhow::Result<ExitCode> {
    let store = LayeredStore::from_env();
    match args.command {
        SecretsCommand::Set { name } => {
            let value = if std::io::stdin().is_terminal() {
                let typed = rpassword::prompt_password(format!(
                    "{} ({name}, input hidden): ",
                    name.label()
                ))
                .context("cannot read the value from the terminal")?;
                Zeroizing::new(typed)
            } else {
                read_value(std::io::stdin().lock())?
            };
            set(&store, name, &value).map(|lines| print_lines(&lines))?;
            Ok(ExitCode::SUCCESS)
        }
        SecretsCommand::Status => {
            let (lines, complete) = status(&store);
            print_lines(&lines);
            Ok(if complete {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        SecretsCommand::Delete { name } => {
            delete(&store, name).map(|lines| print_lines(&lines))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_lines(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}

/// The value piped on stdin: all of it, less one trailing line break (what `echo` and most
/// editors add). Empty or over [`MAX_VALUE_BYTES`] is an error.
fn read_value(input: impl Read) -> anyhow::Result<Zeroizing<String>> {
    let mut bytes = Zeroizing::new(Vec::new());
    input
        .take(MAX_VALUE_BYTES + 1)
        .read_to_end(&mut bytes)
        .context("cannot read the value from stdin")?;
    if bytes.len() as u64 > MAX_VALUE_BYTES {
        bail!(
            "the value on stdin is longer than {} KiB; pipe in just the key or password",
            MAX_VALUE_BYTES / 1024
        );
    }
    let mut text = Zeroizing::new(String::from_utf8(std::mem::take(&mut *bytes)).map_err(|e| {
        // Wipe the rejected bytes too.
        drop(Zeroizing::new(e.into_bytes()));
        anyhow::anyhow!("the value on stdin is not UTF-8 text")
    })?);
    let line_break = if text.ends_with("\r\n") {
        2
    } else if text.ends_with('\n') {
        1
    } else {
        0
    };
    let kept = text.len() - line_break;
    text.truncate(kept);
    if text.is_empty() {
        bail!(
            "nothing on stdin: type the value at the prompt, or pipe it in, e.g. \
             `printf %s \"$KEY\" | overtime secrets set NAME`"
        );
    }
    Ok(text)
}

/// Stores `value` and says where, warning when the environment variable shadows it.
fn set<S: SecretStore>(
    store: &LayeredStore<S>,
    name: SecretName,
    value: &str,
) -> anyhow::Result<Vec<String>> {
    store.set(name, value)?;
    let mut lines = vec![format!(
        "stored the {} in {}",
        name.label(),
        store.persistent().describe()
    )];
    lines.extend(env_note(store, name));
    Ok(lines)
}

/// Deletes from the keyring and says whether there was anything to delete.
fn delete<S: SecretStore>(
    store: &LayeredStore<S>,
    name: SecretName,
) -> anyhow::Result<Vec<String>> {
    let mut lines = vec![if store.delete(name)? {
        format!(
            "deleted the {} from {}",
            name.label(),
            store.persistent().describe()
        )
    } else {
        format!(
            "the {} was not in {}",
            name.label(),
            store.persistent().describe()
        )
    }];
    lines.extend(env_note(store, name));
    Ok(lines)
}

fn env_note<S: SecretStore>(store: &LayeredStore<S>, name: SecretName) -> Option<String> {
    matches!(store.env_overrides(name), Ok(true)).then(|| {
        format!(
            "note: {} is set in this environment; programs started from it use that instead of \
             the keyring",
            name.env_var()
        )
    })
}

/// One line per secret ("set (keyring)", "set (environment)", "not set", or why it could not be
/// told), then the backend; `false` when some secret's state is unknown.
fn status<S: SecretStore>(store: &LayeredStore<S>) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut first_error = None;
    for &name in SecretName::ALL {
        let state = match store.source(name) {
            Ok(Some(SecretSource::Env)) => format!("set (environment: {})", name.env_var()),
            Ok(Some(SecretSource::Keyring)) => "set (keyring)".to_owned(),
            Ok(None) => "not set".to_owned(),
            Err(e) => {
                first_error.get_or_insert(e);
                "unknown (see below)".to_owned()
            }
        };
        lines.push(format!(
            "{:<16} {state:<44} {}",
            name.as_str(),
            name.label()
        ));
    }
    lines.push(format!("store: {}", store.persistent().describe()));
    let complete = first_error.is_none();
    if let Some(e) = first_error {
        lines.push(format!("error: {e}"));
        let vars: Vec<&str> = SecretName::ALL.iter().map(|n| n.env_var()).collect();
        lines.push(format!(
            "the environment variables for each secret: {}",
            vars.join(", ")
        ));
    }
    (lines, complete)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use overtime_agent::secrets::{EnvStore, MemoryStore, Secret, SecretsError};

    const DISTINCTIVE: &str = "sk-DISTINCTIVE-cli-4471";

    fn store_with_env(pairs: &[(&str, &str)]) -> LayeredStore<MemoryStore> {
        LayeredStore::new(
            EnvStore::from_pairs(pairs.iter().copied()),
            MemoryStore::new(),
        )
    }

    #[test]
    fn piped_values_lose_one_trailing_line_break_only() {
        let table = [
            ("key\n", "key"),
            ("key\r\n", "key"),
            ("key", "key"),
            ("key\n\n", "key\n"),
            ("  spaced key  \n", "  spaced key  "),
            ("multi\nline", "multi\nline"),
            ("clé 🔑\n", "clé 🔑"),
        ];
        for (input, expected) in table {
            assert_eq!(
                read_value(input.as_bytes()).unwrap().as_str(),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn empty_oversized_or_binary_input_is_refused() {
        for input in [&b""[..], b"\n", b"\r\n", b"\xff\xfe"] {
            assert!(read_value(input).is_err(), "{input:?}");
        }
        let huge = vec![b'a'; (MAX_VALUE_BYTES + 1) as usize];
        let err = read_value(&huge[..]).unwrap_err();
        assert!(err.to_string().contains("longer than 64 KiB"), "{err}");
    }

    #[test]
    fn set_stores_in_the_keyring_layer_and_prints_no_value() {
        let store = store_with_env(&[]);
        let lines = set(&store, SecretName::VastApiKey, DISTINCTIVE).unwrap();
        assert_eq!(
            store
                .persistent()
                .get(SecretName::VastApiKey)
                .unwrap()
                .unwrap()
                .expose(),
            DISTINCTIVE
        );
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("stored the Vast.ai API key in"),
            "{lines:?}"
        );
        assert!(!lines.join("\n").contains(DISTINCTIVE));
    }

    #[test]
    fn set_warns_when_the_environment_shadows_the_keyring() {
        let store = store_with_env(&[("OVERTIME_VAST_API_KEY", "from-env")]);
        let lines = set(&store, SecretName::VastApiKey, DISTINCTIVE).unwrap();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("OVERTIME_VAST_API_KEY is set")),
            "{lines:?}"
        );
    }

    #[test]
    fn delete_says_whether_there_was_anything() {
        let store = store_with_env(&[]);
        store
            .set(SecretName::BoincRpcPassword, DISTINCTIVE)
            .unwrap();
        let first = delete(&store, SecretName::BoincRpcPassword).unwrap();
        assert!(
            first[0].starts_with("deleted the BOINC GUI RPC password"),
            "{first:?}"
        );
        let second = delete(&store, SecretName::BoincRpcPassword).unwrap();
        assert!(second[0].contains("was not in"), "{second:?}");
    }

    #[test]
    fn status_shows_set_and_source_never_values() {
        let store = store_with_env(&[("OVERTIME_BOINC_PASSWORD", "env-DISTINCTIVE-pw")]);
        store.set(SecretName::VastApiKey, DISTINCTIVE).unwrap();
        let (lines, complete) = status(&store);
        let text = lines.join("\n");
        assert!(complete);
        assert!(
            lines[0].starts_with("vast-api-key") && lines[0].contains("set (keyring)"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("boinc-password")
                && lines[1].contains("set (environment: OVERTIME_BOINC_PASSWORD)"),
            "{text}"
        );
        assert!(!text.contains("DISTINCTIVE"), "{text}");

        let empty = store_with_env(&[]);
        let (lines, _) = status(&empty);
        assert!(
            lines[0].contains("not set") && lines[1].contains("not set"),
            "{lines:?}"
        );
    }

    /// A keyring that is not there, as on a headless box.
    struct NoKeyring;

    impl SecretStore for NoKeyring {
        fn get(&self, name: SecretName) -> Result<Option<Secret>, SecretsError> {
            Err(SecretsError::NoService {
                label: name.label(),
                env_var: name.env_var(),
                detail: "no bus".to_owned(),
            })
        }
        fn set(&self, name: SecretName, _: &str) -> Result<(), SecretsError> {
            self.get(name).map(|_| ())
        }
        fn delete(&self, name: SecretName) -> Result<bool, SecretsError> {
            self.get(name).map(|_| false)
        }
        fn describe(&self) -> String {
            "no keyring".to_owned()
        }
    }

    #[test]
    fn status_without_a_keyring_reports_the_env_var_way_out_and_fails() {
        let store = LayeredStore::new(
            EnvStore::from_pairs([("OVERTIME_BOINC_PASSWORD", "x")]),
            NoKeyring,
        );
        let (lines, complete) = status(&store);
        let text = lines.join("\n");
        assert!(!complete);
        assert!(lines[0].contains("unknown"), "{text}");
        assert!(lines[1].contains("set (environment"), "{text}");
        assert!(text.contains("set OVERTIME_VAST_API_KEY"), "{text}");
        assert!(text.contains("OVERTIME_BOINC_PASSWORD"), "{text}");

        let err = set(&store, SecretName::VastApiKey, DISTINCTIVE).unwrap_err();
        let shown = format!("{err:#} {err:?}");
        assert!(shown.contains("OVERTIME_VAST_API_KEY"), "{shown}");
        assert!(!shown.contains(DISTINCTIVE), "{shown}");
    }
}
