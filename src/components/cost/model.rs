//! What the stack costs and promises: budget, growth, SLA, cost items,
//! alternatives and the figures a planning document claims.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::blueprint::model::Price;
use crate::blueprint::units::{Duration, Money, Name, Percent, Size};

/// The monthly budget of the stack.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The budget per month, decimal, at most two decimals (`60.00`).
    #[schemars(example = 60.0)]
    pub monthly: Money,
    /// ISO 4217 code of every amount in the blueprint. Default: `EUR`,
    /// the currency Hetzner bills in.
    #[serde(default = "eur")]
    pub currency: String,
    /// A remark shown beside the budget in the cost report. Left out: none.
    #[serde(default)]
    pub note: Option<String>,
}

/// `serde` default of `Budget::currency`.
fn eur() -> String {
    "EUR".into()
}

/// Data growth over the years, for the storage forecast.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Growth {
    /// The first year of the forecast, which holds each item's `initial` size.
    #[schemars(example = 2026)]
    pub start_year: u32,
    /// How many years the forecast covers.
    #[schemars(example = 5)]
    pub years: u32,
    /// What grows, and where.
    pub items: Vec<GrowthItem>,
}

/// One kind of data that grows.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthItem {
    /// The item's name in the forecast.
    #[schemars(example = &"building-plans")]
    pub name: Name,
    /// The partition it lives on.
    #[schemars(example = &"/mnt/building-plans")]
    pub mount: String,
    /// Its size in `start_year`, binary units (`250G`).
    #[schemars(example = &"250G")]
    pub initial: Size,
    /// What it adds every later year, binary units (`50G`).
    #[schemars(example = &"50G")]
    pub per_year: Size,
}

/// The service level the stack promises.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Availability target in percent: `99.5`.
    #[schemars(example = 99.5)]
    pub availability: f64,
    /// Recovery time objective: the longest the stack may be down after a
    /// total loss (`24h`); gen checks replacement, setup and restore fit it (E520).
    #[schemars(example = &"24h")]
    pub rto: Duration,
    /// Recovery point objective: the most data a restore may lose (`24h`);
    /// daily backups cannot promise less (E514).
    #[schemars(example = &"24h")]
    pub rpo: Duration,
    /// How long the provider takes to hand over a replacement server after a
    /// total loss. Default: the provider's published estimate for the server
    /// type and location (gen's table, from
    /// <https://docs.hetzner.com/general/others/order-processing>), see E520.
    #[serde(default)]
    pub replacement: Option<Duration>,
    /// From a handed-over server to the stack running again, before the data
    /// restore: operating system, install.sh, images. Default: `90m` on a
    /// dedicated server (the Odoo plan's own figures, 30 min installimage +
    /// 1 h stack), `30m` on a cloud server (cloud-init runs install.sh); an
    /// assumption the blueprint overrides with what a rehearsal measured.
    #[serde(default)]
    pub setup: Option<Duration>,
    /// Bytes per second a restore reads from the offsite repository, written
    /// as a size: `50M` is 50 MiB/s. Default `50M`, an assumption: Hetzner
    /// publishes no Storage Box throughput (it depends on the other users of
    /// the box's host, <https://docs.hetzner.com/robot/storage-box/general>).
    #[serde(default)]
    pub restore_throughput: Option<Size>,
}

