//! Edges: how the world reaches borda (the HTTP API, the command line, the
//! daemon's lifecycle) and the JSON shapes both show.

pub mod api;
pub mod cli;
pub mod daemon;
pub mod doctor;
pub mod http;
pub mod json;
pub mod leitura;
pub mod local_api;
pub mod outbox;
pub mod print_test;
pub mod telemetria;
pub mod views;
