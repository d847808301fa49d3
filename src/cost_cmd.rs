//! `gen cost`: the cost summary of blueprints in the terminal, and with
//! `--base REV` the difference between the blueprint at a git revision and
//! the working tree, so a pull request shows what a change costs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::blueprint::{self, units::Money};
use crate::cli::Format;
use crate::compile::lint;
use crate::components::cost::resolve::{self as cost, CostPlan, Line};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};

/// Prints the summary (or the difference to `base`) of each blueprint, as
/// text or as the `--format json` document (`cost`: each blueprint's cost
/// plan, the shape of report/cost.json; `changes`: each [`CostChange`]).
pub(crate) fn run(paths: &[PathBuf], base: Option<&str>, format: Format) -> Result<i32> {
    let mut out = String::new();
    let mut warnings = Vec::new();
    let mut plans = Vec::new();
    let mut changes = Vec::new();
    for path in paths {
        let (name, now, diags) = current(path)?;
        warnings.extend(diags);
        match base {
            None => {
                out.push_str(&summary(&name, &now));
                plans.push(serde_json::json!({ "blueprint": name, "file": path.display().to_string(), "cost": now }));
            }
            Some(rev) => {
                let before = at_revision(path, rev)?;
                let change = change(&path.display().to_string(), rev, before.as_ref(), &now);
                out.push_str(&change.text());
                changes.push(change);
            }
        }
    }
    match format {
        Format::Text => print!("{out}"),
        Format::Json => {
            let result = match base {
                None => ("cost", serde_json::Value::Array(plans)),
                Some(_) => ("changes", serde_json::to_value(&changes).unwrap_or_default()),
            };
            println!("{}", crate::diag::json_document("cost", true, &warnings, Some(result), None));
        }
    }
    Ok(0)
}

/// The cost plan of the blueprint in the working tree, with its warnings.
fn current(path: &Path) -> Result<(String, CostPlan, Vec<Diagnostic>)> {
    match lint(path)? {
        Ok((loaded, diags)) => Ok((loaded.name.clone(), cost::plan(&loaded.blueprint), diags)),
        Err(failure) => Err(Error::Blueprint { count: 1, failures: vec![failure] }),
    }
}

/// The cost plan of the blueprint as committed at `rev`. A blueprint that
/// did not exist at `rev` costs nothing.
fn at_revision(path: &Path, rev: &str) -> Result<Option<CostPlan>> {
    let Some((label, bytes)) = show_at_revision(path, rev)? else { return Ok(None) };
    match blueprint::load(&label, &bytes) {
        Ok(loaded) => Ok(Some(cost::plan(&loaded.blueprint))),
        Err(failure) => Err(Error::Blueprint { count: 1, failures: vec![failure] }),
    }
}

/// The text of the blueprint `path` as committed at `rev` (`git show
/// REV:./FILE`, run in the file's directory so the path is relative to it),
/// with the label its diagnostics name it by (`REV:PATH`, whose stem is the
/// blueprint's name); none when the file did not exist at `rev`. A `rev`
/// that is no revision is a usage error.
pub(crate) fn show_at_revision(path: &Path, rev: &str) -> Result<Option<(PathBuf, Vec<u8>)>> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    let exists = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "-e", &format!("{rev}:./{file}")])
        .output()
        .map_err(|e| Error::io("run git in", dir, e))?;
    if !exists.status.success() {
        let verify = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
            .output()
            .map_err(|e| Error::io("run git in", dir, e))?;
        if !verify.status.success() {
            return Err(Error::Usage(format!(
                "`{rev}` is not a git revision of the repository at `{}`",
                dir.display()
            )));
        }
        return Ok(None);
    }
    let shown = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &format!("{rev}:./{file}")])
        .output()
        .map_err(|e| Error::io("run git in", dir, e))?;
    if !shown.status.success() {
        return Err(Error::Usage(format!(
            "git show {rev}:./{file} failed: {}",
            String::from_utf8_lossy(&shown.stderr).trim()
        )));
    }
    Ok(Some((PathBuf::from(format!("{rev}:{}", path.display())), shown.stdout)))
}

