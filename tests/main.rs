//! One integration test binary (faster to link than one per file).

#![allow(unreachable_pub)]

mod cli;
mod common;
mod invalid;
mod report;
mod seeds;
mod snapshots;
mod validators;
