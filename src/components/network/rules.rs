//! The network component's rules, one file per family.

pub mod availability;
pub mod network;
pub mod zones;
