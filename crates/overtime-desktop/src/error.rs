//! The one error type every method the window calls returns. It crosses to the UI as
//! `{code, message, fields}`: a stable code to branch on, a sentence for the user that says what
//! to do, and, for rejected settings, one entry per offending field.

use serde::Serialize;
use ts_rs::TS;

/// A machine-readable error code; the UI branches on it, never on the message.
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

/// One rejected settings field: its dotted config path and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    /// Dotted path as the configuration names it, e.g. `thermal.soft_limit_c` or
    /// `thermal.gpu."GPU-1".critical_limit_c`.
    pub field: String,
    pub message: String,
}

/// What a command reports when it fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesktopError {
    #[error("{0}")]
    AgentUnavailable(String),
    #[error("{0}")]
    Rejected(String),
    #[error("some settings are not valid; fix the marked fields and save again")]
    InvalidSettings(Vec<FieldError>),
    #[error("{0}")]
    ConfigFile(String),
    #[error("{0}")]
    Ledger(String),
    #[error("{0}")]
    Export(String),
}

/// The serialised shape of [`DesktopError`].
#[derive(Serialize, TS)]
#[ts(rename = "CommandError")]
pub struct CommandErrorWire {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl DesktopError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DesktopError::AgentUnavailable(_) => ErrorCode::AgentUnavailable,
            DesktopError::Rejected(_) => ErrorCode::Rejected,
            DesktopError::InvalidSettings(_) => ErrorCode::InvalidSettings,
            DesktopError::ConfigFile(_) => ErrorCode::ConfigFile,
            DesktopError::Ledger(_) => ErrorCode::Ledger,
            DesktopError::Export(_) => ErrorCode::Export,
        }
    }

    /// Maps an agent command failure: a stopped agent is unavailable, anything else it said
    /// is a refusal worth showing as is.
    pub fn from_agent(message: String) -> DesktopError {
        if message.starts_with("the agent stopped") || message.starts_with("the agent has stopped")
        {
            DesktopError::AgentUnavailable(format!("{message}; restart Overtime to get it back"))
        } else {
            DesktopError::Rejected(message)
        }
    }
}

impl Serialize for DesktopError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = match self {
            DesktopError::InvalidSettings(f) => f.clone(),
            _ => Vec::new(),
        };
        CommandErrorWire {
            code: self.code(),
            message: self.to_string(),
            fields,
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
        let e = DesktopError::InvalidSettings(vec![FieldError {
            field: "thermal.soft_limit_c".into(),
            message: "must be below the critical limit".into(),
        }]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid_settings");
        assert_eq!(json["fields"][0]["field"], "thermal.soft_limit_c");
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .contains("fix the marked fields")
        );

        let json = serde_json::to_value(DesktopError::from_agent("no GPU GPU-9".into())).unwrap();
        assert_eq!(json["code"], "rejected");
        assert_eq!(json["fields"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn a_stopped_agent_is_unavailable_not_a_refusal() {
        let e = DesktopError::from_agent("the agent has stopped".into());
        assert_eq!(e.code(), ErrorCode::AgentUnavailable);
    }
}
