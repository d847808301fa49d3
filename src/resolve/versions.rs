//! What each pinned program version knows, for every version-dependent
//! thing gen writes: nginx directives and parameters, postgresql.conf
//! settings and values, Odoo's config options. One table per program; the
//! plan asks it which syntax to use, check asks it whether the pinned
//! version is too old (E420), floats (W420) or has no table (W421), and
//! `tests/versions.rs` scans the rendered files of the reference blueprints
//! against it, so a template that starts writing something newer than the
//! pinned version fails there.
//!
//! Which health-check client each image variant ships is the other half of
//! "only what the image has"; that table is [`crate::components::docker::resolve::images`]
//! ([`crate::components::docker::resolve::images::clients`]), not repeated here.
//!
//! How a version is read from an image tag: [`nginx`], [`postgres`] and
//! [`odoo`] take the leading numbers of the tag (`1.28.0-alpine` → 1.28.0,
//! `16.10-alpine` → 16, `17.0` → 17). A tag that names no version (`latest`,
//! `alpine`, `stable`, `mainline`, `slim`), or too little of one (`nginx:1`)
//! floats: gen then assumes the version named in [`Assumed::why`] and says so.

use crate::blueprint::units::Image;
use crate::components::odoo::resolve::options;

/// An nginx version: major, minor, patch.
pub type NginxVersion = [u32; 3];

/// One nginx directive, or one parameter of it, that not every nginx knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NginxFeature {
    /// The directive as written first on its line (`ssl_reject_handshake`).
    pub directive: &'static str,
    /// A parameter of that directive that came later than the directive
    /// itself (`ipv6=off` of `resolver`), matched as a whole word of the
    /// line; None: the directive itself.
    pub param: Option<&'static str>,
    /// The first nginx version that has it.
    pub since: NginxVersion,
    /// The nginx version from which gen writes the other form instead
    /// (`listen … http2` gives way to `http2 on;` at 1.25.1); None: gen
    /// writes it on every version it supports.
    pub replaced_at: Option<NginxVersion>,
    /// When gen writes it, which decides whether an older nginx is an error (E420).
    pub when: When,
    /// Where the version is stated.
    pub source: &'static str,
}

/// When gen's nginx configuration contains a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// In every configuration.
    Always,
    /// Where nginx terminates TLS (a server on 443).
    Tls,
    /// Where a load balancer reaches nginx over the private network (realip).
    RealIp,
    /// Only on versions that have it: gen writes the older form below (`http2 on;`).
    NewerForm,
}

const CHANGES: &str = "nginx.org/en/CHANGES";

