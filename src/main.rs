//! The `borda` binary: everything lives in the library; see `borda::edges::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    borda::edges::cli::main()
}
