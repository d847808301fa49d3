//! What Odoo adds to the resolved model beside its placement (which
//! `resolve::placement` still makes): the ports the official image serves,
//! Odoo's own defaults, the database an environment uses, and the odoo.conf
//! option table ([`options`]) with how a blueprint value is written.

pub mod options;

use options::Kind;

use crate::blueprint::model::{Application, Environment};
use crate::resolve::connections::Processes;

/// Where the image serves HTTP.
pub const HTTP_PORT: u16 = 8069;
/// Where the image's gevent (websocket) process listens when it runs workers.
pub const GEVENT_PORT: u16 = 8072;
/// `limit_time_cpu` left out: Odoo's default, in seconds.
pub const DEFAULT_LIMIT_TIME_CPU: u32 = 60;
/// `limit_time_real` left out: Odoo's default, in seconds.
pub const DEFAULT_LIMIT_TIME_REAL: u32 = 120;
/// `limit_request` left out: Odoo's default.
pub const DEFAULT_LIMIT_REQUEST: u32 = 65536;

/// A boolean as Odoo reads it: `True` or `False`.
pub(crate) fn boolean(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Where Odoo serves websockets: its gevent process when it runs workers,
/// else the threaded server on the HTTP port. odoo.conf and nginx both ask.
pub fn websocket_port(processes: &Processes) -> u16 {
    if processes.workers.value > 0 {
        GEVENT_PORT
    } else {
        HTTP_PORT
    }
}

/// The database an environment uses: the blueprint's, or `<app>_<env>`.
pub fn database(app: &Application, env: &Environment) -> String {
    env.db_name.clone().unwrap_or_else(|| format!("{}_{}", app.name, env.name))
}

/// A blueprint option value as odoo.conf text, or why it cannot be one.
pub fn option_value(kind: Kind, value: &serde_json::Value) -> Result<String, String> {
    use serde_json::Value;
    let text = match (kind, value) {
        (Kind::Bool, Value::Bool(b)) => boolean(*b).to_string(),
        (Kind::Bool, other) => return Err(format!("is a boolean; write true or false, not `{other}`")),
        (Kind::Int, Value::Number(n)) if n.is_i64() => n.to_string(),
        (Kind::Int, other) => return Err(format!("is an integer, not `{other}`")),
        (Kind::Float, Value::Number(n)) => n.to_string(),
        (Kind::Float, other) => return Err(format!("is a number, not `{other}`")),
        (Kind::Text, Value::String(s)) => s.clone(),
        (Kind::Text, Value::Number(n)) => n.to_string(),
        (Kind::Text, Value::Bool(b)) => boolean(*b).to_string(),
        (Kind::Text, other) => return Err(format!("is text, not `{other}`")),
    };
    if text.contains(['\n', '\r']) {
        return Err("must fit on one line".into());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn booleans_are_written_the_way_odoo_reads_them() {
        assert_eq!(option_value(Kind::Bool, &json!(true)).unwrap(), "True");
        assert_eq!(option_value(Kind::Bool, &json!(false)).unwrap(), "False");
        assert!(option_value(Kind::Bool, &json!("no")).is_err(), "`no` would read as true");
        assert!(option_value(Kind::Bool, &json!(0)).is_err());
    }

    #[test]
    fn values_are_typed_and_single_line() {
        assert_eq!(option_value(Kind::Int, &json!(25)).unwrap(), "25");
        assert!(option_value(Kind::Int, &json!("four")).is_err());
        assert_eq!(option_value(Kind::Text, &json!("a@b.de")).unwrap(), "a@b.de");
        assert!(option_value(Kind::Text, &json!("x\nadmin_passwd = admin")).is_err());
    }
}
