//! The blueprint: the typed model (`model`), its unit types (`units`), the
//! span index that maps values back to lines (`spans`), and `load`.

pub mod load;
pub mod model;
pub mod spans;
pub mod text;
pub mod units;

pub use load::{load, LoadFailure, Loaded};
pub use model::Blueprint;