/// The version-dependent directives and parameters gen's nginx templates
/// (templates/nginx/*.j2) write. Sources: the `This directive appeared in
/// version …` line of each directive's page on nginx.org/en/docs, and the
/// entry in nginx.org/en/CHANGES (checked against nginx's own changelog,
/// docs/xml/nginx/changes.xml, and for `ipv6=` the commit that added it,
/// e0caf5171, first in release-1.5.8).
pub const NGINX: &[NginxFeature] = &[
    // ngx_http_v2_module: "This directive appeared in version 1.25.1";
    // CHANGES 1.25.1: the "http2" directive; the listen parameter is deprecated.
    NginxFeature {
        directive: "http2",
        param: None,
        since: [1, 25, 1],
        replaced_at: None,
        when: When::NewerForm,
        source: "nginx.org/en/docs/http/ngx_http_v2_module.html#http2",
    },
    // ngx_http_v2_module (1.9.5) replaced spdy; CHANGES 1.9.5.
    NginxFeature {
        directive: "listen",
        param: Some("http2"),
        since: [1, 9, 5],
        replaced_at: Some([1, 25, 1]),
        when: When::Tls,
        source: "nginx.org/en/docs/http/ngx_http_v2_module.html (module 1.9.5); CHANGES 1.9.5",
    },
    // CHANGES 1.19.4: the "ssl_reject_handshake" directive.
    NginxFeature {
        directive: "ssl_reject_handshake",
        param: None,
        since: [1, 19, 4],
        replaced_at: None,
        when: When::Tls,
        source: "nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_reject_handshake; CHANGES 1.19.4",
    },
    // CHANGES 1.13.0: the "TLSv1.3" parameter of the "ssl_protocols" directive.
    NginxFeature {
        directive: "ssl_protocols",
        param: Some("TLSv1.3"),
        since: [1, 13, 0],
        replaced_at: None,
        when: When::Tls,
        source: CHANGES,
    },
    // CHANGES 1.11.0: "ssl_ecdh_curve" allows a list of curves (`a:b:c`).
    NginxFeature {
        directive: "ssl_ecdh_curve",
        param: Some(":"),
        since: [1, 11, 0],
        replaced_at: None,
        when: When::Tls,
        source: "nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ecdh_curve; CHANGES 1.11.0",
    },
    // CHANGES 1.5.9: the "ssl_session_tickets" directive.
    NginxFeature {
        directive: "ssl_session_tickets",
        param: None,
        since: [1, 5, 9],
        replaced_at: None,
        when: When::Tls,
        source: CHANGES,
    },
    // CHANGES 1.5.8: IPv6 support in resolver (the `ipv6=` parameter, commit e0caf5171).
    NginxFeature {
        directive: "resolver",
        param: Some("ipv6=off"),
        since: [1, 5, 8],
        replaced_at: None,
        when: When::Always,
        source: "nginx.org/en/docs/http/ngx_http_core_module.html#resolver; CHANGES 1.5.8",
    },
    // CHANGES 1.1.9: the "valid" parameter of the "resolver" directive.
    NginxFeature {
        directive: "resolver",
        param: Some("valid="),
        since: [1, 1, 9],
        replaced_at: None,
        when: When::Always,
        source: CHANGES,
    },
    // CHANGES 1.7.5: the "always" parameter of the "add_header" directive.
    NginxFeature {
        directive: "add_header",
        param: Some("always"),
        since: [1, 7, 5],
        replaced_at: None,
        when: When::Always,
        source: "nginx.org/en/docs/http/ngx_http_headers_module.html#add_header; CHANGES 1.7.5",
    },
    // CHANGES 1.3.0: the "real_ip_recursive" directive.
    NginxFeature {
        directive: "real_ip_recursive",
        param: None,
        since: [1, 3, 0],
        replaced_at: None,
        when: When::RealIp,
        source: CHANGES,
    },
    // CHANGES 1.1.4: the "proxy_http_version" directive.
    NginxFeature {
        directive: "proxy_http_version",
        param: None,
        since: [1, 1, 4],
        replaced_at: None,
        when: When::Always,
        source: CHANGES,
    },
    // CHANGES 1.3.8: the "auto" parameter of the "worker_processes" directive.
    NginxFeature {
        directive: "worker_processes",
        param: Some("auto"),
        since: [1, 3, 8],
        replaced_at: None,
        when: When::Always,
        source: CHANGES,
    },
];

/// Directives gen writes that every nginx 1.x has (before 1.0.0, CHANGES):
/// no version check needed. A directive in the rendered files that is in
/// neither this list nor [`NGINX`] fails `tests/versions.rs`, so a new one
/// gets a version before it ships.
pub const NGINX_ANY_1X: &[&str] = &[
    "access_log",
    "allow",
    "auth_basic",
    "auth_basic_user_file",
    "client_max_body_size",
    "default_type",
    "deny",
    "error_log",
    "events",
    "expires",
    "gzip",
    "gzip_comp_level",
    "gzip_min_length",
    "gzip_proxied",
    "gzip_types",
    "gzip_vary",
    "http",
    "include",
    "keepalive_timeout",
    "location",
    "log_format",
    "map",
    "pid",
    "proxy_connect_timeout",
    "proxy_pass",
    "proxy_read_timeout",
    "proxy_redirect",
    "proxy_send_timeout",
    "proxy_set_header",
    "real_ip_header",
    "resolver_timeout",
    "return",
    "root",
    "sendfile",
    "server",
    "server_name",
    "server_tokens",
    "set",
    "set_real_ip_from",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_ciphers",
    "ssl_prefer_server_ciphers",
    "ssl_session_cache",
    "ssl_session_timeout",
    "tcp_nopush",
    "user",
    "worker_connections",
];

/// The newest nginx gen's table was written against (the stable branch of
/// the reference blueprints); what gen assumes for a floating nginx tag.
pub const NGINX_NEWEST: NginxVersion = [1, 28, 0];

/// Whether `version` knows `directive` (with `param`, when given), by [`NGINX`].
/// A directive the table does not list is taken to be in every 1.x.
pub fn nginx_has(directive: &str, param: Option<&str>, version: NginxVersion) -> bool {
    NGINX.iter().filter(|f| f.directive == directive && f.param == param).all(|f| version >= f.since)
}

