//! The backup component's rules, one file per family.

pub mod backup;
pub mod recovery;
pub mod space;
