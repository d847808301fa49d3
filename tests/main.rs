//! One integration test binary (faster to link than one per file).

#![allow(unreachable_pub)]

mod ansible;
mod backup_live;
mod cli;
mod common;
mod database;
mod determinism;
mod editor;
mod fleet;
mod fuzz;
mod hostile;
mod invalid;
mod jinja2_peer;
mod lifecycle;
mod limits;
mod mariadb;
mod ops_validators;
mod pipeline;
mod precommit;
mod preview;
mod provision;
mod records;
mod release;
mod report;
mod report_print;
mod secrets_scan;
mod seeds;
mod snapshots;
mod validators;
mod versions;
