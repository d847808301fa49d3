//! `gen cost`: the cost summary of blueprints in the terminal, and with
//! `--base REV` the difference between the blueprint at a git revision and
//! the working tree, so a pull request shows what a change costs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::blueprint::{self, units::Money};
use crate::compile::lint;
use crate::error::{Error, Result};
use crate::plan::cost::{self, CostPlan, Line};

/// Prints the summary (or the difference to `base`) of each blueprint.
pub(crate) fn run(paths: &[PathBuf], base: Option<&str>) -> Result<i32> {
    let mut out = String::new();
    for path in paths {
        let (name, now) = current(path)?;
        match base {
            None => out.push_str(&summary(&name, &now)),
            Some(rev) => {
                let before = at_revision(path, rev)?;
                out.push_str(&diff(&format!("{} at {rev}", path.display()), &before, &now));
            }
        }
    }
    print!("{out}");
    Ok(0)
}

/// The cost plan of the blueprint in the working tree.
fn current(path: &Path) -> Result<(String, CostPlan)> {
    match lint(path)? {
        Ok((loaded, _)) => Ok((loaded.name.clone(), cost::plan(&loaded.blueprint))),
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

/// The per-line and total difference between two cost plans (`before` is
/// none when the blueprint is new).
pub(crate) fn diff(label: &str, before: &Option<CostPlan>, now: &CostPlan) -> String {
    let empty: Vec<Line> = Vec::new();
    let old_lines = before.as_ref().map_or(&empty, |b| &b.lines);
    let mut s = String::new();
    let _ = writeln!(s, "cost change since {label} ({}, per month):", now.currency);
    let key = |l: &Line| l.name.clone();
    let mut changed = false;
    for old in old_lines {
        match now.lines.iter().find(|n| key(n) == key(old)) {
            Some(new) if new.monthly != old.monthly || new.setup != old.setup => {
                changed = true;
                let _ = writeln!(
                    s,
                    "  ~ {}: {} → {} ({:+}){}",
                    old.name,
                    old.monthly,
                    new.monthly,
                    Signed(Money(new.monthly.0 - old.monthly.0)),
                    setup_change(old.setup, new.setup)
                );
            }
            Some(_) => {}
            None => {
                changed = true;
                let _ = writeln!(s, "  - {}: {} ({:+})", old.name, old.monthly, Signed(Money(-old.monthly.0)));
            }
        }
    }
    for new in now.lines.iter().filter(|n| !old_lines.iter().any(|o| key(o) == key(n))) {
        changed = true;
        let _ = writeln!(s, "  + {}: {} ({:+})", new.name, new.monthly, Signed(new.monthly));
    }
    if !changed {
        let _ = writeln!(s, "  no line changed");
    }
    let (old_m, old_once) = before.as_ref().map_or((Money(0), Money(0)), |b| (b.monthly, b.one_time));
    let delta = Money(now.monthly.0 - old_m.0);
    let pct = if old_m.0 == 0 { String::new() } else { format!(", {} %", cost::variance_percent(delta, old_m)) };
    let _ = writeln!(s, "  total: {old_m} → {} ({:+}{pct})", now.monthly, Signed(delta));
    let _ = writeln!(s, "  per year: {:+}", Signed(Money(delta.0 * 12)));
    if old_once != now.one_time {
        let _ =
            writeln!(s, "  one-time: {old_once} → {} ({:+})", now.one_time, Signed(Money(now.one_time.0 - old_once.0)));
    }
    if let Some(b) = &now.budget {
        let _ = writeln!(s, "  budget {}: variance now {} ({} %)", b.monthly, b.variance, b.variance_percent);
    }
    s
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
