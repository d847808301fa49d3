//! What the scheduler's templates see: the scheduled jobs of a host (local
//! backup, offsite copy, health check), once for systemd and cron.

pub mod jobs;
