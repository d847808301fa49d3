//! `gen plan BLUEPRINT --base GIT-REV`: what deploying the working tree's
//! blueprint will do, against the blueprint as committed at a revision.
//! Both versions compile in memory; per host, the files that differ map to
//! install.sh's actions through the plan's one table (`plan::deploy`), the
//! compose services whose definition differs are recreated by `docker
//! compose up -d`, and in infra/main.tf.json a changed ForceNew argument
//! that the servers do not ignore replaces a server (an error line).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::compile::Compiled;
use crate::components::provisioning::plan::terraform;
use crate::plan::deploy;
use crate::render::fileset::FileSet;

/// The whole prediction.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub blueprint: String,
    pub base: String,
    /// Whether the blueprint existed at the base revision (else every host is new).
    pub base_exists: bool,
    pub hosts: Vec<HostPreview>,
    /// Terraform: servers created, destroyed, replaced, resized.
    pub infra: Vec<Finding>,
    /// Error lines: a server destroyed or replaced.
    pub errors: usize,
}

/// One host's part of the deploy.
#[derive(Debug, Clone, Serialize)]
pub struct HostPreview {
    pub host: String,
    /// `new`, `removed`, `changed` or `unchanged`.
    pub status: &'static str,
    /// Files under the host's rootfs/, by their path on the host.
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// install.sh or cloud-init.yaml themselves.
    pub scripts: Vec<String>,
    /// What install.sh records for the files that differ, in its table's order.
    pub actions: Vec<Action>,
    /// Compose services created, recreated or removed by `up -d --remove-orphans`.
    pub services: Vec<ServiceChange>,
}

/// One install.sh action and the files that need it.
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub action: String,
    pub files: Vec<String>,
    pub why: Option<String>,
}

/// One compose service that `docker compose up -d` touches.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceChange {
    pub service: String,
    /// `create`, `recreate` or `remove`.
    pub change: &'static str,
}

/// One line about the provider's resources.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `error` (a server destroyed or replaced), `warning` or `info`.
    pub level: &'static str,
    pub resource: String,
    pub message: String,
}

/// Predicts the deploy from `before` (none: the blueprint is new) to `now`.
pub fn preview(blueprint: &str, base: &str, before: Option<&Compiled>, now: &Compiled) -> Preview {
    let empty = FileSet::default();
    let old_files = before.map_or(&empty, |b| &b.files);
    let mut names: Vec<&str> = now.plan.hosts.iter().map(|h| h.name.as_str()).collect();
    for h in before.iter().flat_map(|b| b.plan.hosts.iter()) {
        if !names.contains(&h.name.as_str()) {
            names.push(&h.name);
        }
    }
    let hosts = names
        .into_iter()
        .map(|name| {
            let old_host = before.is_some_and(|b| b.plan.hosts.iter().any(|h| h.name == name));
            let new_plan = now.plan.hosts.iter().find(|h| h.name == name);
            host(name, old_host, new_plan, old_files, &now.files)
        })
        .collect();
    let infra = infra(tf(old_files).as_ref(), tf(&now.files).as_ref());
    let errors = infra.iter().filter(|f| f.level == "error").count();
    Preview {
        blueprint: blueprint.to_string(),
        base: base.to_string(),
        base_exists: before.is_some(),
        hosts,
        infra,
        errors,
    }
}

/// A host's generated files under rootfs/, by their path on the host.
fn rootfs<'a>(files: &'a FileSet, host: &str) -> BTreeMap<String, &'a crate::render::fileset::File> {
    let prefix = format!("hosts/{host}/rootfs");
    files
        .files
        .iter()
        .filter_map(|(path, f)| path.strip_prefix(&prefix).filter(|p| p.starts_with('/')).map(|p| (p.to_string(), f)))
        .collect()
}

