//! Emit: the rendered file set goes to `out/` (atomically, per blueprint
//! tree) or is compared with it (drift).

pub mod drift;
pub mod manifest;
pub mod write;
