//! Feeds arbitrary bytes, as a Vast.ai API reply, through the same parsing the Vast provider
//! does: the machines list, each machine, earnings days and their exact-decimal conversion, and
//! error envelopes. A remote service's reply must never panic the agent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use overtime_agent::providers::vast::wire::{
    EarningsReply, Envelope, Machine, MachinesReply, decimal_from_number, timestamp_from_unix_s,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(reply) = serde_json::from_str::<MachinesReply>(text) {
        for raw in reply.machines {
            if let Ok(m) = serde_json::from_value::<Machine>(raw) {
                let _ = m.end_date.and_then(timestamp_from_unix_s);
                let _ = m.client_end_date.and_then(timestamp_from_unix_s);
                let _ = m.listed_gpu_cost.as_ref().and_then(decimal_from_number);
            }
        }
    }
    if let Ok(reply) = serde_json::from_str::<EarningsReply>(text) {
        for day in reply.per_day {
            let _ = (decimal_from_number(&day.day), decimal_from_number(&day.gpu_earn));
        }
    }
    if let Ok(envelope) = serde_json::from_str::<Envelope>(text) {
        let _ = envelope.explanation();
    }
});
