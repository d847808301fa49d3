//! The databases PostgreSQL's clients have on each server: the Odoo
//! environments' (each creates its own database as the server's role) and
//! the container services' (created by install.sh with their own role).

use crate::blueprint::model::Blueprint;
use crate::components::{service, ClientDatabase, DatabaseServer};

/// Every PostgreSQL server's client databases, server by server in
/// blueprint order: its Odoo environments' first (application, then
/// environment order; the database is Odoo's
/// [`crate::components::odoo::resolve::database`]), then its container
/// services'.
pub fn databases(bp: &Blueprint) -> Vec<ClientDatabase> {
    let mut out = Vec::new();
    for pg in &bp.postgres {
        let server = DatabaseServer { engine: "postgres", name: &pg.name.0, host: &pg.host.0, admin: &pg.user };
        for (a, app, e, env) in crate::resolve::connections::clients(bp, pg) {
            out.push(ClientDatabase {
                engine: server.engine,
                server: server.name.to_string(),
                host: server.host.to_string(),
                admin: server.admin.to_string(),
                name: crate::components::odoo::resolve::database(app, env),
                role: pg.user.clone(),
                password_secret: pg.password_secret.to_string(),
                client: format!("{}_{}", app.name, env.name),
                pointer: format!("/applications/{a}/environments/{e}"),
                pool: None,
                created: false,
            });
        }
        out.extend(service::resolve::databases(bp, server));
    }
    out
}
