//! Secrets: every secret the artifacts reference is declared, and no value
//! that looks like a secret is written in clear.

use std::collections::BTreeSet;

use crate::blueprint::model::Blueprint;
use crate::components::docker::resolve::compose::references;
use crate::diag::Finding;

const SECRET_WORDS: [&str; 6] = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "PRIVATE_KEY"];

/// E701 when secret `name`, used at `pointer`, is not under `secrets:`.
fn require(bp: &Blueprint, name: &str, pointer: String, out: &mut Vec<Finding>) {
    if !bp.secrets.iter().any(|s| s.name.0 == name) {
        out.push(
            Finding::error("E701", pointer, format!("secret `{name}` is used but not declared"))
                .hint(format!("add `- name: {name}` with a description under `secrets:`"))
                .at_value(),
        );
    }
}

pub(super) fn check(bp: &Blueprint, out: &mut Vec<Finding>) {
    let declared: BTreeSet<&str> = bp.secrets.iter().map(|s| s.name.0.as_str()).collect();
    let require = |name: &str, pointer: String, out: &mut Vec<Finding>| {
        if !declared.contains(name) {
            require(bp, name, pointer, out);
        }
    };
    for (i, pg) in bp.postgres.iter().enumerate() {
        require(&pg.password_secret.0, format!("/postgres/{i}/password_secret"), out);
    }
    for (i, app) in bp.applications.iter().enumerate() {
        require(&app.admin_password_secret.0, format!("/applications/{i}/admin_password_secret"), out);
    }
    // Every component kind's (a service database's role, a MariaDB root).
    for secret in crate::components::secrets(bp) {
        require(&secret.name, secret.pointer, out);
    }
    for g in crate::components::guarded(bp) {
        match (g.basic_auth, g.access) {
            (Some(auth), _) => require(&auth.password_secret.0, format!("{}/basic_auth/password_secret", g.pointer), out),
            (None, crate::blueprint::model::Access::BasicAuth) => out.push(
                Finding::error("E704", format!("{}/access", g.pointer), format!("`{}` is `basic_auth` but names no login", g.name))
                    .hint("add `basic_auth: {user: NAME, password_secret: SECRET}` and declare SECRET under `secrets:`; install.sh writes the password file from .env")
                    .at_value(),
            ),
            _ => {}
        }
    }
    if let Some(off) = bp.backup.as_ref().and_then(|b| b.offsite.as_ref()) {
        require(&off.password_secret.0, "/backup/offsite/password_secret".into(), out);
    }
    if let Some(hook) = bp.monitoring.as_ref().and_then(|m| m.webhook.as_ref()) {
        require(&hook.token_secret.0, "/monitoring/webhook/token_secret".into(), out);
    }

    for (at, environment) in super::environments(bp) {
        for (key, value) in environment {
            let pointer = format!("{at}/environment/{key}");
            let refs = references(value);
            for name in &refs {
                require(name, pointer.clone(), out);
            }
            let upper = key.to_uppercase();
            if refs.is_empty() && !value.is_empty() && SECRET_WORDS.iter().any(|w| upper.contains(w)) {
                out.push(
                    Finding::error("E702", pointer, format!("`{key}` holds a secret in clear"))
                        .hint(format!("declare a secret under `secrets:` and write `{key}: ${{{key}}}`; the value goes into the host's .env"))
                        .at_value(),
                );
            } else if refs.is_empty() && value.split_whitespace().any(super::entropy::looks_random) {
                out.push(
                    Finding::error("E703", pointer, format!("`{key}` holds a value that looks like a key or token"))
                        .hint(format!("if it is a secret, declare it under `secrets:` and write `{key}: ${{NAME}}`; gen never writes one into out/"))
                        .at_value(),
                );
            }
        }
    }
}
