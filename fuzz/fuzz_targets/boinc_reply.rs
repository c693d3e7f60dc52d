//! Feeds arbitrary bytes, as a BOINC client's reply, to every public parser of the BOINC GUI RPC
//! XML. The client is a separate program the agent does not control, so no reply may panic it;
//! bytes go through the same lossy UTF-8 decoding the RPC connection uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overtime_agent::providers::boinc::xml;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Errors are rendered too: their messages are built from the reply's own text.
    let _ = xml::check_envelope(&text).map_err(|e| e.to_string());
    if let Ok(status) = xml::parse_cc_status(&text) {
        // The suspend-reason sentence is built from whatever bits the client sent.
        for reasons in [
            status.task_suspend_reason,
            status.gpu_suspend_reason,
            status.network_suspend_reason,
        ] {
            let _ = (reasons.is_suspended(), reasons.describe());
        }
    }
    if let Ok(tasks) = xml::parse_results(&text) {
        for task in &tasks {
            let _ = (task.is_executing(), task.uses_gpu());
        }
    }
    let _ = xml::parse_projects(&text).map_err(|e| e.to_string());
    let _ = xml::parse_host_info(&text).map_err(|e| e.to_string());
    let _ = xml::parse_server_version(&text).map_err(|e| e.to_string());
    let _ = xml::parse_nonce(&text).map_err(|e| e.to_string());
    let _ = xml::parse_authorized(&text).map_err(|e| e.to_string());
    let _ = xml::parse_success(&text).map_err(|e| e.to_string());
});
