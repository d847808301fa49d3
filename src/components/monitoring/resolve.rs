//! Monitoring of one host: the Prometheus, node_exporter and cAdvisor
//! containers, what Prometheus scrapes and alerts on, the health-check
//! script's thresholds and schedule, and how long logs are kept.

use serde::Serialize;

use crate::blueprint::model::{Blueprint, Host, Scheduler, WebhookKind};
use crate::blueprint::units::{Cpus, Duration, Size};
use crate::components::docker::resolve::compose::{base, health, AmountPlan, HostDir, ServicePlan};
use crate::resolve::Derived;

pub const PROMETHEUS_IMAGE: &str = "prom/prometheus:v2.53.2";
pub const NODE_EXPORTER_IMAGE: &str = "prom/node-exporter:v1.8.2";
pub const CADVISOR_IMAGE: &str = "gcr.io/cadvisor/cadvisor:v0.49.1";
/// Where backup.sh writes its metrics for node_exporter's textfile collector.
pub const TEXTFILE_DIR: &str = "/var/lib/node_exporter/textfile";
/// Certificates expiring sooner than this are reported (certbot renews at 30).
pub const CERT_DAYS: u32 = 14;

#[derive(Debug, Clone, Serialize)]
pub struct MonitoringPlan {
    pub prometheus: bool,
    pub scrape_interval: &'static str,
    /// Scrape jobs: (job, target on the compose network).
    pub jobs: Vec<(String, String)>,
    /// Prometheus keeps its own data this long.
    pub retention: Derived<String>,
    pub disk_percent: Derived<u32>,
    /// Backup age that fires `BackupTooOld`, when this host runs the backups.
    pub backup_max_age: Option<Derived<u64>>,
    pub textfile_dir: &'static str,
    /// journald `MaxRetentionSec=` in days.
    pub log_retention_days: Option<u32>,
    pub health: HealthPlan,
    /// The SLA's recovery objectives, for the runbook.
    pub sla: Option<SlaPlan>,
    /// Hosts of the same project that run the same containers (load-balanced peers).
    pub peers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlaPlan {
    pub rto: Duration,
    pub rpo: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthPlan {
    pub interval: Derived<Duration>,
    /// systemd `OnUnitActiveSec=`: `5min`.
    pub on_unit_active: String,
    /// cron fields for the same interval.
    pub cron: Derived<String>,
    pub cert_days: u32,
    pub webhook: Option<WebhookPlan>,
    pub scheduler: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebhookPlan {
    pub kind: &'static str,
    pub token_secret: String,
    pub to: String,
    pub relay: String,
}

/// Monitoring for a host that runs containers, when the blueprint asks for it.
pub fn plan(bp: &Blueprint, host: &Host, has_compose: bool) -> Option<MonitoringPlan> {
    let m = bp.monitoring.as_ref().filter(|_| has_compose)?;
    let mut jobs = vec![("prometheus".to_string(), "localhost:9090".to_string())];
    if m.node_exporter {
        jobs.push(("node".into(), "node_exporter:9100".into()));
    }
    if m.cadvisor {
        jobs.push(("cadvisor".into(), "cadvisor:8080".into()));
    }
    let backup_here = bp.backup.as_ref().is_some_and(|b| b.host == host.name);
    let backup_max_age = backup_here.then(|| match &bp.sla {
        Some(sla) => Derived::new(sla.rpo.seconds(), format!("the SLA's RPO, {}", sla.rpo)),
        None => Derived::new(86_400, "no SLA: one daily run"),
    });
    let retention = match m.log_retention_days {
        Some(d) => Derived::new(format!("{d}d"), "the blueprint's log retention"),
        None => Derived::new("15d".to_string(), "Prometheus' default"),
    };
    let disk_percent = match m.disk_alert_percent {
        Some(p) => Derived::new(p, "blueprint"),
        None => Derived::new(85, "default"),
    };
    let interval = match m.check_interval {
        Some(d) => Derived::new(d, "blueprint"),
        None => Derived::new(Duration(300), "default"),
    };
    let scheduler = match bp.backup.as_ref().and_then(|b| b.scheduler) {
        Some(Scheduler::Cron) => "cron",
        _ => "systemd",
    };
    let webhook = m.webhook.as_ref().map(|w| WebhookPlan {
        kind: match w.kind {
            WebhookKind::Telegram => "telegram",
            WebhookKind::Email => "email",
        },
        token_secret: w.token_secret.to_string(),
        to: w.to.clone().unwrap_or_default(),
        relay: w.relay.clone().unwrap_or_default(),
    });
    Some(MonitoringPlan {
        prometheus: m.prometheus,
        scrape_interval: "15s",
        jobs,
        retention,
        disk_percent,
        backup_max_age,
        textfile_dir: TEXTFILE_DIR,
        log_retention_days: m.log_retention_days,
        sla: bp.sla.as_ref().map(|s| SlaPlan { rto: s.rto, rpo: s.rpo }),
        peers: {
            let mut peers: Vec<String> = bp
                .load_balancers_of(host.name.as_str())
                .flat_map(|(_, lb)| lb.targets.iter().filter(|t| **t != host.name).map(ToString::to_string))
                .collect();
            peers.sort();
            peers.dedup();
            peers
        },
        health: HealthPlan {
            on_unit_active: format!("{}min", interval.value.seconds().div_ceil(60)),
            cron: cron_every(interval.value),
            interval,
            cert_days: CERT_DAYS,
            webhook,
            scheduler,
        },
    })
}

/// A cron schedule for "every `d`": cron steps must divide the hour or the
/// day, so other intervals round down to the nearest one that does.
pub fn cron_every(d: Duration) -> Derived<String> {
    let minutes = (d.seconds() / 60).max(1);
    if minutes < 60 {
        let step = (1..=minutes).rev().find(|s| 60 % s == 0).unwrap_or(1);
        let why = if step == minutes { "every interval".to_string() } else { format!("{d} rounded down to {step}m") };
        let field = if step == 1 { "*".to_string() } else { format!("*/{step}") };
        return Derived::new(format!("{field} * * * *"), why);
    }
    let hours = (minutes / 60).min(24);
    let step = (1..=hours).rev().find(|s| 24 % s == 0).unwrap_or(1);
    let field = if step == 1 { "*".to_string() } else { format!("*/{step}") };
    Derived::new(format!("0 {field} * * *"), format!("every {step}h"))
}

/// The caps of the monitoring containers: compose writes them, and the
/// capacity check counts them against the host like any other container.
pub const PROMETHEUS_LIMITS: (Cpus, Size) = (Cpus(1000), Size::gib(1));

/// Prometheus's web port, published on loopback only (the VPN or an SSH
/// tunnel reaches it); no container of the blueprint may take it (E203).
pub const PROMETHEUS_PORT: &str = "127.0.0.1:9090:9090";
pub const NODE_EXPORTER_LIMITS: (Cpus, Size) = (Cpus(250), Size::mib(128));
pub const CADVISOR_LIMITS: (Cpus, Size) = (Cpus(500), Size::mib(256));

/// The monitoring containers the blueprint switches on, with their caps.
pub fn containers(bp: &Blueprint) -> Vec<(&'static str, (Cpus, Size))> {
    let Some(m) = &bp.monitoring else { return Vec::new() };
    let mut out = Vec::new();
    if m.prometheus {
        out.push(("prometheus", PROMETHEUS_LIMITS));
    }
    if m.node_exporter {
        out.push(("node_exporter", NODE_EXPORTER_LIMITS));
    }
    if m.cadvisor {
        out.push(("cadvisor", CADVISOR_LIMITS));
    }
    out
}

/// A monitoring container with a memory and CPU cap, so a metrics spike
/// cannot starve the services it watches.
fn service(name: &str, image: &str, url: &str, (cpus, memory): (Cpus, Size)) -> ServicePlan {
    let mut s = base(name, image, health(crate::components::docker::resolve::images::http_probe(image, url), "30s"));
    s.limits = Some(AmountPlan { cpus: cpus.to_string(), memory: memory.to_string() });
    s
}

/// The compose services, and the named volumes they need.
pub fn services(bp: &Blueprint, plan: &MonitoringPlan) -> (Vec<ServicePlan>, Vec<String>) {
    let Some(m) = &bp.monitoring else { return (Vec::new(), Vec::new()) };
    let mut out = Vec::new();
    let mut volumes = Vec::new();
    if m.prometheus {
        let mut s = service("prometheus", PROMETHEUS_IMAGE, "http://127.0.0.1:9090/-/healthy", PROMETHEUS_LIMITS);
        s.command = vec![
            "--config.file=/etc/prometheus/prometheus.yml".into(),
            "--storage.tsdb.path=/prometheus".into(),
            format!("--storage.tsdb.retention.time={}", plan.retention.value),
        ];
        s.volumes = vec!["./monitoring:/etc/prometheus:ro".into(), "prometheus-data:/prometheus".into()];
        s.ports = vec![PROMETHEUS_PORT.into()];
        s.note = Some("loopback only: reach it over the VPN or an SSH tunnel".into());
        volumes.push("prometheus-data".into());
        out.push(s);
    }
    if m.node_exporter {
        let mut s =
            service("node_exporter", NODE_EXPORTER_IMAGE, "http://127.0.0.1:9100/metrics", NODE_EXPORTER_LIMITS);
        s.command = vec![
            "--path.rootfs=/host".into(),
            "--collector.textfile.directory=/textfile".into(),
            // Docker's own mounts would fill the disk alerts with noise
            // (`$$` is compose's escape for a literal `$`).
            "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+)($$|/)".into(),
        ];
        s.volumes = vec!["/:/host:ro,rslave".into(), format!("{TEXTFILE_DIR}:/textfile:ro")];
        // node_exporter runs as nobody and only reads; backup.sh writes as root.
        s.dirs = vec![HostDir::new(
            TEXTFILE_DIR,
            (0, 0),
            "0755",
            "backup.sh (root) writes metrics, node_exporter (nobody) reads",
        )];
        out.push(s);
    }
    if m.cadvisor {
        let mut s = service("cadvisor", CADVISOR_IMAGE, "http://127.0.0.1:8080/healthz", CADVISOR_LIMITS);
        s.volumes = vec![
            "/:/rootfs:ro".into(),
            "/var/run:/var/run:ro".into(),
            "/sys:/sys:ro".into(),
            "/var/lib/docker/:/var/lib/docker:ro".into(),
            "/dev/disk/:/dev/disk:ro".into(),
        ];
        out.push(s);
    }
    (out, volumes)
}

#[cfg(test)]
mod tests {
    use super::cron_every;
    use crate::blueprint::units::Duration;

    #[test]
    fn cron_steps_divide_the_hour_or_day() {
        assert_eq!(cron_every(Duration(300)).value, "*/5 * * * *");
        assert_eq!(cron_every(Duration(420)).value, "*/6 * * * *");
        assert_eq!(cron_every(Duration(60)).value, "* * * * *");
        assert_eq!(cron_every(Duration(3600)).value, "0 * * * *");
        assert_eq!(cron_every(Duration(6 * 3600)).value, "0 */6 * * *");
    }
}
