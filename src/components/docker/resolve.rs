//! The Docker component's records: the compose project of a host
//! (`compose`), the engine's configuration (`engine`) and the images gen
//! knows (`images`).

pub mod compose;
pub mod engine;
pub mod images;