/// The terminal summary of one blueprint's cost.
pub(crate) fn summary(name: &str, c: &CostPlan) -> String {
    let mut s = String::new();
    let cur = &c.currency;
    let _ = writeln!(s, "{name}: {cur} {} a month, {} a year, {} one-time", c.monthly, c.yearly, c.one_time);
    let width = c.lines.iter().map(|l| l.name.chars().count()).max().unwrap_or(0);
    for l in &c.lines {
        let gone = match (&l.replacement, l.available) {
            (Some(r), false) => format!("; no longer sold, replaced by {r}"),
            (None, false) => "; no longer sold".into(),
            _ => String::new(),
        };
        let catalog = match l.catalog_price {
            Some(p) if p != l.unit_price => format!("; catalog {p}"),
            _ => String::new(),
        };
        // Quantity, unit and period on every line: `1120 × 0.011 / GB-month`.
        let basis = l.basis.as_ref().map(|b| format!(" [{b}]")).unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:<22} {:<width$} {:>10}  = {} × {} / {}{basis}  {} {} ({}){catalog}{gone}",
            cost::category_label(l.category),
            l.name,
            l.monthly.to_string(),
            l.quantity,
            l.unit_price,
            l.unit,
            l.priced_by,
            l.as_of,
            l.source
        );
    }
    if let Some(b) = &c.budget {
        let verdict = if b.over { "over budget" } else { "within budget" };
        let _ = writeln!(
            s,
            "  budget {} a month: variance {} ({} % of the budget), {verdict}",
            b.monthly, b.variance, b.variance_percent
        );
    }
    for o in &c.options {
        let tco: Vec<String> = c.tco_years.iter().zip(&o.tco).map(|(y, t)| format!("{y}y {t}")).collect();
        let _ = writeln!(
            s,
            "  {:<22} {} a month ({:+}), TCO {}",
            o.name,
            o.monthly,
            Signed(o.monthly_difference),
            tco.join(", ")
        );
    }
    for u in &c.per_unit {
        let _ = writeln!(s, "  per {}: {} a month ({} {}s)", u.unit, u.monthly, u.count, u.unit);
    }
    for u in &c.unpriced {
        let _ = writeln!(s, "  not priced: {}", u.name);
    }
    s
}

/// The cost section of `gen plan`: the same summary, after a blank line.
pub(crate) fn summary_for_plan(plan: &crate::plan::Plan) -> String {
    format!("\ncost — {}", summary(&plan.name, &plan.report.cost))
}

/// A signed amount: `+1.75`, `-0.87`, `0.00`.
struct Signed(Money);

