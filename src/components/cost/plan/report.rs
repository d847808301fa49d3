//! The cost, capacity and growth report of a blueprint: the cost plan, the
//! disk layouts, the growth projection, the SLA's downtime budget, the chart
//! geometry, the summary a customer reads first (date, totals net and gross,
//! the biggest risks: `summary`) and every diagnostic. `templates/report/*`
//! print it as Markdown, JSON and HTML; `gen cost` prints its summary.

use schemars::JsonSchema;
use serde::Serialize;

use crate::blueprint::model::{Blueprint, Sla};
use crate::blueprint::units::Size;
use crate::components::cost::plan::charts::{self as charts, Chart};
use crate::components::cost::plan::summary::{self as summary, Summary};
use crate::components::cost::resolve::{self as cost, CostPlan};
use crate::diag::Diagnostic;
use crate::plan::HostPlan;
use crate::resolve::growth::{self, GrowthPlan};

#[derive(Debug, Clone, Serialize)]
pub struct ReportPlan {
    /// The date, the generator, net and gross totals and the risks.
    pub summary: Summary,
    pub cost: CostPlan,
    pub disks: Vec<DiskReport>,
    pub growth: Option<GrowthPlan>,
    pub sla: Option<SlaPlan>,
    pub charts: Charts,
    /// Every diagnostic of the blueprint (warnings: errors stop the build).
    pub diagnostics: Vec<DiagLine>,
    /// The same, as the HTML appendix prints them: sentences in spans.
    pub appendix: Vec<Worded>,
}

/// A warning as sentences whose `` `quoted` `` parts are code spans, so the
/// HTML template prints `<code>` without parsing text.
#[derive(Debug, Clone, Serialize)]
pub struct Worded {
    pub code: String,
    pub line: usize,
    pub col: usize,
    pub message: Vec<Span>,
    pub hint: Vec<Span>,
}

/// A run of text, code (between backticks) or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub text: String,
    pub code: bool,
}

