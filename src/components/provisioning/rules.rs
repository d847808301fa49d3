//! The provisioning component's rules, one file per family.

pub mod limits;
pub mod products;
pub mod provision;
