//! Monitoring (`monitoring:`): Prometheus, node_exporter and cAdvisor on
//! each host, the alert rules, the health-check script with its thresholds
//! and schedule, where alerts go (Telegram or e-mail) and how long journald
//! and Prometheus keep logs and metrics.

pub mod model;
pub mod resolve;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "monitoring",
    folder: "monitoring",
    templates: &[
        "monitoring/prometheus.yml.j2",
        "monitoring/alerts.yml.j2",
        "ops/health-check.sh.j2",
        "journald/retention.conf.j2",
    ],
};
