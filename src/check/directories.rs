//! Check E228: a directory a container keeps data in, or a static site's
//! files, that is, holds or lies in a directory that is not its own: `/`, a
//! system directory, the stack directory (configs, password files), the
//! local backups, or another container's data. nginx would serve it to the
//! internet, or install.sh would give it another owner and mode.
//!
//! Every component kind's data directories
//! ([`crate::components::data_dirs`]) are checked, so a new kind's are too.

use crate::blueprint::model::Blueprint;
use crate::components::backup::rules::backup::within;
use crate::diag::Finding;

/// Directories of the host's own system, which no container's data or
/// served files may be or lie in.
const SYSTEM_DIRS: [&str; 16] = [
    "/etc",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/boot",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/run",
    "/root",
    "/var/lib/docker",
    "/var/lib/gen",
];

/// One directory a container's data or a site's files live in.
struct Place<'a> {
    pointer: String,
    path: String,
    whose: String,
    hosts: Vec<&'a str>,
}

/// E228: a static site's files or a service's data directory that is, holds
/// or lies in a directory that is not its own: `/`, a system directory, the
/// stack directory (configs, password files), the local backups, or another
/// container's data. nginx would serve it to the internet, or install.sh
/// would give it another owner and mode.
pub(crate) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let stack = format!("/opt/{}", bp.project.name);
    let mut owned: Vec<Place> = Vec::new();
    for app in &bp.applications {
        for env in &app.environments {
            owned.push(Place {
                pointer: String::new(),
                path: env.data_dir.clone(),
                whose: format!("`{}-{}`'s data", app.name, env.name),
                hosts: app
                    .hosts()
                    .into_iter()
                    .chain(app.data_host().filter(|d| !app.runs_on(d)))
                    .map(|h| h.as_str())
                    .collect(),
            });
        }
    }
    for pg in &bp.postgres {
        owned.push(Place {
            pointer: String::new(),
            path: pg.data_dir.clone(),
            whose: format!("`{}`'s data", pg.name),
            hosts: vec![pg.host.as_str()],
        });
    }
    if let Some(b) = &bp.backup {
        owned.push(Place {
            pointer: String::new(),
            path: b.local.path.clone(),
            whose: "the local backups".into(),
            hosts: vec![b.host.as_str()],
        });
    }
    // Every component kind's, each checked against the others and everything above.
    let kinds = crate::components::data_dirs(bp);
    let checked: Vec<Place> = kinds
        .iter()
        .map(|d| Place {
            pointer: d.pointer.clone(),
            path: d.path.clone(),
            whose: d.whose.clone(),
            hosts: d.hosts.iter().map(String::as_str).collect(),
        })
        .collect();
    let overlap = |a: &str, b: &str| within(a, b) || within(b, a);
    let shares_host = |a: &Place, b: &Place| a.hosts.iter().any(|h| b.hosts.contains(h));
    for (n, c) in checked.iter().enumerate() {
        if !c.path.starts_with('/') {
            continue; // E212
        }
        let conflict = if c.path.trim_end_matches('/').is_empty() {
            Some("the whole file system".to_string())
        } else if let Some(dir) = SYSTEM_DIRS.iter().find(|d| within(&c.path, d)) {
            Some(format!("the system directory `{dir}`"))
        } else if overlap(&c.path, &stack) {
            Some(format!("the stack directory `{stack}` (configs, password files)"))
        } else {
            owned
                .iter()
                .chain(checked[..n].iter().filter(|o| o.whose != c.whose))
                .find(|o| overlap(&c.path, &o.path) && shares_host(c, o))
                .map(|o| format!("{} in `{}`", o.whose, o.path))
        };
        if let Some(conflict) = conflict {
            out.push(
                Finding::error("E228", c.pointer.clone(), format!("`{}`, {}, overlaps {conflict}", c.path, c.whose))
                    .hint("give it a directory of its own, like `/srv/<project>/<name>`: install.sh sets its owner and mode, and nginx serves a static site's directory to everyone")
                    .at_value(),
            );
        }
    }
}