/// One postgresql.conf setting gen writes and the PostgreSQL majors that know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgSetting {
    pub name: &'static str,
    /// The first release that has the setting: `[9, 4]`, `[11, 0]` (from
    /// 10 on the first number alone is the major).
    pub since: [u32; 2],
    /// Values gen writes that came later than the setting: (value, first major).
    pub values: &'static [(&'static str, u32)],
    /// The release notes (postgresql.org/docs/release/<major>.0/) or the
    /// setting's page, postgresql.org/docs/current/runtime-config-*.html.
    pub source: &'static str,
}

const fn pg(name: &'static str, since: [u32; 2], source: &'static str) -> PgSetting {
    PgSetting { name, since, values: &[], source }
}

const PG_OLD: &str = "postgresql.org/docs/9.0/runtime-config.html (in 9.0 already, before any release gen supports)";

/// Every setting gen itself writes to postgresql.conf (src/plan/postgres.rs
/// and the PGTune settings of src/components/postgres/resolve/tune.rs), with the majors that know
/// it. The blueprint's own `settings` are the operator's and not listed.
pub const POSTGRES: &[PgSetting] = &[
    pg("listen_addresses", [9, 0], PG_OLD),
    pg("port", [9, 0], PG_OLD),
    pg("superuser_reserved_connections", [9, 0], PG_OLD),
    // scram-sha-256: "Add SCRAM-SHA-256 support for password negotiation
    // and storage" (PostgreSQL 10 release notes).
    PgSetting {
        name: "password_encryption",
        since: [9, 0],
        values: &[("'scram-sha-256'", 10)],
        source: "postgresql.org/docs/release/10.0/",
    },
    pg("hba_file", [9, 0], PG_OLD),
    pg("max_connections", [9, 0], PG_OLD),
    pg("shared_buffers", [9, 0], PG_OLD),
    pg("effective_cache_size", [9, 0], PG_OLD),
    pg("maintenance_work_mem", [9, 0], PG_OLD),
    pg("checkpoint_completion_target", [9, 0], PG_OLD),
    pg("wal_buffers", [9, 0], PG_OLD),
    pg("default_statistics_target", [9, 0], PG_OLD),
    pg("random_page_cost", [9, 0], PG_OLD),
    pg("effective_io_concurrency", [9, 0], PG_OLD),
    pg("work_mem", [9, 0], PG_OLD),
    pg("autovacuum_max_workers", [9, 0], PG_OLD),
    // 9.4 release notes: huge_pages, autovacuum_work_mem, max_worker_processes (background workers).
    pg("huge_pages", [9, 4], "postgresql.org/docs/release/9.4.0/ (9.4)"),
    pg("autovacuum_work_mem", [9, 4], "postgresql.org/docs/release/9.4.0/ (9.4)"),
    pg("max_worker_processes", [9, 4], "postgresql.org/docs/release/9.4.0/ (9.4)"),
    // 9.5 release notes: min_wal_size/max_wal_size replace checkpoint_segments; wal_compression.
    pg("min_wal_size", [9, 5], "postgresql.org/docs/release/9.5.0/ (9.5)"),
    pg("max_wal_size", [9, 5], "postgresql.org/docs/release/9.5.0/ (9.5)"),
    // wal_compression is a boolean from 9.5; the lz4 and zstd methods came in 15
    // (commit 4035cd5d4 for lz4; PostgreSQL 15 release notes).
    PgSetting {
        name: "wal_compression",
        since: [9, 5],
        values: &[("lz4", 15), ("zstd", 15), ("pglz", 15)],
        source: "postgresql.org/docs/release/15.0/ (lz4, zstd); 9.5.0 (boolean)",
    },
    pg("max_parallel_workers_per_gather", [9, 6], "postgresql.org/docs/release/9.6.0/ (9.6)"),
    pg("max_parallel_workers", [10, 0], "postgresql.org/docs/release/10.0/"),
    pg("max_parallel_maintenance_workers", [11, 0], "postgresql.org/docs/release/11.0/ (parallel CREATE INDEX)"),
    pg("jit", [11, 0], "postgresql.org/docs/release/11.0/ (JIT compilation, off by default until 12)"),
];

/// The oldest PostgreSQL major gen writes a configuration for: its
/// postgresql.conf sets `password_encryption = 'scram-sha-256'` and its
/// pg_hba.conf the `scram-sha-256` method, both new in 10.
pub const POSTGRES_OLDEST: u32 = 10;

