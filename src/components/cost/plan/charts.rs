//! Chart geometry for the HTML report: every rectangle, line and label with
//! integer coordinates, computed here so the template only prints elements
//! (no arithmetic in templates) and the SVG is byte-stable.

use serde::Serialize;

use crate::components::cost::resolve::CostPlan;
use crate::plan::HostPlan;
use crate::resolve::growth::GrowthPlan;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Chart {
    pub title: String,
    pub width: i64,
    pub height: i64,
    pub rects: Vec<Rect>,
    pub lines: Vec<Seg>,
    pub polylines: Vec<Poly>,
    pub texts: Vec<Text>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rect {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// CSS class: `c0`…`c7` (series colours), `track`, `limit`.
    pub class: String,
    /// Tooltip and accessible text.
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Seg {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub class: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Poly {
    pub points: String,
    pub class: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub x: i64,
    pub y: i64,
    pub text: String,
    /// SVG `text-anchor`: start, middle, end.
    pub anchor: &'static str,
}

/// `part / whole × span`, rounded half up, for non-negative parts.
pub fn scale(part: u64, whole: u64, span: i64) -> i64 {
    if whole == 0 {
        return 0;
    }
    let span = u128::from(span.unsigned_abs());
    i64::try_from((2 * u128::from(part) * span + u128::from(whole)) / (2 * u128::from(whole))).unwrap_or(i64::MAX)
}

fn series(i: usize) -> String {
    format!("c{}", i % 8)
}

fn text(x: i64, y: i64, text: impl Into<String>, anchor: &'static str) -> Text {
    Text { x, y, text: text.into(), anchor }
}

/// One stacked bar of the monthly cost by category, with the budget marked.
pub fn cost_breakdown(cost: &CostPlan) -> Chart {
    let (left, bar_w, top, bar_h) = (20, 600, 40, 36);
    let total = u64::try_from(cost.monthly.0.max(0)).unwrap_or(0);
    let budget = cost.budget.as_ref().map_or(0, |b| u64::try_from(b.monthly.0.max(0)).unwrap_or(0));
    let full = total.max(budget).max(1);
    let mut chart = Chart { title: "Monthly cost by category".into(), width: 660, ..Chart::default() };
    let mut x = left;
    let used: Vec<_> = cost.categories.iter().filter(|c| c.monthly.0 > 0).collect();
    for (i, c) in used.iter().enumerate() {
        let w = scale(u64::try_from(c.monthly.0.max(0)).unwrap_or(0), full, bar_w);
        chart.rects.push(Rect {
            x,
            y: top,
            w,
            h: bar_h,
            class: series(i),
            title: format!("{}: {} {}", c.label, c.monthly, cost.currency),
        });
        x += w;
        // Legend row per category.
        let ly = top + bar_h + 30 + 24 * i64::try_from(i).unwrap_or(0);
        chart.rects.push(Rect { x: left, y: ly - 12, w: 14, h: 14, class: series(i), title: c.label.to_string() });
        chart.texts.push(text(left + 22, ly, format!("{} — {} {}", c.label, c.monthly, cost.currency), "start"));
    }
    chart.texts.push(text(left, top - 10, format!("total {} {} a month", cost.monthly, cost.currency), "start"));
    if let Some(b) = &cost.budget {
        let bx = left + scale(budget, full, bar_w);
        chart.lines.push(Seg { x1: bx, y1: top - 6, x2: bx, y2: top + bar_h + 6, class: "budget".into() });
        chart.texts.push(text(
            bx,
            top + bar_h + 20,
            format!("budget {} ({} %)", b.monthly, b.variance_percent),
            if bx > left + bar_w / 2 { "end" } else { "start" },
        ));
    }
    let rows = i64::try_from(used.len()).unwrap_or(0);
    chart.height = top + bar_h + 40 + 24 * rows;
    chart
}

/// Per host: CPU and memory reserved (filled) and limits (outline) against
/// the machine (the 100 % mark); bars stop at 150 %.
pub fn allocation(hosts: &[HostPlan]) -> Chart {
    let (label_w, span, row_h) = (170, 300, 26);
    let max_pct = 150;
    let mut chart =
        Chart { title: "Allocation per host (share of the machine)".into(), width: 900, ..Chart::default() };
    let mut y = 30;
    for host in hosts {
        chart.texts.push(text(10, y, format!("{} ({})", host.name, host.server_type), "start"));
        y += 8;
        let cap = &host.capacity;
        let rows = [
            (
                "CPU",
                u64::from(cap.cpus_reserved.value.millis()),
                u64::from(cap.cpus_limits.value.millis()),
                u64::from(host.cpus.value) * 1000,
                format!("{} / {} of {} CPUs", cap.cpus_reserved.value, cap.cpus_limits.value, host.cpus.value),
            ),
            (
                "memory",
                cap.memory_reserved.value.bytes(),
                cap.memory_limits.value.bytes(),
                host.memory.value.bytes(),
                format!("{} / {} of {}", cap.memory_reserved.value, cap.memory_limits.value, host.memory.value),
            ),
        ];
        for (i, (what, reserved, limits, whole, label)) in rows.into_iter().enumerate() {
            let clamp = |v: u64| scale(v, whole, span).min(span * max_pct / 100);
            chart.texts.push(text(20, y + 16, what, "start"));
            // The machine (track), what is reserved (filled), what is allowed (outline).
            let bars = [
                (span, 4, "track".to_string(), format!("{what}: the machine")),
                (clamp(reserved), 4, series(i), format!("{what} reserved: {label}")),
                (clamp(limits), 2, "limit".to_string(), format!("{what} limits: {label}")),
            ];
            for (w, inset, class, title) in bars {
                chart.rects.push(Rect { x: label_w, y: y + inset, w, h: row_h - 2 * inset, class, title });
            }
            chart.texts.push(text(label_w + span * max_pct / 100 + 10, y + 16, label, "start"));
            y += row_h;
        }
        chart.lines.push(Seg {
            x1: label_w + span,
            y1: y - 2 * row_h,
            x2: label_w + span,
            y2: y,
            class: "full".into(),
        });
        y += 16;
    }
    chart.height = y;
    chart
}

/// Need per mount over the years (lines) against each mount's capacity (dashed).
pub fn growth(g: &GrowthPlan) -> Chart {
    let (left, top, w, h) = (70, 30, 420, 220);
    let mut chart =
        Chart { title: "Storage growth against capacity".into(), width: 780, height: top + h + 40, ..Chart::default() };
    let max = g
        .mounts
        .iter()
        .flat_map(|m| m.need.iter().copied().chain(m.capacity))
        .map(|s| s.bytes())
        .max()
        .unwrap_or(1)
        .max(1);
    let n = i64::try_from(g.years.len().max(2) - 1).unwrap_or(1);
    let x_of = |i: usize| left + i64::try_from(i).unwrap_or(0) * w / n;
    let y_of = |bytes: u64| top + h - scale(bytes, max, h);
    chart.lines.push(Seg { x1: left, y1: top, x2: left, y2: top + h, class: "axis".into() });
    chart.lines.push(Seg { x1: left, y1: top + h, x2: left + w, y2: top + h, class: "axis".into() });
    chart.texts.push(text(left - 6, top + 4, crate::blueprint::units::Size(max).to_string(), "end"));
    chart.texts.push(text(left - 6, top + h + 4, "0", "end"));
    for (i, year) in g.years.iter().enumerate() {
        chart.texts.push(text(x_of(i), top + h + 18, year.to_string(), "middle"));
    }
    for (k, m) in g.mounts.iter().enumerate() {
        let points: Vec<String> =
            m.need.iter().enumerate().map(|(i, s)| format!("{},{}", x_of(i), y_of(s.bytes()))).collect();
        chart.polylines.push(Poly { points: points.join(" "), class: series(k) });
        let ly = top + 14 + 20 * i64::try_from(k).unwrap_or(0);
        chart.rects.push(Rect { x: left + w + 16, y: ly - 10, w: 12, h: 12, class: series(k), title: m.mount.clone() });
        let cap = m.capacity.map_or_else(|| "no partition".to_string(), |c| c.to_string());
        chart.texts.push(text(left + w + 34, ly, format!("{} ({cap})", m.mount), "start"));
        if let Some(c) = m.capacity {
            let y = y_of(c.bytes());
            chart.lines.push(Seg { x1: left, y1: y, x2: left + w, y2: y, class: format!("cap {}", series(k)) });
        }
    }
    chart
}

#[cfg(test)]
mod tests {
    #[test]
    fn scale_rounds_half_up_and_survives_zero() {
        assert_eq!(super::scale(1, 3, 600), 200);
        assert_eq!(super::scale(1, 2, 5), 3);
        assert_eq!(super::scale(5, 0, 600), 0);
        assert_eq!(super::scale(u64::MAX, u64::MAX, 600), 600);
    }
}
