//! One integration test binary (faster to link than one per file).

#![allow(unreachable_pub)]

mod cli;
mod common;
mod database;
mod invalid;
mod provision;
mod seeds;
mod snapshots;
mod validators;
