//! borda: the edge agent of Brazilian payment totens and PDVs.
//!
//! The crate is a library with a thin binary (`src/main.rs`) so that tests,
//! benchmarks and fuzz targets drive the same code the daemon runs.
//! `ARCHITECTURE.md` at the repository root is the codemap; in short:
//!
//! * domain, pure (no IO): [`money`], [`documento`], [`boleto`], [`pix`],
//!   [`render`];
//! * edges: [`cli`] (the `borda` command line) and [`views`] (the JSON shapes
//!   of the public API, shared by the CLI's `--json` and the HTTP API).

pub mod boleto;
pub mod cli;
pub mod documento;
pub mod money;
pub mod pix;
pub mod render;
pub mod views;
