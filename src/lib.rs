//! borda: the edge agent of Brazilian payment totens and PDVs.
//!
//! The crate is a library with a thin binary (`src/main.rs`) so that tests,
//! benchmarks and fuzz targets drive the same code the daemon runs.
//! `ARCHITECTURE.md` at the repository root is the codemap; in short:
//!
//! * domain, pure (no IO): [`money`], [`documento`], [`boleto`], [`pix`],
//!   [`render`], [`pdf`], [`model`];
//! * adapters: [`store`] (the SQLite file), [`erp`] (the ISP's ERP);
//! * the totem's read-through policy: [`service`]; the baixas outbox
//!   worker: [`sync`];
//! * edges and lifecycle: [`api`], [`views`], [`cli`], [`config`],
//!   [`daemon`], [`logging`], [`outbox`] (`borda sync`), and [`demo`] (a demo ERP for `borda demo`
//!   and the tests).

pub mod api;
pub mod boleto;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod documento;
pub mod erp;
pub mod logging;
pub mod model;
pub mod money;
pub mod outbox;
pub mod pdf;
pub mod pix;
pub mod render;
pub mod service;
pub mod store;
pub mod sync;
pub mod views;
