//! End of life of what a blueprint pins, as dated data
//! (`catalog/lifecycle.yaml`, embedded at build time and parsed once): one
//! entry per product and release cycle with the last day of support, the
//! replacement to pin instead, the address the date was read at, and whether
//! the date is written there (`verified`) or is the vendor's policy applied
//! to a release date gen did not find. `check::lifecycle` compares these
//! dates with [`crate::clock::today`]; nothing under `out/` depends on them.
//!
//! Removed Hetzner Cloud server types are not here: `catalog` marks them and
//! `check::capacity` reports them (E601).

use std::sync::OnceLock;

use serde::Deserialize;
use time::Date;

use crate::blueprint::units::Image;

const DATA: &str = include_str!("../catalog/lifecycle.yaml");

/// A product whose support gen tracks, in the vendor's own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    Postgresql,
    Nginx,
    Odoo,
    Node,
    Python,
    Ubuntu,
    Debian,
}

impl Product {
    /// The name messages use: `PostgreSQL`, `Node.js`.
    pub fn label(self) -> &'static str {
        match self {
            Product::Postgresql => "PostgreSQL",
            Product::Nginx => "nginx",
            Product::Odoo => "Odoo",
            Product::Node => "Node.js",
            Product::Python => "Python",
            Product::Ubuntu => "Ubuntu",
            Product::Debian => "Debian",
        }
    }
}

/// One release cycle and the last day it is supported.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub product: Product,
    /// `14`, `1.26`, `3.11`, `22.04`.
    pub cycle: String,
    /// The last day of support, `YYYY-MM-DD`.
    pub eol: String,
    /// What to pin instead (the hint).
    pub replacement: String,
    /// Where the date was read.
    pub source: String,
    /// `false`: the date is a policy applied to an unconfirmed release date;
    /// such an entry only warns.
    pub verified: bool,
}

impl Entry {
    /// The end of life as a date (the data is checked by a unit test).
    pub fn eol_date(&self) -> Date {
        crate::clock::parse_date(&self.eol).unwrap_or(Date::MIN)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// How many days before an end of life gen starts to warn.
    pub window_days: i64,
    pub entries: Vec<Entry>,
}

/// The embedded table.
pub fn table() -> &'static Lifecycle {
    static TABLE: OnceLock<Lifecycle> = OnceLock::new();
    TABLE.get_or_init(|| serde_yaml::from_str(DATA).expect("catalog/lifecycle.yaml parses (unit-tested)"))
}

/// The entry for a product's cycle, if gen tracks it.
pub fn find(product: Product, cycle: &str) -> Option<&'static Entry> {
    table().entries.iter().find(|e| e.product == product && e.cycle == cycle)
}

/// `major` or `major.minor` of a version's numbers, as a cycle.
fn cycle(numbers: &[u32], parts: usize) -> Option<String> {
    (numbers.len() >= parts).then(|| numbers[..parts].iter().map(u32::to_string).collect::<Vec<_>>().join("."))
}

/// The product and cycle a container image runs, when gen tracks it:
/// `postgres:14-alpine` → PostgreSQL 14, `nginx:1.26.2` → nginx 1.26,
/// `odoo:16.0` → Odoo 16, `node:18-alpine` → Node.js 18, `python:3.11-slim`
/// and any tag `python3.11…` (`tiangolo/uvicorn-gunicorn-fastapi:python3.11`)
/// → Python 3.11. A tag without the numbers (`latest`, `alpine`) floats and
/// is W420's business, not this table's.
pub fn image_cycle(image: &Image) -> Option<(Product, String)> {
    let name = image.repository().rsplit('/').next().unwrap_or_default();
    let numbers = image.version();
    let tracked = match name {
        "postgres" => Some((Product::Postgresql, 1)),
        "nginx" => Some((Product::Nginx, 2)),
        "odoo" => Some((Product::Odoo, 1)),
        "node" => Some((Product::Node, 1)),
        "python" => Some((Product::Python, 2)),
        _ => None,
    };
    if let Some((product, parts)) = tracked {
        return cycle(&numbers, parts).map(|c| (product, c));
    }
    let rest = image.tag().strip_prefix("python")?;
    let numbers: Vec<u32> = rest
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or("")
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect();
    cycle(&numbers, 2).map(|c| (Product::Python, c))
}

/// The product and cycle of a host image name (`ubuntu-24.04`, `debian-12`).
pub fn os_cycle(os: &str) -> Option<(Product, String)> {
    let (name, version) = os.split_once('-')?;
    let product = match name {
        "ubuntu" => Product::Ubuntu,
        "debian" => Product::Debian,
        _ => return None,
    };
    Some((product, version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_date_a_source_and_a_replacement() {
        let t = table();
        assert!(t.window_days > 0);
        for e in &t.entries {
            assert!(crate::clock::parse_date(&e.eol).is_some(), "{} {}: eol `{}`", e.product.label(), e.cycle, e.eol);
            assert!(!e.source.is_empty() && !e.replacement.is_empty(), "{} {}", e.product.label(), e.cycle);
        }
        let mut keys: Vec<_> = t.entries.iter().map(|e| (e.product.label(), e.cycle.as_str())).collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n, "one entry per product and cycle");
    }

    #[test]
    fn images_and_hosts_map_to_cycles() {
        let of = |s: &str| image_cycle(&Image(s.into()));
        assert_eq!(of("postgres:14-alpine"), Some((Product::Postgresql, "14".into())));
        assert_eq!(of("postgres:16.10-alpine"), Some((Product::Postgresql, "16".into())));
        assert_eq!(of("nginx:1.28.0-alpine"), Some((Product::Nginx, "1.28".into())));
        assert_eq!(of("odoo:17.0"), Some((Product::Odoo, "17".into())));
        assert_eq!(of("node:18-alpine"), Some((Product::Node, "18".into())));
        assert_eq!(of("python:3.11-slim"), Some((Product::Python, "3.11".into())));
        assert_eq!(of("tiangolo/uvicorn-gunicorn-fastapi:python3.11"), Some((Product::Python, "3.11".into())));
        assert_eq!(of("nginx:alpine"), None);
        assert_eq!(of("redis:7.2"), None);
        assert_eq!(os_cycle("ubuntu-22.04"), Some((Product::Ubuntu, "22.04".into())));
        assert_eq!(os_cycle("debian-12"), Some((Product::Debian, "12".into())));
        assert_eq!(os_cycle("rocky-9"), None);
        assert_eq!(find(Product::Postgresql, "14").map(|e| e.eol.as_str()), Some("2026-11-12"));
    }
}
