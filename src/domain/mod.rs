//! The pure domain: plain data in, plain data or a typed error out.
//!
//! Nothing below this folder does IO, reads the clock, or imports tokio,
//! reqwest, rusqlite, axum or hyper (`tests/tidy.rs` checks it). A wrong
//! digit here is lost money, so every parser is unit- and property-tested.

pub mod baixa;
pub mod boleto;
pub mod chamado;
pub mod contato;
pub mod credito;
pub mod documento;
pub mod impressao;
pub mod listas;
pub mod model;
pub mod money;
pub mod pdf;
pub mod pix;
pub mod render;
pub mod ritmo;
