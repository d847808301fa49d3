//! The artifact table: which template renders which file, with which mode,
//! from which part of the plan. Adding an artifact kind is one row here and
//! one template under `templates/`.

use serde_json::{json, Value};

use crate::plan::Plan;

pub struct Artifact {
    /// Template id: the path under `templates/` without `.j2`.
    pub template: &'static str,
    /// Path under `out/<blueprint>/`.
    pub path: String,
    pub mode: u32,
    /// The part of the plan the template renders (`item`); it also sees `plan`.
    pub item: Value,
}

pub fn artifacts(plan: &Plan) -> Vec<Artifact> {
    let mut out = Vec::new();
    for host in &plan.hosts {
        let root = format!("hosts/{}/rootfs{}", host.name, plan.project.stack_dir);
        if let Some(compose) = &host.compose {
            let item = json!({ "host": host, "compose": compose });
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
            let item = json!({ "host": host, "nginx": nginx });
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
            for site in &nginx.sites {
                out.push(Artifact {
                    template: "nginx/website.conf",
                    path: format!("{root}/nginx/conf.d/{}", site.file),
                    mode: 0o644,
                    item: json!({ "host": host, "nginx": nginx, "site": site }),
                });
            }
            for env in &nginx.environments {
                out.push(Artifact {
                    template: "nginx/odoo.conf",
                    path: format!("{root}/nginx/conf.d/{}", env.file),
                    mode: 0o644,
                    item: json!({ "host": host, "nginx": nginx, "env": env }),
                });
            }
        }
    }
    // Project-level: the cost, capacity and growth report.
    let report = json!({ "report": plan.report });
    let document = json!({ "document": crate::plan::report::CostDocument::new(plan) });
    for (template, file, item) in [
        ("report/cost.md", "cost.md", &report),
        ("report/cost.json", "cost.json", &document),
        ("report/index.html", "index.html", &report),
    ] {
        out.push(Artifact { template, path: format!("report/{file}"), mode: 0o644, item: item.clone() });
    }
    out
}
