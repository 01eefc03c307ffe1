//! The `borda` binary: everything lives in the library; see `borda::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    borda::cli::main()
}
