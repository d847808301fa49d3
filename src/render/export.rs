//! `gen build --export-context DIR`: the render context of every artifact as
//! JSON, so another renderer (`scripts/jinja2_peer.py`, the Jinja2 pipeline
//! the README compares gen with) can render the same templates from exactly
//! what gen's templates see.
//!
//! One file per blueprint, `DIR/<blueprint>.json`:
//!
//! ```text
//! { "blueprint": name, "header": "...", "plan": {...},
//!   "values": [v0, v1, ...],
//!   "artifacts": [{"template": "nginx/website.conf", "path": "...", "mode": "0644",
//!                  "item": {"host": 3, "nginx": 4, "site": 9}}, ...] }
//! ```
//!
//! A template sees `plan`, `header` and `item`; `item`'s fields are indices
//! into `values`. Rows share parts (every site of a host carries the whole
//! host), so each distinct part is written once: inlined, the 1,000-site
//! context would be hundreds of megabytes. Maps are written in the order the
//! templates iterate them (minijinja's, sorted by key).

use std::collections::HashMap;
use std::path::Path;

use minijinja::Value;
use serde::Serialize;

use super::artifacts::artifacts;
use crate::error::{Error, Result};
use crate::plan::Plan;

#[derive(Serialize)]
struct Row {
    template: &'static str,
    path: String,
    mode: String,
    item: serde_json::Map<String, serde_json::Value>,
}

/// Distinct item parts: JSON text → index.
#[derive(Default)]
struct Values {
    index: HashMap<String, usize>,
}

impl Values {
    fn intern(&mut self, value: &Value) -> Result<usize> {
        let text = json(value)?;
        let next = self.index.len();
        Ok(*self.index.entry(text).or_insert(next))
    }

    /// The texts in index order, as one JSON array.
    fn into_json(self) -> String {
        let mut texts: Vec<(usize, String)> = self.index.into_iter().map(|(t, i)| (i, t)).collect();
        texts.sort_unstable_by_key(|(i, _)| *i);
        let texts: Vec<String> = texts.into_iter().map(|(_, t)| t).collect();
        format!("[{}]", texts.join(","))
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Usage(format!("export-context: {e}")))
}

/// The context of every artifact of `plan`, as JSON text.
pub fn context_json(name: &str, plan: &Plan) -> Result<String> {
    let plan_value = Value::from_serialize(plan);
    let mut values = Values::default();
    let mut rows = Vec::new();
    for a in artifacts(plan, &plan_value) {
        let mut item = serde_json::Map::new();
        let keys = a.item.try_iter().map_err(|e| Error::Usage(format!("export-context: {e}")))?;
        for key in keys {
            let part = a.item.get_item(&key).unwrap_or_default();
            item.insert(key.to_string(), values.intern(&part)?.into());
        }
        rows.push(Row { template: a.template, path: a.path, mode: format!("{:04o}", a.mode), item });
    }
    // Assembled by hand: the values are JSON text already.
    Ok(format!(
        "{{\"blueprint\":{},\"header\":{},\"plan\":{},\"values\":{},\"artifacts\":{}}}\n",
        json(name)?,
        json(&plan.header)?,
        json(&plan_value)?,
        values.into_json(),
        json(&rows)?
    ))
}

/// Writes `dir/<name>.json`.
pub fn write(dir: &Path, name: &str, plan: &Plan) -> Result<()> {
    let text = context_json(name, plan)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))
}