fn host(
    name: &str,
    old_host: bool,
    new_plan: Option<&crate::plan::HostPlan>,
    old_files: &FileSet,
    new_files: &FileSet,
) -> HostPreview {
    let old = rootfs(old_files, name);
    let new = rootfs(new_files, name);
    let added: Vec<String> = new.keys().filter(|p| !old.contains_key(*p)).cloned().collect();
    let removed: Vec<String> = old.keys().filter(|p| !new.contains_key(*p)).cloned().collect();
    let changed: Vec<String> =
        new.iter().filter(|(p, f)| old.get(*p).is_some_and(|o| o != *f)).map(|(p, _)| p.clone()).collect();
    let scripts: Vec<String> = ["install.sh", "cloud-init.yaml"]
        .iter()
        .filter(|s| {
            let path = format!("hosts/{name}/{s}");
            old_host && new_files.files.get(&path) != old_files.files.get(&path)
        })
        .map(|s| (*s).to_string())
        .collect();
    // install.sh records an action for each copied file that differs from
    // the host's, by the new install.sh's table.
    let mut actions: Vec<Action> = Vec::new();
    if let (Some(plan), true) = (new_plan, old_host) {
        for path in added.iter().chain(&changed) {
            let Some(rule) = deploy::rule_for(&plan.changes, path) else { continue };
            match actions.iter_mut().find(|a| a.action == rule.action) {
                Some(a) => a.files.push(path.clone()),
                None => actions.push(Action {
                    action: rule.action.clone(),
                    files: vec![path.clone()],
                    why: rule.why.map(str::to_string),
                }),
            }
        }
        let order = |a: &Action| plan.changes.iter().position(|r| r.action == a.action).unwrap_or(usize::MAX);
        actions.sort_by_key(order);
    }
    let services = if old_host && new_plan.is_some() { services(old_files, new_files, name) } else { Vec::new() };
    let status = match (old_host, new_plan.is_some()) {
        (false, _) => "new",
        (true, false) => "removed",
        (true, true) if added.is_empty() && changed.is_empty() && removed.is_empty() && scripts.is_empty() => {
            "unchanged"
        }
        (true, true) => "changed",
    };
    HostPreview { host: name.to_string(), status, added, changed, removed, scripts, actions, services }
}

/// The compose services of a host's docker-compose.yml, each as its YAML value.
fn compose_services(files: &FileSet, host: &str) -> BTreeMap<String, serde_yaml::Value> {
    let prefix = format!("hosts/{host}/rootfs/");
    let Some(file) = files.files.iter().find(|(p, _)| p.starts_with(&prefix) && p.ends_with("/docker-compose.yml"))
    else {
        return BTreeMap::new();
    };
    let Ok(doc) = serde_yaml::from_slice::<serde_yaml::Value>(&file.1.bytes) else { return BTreeMap::new() };
    doc.get("services")
        .and_then(serde_yaml::Value::as_mapping)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone()))).collect())
        .unwrap_or_default()
}

/// `docker compose up -d --remove-orphans`: a service whose definition
/// differs is recreated, a new one created, one the file no longer has
/// removed (its volumes and bind-mounted data stay).
fn services(old_files: &FileSet, new_files: &FileSet, host: &str) -> Vec<ServiceChange> {
    let old = compose_services(old_files, host);
    let new = compose_services(new_files, host);
    let mut out: Vec<ServiceChange> = new
        .iter()
        .filter_map(|(name, def)| {
            let change = match old.get(name) {
                None => "create",
                Some(o) if o != def => "recreate",
                Some(_) => return None,
            };
            Some(ServiceChange { service: name.clone(), change })
        })
        .collect();
    out.extend(
        old.keys().filter(|n| !new.contains_key(*n)).map(|n| ServiceChange { service: n.clone(), change: "remove" }),
    );
    out
}

fn tf(files: &FileSet) -> Option<serde_json::Value> {
    files.files.get("infra/main.tf.json").and_then(|f| serde_json::from_slice(&f.bytes).ok())
}