/// `text` split at its backticks: every second run is code. Empty runs go.
pub fn spans(text: &str) -> Vec<Span> {
    text.split('`')
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| Span { text: t.to_string(), code: i % 2 == 1 })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Charts {
    pub cost: Chart,
    pub allocation: Chart,
    pub growth: Option<Chart>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiskReport {
    pub host: String,
    pub raid: &'static str,
    pub disks: String,
    pub usable: Size,
    pub allocated: Size,
    pub free: Size,
    /// Allocated as a share of usable, one decimal.
    pub allocated_percent: String,
    pub partitions: Vec<PartitionRow>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PartitionRow {
    pub mount: String,
    pub size: Size,
    pub percent: String,
    pub purpose: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SlaPlan {
    /// The target as written, in thousandths of a percent shown as text: `99.9`.
    pub availability: String,
    /// Allowed downtime in a month (a twelfth of 365.25 days) and a year, in seconds and words.
    pub downtime_month_seconds: u64,
    pub downtime_month: String,
    pub downtime_year_seconds: u64,
    pub downtime_year: String,
    pub rto: String,
    pub rpo: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiagLine {
    pub code: String,
    pub severity: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// `message` and `hint` as sentences for a reader (first letter upper
    /// case, a full stop at the end), as the report's appendix prints them.
    pub message_sentence: String,
    pub hint_sentence: String,
}

/// `report/cost.json`: the report without the chart geometry. Its schema is
/// `schemas/cost.schema.json` (a test keeps the two equal and validates the
/// rendered file against it).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CostDocument {
    /// Bumped when a field changes meaning or goes away.
    pub format: u32,
    pub blueprint: String,
    pub title: String,
    pub source: String,
    pub summary: Summary,
    pub cost: CostPlan,
    pub disks: Vec<DiskReport>,
    pub growth: Option<GrowthPlan>,
    pub sla: Option<SlaPlan>,
    pub diagnostics: Vec<DiagLine>,
}

impl CostDocument {
    pub fn new(plan: &crate::plan::Plan) -> Self {
        let r = &plan.report;
        CostDocument {
            format: 1,
            blueprint: plan.name.clone(),
            title: plan.project.title.clone(),
            source: plan.source.clone(),
            summary: r.summary.clone(),
            cost: r.cost.clone(),
            disks: r.disks.clone(),
            growth: r.growth.clone(),
            sla: r.sla.clone(),
            diagnostics: r.diagnostics.clone(),
        }
    }
}

/// The JSON Schema of `cost.json`, as committed in `schemas/cost.schema.json`.
pub fn cost_schema_text() -> String {
    let schema =
        schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<CostDocument>();
    let mut value = serde_json::to_value(schema).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("$id".into(), "https://gen.invalid/schemas/cost.schema.json".into());
        map.insert("title".into(), "gen cost report (report/cost.json)".into());
        // The blueprint's Money and Size describe what an operator writes;
        // the report prints them signed and always as strings.
        if let Some(serde_json::Value::Object(defs)) = map.get_mut("$defs") {
            defs.insert(
                "Money".into(),
                serde_json::json!({"description": "An amount with two decimals, signed: `18.13`, `-0.87`.", "type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$"}),
            );
            defs.insert(
                "Size".into(),
                serde_json::json!({"description": "A size in its shortest exact binary unit (`80G`, `5952M`), or bytes.", "type": "string", "pattern": "^[0-9]+[KMGT]?$"}),
            );
        }
    }
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// Seconds in an average month: 365.25 days / 12.
pub const MONTH_SECONDS: u64 = 2_629_800;

/// The availability target in thousandths of a percent (99.95 → 99 950).
/// The blueprint writes it as a number; it is rounded here, once.
pub fn availability_millis(percent: f64) -> u64 {
    let m = (percent * 1000.0).round();
    if m.is_finite() && (0.0..=100_000.0).contains(&m) {
        // In range by the check above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let m = m as u64;
        m
    } else {
        0
    }
}

/// Allowed downtime in `period` seconds for an availability in thousandths of a percent.
pub fn downtime(period: u64, availability_millis: u64) -> u64 {
    let down = 100_000u64.saturating_sub(availability_millis);
    (2 * period * down + 100_000) / 200_000
}

/// `3h 39m 9s`, `43m 50s`, `0s`.
pub fn words(seconds: u64) -> String {
    let (d, h, m, s) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}

fn sla_plan(sla: &Sla) -> SlaPlan {
    let a = availability_millis(sla.availability);
    let month = downtime(MONTH_SECONDS, a);
    let year = downtime(MONTH_SECONDS * 12, a);
    let whole = a / 1000;
    let frac = format!("{:03}", a % 1000);
    let frac = frac.trim_end_matches('0');
    SlaPlan {
        availability: if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") },
        downtime_month_seconds: month,
        downtime_month: words(month),
        downtime_year_seconds: year,
        downtime_year: words(year),
        rto: sla.rto.to_string(),
        rpo: sla.rpo.to_string(),
    }
}

fn disks(bp: &Blueprint) -> Vec<DiskReport> {
    bp.hosts
        .iter()
        .filter_map(|h| h.storage.as_ref().filter(|s| !s.partitions.is_empty()).map(|s| (h, s)))
        .map(|(h, s)| {
            let d = crate::resolve::capacity::disk_plan(s);
            let usable = d.usable.value;
            let share = |size: Size| crate::resolve::pct(size.bytes(), usable.bytes());
            DiskReport {
                host: h.name.to_string(),
                raid: d.raid,
                disks: d.disks,
                usable,
                allocated: d.allocated.value,
                free: d.free,
                allocated_percent: share(d.allocated.value),
                partitions: s
                    .partitions
                    .iter()
                    .map(|p| PartitionRow {
                        mount: p.mount.clone(),
                        size: p.size,
                        percent: share(p.size),
                        purpose: p.purpose.clone().unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect()
}

pub fn plan(bp: &Blueprint, hosts: &[HostPlan]) -> ReportPlan {
    let cost = cost::plan(bp);
    let growth = bp.growth.as_ref().map(|g| growth::plan(bp, g));
    let mut report = ReportPlan {
        summary: summary::plan(&cost, crate::plan::GENERATOR),
        charts: Charts {
            cost: charts::cost_breakdown(&cost),
            allocation: charts::allocation(hosts),
            growth: growth.as_ref().map(charts::growth),
        },
        cost,
        disks: disks(bp),
        growth,
        sla: bp.sla.as_ref().map(sla_plan),
        diagnostics: Vec::new(),
        appendix: Vec::new(),
    };
    report.set_diagnostics(bp, hosts, &[]);
    report
}

impl ReportPlan {
    /// Takes the compile's warnings: the diagnostics appendix lists them and
    /// the summary's risks are recomputed with them (W401, W402, W520 name
    /// risks the plan alone does not).
    pub fn set_diagnostics(&mut self, bp: &Blueprint, hosts: &[HostPlan], diags: &[Diagnostic]) {
        self.diagnostics = diagnostics(diags);
        self.appendix = self
            .diagnostics
            .iter()
            .map(|d| Worded {
                code: d.code.clone(),
                line: d.line,
                col: d.col,
                message: spans(&d.message_sentence),
                hint: spans(&d.hint_sentence),
            })
            .collect();
        self.summary.risks = summary::risks(&summary::Facts {
            bp,
            hosts,
            cost: &self.cost,
            growth: self.growth.as_ref(),
            sla: self.sla.as_ref(),
            diagnostics: diags,
        });
    }
}

/// The compile's diagnostics as the report prints them (the place is the
/// line and column in the blueprint; the file is the plan's source).
pub fn diagnostics(diags: &[Diagnostic]) -> Vec<DiagLine> {
    diags
        .iter()
        .map(|d| DiagLine {
            code: d.code.to_string(),
            severity: if d.is_error() { "error" } else { "warning" }.into(),
            line: d.line,
            col: d.col,
            message: d.message.clone(),
            hint: d.hint.clone(),
            message_sentence: sentence(&d.message),
            hint_sentence: sentence(&d.hint),
        })
        .collect()
}

/// `text` as a sentence: its first letter upper case and a full stop at the
/// end unless it ends in one (or `?`, `!`); empty stays empty.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downtime_budget_of_an_availability_target() {
        // 99.9 %: 0.1 % of 2 629 800 s = 2629.8 s → 2630 s, 43m 50s a month.
        assert_eq!(downtime(MONTH_SECONDS, availability_millis(99.9)), 2630);
        assert_eq!(words(2630), "43m 50s");
        // 99.5 %: 13 149 s = 3h 39m 9s a month; 157 788 s = 1d 19h 49m 48s a year.
        assert_eq!(downtime(MONTH_SECONDS, availability_millis(99.5)), 13_149);
        assert_eq!(words(downtime(MONTH_SECONDS * 12, 99_500)), "1d 19h 49m 48s");
        assert_eq!(downtime(MONTH_SECONDS, availability_millis(100.0)), 0);
        assert_eq!(words(0), "0s");
        assert_eq!(availability_millis(f64::NAN), 0);
    }

    #[test]
    fn diagnostics_read_as_sentences() {
        assert_eq!(sentence("an `AX52` ships with 2 disks"), "An `AX52` ships with 2 disks.");
        assert_eq!(sentence("`/mnt/x` runs out."), "`/mnt/x` runs out.");
        assert_eq!(sentence("über"), "Über.");
        assert_eq!(sentence("  "), "");
        let s = spans("Grow `/mnt/x` before `2030`.");
        let parts: Vec<(&str, bool)> = s.iter().map(|s| (s.text.as_str(), s.code)).collect();
        assert_eq!(parts, [("Grow ", false), ("/mnt/x", true), (" before ", false), ("2030", true), (".", false)]);
        assert_eq!(spans("`a`").len(), 1);
    }
}
