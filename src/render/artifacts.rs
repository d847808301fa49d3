//! The artifact table: which template renders which file, with which mode,
//! from which part of the plan. Adding an artifact kind is one row here and
//! one template under `templates/`.

use minijinja::{context, Value};

use crate::plan::Plan;

pub struct Artifact {
    /// Template id: the path under `templates/` without `.j2`.
    pub template: &'static str,
    /// Path under `out/<blueprint>/`.
    pub path: String,
    pub mode: u32,
    /// The part of the plan the template renders (`item`); it also sees
    /// `plan`. Built from per-host values that every row shares.
    pub item: Value,
}

/// A field of a template value (undefined when absent).
pub(super) fn part(v: &Value, key: &str) -> Value {
    v.get_attr(key).unwrap_or_default()
}

/// Item `i` of a sequence field of a template value.
pub(super) fn nth(v: &Value, key: &str, i: usize) -> Value {
    part(v, key).get_item_by_index(i).unwrap_or_default()
}

/// `plan_value` is `plan` as a template value; rows take their parts from
/// it, so nothing is serialized twice.
pub fn artifacts(plan: &Plan, plan_value: &Value) -> Vec<Artifact> {
    let mut out = Vec::new();
    for (h, host) in plan.hosts.iter().enumerate() {
        let host_value = nth(plan_value, "hosts", h);
        let root = format!("hosts/{}/rootfs{}", host.name, plan.project.stack_dir);
        if host.compose.is_some() {
            let item = context! { host => host_value.clone(), compose => part(&host_value, "compose") };
            out.push(Artifact {
                template: "compose/docker-compose.yml",
                path: format!("{root}/docker-compose.yml"),
                mode: 0o644,
                item: item.clone(),
            });
            out.push(Artifact {
                template: "compose/env.example",
                path: format!("{root}/.env.example"),
                mode: 0o644,
                item,
            });
        }
        if let Some(nginx) = &host.nginx {
            let nginx_value = part(&host_value, "nginx");
            let item = context! { host => host_value.clone(), nginx => nginx_value.clone() };
            out.push(Artifact {
                template: "nginx/nginx.conf",
                path: format!("{root}/nginx/nginx.conf"),
                mode: 0o644,
                item: item.clone(),
            });
            out.push(Artifact {
                template: "nginx/default.conf",
                path: format!("{root}/nginx/conf.d/00-default.conf"),
                mode: 0o644,
                item,
            });
            for (i, vhost) in nginx.vhosts.iter().enumerate() {
                out.push(Artifact {
                    template: "nginx/vhost.conf",
                    path: format!("{root}/nginx/conf.d/{}", vhost.file),
                    mode: 0o644,
                    item: context! { host => host_value.clone(), nginx => nginx_value.clone(), vhost => nth(&nginx_value, "vhosts", i) },
                });
            }
        }
        for (i, conf) in host.odoo.iter().enumerate() {
            out.push(Artifact {
                template: "odoo/odoo.conf",
                path: format!("{root}/{}", conf.template),
                mode: 0o644,
                item: context! { host => host_value.clone(), odoo => nth(&host_value, "odoo", i) },
            });
        }
        if !host.odoo.is_empty() {
            out.push(Artifact {
                template: "odoo/render-config.sh",
                path: format!("{root}/odoo/render-config.sh"),
                mode: 0o755,
                item: context! { host => host_value.clone(), odoo => part(&host_value, "odoo") },
            });
        }
        for (i, pg) in host.postgres.iter().enumerate() {
            let item = context! { host => host_value.clone(), postgres => nth(&host_value, "postgres", i) };
            out.push(Artifact {
                template: "postgres/postgresql.conf",
                path: format!("{root}/{}", pg.config_file),
                mode: 0o644,
                item: item.clone(),
            });
            out.push(Artifact {
                template: "postgres/pg_hba.conf",
                path: format!("{root}/{}", pg.hba_file),
                mode: 0o644,
                item,
            });
        }
        for (i, conf) in host.mariadb.iter().enumerate() {
            out.push(Artifact {
                template: "mariadb/gen.cnf",
                path: format!("{root}/{}", conf.config_file),
                mode: 0o644,
                item: context! { host => host_value.clone(), mariadb => nth(&host_value, "mariadb", i) },
            });
        }
        out.extend(super::ops::artifacts(plan, host, &host_value));
    }
    out.extend(super::provision::artifacts(plan, plan_value));
    // Project-level: the cost, capacity and growth report.
    let report = context! { report => part(plan_value, "report") };
    let document =
        context! { document => Value::from_serialize(crate::components::cost::plan::report::CostDocument::new(plan)) };
    for (template, file, item) in [
        ("report/cost.md", "cost.md", &report),
        ("report/cost.json", "cost.json", &document),
        ("report/index.html", "index.html", &report),
    ] {
        out.push(Artifact { template, path: format!("report/{file}"), mode: 0o644, item: item.clone() });
    }
    out
}