/// The servers of two versions of infra/main.tf.json: destroyed (error),
/// replaced because a ForceNew argument the new file does not ignore
/// changed (error), resized in place (warning), created, and ForceNew
/// changes the lifecycle rules keep from the existing server (info).
fn infra(old: Option<&serde_json::Value>, new: Option<&serde_json::Value>) -> Vec<Finding> {
    let servers = |tf: Option<&serde_json::Value>| {
        tf.and_then(|t| t["resource"]["hcloud_server"].as_object().cloned()).unwrap_or_default()
    };
    let (old, new) = (servers(old), servers(new));
    let mut out = Vec::new();
    let finding =
        |level, name: &str, message: String| Finding { level, resource: format!("hcloud_server.{name}"), message };
    for (name, body) in &new {
        let Some(before) = old.get(name) else {
            out.push(finding("info", name, format!("creates server {name}; cloud-init runs its first boot")));
            continue;
        };
        let ignored: Vec<&str> = body["lifecycle"]["ignore_changes"]
            .as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
            .unwrap_or_default();
        for arg in terraform::SERVER_FORCE_NEW {
            if before.get(*arg) == body.get(*arg) {
                continue;
            }
            let change = format!("{arg} {} → {}", show(before.get(*arg)), show(body.get(*arg)));
            if !ignored.contains(arg) {
                out.push(finding(
                    "error",
                    name,
                    format!("replaces server {name}: {change} cannot change in place (the hcloud provider destroys the server and its disk, then creates a new one)"),
                ));
                continue;
            }
            let note = match *arg {
                "image" => format!("server {name} keeps its image: {change} is ignored for an existing server (lifecycle); only a new server gets it; reinstalling is `terraform apply -replace=hcloud_server.{name}`"),
                "ssh_keys" | "user_data" => format!("server {name} stays: {change} is ignored for an existing server (lifecycle); install.sh's gen-admins applies admin and key changes on the host"),
                _ => format!("server {name} stays: {change} is ignored for an existing server (lifecycle)"),
            };
            out.push(finding(if *arg == "image" { "warning" } else { "info" }, name, note));
        }
        if before.get("server_type") != body.get("server_type") {
            out.push(finding(
                "warning",
                name,
                format!(
                    "resizes server {name} in place: server_type {} → {} (Terraform powers it off for the change)",
                    show(before.get("server_type")),
                    show(body.get("server_type"))
                ),
            ));
        }
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        out.push(finding("error", name, format!("destroys server {name} and its disk")));
    }
    out
}

/// A short form of a JSON value: the string itself, else compact JSON;
/// long values (user_data) by their length.
fn show(v: Option<&serde_json::Value>) -> String {
    let text = match v {
        None => return "(none)".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > 60 {
        "(changed)".into()
    } else {
        text
    }
}

/// The human-readable prediction.
pub fn text(p: &Preview) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "deploy preview: {} at {} → working tree", p.blueprint, p.base);
    if !p.base_exists {
        let _ = writeln!(s, "  the blueprint did not exist at {}: every host is new", p.base);
    }
    for h in &p.hosts {
        let _ = writeln!(s, "host {} ({})", h.host, h.status);
        match h.status {
            "new" => {
                let _ = writeln!(s, "  first boot: cloud-init, then install.sh installs {} files", h.added.len());
                continue;
            }
            "removed" => {
                let _ = writeln!(s, "  no longer in the blueprint: gen no longer deploys to it");
                continue;
            }
            "unchanged" => continue,
            _ => {}
        }
        for (mark, list) in [("+", &h.added), ("~", &h.changed), ("-", &h.removed)] {
            for f in list {
                let _ = writeln!(s, "  {mark} {f}");
            }
        }
        for script in &h.scripts {
            let note = if script == "cloud-init.yaml" {
                "first boot only; Terraform ignores it for an existing server"
            } else {
                "the new one runs"
            };
            let _ = writeln!(s, "  ~ {script} ({note})");
        }
        for a in &h.actions {
            // install.sh skips a restart or reload of a container that
            // started after its files changed (its `due`).
            let recreated = a
                .action
                .split_once(' ')
                .filter(|(verb, _)| *verb == "restart" || *verb == "reload")
                .is_some_and(|(_, svc)| h.services.iter().any(|c| c.service == svc && c.change != "remove"));
            let why = a.why.as_deref().map(|w| format!("; {w}")).unwrap_or_default();
            let covered = if recreated { "; skipped: compose recreates the container" } else { "" };
            let n = a.files.len();
            let _ = writeln!(s, "  install.sh: {} ({n} file{}{why}{covered})", a.action, if n == 1 { "" } else { "s" });
        }
        for c in &h.services {
            let what = match c.change {
                "create" => "created",
                "recreate" => "recreated (its definition changed)",
                _ => "removed (its volumes and data are kept)",
            };
            let _ = writeln!(s, "  compose: {} {what}", c.service);
        }
    }
    if !p.infra.is_empty() {
        let _ = writeln!(s, "infra/main.tf.json");
        for f in &p.infra {
            let _ = writeln!(s, "  {}: {}", f.level, f.message);
        }
    }
    let _ = writeln!(
        s,
        "{}",
        match p.errors {
            0 => "no server is replaced or destroyed".to_string(),
            1 => "1 error: a server is replaced or destroyed".to_string(),
            n => format!("{n} errors: servers are replaced or destroyed"),
        }
    );
    s
}
