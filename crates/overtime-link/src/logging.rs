//! One logging set-up for both desktop processes, so the host's and the window's lines look
//! alike in the same terminal or journal.

/// Logs to stderr at `RUST_LOG` (default `info`; an unreadable filter falls back to `info`).
/// Calling it again, or after another subscriber was installed, does nothing.
pub fn init_logging() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let env_filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
