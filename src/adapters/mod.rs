//! Adapters: each owns one outside thing and translates it into domain types.

pub mod breaker;
pub mod erp;
pub mod impressora;
pub mod retaguarda;
pub mod store;
