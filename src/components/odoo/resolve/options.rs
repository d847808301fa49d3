//! The options Odoo 17 reads from its config file: every `dest` of
//! `odoo/tools/config.py` (17.0) plus the file-only options of its
//! `configmanager.options`. Odoo ignores unknown keys without a word, so a
//! typo like `enable_page_cache` silently does nothing; gen refuses it.

/// How Odoo parses the value, which decides how gen writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Written `True`/`False`: Odoo reads any other text, even `0`, as true.
    Bool,
    Int,
    Float,
    Text,
}

/// Whether the blueprint may set the option under `odoo.options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Free to set.
    Blueprint,
    /// gen derives it; the hint names the typed field or the reason.
    Gen(&'static str),
    /// A command-line action that Odoo does not take from a config file.
    CommandLine,
}

pub struct OdooOption {
    pub name: &'static str,
    pub kind: Kind,
    pub owner: Owner,
}

const fn opt(name: &'static str, kind: Kind) -> OdooOption {
    OdooOption { name, kind, owner: Owner::Blueprint }
}

const fn gen(name: &'static str, kind: Kind, why: &'static str) -> OdooOption {
    OdooOption { name, kind, owner: Owner::Gen(why) }
}

const fn cli(name: &'static str) -> OdooOption {
    OdooOption { name, kind: Kind::Text, owner: Owner::CommandLine }
}

use Kind::{Bool, Float, Int, Text};

const FROM_ENV: &str = "the container environment sets it (HOST, PORT, USER, PASSWORD)";

pub const OPTIONS: &[OdooOption] = &[
    gen("addons_path", Text, "gen sets it to /mnt/extra-addons; use the application's `addons`"),
    gen("admin_passwd", Text, "gen writes it from the application's `admin_password_secret`"),
    opt("csv_internal_sep", Text),
    gen("data_dir", Text, "gen sets it to /var/lib/odoo; use the environment's `data_dir`"),
    gen("db_host", Text, FROM_ENV),
    opt("db_maxconn_gevent", Int),
    gen("db_maxconn", Int, "gen derives it from the connection budget; set `odoo.db_maxconn`"),
    gen("db_name", Text, "gen sets it; use the environment's `db_name`"),
    gen("db_password", Text, FROM_ENV),
    gen("db_port", Int, FROM_ENV),
    opt("db_sslmode", Text),
    opt("db_sslrootcert", Text),
    opt("db_template", Text),
    gen("db_user", Text, FROM_ENV),
    gen("dbfilter", Text, "gen sets it to the environment's database"),
    cli("config"),
    cli("dev_mode"),
    opt("email_from", Text),
    opt("from_filter", Text),
    gen("gevent_port", Int, "gen sets it to 8072 whenever workers > 0, matching the nginx /websocket route"),
    opt("geoip_city_db", Text),
    opt("geoip_country_db", Text),
    gen("http_enable", Bool, "the container serves HTTP behind nginx"),
    gen("http_interface", Text, "the container listens on all its interfaces; compose decides what is published"),
    gen("http_port", Int, "gen sets it to 8069, the port nginx proxies to"),
    opt("import_partial", Text),
    cli("init"),
    opt("language", Text),
    gen("limit_memory_hard", Int, "set `odoo.limit_memory_hard`"),
    gen("limit_memory_soft", Int, "set `odoo.limit_memory_soft`"),
    gen("limit_request", Int, "set `odoo.limit_request`"),
    gen("limit_time_cpu", Int, "set `odoo.limit_time_cpu`"),
    gen("limit_time_real", Int, "set `odoo.limit_time_real`"),
    opt("limit_time_real_cron", Int),
    gen("list_db", Bool, "gen sets it: False outside dev"),
    cli("load_language"),
    opt("log_db", Text),
    opt("log_db_level", Text),
    opt("log_handler", Text),
    gen("log_level", Text, "set `odoo.log_level`"),
    opt("logfile", Text),
    cli("longpolling_port"),
    gen("max_cron_threads", Int, "set `odoo.max_cron_threads`"),
    opt("osv_memory_count_limit", Int),
    opt("overwrite_existing_translations", Bool),
    opt("pg_path", Text),
    opt("pidfile", Text),
    gen("proxy_mode", Bool, "gen sets it: True behind nginx"),
    cli("publisher_warranty_url"),
    opt("reportgz", Bool),
    cli("root_path"),
    cli("save"),
    opt("screencasts", Text),
    opt("screenshots", Text),
    opt("server_wide_modules", Text),
    cli("shell_interface"),
    opt("smtp_password", Text),
    opt("smtp_port", Int),
    opt("smtp_server", Text),
    opt("smtp_ssl", Bool),
    opt("smtp_ssl_certificate_filename", Text),
    opt("smtp_ssl_private_key_filename", Text),
    opt("smtp_user", Text),
    cli("stop_after_init"),
    opt("syslog", Bool),
    opt("test_enable", Bool),
    opt("test_file", Text),
    opt("test_tags", Text),
    opt("transient_age_limit", Float),
    cli("translate_in"),
    cli("translate_modules"),
    cli("translate_out"),
    opt("unaccent", Bool),
    cli("update"),
    opt("upgrade_path", Text),
    opt("websocket_keep_alive_timeout", Int),
    opt("websocket_rate_limit_burst", Int),
    opt("websocket_rate_limit_delay", Float),
    opt("without_demo", Text),
    gen("workers", Int, "set `odoo.workers`, or leave it out and gen derives it"),
    opt("x_sendfile", Bool),
];

pub fn find(name: &str) -> Option<&'static OdooOption> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// The valid option nearest to a misspelt one, for the hint.
pub fn nearest(name: &str) -> Option<&'static str> {
    OPTIONS
        .iter()
        .map(|o| (strsim::jaro_winkler(name, o.name), o.name))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_sorted_for_review() {
        let names: Vec<&str> = OPTIONS.iter().map(|o| o.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "duplicate option");
    }

    #[test]
    fn finds_options_and_suggests_the_nearest() {
        assert_eq!(find("proxy_mode").map(|o| o.kind), Some(Kind::Bool));
        assert!(find("enable_page_cache").is_none());
        assert_eq!(nearest("db_maxcon"), Some("db_maxconn"));
        assert_eq!(nearest("limit_time_real_crons"), Some("limit_time_real_cron"));
        assert_eq!(nearest("zzzz"), None);
    }
}
