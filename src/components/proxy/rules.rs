//! The proxy component's rules, one file per family.

pub mod certificates;
pub mod served;
