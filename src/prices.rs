//! The provider's price list, as data (`catalog/hetzner-prices.yaml`,
//! embedded at build time and parsed once). Each entry carries its source,
//! date, whether that source confirms it (`verified`), tax basis, currency
//! and availability, so a report can say where every figure comes from and
//! how old it is. Storage Boxes carry their capacity and dedicated servers
//! their parts ([`Hardware`]), for the checks that compare a product with
//! the blueprint's description of it (`components::provisioning::rules::products`).
//!
//! The catalog as a whole says when it was last checked against its sources
//! (`checked`) and how old that check may get (`max_age_days`, W815).
//!
//! Rounding: unit prices keep up to four decimals (a volume costs 0.044 per
//! GB); a line's amount is quantity × unit price, rounded half up to the cent
//! once per line. Sums of lines are exact sums of cents.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize, Serializer};

use crate::blueprint::model::DiskKind;
use crate::blueprint::units::{Money, Size};

const DATA: &str = include_str!("../catalog/hetzner-prices.yaml");

/// A unit price in ten-thousandths of the currency: `0.044` = 440.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Rate(pub i64);

impl Rate {
    /// `quantity` units at this rate, rounded half up to the cent.
    pub fn times(self, quantity: u64) -> Money {
        let q = i64::try_from(quantity).unwrap_or(i64::MAX);
        Money(round_div(self.0.saturating_mul(q), 100))
    }
    /// `per_mille` thousandths of a unit at this rate (a GB as a fraction of a TB, say).
    pub fn times_fraction(self, numerator: u64, denominator: u64) -> Money {
        let n = i128::from(self.0) * i128::from(numerator);
        let d = i128::from(denominator.max(1)) * 100;
        Money(i64::try_from((2 * n + d) / (2 * d)).unwrap_or(i64::MAX))
    }
    pub fn from_money(m: Money) -> Rate {
        Rate(m.0 * 100)
    }
}

/// `a / b` rounded half up, for non-negative `a` and positive `b`.
pub fn round_div(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

impl TryFrom<String> for Rate {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || frac.len() > 4 || !digits(whole) || !digits(frac) {
            return Err(format!("`{text}` is not a price; write at most four decimals, like `0.044`"));
        }
        format!("{whole}{frac:0<4}").parse().map(Rate).map_err(|e| format!("`{text}`: {e}"))
    }
}

impl fmt::Display for Rate {
    /// At least two decimals, more only when the rate has them: `5.39`, `0.044`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 10_000;
        let frac = format!("{:04}", self.0 % 10_000);
        let frac = frac.trim_end_matches('0');
        write!(f, "{whole}.{frac:0<2}")
    }
}

impl schemars::JsonSchema for Rate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rate".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A unit price with two to four decimals: `5.39`, `0.044`.",
            "type": "string",
            "pattern": "^[0-9]+\\.[0-9]{2,4}$"
        })
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CloudServer,
    LoadBalancer,
    Volume,
    Snapshot,
    Backup,
    PrimaryIpv4,
    Traffic,
    StorageBox,
    DedicatedServer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Month,
    GbMonth,
    Tb,
    PercentOfServer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tax {
    Net,
    Gross,
}

/// One priced product. `as_of` is the date of the record `source` names;
/// `verified` is false when no stored public record states the figure (it is
/// then kept as first entered, and `source` says where to check it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    pub price: Rate,
    #[serde(default)]
    pub setup: Option<Rate>,
    pub unit: Unit,
    pub tax: Tax,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub as_of: String,
    /// An address (URL) of the record.
    pub source: String,
    pub verified: bool,
    /// Effective dates, earlier figures, derivations (gross ÷ 1.19).
    #[serde(default)]
    pub note: Option<String>,
    pub available: bool,
    #[serde(default)]
    pub replacement: Option<String>,
    /// A Storage Box's space.
    #[serde(default)]
    pub capacity: Option<Size>,
    /// A dedicated server's parts.
    #[serde(default)]
    pub hardware: Option<Hardware>,
}

/// The parts of a dedicated server as the provider lists them (its
/// server matrix, <https://www.hetzner.com/dedicated-rootserver/matrix-ax>),
/// with their own source: a price page and a spec sheet are often not the
/// same record.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hardware {
    /// CPU model: `AMD Ryzen 7 7700`.
    pub cpu: String,
    pub cores: u32,
    pub threads: u32,
    /// RAM, binary units (`64G`).
    pub memory: Size,
    pub disks: Vec<HardwareDisk>,
    pub source: String,
    pub verified: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// `count` disks of `size_gb` decimal gigabytes (10^9 bytes, as the provider
/// sells them: "1 TB NVMe" is `size_gb: 1000`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareDisk {
    pub count: u32,
    pub size_gb: u64,
    pub kind: DiskKind,
}

impl HardwareDisk {
    /// One disk's size in bytes.
    pub fn size(self) -> Size {
        Size(self.size_gb * 1_000_000_000)
    }
}

