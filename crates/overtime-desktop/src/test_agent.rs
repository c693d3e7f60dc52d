//! Tests only: the agent's own test agent (real, on simulated GPUs, no providers).

pub use overtime_agent::testing::*;
