//! The one command the dashboard may call: `host_call`, which hands `{method, params}` to the
//! host process over the local connection and returns its answer (or its `{code, message, fields}`).

use std::sync::Arc;

use serde_json::Value;
use tauri::State;

use crate::link::HostLink;

#[tauri::command]
pub async fn host_call(
    link: State<'_, Arc<HostLink>>,
    method: String,
    params: Option<Value>,
) -> Result<Value, Value> {
    link.call(&method, params.unwrap_or(Value::Null)).await
}
