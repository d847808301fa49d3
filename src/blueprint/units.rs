//! Value types of the blueprint that carry a unit: memory and disk sizes,
//! CPU shares, money, durations, container images, names.
//!
//! Each type parses its written form once, at load, and keeps an exact integer
//! inside, so every later sum is exact and every printed form is stable.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize, Serializer};

const KIB: u64 = 1024;
const MIB: u64 = KIB * 1024;
const GIB: u64 = MIB * 1024;
const TIB: u64 = GIB * 1024;

/// A size in bytes, written like Docker writes memory: `512M`, `2.5G`, `1T`
/// (binary units). Disk and partition sizes use the same form, so they add up
/// with each other exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize)]
#[serde(try_from = "String")]
pub struct Size(pub u64);

impl Size {
    pub const fn gib(n: u64) -> Self {
        Size(n * GIB)
    }
    pub const fn mib(n: u64) -> Self {
        Size(n * MIB)
    }
    pub fn bytes(self) -> u64 {
        self.0
    }
    pub fn saturating_sub(self, other: Size) -> Size {
        Size(self.0.saturating_sub(other.0))
    }
    /// For reasons and messages a person reads: the exact form when there is
    /// one (`8G`, `1536M`), else tenths of the largest unit it reaches, rounded
    /// half up (`1.2G` for the 1288490188 bytes that `1.2G` parses to). Never
    /// for artifacts, which need the exact bytes.
    pub fn readable(self) -> String {
        let b = self.0;
        if b < KIB || b % KIB == 0 {
            return self.to_string();
        }
        let (unit, suffix) =
            [(TIB, "T"), (GIB, "G"), (MIB, "M"), (KIB, "K")].into_iter().find(|&(u, _)| b >= u).unwrap_or((KIB, "K"));
        let tenths = (b * 10 + unit / 2) / unit;
        format!("{}.{}{suffix}", tenths / 10, tenths % 10)
    }
}

impl std::iter::Sum for Size {
    fn sum<I: Iterator<Item = Size>>(iter: I) -> Size {
        Size(iter.map(|s| s.0).sum())
    }
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, rhs: Size) -> Size {
        Size(self.0 + rhs.0)
    }
}

impl TryFrom<String> for Size {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        parse_size(&text)
            .ok_or_else(|| format!("`{text}` is not a size; write a number and a unit, like `512M`, `2.5G` or `1T`"))
    }
}

fn parse_size(text: &str) -> Option<Size> {
    let text = text.trim();
    let unit_at = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(unit_at);
    let unit = match unit {
        "K" => KIB,
        "M" => MIB,
        "G" => GIB,
        "T" => TIB,
        _ => return None,
    };
    // Decimal sizes are parsed as an exact fraction: "2.5G" = 25 × G / 10.
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let scale = 10u64.pow(u32::try_from(frac.len()).ok()?);
    let digits: u64 = format!("{whole}{frac}").parse().ok()?;
    let bytes = digits.checked_mul(unit)? / scale;
    Some(Size(bytes))
}

impl fmt::Display for Size {
    /// The shortest exact form: `8G`, `512M`, `2560M`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        for (unit, suffix) in [(TIB, "T"), (GIB, "G"), (MIB, "M"), (KIB, "K")] {
            if b >= unit && b % unit == 0 {
                return write!(f, "{}{suffix}", b / unit);
            }
        }
        write!(f, "{b}")
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Size {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A size with a binary unit (K, M, G, T), as Docker writes memory: `512M`, `2.5G`.",
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]{1,3})?[KMGT]$"
        })
    }
}

/// CPU shares in thousandths of a logical CPU, written as Docker's `cpus`: `0.5`, `2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize)]
#[serde(try_from = "f64")]
pub struct Cpus(pub u32);

impl Cpus {
    pub const fn whole(n: u32) -> Self {
        Cpus(n * 1000)
    }
    pub fn millis(self) -> u32 {
        self.0
    }
}

impl std::iter::Sum for Cpus {
    fn sum<I: Iterator<Item = Cpus>>(iter: I) -> Cpus {
        Cpus(iter.map(|c| c.0).sum())
    }
}

