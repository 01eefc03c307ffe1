//! Logging set-up: `tracing` to stderr, filtered by `BORDA_LOG`
//! (`RUST_LOG` syntax, default `info`). Under systemd the journal stamps
//! time and colour is off.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls are no-ops.
pub fn init() {
    let filter = EnvFilter::try_from_env("BORDA_LOG").unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `JOURNAL_STREAM` is set by systemd when stderr goes to the journal.
    let installed = if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().with_ansi(false).try_init()
    } else {
        builder.try_init()
    };
    // Already installed (tests start several daemons in one process): keep the first.
    drop(installed);
}