/// The newest PostgreSQL major gen knows (its data directory layout,
/// `components::postgres::resolve::compose::data_path`, and this table); what gen assumes
/// for a floating `postgres` tag, as `postgres:latest` is today.
pub const POSTGRES_NEWEST: u32 = 18;

/// Whether PostgreSQL `release` (`[16, 0]`, `[9, 6]`) knows `name = value`
/// as gen writes it, by [`POSTGRES`]. None when gen does not write `name`
/// itself (it is not in the table).
pub fn postgres_knows(name: &str, value: &str, release: [u32; 2]) -> Option<bool> {
    let s = POSTGRES.iter().find(|s| s.name == name)?;
    let value_since = s.values.iter().find(|(v, _)| *v == value).map_or(0, |(_, m)| *m);
    Some(release >= s.since && release[0] >= value_since)
}

/// One Odoo option gen writes whose existence depends on the Odoo major.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OdooSince {
    pub name: &'static str,
    pub since: u32,
    pub source: &'static str,
}

/// Options gen writes to odoo.conf that older Odoo majors do not know.
/// Every other option gen writes is in Odoo's config for as long as the
/// option tables go back ([`ODOO_TABLES`]).
pub const ODOO_SINCE: &[OdooSince] = &[
    // 16.0 odoo/tools/config.py: `--gevent-port` (dest gevent_port), with
    // `--longpolling-port` kept as "Deprecated alias to the gevent-port
    // option"; 16.0 also replaced longpolling with the /websocket route
    // that nginx proxies to that port.
    OdooSince { name: "gevent_port", since: 16, source: "github.com/odoo/odoo/blob/16.0/odoo/tools/config.py" },
];

/// The oldest Odoo major gen writes a configuration for (`gevent_port` and
/// the `/websocket` route, [`ODOO_SINCE`]).
pub const ODOO_OLDEST: u32 = 16;

/// The option table of each Odoo major gen has one for: the major and its
/// options ([`options`], from 17.0's odoo/tools/config.py).
pub const ODOO_TABLES: &[(u32, &[options::OdooOption])] = &[(17, options::OPTIONS)];

/// The Odoo major whose table gen uses for `major`: its own, or else the
/// newest table gen has (with None for "not its own").
pub fn odoo_table(major: u32) -> (u32, &'static [options::OdooOption], bool) {
    match ODOO_TABLES.iter().find(|(m, _)| *m == major) {
        Some((m, options)) => (*m, options, true),
        None => {
            let (m, options) = ODOO_TABLES.iter().max_by_key(|(m, _)| *m).copied().unwrap_or((17, &[]));
            (m, options, false)
        }
    }
}

/// The version gen takes for an image, and whether the tag pins it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumed<V> {
    pub version: V,
    /// The tag names no version, or less of one than gen's decisions key on.
    pub floating: bool,
    /// For a floating tag, what gen assumed and why, for the W420 message
    /// (`nginx 1.28.0 (the newest it knows)`); empty when pinned.
    pub why: String,
}

/// The leading numbers of a tag: `1.28.0-alpine` → [1, 28, 0], `alpine` → [].
fn numbers(image: &Image) -> Vec<u32> {
    image.version()
}

/// The nginx version of an image. gen's syntax decisions need the major and
/// the minor: with only those (`1.25-alpine`) it assumes the minor's first
/// release (`.0`), the oldest, so its syntax holds for every patch of it. A
/// tag without them floats, and gen assumes [`NGINX_NEWEST`].
pub fn nginx(image: &Image) -> Assumed<NginxVersion> {
    let n = numbers(image);
    if n.len() >= 2 {
        let version = [n[0], n[1], n.get(2).copied().unwrap_or(0)];
        return Assumed { version, floating: false, why: String::new() };
    }
    Assumed {
        version: NGINX_NEWEST,
        floating: true,
        why: format!("nginx {} (the newest it knows)", dotted(&NGINX_NEWEST)),
    }
}

/// The PostgreSQL major of an image (`16.10-alpine` → 16). A tag without
/// one floats, and gen assumes [`POSTGRES_NEWEST`].
pub fn postgres(image: &Image) -> Assumed<u32> {
    match numbers(image).first() {
        Some(&major) => Assumed { version: major, floating: false, why: String::new() },
        None => Assumed {
            version: POSTGRES_NEWEST,
            floating: true,
            why: format!("PostgreSQL {POSTGRES_NEWEST} (the newest it knows)"),
        },
    }
}

