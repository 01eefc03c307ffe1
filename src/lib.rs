//! borda: the edge agent of Brazilian payment totens and PDVs.
//!
//! The crate is a library with a thin binary (`src/main.rs`) so that tests,
//! benchmarks and fuzz targets drive the same code the daemon runs.
//! `ARCHITECTURE.md` at the repository root is the codemap. The folders are
//! the layers:
//!
//! * [`domain`]: the pure domain (money, documents, boleto, PIX, rendering,
//!   the ERP's nouns and the baixa state machine); no IO, no async runtime;
//! * [`adapters`]: one outside thing each: [`adapters::store`] (the SQLite
//!   file) and [`adapters::erp`] (the ISP's ERP);
//! * [`service`]: the totem's use cases over the adapters: the read-through
//!   cache, recording a payment, and the outbox sync worker;
//! * [`edges`]: how the world reaches borda: the HTTP API, the CLI and the
//!   daemon's lifecycle;
//! * [`demo`]: a demo ERP, for `borda demo` and as the tests' fake upstream;
//! * [`config`], [`logging`] and [`metricas`] (the figures as one reading): plumbing every layer above the domain
//!   reads.

pub mod adapters;
pub mod config;
pub mod demo;
pub mod domain;
pub mod edges;
pub mod logging;
pub mod metricas;
pub mod service;
