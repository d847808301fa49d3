//! The backup component's records: each host's backup plan (`backup`) and
//! the sizes over the growth projection (`size`).

pub mod backup;
pub mod size;
