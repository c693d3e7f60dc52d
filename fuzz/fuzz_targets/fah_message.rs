//! Feeds arbitrary text, as Folding@home v8 WebSocket messages, to the protocol model: the first
//! message as a full state, the rest as change arrays applied to it, and every view read back.
//! The client is another program; nothing it sends may panic the agent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overtime_agent::providers::fah::protocol::{FahState, parse_message};

/// A small real-looking state, so change arrays have something to change.
const BASE: &str = r#"{"info":{"version":"8.3.18","mach_name":"rig","gpus":{"gpu:01:00.0":{"uuid":"GPU-1","supported":true}}},"config":{},"groups":{"":{"config":{"paused":false,"gpus":{"gpu:01:00.0":{"enabled":true}}}}},"units":[{"id":"u1","group":"","state":"RUN","paused":false,"progress":0.5,"ppd":1000,"gpus":["gpu:01:00.0"]}]}"#;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let first = parts.next().unwrap_or_default();
    let mut state = match FahState::from_full(first) {
        Ok(s) => s,
        Err(_) => match FahState::from_full(BASE) {
            Ok(s) => s,
            Err(_) => return,
        },
    };
    for line in std::iter::once(first).chain(parts) {
        if let Ok(message) = parse_message(line) {
            let _ = state.absorb(message);
        }
    }
    let _ = (state.info(), state.groups(), state.units());
});
