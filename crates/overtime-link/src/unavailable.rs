//! The error the window gives its UI when it cannot reach the host (it has stopped, or did not
//! answer). It has the shape of every error the host sends, `{code, message, fields}` with the
//! code `agent_unavailable`, so the UI handles both alike; a test in `overtime-desktop` holds it
//! to the host's own error type.

use serde::Serialize;
use serde_json::Value;

/// The host is gone or silent; the message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AgentUnavailable(pub String);

impl AgentUnavailable {
    /// The error as the JSON value a Tauri command returns.
    pub fn to_value(&self) -> Value {
        serde_json::json!({ "code": "agent_unavailable", "message": self.0, "fields": [] })
    }
}

impl Serialize for AgentUnavailable {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_crosses_as_code_message_and_no_fields() {
        let e = AgentUnavailable("start Overtime again".into());
        let expected =
            json!({"code": "agent_unavailable", "message": "start Overtime again", "fields": []});
        assert_eq!(serde_json::to_value(&e).unwrap(), expected);
        assert_eq!(e.to_value(), expected);
    }
}
