//! Logging set-up: `tracing` to stderr, filtered by `BORDA_LOG` (`RUST_LOG` syntax, default `info`), written as
//! [`Formato::Human`] or [`Formato::Json`].
//!
//! Human logs are coloured only when stderr is a terminal (never escape codes in a file), and under systemd
//! (`JOURNAL_STREAM`) they leave the time and the colour to the journal. JSON logs are one object per line with the
//! event's fields at the top level and the current span's fields, for a log shipper. What is logged never holds a
//! customer's document or name, nor a credential: the modules log ids and counts, and the tests search the logs for
//! documents (`tests/systemd_notify.rs`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How logs are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Formato {
    /// Lines for people.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber once; later calls are no-ops.
pub fn init(formato: Formato) {
    let filter = EnvFilter::try_from_env("BORDA_LOG").unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `JOURNAL_STREAM` is set by systemd when stderr goes to the journal.
    let journal = std::env::var_os("JOURNAL_STREAM").is_some();
    let installed = match formato {
        Formato::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        Formato::Human if journal => builder.without_time().with_ansi(false).try_init(),
        Formato::Human => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
    // Already installed (tests start several daemons in one process): keep the first.
    drop(installed);
}
