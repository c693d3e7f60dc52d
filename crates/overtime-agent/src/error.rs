//! The one error every front end gets from the agent's service: the window, the tray, the
//! loopback API and the CLI. It carries a stable [`ErrorCode`] to branch on (never the message),
//! a sentence that says what happened and what to do, and, for rejected settings, one entry per
//! offending field. It crosses to the UI as `{code, message, fields}`.

use overtime_core::config::ConfigErrors;
use overtime_core::config::edit::EditError;
pub use overtime_core::config::edit::FieldError;
use serde::Serialize;
use ts_rs::TS;

use crate::config_file::ConfigFileError;

/// A machine-readable error code; front ends branch on it, never on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The agent stopped or did not answer.
    AgentUnavailable,
    /// The agent refused the command (unknown GPU, a time already past, …).
    Rejected,
    /// Settings failed validation; see `fields`.
    InvalidSettings,
    /// The configuration file could not be read or written.
    ConfigFile,
    /// The earnings history (ledger) is not kept, missing or unreadable.
    Ledger,
    /// An export file could not be written (disk full, no permission).
    Export,
}

impl ErrorCode {
    /// The code as it is written on the wire (`agent_unavailable`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::AgentUnavailable => "agent_unavailable",
            ErrorCode::Rejected => "rejected",
            ErrorCode::InvalidSettings => "invalid_settings",
            ErrorCode::ConfigFile => "config_file",
            ErrorCode::Ledger => "ledger",
            ErrorCode::Export => "export",
        }
    }
}

/// What a request to the agent reports when it fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgentError {
    /// The agent's loop has ended; nothing will answer until Overtime starts again.
    #[error("the agent has stopped; restart Overtime to get it back")]
    Stopped,
    /// The agent took the request but ended before answering it.
    #[error("the agent stopped before answering; restart Overtime to get it back")]
    StoppedBeforeAnswer,
    /// Any other reason the agent cannot be reached (the desktop's host process gone, …).
    #[error("{0}")]
    AgentUnavailable(String),
    #[error("there is no GPU {gpu}; `overtime status` lists them")]
    UnknownGpu { gpu: String },
    #[error("that time has already passed; pick a later one")]
    TimePassed,
    #[error("{0}")]
    Rejected(String),
    #[error("some settings are not valid; fix the marked fields and save again")]
    InvalidSettings(Vec<FieldError>),
    /// The configuration file on disk is not valid; the previous good one stays in force.
    #[error("{message}")]
    InvalidConfigFile {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error(
        "the agent runs on built-in defaults; there is no configuration file to reload — \
         save a setting first or start it with --config FILE"
    )]
    NoConfigFile,
    #[error("{0}")]
    ConfigFile(String),
    #[error("{0}")]
    Ledger(String),
    #[error("{0}")]
    Export(String),
}

/// The serialised shape of [`AgentError`].
#[derive(Serialize, TS)]
#[ts(rename = "CommandError")]
pub struct CommandErrorWire {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl AgentError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AgentError::Stopped
            | AgentError::StoppedBeforeAnswer
            | AgentError::AgentUnavailable(_) => ErrorCode::AgentUnavailable,
            AgentError::UnknownGpu { .. } | AgentError::TimePassed | AgentError::Rejected(_) => {
                ErrorCode::Rejected
            }
            AgentError::InvalidSettings(_) | AgentError::InvalidConfigFile { .. } => {
                ErrorCode::InvalidSettings
            }
            AgentError::NoConfigFile | AgentError::ConfigFile(_) => ErrorCode::ConfigFile,
            AgentError::Ledger(_) => ErrorCode::Ledger,
            AgentError::Export(_) => ErrorCode::Export,
        }
    }

    /// The offending fields, when settings were refused.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            AgentError::InvalidSettings(f) | AgentError::InvalidConfigFile { fields: f, .. } => f,
            _ => &[],
        }
    }

    /// Settings the validator refused, one field each.
    pub fn invalid_settings(errors: &ConfigErrors) -> AgentError {
        AgentError::InvalidSettings(errors.iter().map(FieldError::from).collect())
    }

    /// Whether the agent itself is gone (as opposed to refusing this one request).
    pub fn is_unavailable(&self) -> bool {
        self.code() == ErrorCode::AgentUnavailable
    }
}

impl From<&ConfigFileError> for AgentError {
    fn from(e: &ConfigFileError) -> AgentError {
        match e {
            ConfigFileError::Read { .. } => AgentError::ConfigFile(e.to_string()),
            ConfigFileError::Invalid(errors) => AgentError::InvalidConfigFile {
                message: e.to_string(),
                fields: errors.iter().map(FieldError::from).collect(),
            },
        }
    }
}

impl From<EditError> for AgentError {
    fn from(e: EditError) -> AgentError {
        match e {
            EditError::Invalid(fields) => AgentError::InvalidSettings(fields),
            EditError::Malformed(message) => AgentError::Rejected(message),
            EditError::NotToml(message) => AgentError::ConfigFile(message),
        }
    }
}

impl Serialize for AgentError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CommandErrorWire {
            code: self.code(),
            message: self.to_string(),
            fields: self.fields().to_vec(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_as_code_message_and_fields() {
        let e = AgentError::InvalidSettings(vec![FieldError::new(
            "thermal.soft_limit_c".into(),
            overtime_core::config::Problem::new("config-outOfRange")
                .number("value", 120.5)
                .text("min", 40)
                .text("max", 105)
                .text("unit", " °C"),
        )]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid_settings");
        assert_eq!(json["fields"][0]["field"], "thermal.soft_limit_c");
        // The window renders the problem in its language; numbers stay numbers.
        assert_eq!(json["fields"][0]["problem"]["id"], "config-outOfRange");
        assert_eq!(json["fields"][0]["problem"]["args"]["value"], 120.5);
        assert_eq!(json["fields"][0]["problem"]["args"]["min"], "40");
        assert_eq!(
            json["fields"][0]["message"],
            "120.5 is out of range; use a value from 40 to 105 °C"
        );
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .contains("fix the marked fields")
        );

        let json = serde_json::to_value(AgentError::UnknownGpu {
            gpu: "GPU-9".into(),
        })
        .unwrap();
        assert_eq!(json["code"], "rejected");
        assert_eq!(
            json["message"],
            "there is no GPU GPU-9; `overtime status` lists them"
        );
        assert_eq!(json["fields"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn a_stopped_agent_is_unavailable_not_a_refusal() {
        for e in [AgentError::Stopped, AgentError::StoppedBeforeAnswer] {
            assert_eq!(e.code(), ErrorCode::AgentUnavailable);
            assert!(e.is_unavailable());
            assert!(e.to_string().contains("restart Overtime"), "{e}");
        }
        assert!(!AgentError::TimePassed.is_unavailable());
    }

    #[test]
    fn every_code_is_written_as_serde_writes_it() {
        for code in [
            ErrorCode::AgentUnavailable,
            ErrorCode::Rejected,
            ErrorCode::InvalidSettings,
            ErrorCode::ConfigFile,
            ErrorCode::Ledger,
            ErrorCode::Export,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn an_invalid_file_on_disk_names_its_fields() {
        let errors = overtime_core::config::Config::parse("[thermal]\nsoft_limit_c = 300\n", None)
            .and_then(|c| c.validate().map(|()| c))
            .unwrap_err();
        let e = AgentError::from(&ConfigFileError::Invalid(errors));
        assert_eq!(e.code(), ErrorCode::InvalidSettings);
        assert_eq!(e.fields()[0].field, "thermal.soft_limit_c");
    }
}
