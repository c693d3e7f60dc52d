//! The settings only a desktop has: start on login, and a picker of the programs running now
//! for the games list. Everything else the settings screen edits is the agent's
//! (`overtime_agent::settings`, over `overtime_core::config::edit`).

pub mod autostart;
pub mod games;