/// The Odoo major of an image (`17.0` → 17). A tag without one floats, and
/// gen assumes the newest major it has an option table for.
pub fn odoo(image: &Image) -> Assumed<u32> {
    match numbers(image).first() {
        Some(&major) => Assumed { version: major, floating: false, why: String::new() },
        None => {
            let (major, _, _) = odoo_table(u32::MAX);
            Assumed { version: major, floating: true, why: format!("Odoo {major} (the newest it has options for)") }
        }
    }
}

/// Whether any other image's tag floats: it names no version at all
/// (`latest`, `lts-alpine`, `slim`). gen's decisions about such an image
/// depend on its family only ([`crate::components::docker::resolve::images`]), but the next pull may run
/// software nobody tested.
pub fn floats(image: &Image) -> bool {
    !image.tag().bytes().any(|b| b.is_ascii_digit())
}

/// `1.28.0`.
pub fn dotted(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: &str) -> Image {
        Image(s.into())
    }

    #[test]
    fn http2_directive_needs_1_25_1() {
        assert!(!nginx_has("http2", None, [1, 22, 1]));
        assert!(!nginx_has("http2", None, [1, 25, 0]));
        assert!(nginx_has("http2", None, [1, 25, 1]));
        assert!(nginx_has("ssl_reject_handshake", None, [1, 19, 4]));
        assert!(!nginx_has("ssl_reject_handshake", None, [1, 18, 0]));
        assert!(nginx_has("resolver", Some("ipv6=off"), [1, 5, 8]));
        assert!(nginx_has("server_name", None, [1, 0, 0]));
    }

    #[test]
    fn tags_pin_or_float() {
        assert_eq!(nginx(&image("nginx:1.28.0-alpine")).version, [1, 28, 0]);
        assert_eq!(nginx(&image("nginx:1.25-alpine")).version, [1, 25, 0]);
        for floating in ["nginx:alpine", "nginx:latest", "nginx:1", "nginx:mainline", "nginx:stable-alpine"] {
            let a = nginx(&image(floating));
            assert!(a.floating, "{floating}");
            assert_eq!(a.version, NGINX_NEWEST);
        }
        assert_eq!(postgres(&image("postgres:16.10-alpine")).version, 16);
        assert!(!postgres(&image("postgres:16")).floating);
        assert_eq!(postgres(&image("postgres:alpine")).version, POSTGRES_NEWEST);
        assert_eq!(odoo(&image("odoo:17.0")).version, 17);
        let latest = odoo(&image("odoo:latest"));
        assert!(latest.floating);
        assert_eq!(latest.version, 17);
        assert!(floats(&image("node:lts-alpine")));
        assert!(!floats(&image("node:22-alpine")));
        assert!(!floats(&image("tiangolo/uvicorn-gunicorn-fastapi:python3.11")));
    }

    #[test]
    fn postgres_settings_follow_the_major() {
        assert_eq!(postgres_knows("wal_compression", "lz4", [15, 0]), Some(true));
        assert_eq!(postgres_knows("wal_compression", "lz4", [14, 0]), Some(false));
        assert_eq!(postgres_knows("wal_compression", "on", [14, 0]), Some(true));
        assert_eq!(postgres_knows("wal_compression", "on", [9, 4]), Some(false));
        assert_eq!(postgres_knows("max_parallel_maintenance_workers", "2", [10, 0]), Some(false));
        assert_eq!(postgres_knows("password_encryption", "'scram-sha-256'", [10, 0]), Some(true));
        assert_eq!(postgres_knows("password_encryption", "'scram-sha-256'", [9, 6]), Some(false));
        assert_eq!(postgres_knows("not_gens", "1", [16, 0]), None);
    }

    #[test]
    fn odoo_majors_without_a_table_use_the_newest() {
        assert_eq!(odoo_table(17).0, 17);
        assert!(odoo_table(17).2);
        let (major, options, own) = odoo_table(18);
        assert_eq!((major, own), (17, false));
        assert!(!options.is_empty());
    }

    #[test]
    fn tables_have_one_entry_per_key() {
        let mut names: Vec<&str> = POSTGRES.iter().map(|s| s.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
        let mut nginx: Vec<(&str, Option<&str>)> = NGINX.iter().map(|f| (f.directive, f.param)).collect();
        nginx.sort_unstable();
        let n = nginx.len();
        nginx.dedup();
        assert_eq!(n, nginx.len());
        for f in NGINX {
            assert!(f.since > [1, 0, 0], "{} belongs in NGINX_ANY_1X", f.directive);
        }
    }
}