/// A cost that no host or service carries.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostItem {
    /// The line's name in the cost report.
    #[schemars(example = &"domains")]
    pub name: String,
    /// How many units. Default: `1`.
    #[serde(default = "crate::blueprint::model::one")]
    pub quantity: u32,
    /// Which line of the cost report it belongs to; `other` when left out.
    #[serde(default)]
    pub category: Option<CostCategory>,
    /// A product of the price catalog (`snapshot`, `primary-ipv4`, `ccx33`),
    /// priced per unit × `quantity` when the item has no `price` of its own.
    #[serde(default)]
    #[schemars(example = &"primary-ipv4")]
    pub product: Option<String>,
    /// A dated quote for one unit; it wins over the catalog.
    #[serde(default)]
    pub price: Option<Price>,
    /// For a recurring product (snapshots, backups): how often a copy is
    /// taken. Such an item needs `keep`, since what is billed is every copy
    /// kept, not the one taken (E814).
    #[serde(default)]
    pub taken: Option<Recurrence>,
    /// For a recurring product: how many copies are kept at once (7 for
    /// daily copies kept a week). The bill is `quantity` × `keep` copies.
    #[serde(default)]
    pub keep: Option<u32>,
    /// For a product billed per GB and month (`snapshot`, `volume`): the
    /// size of one copy (one unit), e.g. `80G`. A catalog price is then
    /// `quantity` × `keep` × GB × the price per GB-month.
    #[serde(default)]
    pub size: Option<Size>,
}

/// How often a recurring product takes a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    /// Once a day.
    Daily,
    /// Once a week.
    Weekly,
    /// Once a month.
    Monthly,
}

impl Recurrence {
    /// `daily`, `weekly`, `monthly`, as the blueprint writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::Daily => "daily",
            Recurrence::Weekly => "weekly",
            Recurrence::Monthly => "monthly",
        }
    }
}

/// The line groups of the cost report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    /// Cloud and dedicated servers.
    Servers,
    /// Load balancers.
    LoadBalancers,
    /// Cloud volumes.
    Volumes,
    /// Snapshots and the provider's server backups.
    SnapshotsAndBackups,
    /// Storage Boxes (offsite backups).
    StorageBox,
    /// Primary and floating IP addresses.
    Ips,
    /// Traffic beyond the included volume.
    Traffic,
    /// Everything else (domains, services).
    Other,
}

/// Another setup to compare against in the cost report.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// The alternative's name.
    #[schemars(example = &"cloud")]
    pub name: Name,
    /// What the alternative is, in a sentence.
    pub description: String,
    /// Its costs, written as `extra_costs` are.
    pub items: Vec<CostItem>,
    /// The items come on top of the blueprint's own cost (an expansion),
    /// rather than replacing it (a different setup). Default: `false`.
    #[serde(default)]
    pub adds_to_current: bool,
}

/// A figure as the source document states it, with where it says so.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The figure and its stated value: `{monthly_total: 20.75}`.
    pub figure: Figure,
    /// Where the document states it: `section 10.3`.
    #[schemars(example = &"section 10.3")]
    pub source: String,
}

/// Which figure a claim states. Amounts without cents match within one
/// currency unit (documents round to whole euros); amounts with cents and
/// percentages (one decimal) must match exactly.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Figure {
    /// The monthly total of the blueprint.
    MonthlyTotal(Money),
    /// The yearly total (12 × monthly).
    YearlyTotal(Money),
    /// The one-time fees.
    OneTimeTotal(Money),
    /// Monthly total minus the budget (written without sign when over it).
    BudgetVariance(Money),
    /// The variance as a percentage of the budget.
    BudgetVariancePercent(Percent),
    /// Total cost of ownership over `years`: of the blueprint, or of a named alternative.
    Tco {
        /// How many years: 12 × monthly × years + the one-time fees.
        years: u32,
        /// The alternative it is for. Left out: the blueprint itself.
        #[serde(default)]
        alternative: Option<Name>,
        /// The stated amount.
        amount: Money,
    },
    /// The monthly total of a named alternative.
    AlternativeMonthly {
        /// The alternative, by name.
        alternative: Name,
        /// The stated amount.
        amount: Money,
    },
    /// Storage the growth items need in a year (all items together).
    StorageNeeded {
        /// The year.
        year: u32,
        /// The stated size, binary units.
        size: Size,
    },
    /// What the offsite restic repository holds in a year, with its kept
    /// daily and monthly snapshots (gen's projection: each snapshot tree once,
    /// each kept set of dumps and archives in full; see `resolve::backup_size`).
    OffsiteNeeded {
        /// The year.
        year: u32,
        /// The stated size, binary units.
        size: Size,
    },
}
