//! What the report's templates see: the report itself, its charts and the
//! summary a customer reads first.

pub mod charts;
pub mod report;
pub mod summary;
