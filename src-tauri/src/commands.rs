//! The one command the dashboard may call: `host_call`, which hands `{method, params}` to the
//! agent host's [`service::dispatch`](crate::service::dispatch).

use std::sync::Arc;

use serde_json::Value;
use tauri::{AppHandle, State};

use crate::error::DesktopError;
use crate::service::{self, Effect};
use crate::shell::Shell;

#[tauri::command]
pub async fn host_call(
    app: AppHandle,
    shell: State<'_, Arc<Shell>>,
    method: String,
    params: Option<Value>,
) -> Result<Value, DesktopError> {
    let (answer, effect) =
        service::dispatch(&shell, &method, params.unwrap_or(Value::Null)).await?;
    if effect == Effect::Quit {
        crate::quit(&app);
    }
    Ok(answer)
}
