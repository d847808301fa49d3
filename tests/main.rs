//! One integration test binary (faster to link than one per file).

mod cli;
mod common;
mod invalid;
mod seeds;
mod snapshots;
mod validators;
