//! The manual controls are the agent's (`overtime_agent::control`), shared with the API and the
//! CLI; the tray and the window name them here.

pub use overtime_agent::control::*;
