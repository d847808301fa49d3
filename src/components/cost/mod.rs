//! Cost and capacity (`budget:`, `growth:`, `sla:`, `cost_items:`,
//! `alternatives:`, `claims:`): every priced thing as a line (a dated quote,
//! else the price catalog), the totals, the budget, the growth projection's
//! figures and the planning document's claims checked against them, and the
//! report a customer reads (`report/cost.md`, `cost.json`, `index.html`).

pub mod model;
pub mod plan;
pub mod resolve;
pub mod rules;

/// Its entry of [`super::COMPONENTS`].
pub(super) const COMPONENT: super::Component = super::Component {
    name: "cost",
    folder: "cost",
    templates: &["report/cost.md.j2", "report/cost.json.j2", "report/index.html.j2"],
};