impl fmt::Display for HardwareDisk {
    /// `2 × 1 TB NVMe`, `2 × 512 GB NVMe`, `2 × 1.92 TB NVMe`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = if self.size_gb >= 1000 {
            let tb = format!("{}.{:03}", self.size_gb / 1000, self.size_gb % 1000);
            format!("{} TB", tb.trim_end_matches('0').trim_end_matches('.'))
        } else {
            format!("{} GB", self.size_gb)
        };
        let kind = match self.kind {
            DiskKind::Nvme => "NVMe",
            DiskKind::Ssd => "SSD",
            DiskKind::Hdd => "HDD",
        };
        write!(f, "{} × {size} {kind}", self.count)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The day every entry was last compared with its source, `YYYY-MM-DD`.
    pub checked: String,
    /// How many days after `checked` W815 starts to warn.
    pub max_age_days: u32,
    pub currency: String,
    pub entries: Vec<Entry>,
}

/// The embedded catalog. Its parse is tested, so the fallback never runs in a
/// released build; it keeps a bad edit from becoming a panic all the same.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_yaml::from_str(DATA).unwrap_or_else(|_| Catalog {
            checked: String::new(),
            max_age_days: 0,
            currency: "EUR".into(),
            entries: Vec::new(),
        })
    })
}

/// The entry of a product id (case-insensitive: blueprints write `AX52`).
pub fn find(id: &str) -> Option<&'static Entry> {
    catalog().entries.iter().find(|e| e.id.eq_ignore_ascii_case(id))
}

/// The first entry of a kind (for the per-GB and per-TB prices).
pub fn of_kind(kind: Kind) -> Option<&'static Entry> {
    catalog().entries.iter().find(|e| e.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_parses_and_is_complete() {
        let c: Catalog = serde_yaml::from_str(DATA).expect("catalog/hetzner-prices.yaml parses");
        assert_eq!(c.currency, "EUR");
        for kind in [
            Kind::CloudServer,
            Kind::LoadBalancer,
            Kind::Volume,
            Kind::Snapshot,
            Kind::Backup,
            Kind::PrimaryIpv4,
            Kind::Traffic,
            Kind::StorageBox,
            Kind::DedicatedServer,
        ] {
            assert!(c.entries.iter().any(|e| e.kind == kind), "no {kind:?} in the catalog");
        }
        let mut ids: Vec<&str> = c.entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), c.entries.len(), "ids are unique");
        for e in &c.entries {
            // Every removed product names a replacement that can be ordered.
            if !e.available {
                let r = e.replacement.as_deref().and_then(find).expect("replacement in the catalog");
                assert!(r.available, "{} → {}", e.id, r.id);
            }
            assert!(crate::clock::parse_date(&e.as_of).is_some(), "{}: as_of is a date", e.id);
            // A date no later than the check that recorded it.
            assert!(e.as_of <= c.checked, "{}: as_of after `checked`", e.id);
            assert!(e.source.starts_with("https://"), "{}: source is an address", e.id);
            // Boxes say how much they hold, dedicated servers what they are made of.
            assert_eq!(e.capacity.is_some(), e.kind == Kind::StorageBox, "{}: capacity", e.id);
            assert_eq!(e.hardware.is_some(), e.kind == Kind::DedicatedServer, "{}: hardware", e.id);
            if let Some(h) = &e.hardware {
                assert!(h.threads >= h.cores && h.cores > 0 && !h.disks.is_empty(), "{}: hardware", e.id);
                assert!(h.source.starts_with("https://"), "{}: hardware source", e.id);
            }
        }
        assert!(crate::clock::parse_date(&c.checked).is_some(), "`checked` is a date");
        assert!(c.max_age_days > 0);
        // The recorded 2026 changes (see the file's header).
        assert_eq!(find("cx23").unwrap().price, Rate(59_900));
        assert_eq!(find("bx31").unwrap().capacity, Some(Size::gib(10 * 1024)));
        assert_eq!(find("ax52").unwrap().hardware.as_ref().unwrap().disks[0].to_string(), "2 × 1 TB NVMe");
        // The server types that the catalog of specs knows all have a price.
        for t in crate::catalog::CLOUD_TYPES {
            assert!(find(t.name).is_some(), "no price for {}", t.name);
        }
    }

    #[test]
    fn rates_keep_fractions_of_a_cent_and_round_once_per_line() {
        let r = Rate::try_from("0.011".to_string()).unwrap();
        assert_eq!(r, Rate(110));
        assert_eq!(r.to_string(), "0.011");
        assert_eq!(Rate(53_900).to_string(), "5.39");
        assert_eq!(Rate(200_000).to_string(), "20.00");
        // 160 GB of snapshots at 0.011: 1.76 exactly; 1 GB: 0.011 rounds to 0.01.
        assert_eq!(r.times(160), Money(176));
        assert_eq!(r.times(1), Money(1));
        // 0.005 rounds half up.
        assert_eq!(Rate(50).times(1), Money(1));
        assert_eq!(Rate(440).times(1000), Money(4400));
        // 20 % of 5.49 = 1.098 → 1.10.
        assert_eq!(Rate::from_money(Money(549)).times_fraction(20, 100), Money(110));
        assert!(Rate::try_from("0.00001".to_string()).is_err());
        assert!(Rate::try_from("-1".to_string()).is_err());
    }

    #[test]
    fn disks_print_as_the_provider_sells_them() {
        let d = |count, size_gb| HardwareDisk { count, size_gb, kind: DiskKind::Nvme }.to_string();
        assert_eq!(d(2, 512), "2 × 512 GB NVMe");
        assert_eq!(d(2, 1920), "2 × 1.92 TB NVMe");
        assert_eq!(d(1, 1000), "1 × 1 TB NVMe");
    }
}
