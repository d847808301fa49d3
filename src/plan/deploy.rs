//! What a changed file needs on its host once install.sh has copied it: the
//! one table of install.sh's `action_for()` (restart or reload a service,
//! sync WireGuard, restart dockerd) and of `gen plan --base`, which
//! predicts a deploy from the same rows.

use serde::Serialize;

use super::HostPlan;

/// Which files a rule covers, by their path on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathPattern {
    /// Exactly this file.
    File(String),
    /// Every file below this directory (given without its final `/`).
    Under(String),
}

impl PathPattern {
    /// Whether the file at `path` on the host is covered.
    pub fn matches(&self, path: &str) -> bool {
        match self {
            PathPattern::File(f) => path == f,
            PathPattern::Under(dir) => path.strip_prefix(dir.as_str()).is_some_and(|rest| rest.starts_with('/')),
        }
    }

    /// The pattern as a word of a shell `case` (quoted, the `*` outside).
    pub fn shell(&self) -> String {
        let quote = |s: &str| crate::quote::sh_str(s.to_string());
        match self {
            PathPattern::File(f) => quote(f),
            PathPattern::Under(dir) => format!("{}*", quote(&format!("{dir}/"))),
        }
    }
}

/// One row: the files, and the action install.sh records for them.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRule {
    pub paths: Vec<PathPattern>,
    /// install.sh's pending action: `restart odoo-prod`, `reload nginx`, …
    pub action: String,
    /// Why the files need it (a comment in install.sh, a note in the preview).
    pub why: Option<&'static str>,
    /// The paths as shell `case` patterns joined by ` | `.
    pub case: String,
}

impl ChangeRule {
    fn new(paths: Vec<PathPattern>, action: String, why: Option<&'static str>) -> Self {
        let case = paths.iter().map(PathPattern::shell).collect::<Vec<_>>().join(" | ");
        ChangeRule { paths, action, why, case }
    }
}

/// The rows of a host, in install.sh's order: the first that matches a
/// file decides (as in a shell `case`). Files no row covers take effect in
/// install.sh's steps 3 and 4, every run.
pub fn rules(host: &HostPlan, stack_dir: &str) -> Vec<ChangeRule> {
    let stack = |rel: &str| format!("{stack_dir}/{rel}");
    let mut rules = vec![ChangeRule::new(vec![PathPattern::Under("/etc/ssh".into())], "reload ssh".into(), None)];
    if let Some(docker) = &host.docker {
        rules.push(ChangeRule::new(
            vec![PathPattern::File(docker.daemon_json.into())],
            "restart docker".into(),
            Some("dockerd reads daemon.json only when it starts"),
        ));
    }
    if let Some(wg) = &host.wireguard {
        rules.push(ChangeRule::new(
            vec![PathPattern::Under("/etc/wireguard".into())],
            format!("sync {}", wg.interface),
            None,
        ));
        rules.push(ChangeRule::new(vec![PathPattern::File(wg.dns.config.clone())], "restart vpn dns".into(), None));
    }
    for conf in &host.odoo {
        rules.push(ChangeRule::new(
            vec![PathPattern::File(stack(&conf.template))],
            format!("restart {}", conf.service),
            None,
        ));
    }
    for pg in &host.postgres {
        rules.push(ChangeRule::new(
            vec![PathPattern::File(stack(&pg.config_file)), PathPattern::File(stack(&pg.hba_file))],
            format!("restart {}", pg.service),
            Some("shared_buffers and max_connections take effect only on a restart"),
        ));
    }
    for db in &host.mariadb {
        rules.push(ChangeRule::new(
            vec![PathPattern::File(stack(&db.config_file))],
            format!("restart {}", db.service),
            Some("mariadbd reads its option files only when it starts"),
        ));
    }
    if host.nginx.is_some() {
        rules.push(ChangeRule::new(vec![PathPattern::Under(stack("nginx"))], "reload nginx".into(), None));
    }
    rules
}

/// The row that decides what a changed file at `path` on the host needs.
pub fn rule_for<'a>(rules: &'a [ChangeRule], path: &str) -> Option<&'a ChangeRule> {
    rules.iter().find(|r| r.paths.iter().any(|p| p.matches(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_like_shell_case() {
        let under = PathPattern::Under("/opt/x/nginx".into());
        assert!(under.matches("/opt/x/nginx/conf.d/a.conf"));
        assert!(!under.matches("/opt/x/nginx-other/a"));
        assert!(!under.matches("/opt/x/nginx"));
        assert_eq!(under.shell(), "'/opt/x/nginx/'*");
        let file = PathPattern::File("/etc/docker/daemon.json".into());
        assert!(file.matches("/etc/docker/daemon.json"));
        assert!(!file.matches("/etc/docker/daemon.json.bak"));
        assert_eq!(file.shell(), "'/etc/docker/daemon.json'");
    }

    #[test]
    fn the_first_matching_row_decides() {
        let rows = vec![
            ChangeRule::new(vec![PathPattern::Under("/etc/ssh".into())], "reload ssh".into(), None),
            ChangeRule::new(vec![PathPattern::Under("/etc".into())], "other".into(), None),
        ];
        assert_eq!(
            rule_for(&rows, "/etc/ssh/sshd_config.d/10-gen.conf").map(|r| r.action.as_str()),
            Some("reload ssh")
        );
        assert_eq!(rule_for(&rows, "/etc/hosts").map(|r| r.action.as_str()), Some("other"));
        assert!(rule_for(&rows, "/opt/x").is_none());
    }
}
