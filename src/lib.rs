//! gen: compile one typed blueprint of a self-hosted stack into every file
//! its hosts need, deterministically, and prove the files sound.
//!
//! The pipeline runs in one direction:
//!
//! | stage | module | produces |
//! |---|---|---|
//! | load | [`blueprint::load`] | `Loaded` (typed `Blueprint` + span index), or diagnostics |
//! | resolve | [`resolve`] | records every later stage reads: placement, containers, vhosts, tuning, firewall intents, backup items, cost lines |
//! | check | [`check`] | `Finding`s → `Diagnostic`s; errors stop here |
//! | plan | [`plan`] | `Plan`: per host and per file, what the templates see |
//! | render | [`render`] | `FileSet`: relative path → bytes and mode |
//! | emit | [`emit`] | `out/<blueprint>/` written atomically, or a `Drift` report |
//!
//! No stage names a later one (`tests/pipeline.rs`). `commands` wires the
//! stages to the CLI; `main.rs` only parses and exits.

pub mod blueprint;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod clock;
mod commands;
pub mod compile;
pub mod components;
mod cost_cmd;
pub mod describe;
pub mod diag;
pub mod emit;
pub mod error;
pub mod explain;
pub mod init;
pub mod lifecycle;
mod parallel;
pub mod plan;
pub mod preview;
pub mod prices;
pub mod quote;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod schema_doc;
pub mod synth;

pub use commands::run;
