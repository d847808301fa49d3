//! The monitoring component's blueprint types: `monitoring:` (metrics,
//! health checks, log retention) and where alerts go.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::units::{Duration, SecretName};

/// Metrics, health checks and alerts on each host.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// Run Prometheus (bound to loopback). Default: `true`.
    #[serde(default = "crate::blueprint::model::yes")]
    pub prometheus: bool,
    /// Run node_exporter (host metrics). Default: `true`.
    #[serde(default = "crate::blueprint::model::yes")]
    pub node_exporter: bool,
    /// Run cAdvisor (container metrics). Default: `true`.
    #[serde(default = "crate::blueprint::model::yes")]
    pub cadvisor: bool,
    /// Disk usage in percent at which the health check and the Prometheus
    /// alert rule fire. Left out: `85`.
    #[serde(default)]
    #[schemars(example = 85)]
    pub disk_alert_percent: Option<u32>,
    /// How often the health check runs (`5m`). Left out: `5m`.
    #[serde(default)]
    #[schemars(example = &"5m")]
    pub check_interval: Option<Duration>,
    /// Days journald keeps logs (`MaxRetentionSec`) and Prometheus keeps
    /// metrics. Left out: journald's own limits and Prometheus' default, 15
    /// days.
    #[serde(default)]
    #[schemars(example = 30)]
    pub log_retention_days: Option<u32>,
    /// Where alerts go. Left out: alerts only in the journal.
    #[serde(default)]
    pub webhook: Option<Webhook>,
    /// External uptime check URL (e.g. UptimeRobot), for the reader. Left
    /// out: none.
    #[serde(default)]
    pub uptime_url: Option<String>,
}

/// Where alerts are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookKind {
    /// A Telegram bot message to a chat (Bot API `sendMessage`).
    Telegram,
    /// An e-mail through an SMTP relay.
    Email,
}

/// The alert channel.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// `telegram` or `email`.
    pub kind: WebhookKind,
    /// Bot token (Telegram) or relay password (e-mail), read from the host's env file.
    #[schemars(example = &"ALERT_TOKEN")]
    pub token_secret: SecretName,
    /// Telegram chat id, or the e-mail recipient. Left out: none.
    #[serde(default)]
    pub to: Option<String>,
    /// E-mail only: the SMTP relay URL (`smtps://mail.example.com:465`), user `alerts`.
    #[serde(default)]
    pub relay: Option<String>,
}