impl TryFrom<f64> for Cpus {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, String> {
        let millis = (value * 1000.0).round();
        if !(1.0..=1_000_000.0).contains(&millis) || (value * 1000.0 - millis).abs() > 1e-6 {
            return Err(format!(
                "`{value}` is not a CPU share; write a positive number with at most three decimals, like `0.5`"
            ));
        }
        // The range check above makes the cast exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Cpus(millis as u32))
    }
}

impl fmt::Display for Cpus {
    /// Docker's form with one decimal at least: `2.0`, `0.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole}.0")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Serialize for Cpus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Cpus {
    fn schema_name() -> Cow<'static, str> {
        "Cpus".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Logical CPUs, as Docker's `cpus`: `0.5`, `2`.",
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1000
        })
    }
}

/// An amount of money in cents. Written as a number or a string with at most
/// two decimals: `6.80`, `"12.90"`. Floats never reach arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize)]
#[serde(try_from = "MoneyText")]
pub struct Money(pub i64);

#[derive(Deserialize)]
#[serde(untagged)]
enum MoneyText {
    Number(f64),
    Text(String),
}

impl TryFrom<MoneyText> for Money {
    type Error = String;
    fn try_from(value: MoneyText) -> Result<Self, String> {
        let text = match value {
            MoneyText::Text(t) => t,
            MoneyText::Number(n) => format!("{n}"),
        };
        parse_money(&text).ok_or_else(|| {
            format!("`{text}` is not an amount of money; write it with at most two decimals, like `6.80`")
        })
    }
}

fn parse_money(text: &str) -> Option<Money> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let cents: i64 = format!("{whole}{frac:0<2}").parse().ok()?;
    Some(Money(cents))
}

impl Money {
    pub fn cents(self) -> i64 {
        self.0
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An amount of money with at most two decimals: `6.80` or `\"6.80\"`.",
            "type": ["number", "string"],
            "minimum": 0,
            "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"
        })
    }
}

/// A percentage in hundredths, written like money: `3.7`, `"9.21"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize)]
#[serde(try_from = "MoneyText")]
pub struct Percent(pub i64);

impl TryFrom<MoneyText> for Percent {
    type Error = String;
    fn try_from(value: MoneyText) -> Result<Self, String> {
        Money::try_from(value)
            .map(|m| Percent(m.0))
            .map_err(|_| "not a percentage; write it with at most two decimals, like `3.7`".to_string())
    }
}

impl fmt::Display for Percent {
    /// One decimal unless the second is needed: `3.7`, `9.21`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Money(self.0).to_string();
        f.write_str(if self.0 % 10 == 0 { &text[..text.len() - 1] } else { &text })
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage with at most two decimals: `3.7`.",
            "type": ["number", "string"],
            "minimum": 0,
            "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"
        })
    }
}

/// A duration written with one unit: `30s`, `15m`, `8h`, `7d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Deserialize)]
#[serde(try_from = "String")]
pub struct Duration(pub u64);

impl Duration {
    pub fn seconds(self) -> u64 {
        self.0
    }
}

impl TryFrom<String> for Duration {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a duration; write a number and one of s, m, h, d, like `15m`");
        let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (n, unit) = text.split_at(unit_at);
        let n: u64 = n.parse().map_err(|_| bad())?;
        let factor = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        n.checked_mul(factor).map(Duration).ok_or_else(bad)
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides exactly: `90s`, `15m`, `8h`, `7d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        for (unit, suffix) in [(86_400, "d"), (3600, "h"), (60, "m")] {
            if s >= unit && s % unit == 0 {
                return write!(f, "{}{suffix}", s / unit);
            }
        }
        write!(f, "{s}s")
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration with one unit: `30s`, `15m`, `8h`, `7d`.",
            "type": "string",
            "pattern": "^[0-9]+[smhd]$"
        })
    }
}

/// A container image reference `repository:tag`. The tag is required and may
/// not be `latest`: a floating tag makes two builds of the same `out/` run
/// different software.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Image(#[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"))] pub String);

impl Image {
    pub fn repository(&self) -> &str {
        self.0.rsplit_once(':').map_or(self.0.as_str(), |(r, _)| r)
    }
    pub fn tag(&self) -> &str {
        self.0.rsplit_once(':').map_or("", |(_, t)| t)
    }
    /// The leading `major.minor.patch` numbers of the tag: `1.28.0-alpine` → [1, 28, 0].
    pub fn version(&self) -> Vec<u32> {
        self.tag()
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .unwrap_or("")
            .split('.')
            .map_while(|p| p.parse().ok())
            .collect()
    }
}

impl fmt::Display for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name that becomes part of a path, a container name or a DNS label:
/// lower-case letters, digits and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Name(#[schemars(regex(pattern = r"^[a-z][a-z0-9-]{0,62}$"))] pub String);

// The schema's pattern rejects anything else with a located diagnostic;
// deserializing checks it again, so no code path that skips the schema can
// put `/`, `..` or a control character into an output path.
impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        if super::load::is_valid_name(&name) {
            Ok(Name(name))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{}` is not a name: use lower-case letters, digits and `-`, starting with a letter (at most 63)",
                name.escape_debug()
            )))
        }
    }
}

impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a secret: an environment variable that the host's env file
/// sets. The blueprint never holds the value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct SecretName(#[schemars(regex(pattern = r"^[A-Z][A-Z0-9_]{0,63}$"))] pub String);

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn readable_sizes_round_to_tenths_only_when_inexact() {
        assert_eq!(Size(1_288_490_188).readable(), "1.2G");
        assert_eq!(Size::gib(8).readable(), "8G");
        assert_eq!(Size::mib(1536).readable(), "1536M");
        assert_eq!(Size(1_288_490_188).to_string(), "1288490188", "Display stays exact for artifacts");
        assert_eq!(Size(1537).readable(), "1.5K");
        assert_eq!(Size(100).readable(), "100");
    }

    use super::*;

    #[test]
    fn sizes_parse_exactly_and_print_shortest() {
        assert_eq!(Size::try_from("2.5G".to_string()).unwrap(), Size::mib(2560));
        assert_eq!(Size::try_from("8G".to_string()).unwrap(), Size::gib(8));
        assert_eq!(Size::mib(2560).to_string(), "2560M");
        assert_eq!(Size::gib(64).to_string(), "64G");
        assert_eq!(Size(TIB).to_string(), "1T");
        assert!(Size::try_from("8GB".to_string()).is_err());
        assert!(Size::try_from("G".to_string()).is_err());
        assert!(Size::try_from("99999999999999T".to_string()).is_err());
    }

    #[test]
    fn cpus_are_thousandths() {
        assert_eq!(Cpus::try_from(1.5).unwrap(), Cpus(1500));
        assert_eq!(Cpus::try_from(0.25).unwrap().to_string(), "0.25");
        assert_eq!(Cpus::whole(8).to_string(), "8.0");
        assert!(Cpus::try_from(0.0).is_err());
        assert!(Cpus::try_from(0.0001).is_err());
        assert!(Cpus::try_from(f64::NAN).is_err());
    }

    #[test]
    fn money_is_integer_cents() {
        assert_eq!(parse_money("6.80"), Some(Money(680)));
        assert_eq!(parse_money("6.8"), Some(Money(680)));
        assert_eq!(parse_money("19"), Some(Money(1900)));
        assert_eq!(parse_money("0.011"), None);
        assert_eq!(Money(-175).to_string(), "-1.75");
        let n: Money = serde_yaml::from_str("5.39").unwrap();
        assert_eq!(n, Money(539));
    }

    #[test]
    fn durations_print_in_their_largest_unit() {
        let d = Duration::try_from("90m".to_string()).unwrap();
        assert_eq!(d.seconds(), 5400);
        assert_eq!(d.to_string(), "90m");
        assert_eq!(Duration(7200).to_string(), "2h");
        assert!(Duration::try_from("5 min".to_string()).is_err());
    }

    #[test]
    fn names_that_could_escape_a_path_do_not_deserialize() {
        for bad in ["", "a/b", "..", ".hidden", "a\nb", "a\u{0}", "Web", "-x", "ä", &"x".repeat(64)] {
            assert!(serde_json::from_value::<Name>(serde_json::Value::from(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(serde_json::from_value::<Name>("web-1".into()).unwrap().as_str(), "web-1");
    }

    #[test]
    fn image_version_reads_the_tag() {
        let i = Image("nginx:1.28.0-alpine".into());
        assert_eq!(i.repository(), "nginx");
        assert_eq!(i.version(), vec![1, 28, 0]);
        assert_eq!(Image("odoo:17.0".into()).version(), vec![17, 0]);
        assert_eq!(Image("gcr.io/cadvisor/cadvisor:v0.49.1".into()).version(), Vec::<u32>::new());
    }
}
