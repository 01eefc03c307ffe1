//! Adapters: each owns one outside thing and translates it into domain types.

pub mod erp;
pub mod impressora;
pub mod store;