impl std::fmt::Display for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.sign_plus() && self.0 .0 > 0 {
            write!(f, "+{}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// What a change costs: the per-line and total difference between the
/// blueprint at a git revision and now (`gen cost --base`). Amounts are per
/// month unless named otherwise; `before` is absent for a new blueprint.
#[derive(Debug, Serialize)]
pub(crate) struct CostChange {
    /// The blueprint file as given.
    pub blueprint: String,
    /// The git revision compared with.
    pub base: String,
    pub currency: String,
    /// Removed and changed lines in the base's order, then added ones.
    pub lines: Vec<LineChange>,
    pub monthly_before: Money,
    pub monthly_now: Money,
    pub monthly_difference: Money,
    /// The difference as a signed percentage of the base, one decimal; none
    /// when the base cost nothing.
    pub percent: Option<String>,
    pub yearly_difference: Money,
    pub one_time_before: Money,
    pub one_time_now: Money,
    /// The budget and the variance after the change.
    pub budget: Option<cost::BudgetPlan>,
}

/// One cost line that was added, removed or changed (matched by name).
#[derive(Debug, Serialize)]
pub(crate) struct LineChange {
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub name: String,
    pub monthly_before: Option<Money>,
    pub monthly_now: Option<Money>,
    pub setup_before: Option<Money>,
    pub setup_now: Option<Money>,
}

/// The difference between two cost plans (`before` is none when the
/// blueprint is new).
pub(crate) fn change(blueprint: &str, rev: &str, before: Option<&CostPlan>, now: &CostPlan) -> CostChange {
    let empty: Vec<Line> = Vec::new();
    let old_lines = before.map_or(&empty, |b| &b.lines);
    let mut lines = Vec::new();
    for old in old_lines {
        match now.lines.iter().find(|n| n.name == old.name) {
            Some(new) if new.monthly != old.monthly || new.setup != old.setup => lines.push(LineChange {
                change: "changed",
                name: old.name.clone(),
                monthly_before: Some(old.monthly),
                monthly_now: Some(new.monthly),
                setup_before: Some(old.setup),
                setup_now: Some(new.setup),
            }),
            Some(_) => {}
            None => lines.push(LineChange {
                change: "removed",
                name: old.name.clone(),
                monthly_before: Some(old.monthly),
                monthly_now: None,
                setup_before: Some(old.setup),
                setup_now: None,
            }),
        }
    }
    for new in now.lines.iter().filter(|n| !old_lines.iter().any(|o| o.name == n.name)) {
        lines.push(LineChange {
            change: "added",
            name: new.name.clone(),
            monthly_before: None,
            monthly_now: Some(new.monthly),
            setup_before: None,
            setup_now: Some(new.setup),
        });
    }
    let (old_m, old_once) = before.map_or((Money(0), Money(0)), |b| (b.monthly, b.one_time));
    let delta = Money(now.monthly.0 - old_m.0);
    CostChange {
        blueprint: blueprint.to_string(),
        base: rev.to_string(),
        currency: now.currency.clone(),
        lines,
        monthly_before: old_m,
        monthly_now: now.monthly,
        monthly_difference: delta,
        percent: (old_m.0 != 0).then(|| cost::variance_percent(delta, old_m)),
        yearly_difference: Money(delta.0 * 12),
        one_time_before: old_once,
        one_time_now: now.one_time,
        budget: now.budget.clone(),
    }
}

impl CostChange {
    /// The terminal text: `- removed`, `~ changed`, `+ added` lines, then totals.
    pub(crate) fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "cost change since {} at {} ({}, per month):", self.blueprint, self.base, self.currency);
        for l in &self.lines {
            let (before, now) = (l.monthly_before.unwrap_or(Money(0)), l.monthly_now.unwrap_or(Money(0)));
            let delta = Signed(Money(now.0 - before.0));
            let _ = match l.change {
                "changed" => writeln!(
                    s,
                    "  ~ {}: {before} → {now} ({delta:+}){}",
                    l.name,
                    setup_change(l.setup_before.unwrap_or(Money(0)), l.setup_now.unwrap_or(Money(0)))
                ),
                "removed" => writeln!(s, "  - {}: {before} ({delta:+})", l.name),
                _ => writeln!(s, "  + {}: {now} ({delta:+})", l.name),
            };
        }
        if self.lines.is_empty() {
            let _ = writeln!(s, "  no line changed");
        }
        let pct = self.percent.as_ref().map(|p| format!(", {p} %")).unwrap_or_default();
        let _ = writeln!(
            s,
            "  total: {} → {} ({:+}{pct})",
            self.monthly_before,
            self.monthly_now,
            Signed(self.monthly_difference)
        );
        let _ = writeln!(s, "  per year: {:+}", Signed(self.yearly_difference));
        if self.one_time_before != self.one_time_now {
            let _ = writeln!(
                s,
                "  one-time: {} → {} ({:+})",
                self.one_time_before,
                self.one_time_now,
                Signed(Money(self.one_time_now.0 - self.one_time_before.0))
            );
        }
        if let Some(b) = &self.budget {
            let _ = writeln!(s, "  budget {}: variance now {} ({} %)", b.monthly, b.variance, b.variance_percent);
        }
        s
    }
}

fn setup_change(old: Money, new: Money) -> String {
    if old == new {
        String::new()
    } else {
        format!(", one-time {old} → {new}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_amounts() {
        assert_eq!(format!("{:+}", Signed(Money(175))), "+1.75");
        assert_eq!(format!("{:+}", Signed(Money(-87))), "-0.87");
        assert_eq!(format!("{:+}", Signed(Money(0))), "0.00");
    }
}
