//! `gen build --export-context DIR`: the render context of every artifact as
//! JSON, so another renderer (`scripts/jinja2_peer.py`, the Jinja2 pipeline
//! docs/design.md compares gen with) can render the same templates from exactly
//! what gen's templates see.
//!
//! One file per blueprint, `DIR/<blueprint>.json`:
//!
//! ```text
//! { "blueprint": name, "header": "...", "plan": {...}, "values": [v0, ...],
//!   "artifacts": [{"template": "nginx/vhost.conf", "path": "...", "mode": "0644",
//!                  "item": {"host": "/hosts/3", "vhost": "/hosts/3/nginx/vhosts/9"}}, ...] }
//! ```
//!
//! A template sees `plan`, `header` and `item`. Each field of `item` is a
//! JSON pointer into `plan` (a string) when it is a part of the plan, as
//! nearly all are, else an index into `values` (a number). Rows share parts
//! (every site of a host carries the whole host), so each part is written
//! once: inlined, the 1,000-site context would be hundreds of megabytes.
//! Maps are written in the order the templates iterate them (minijinja's,
//! sorted by key).

use std::collections::HashMap;
use std::path::Path;

use minijinja::value::ValueKind;
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

/// How deep item parts sit in the plan (`/hosts/3/nginx/vhosts/9`).
const MAX_DEPTH: usize = 5;

fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Usage(format!("export-context: {e}")))
}

/// Records the pointer of every map or list of `value` whose JSON text is
/// `wanted` and has no pointer yet (parents come first, so the shortest wins).
fn locate(value: &Value, pointer: &str, depth: usize, wanted: &mut HashMap<String, Option<String>>) -> Result<()> {
    if !matches!(value.kind(), ValueKind::Map | ValueKind::Seq) || depth > MAX_DEPTH {
        return Ok(());
    }
    if let Some(slot @ None) = wanted.get_mut(&json(value)?) {
        *slot = Some(pointer.to_string());
    }
    let Ok(keys) = value.try_iter() else { return Ok(()) };
    for (i, key) in keys.enumerate() {
        let (child, step) = match value.kind() {
            ValueKind::Seq => (value.get_item_by_index(i).unwrap_or_default(), i.to_string()),
            _ => (value.get_item(&key).unwrap_or_default(), key.to_string().replace('~', "~0").replace('/', "~1")),
        };
        locate(&child, &format!("{pointer}/{step}"), depth + 1, wanted)?;
    }
    Ok(())
}

/// The context of every artifact of `plan`, as JSON text.
pub fn context_json(name: &str, plan: &Plan) -> Result<String> {
    let plan_value = Value::from_serialize(plan);
    // Each row's item fields as JSON text, then where each text is in the plan.
    let mut rows = Vec::new();
    let mut wanted: HashMap<String, Option<String>> = HashMap::new();
    for a in artifacts(plan, &plan_value) {
        let mut fields = Vec::new();
        for key in a.item.try_iter().map_err(|e| Error::Usage(format!("export-context: {e}")))? {
            let text = json(&a.item.get_item(&key).unwrap_or_default())?;
            wanted.entry(text.clone()).or_insert(None);
            fields.push((key.to_string(), text));
        }
        rows.push((a, fields));
    }
    locate(&plan_value, "", 0, &mut wanted)?;
    // The rest (parts made for a row, like cost.json's document) go to `values`.
    let mut values: Vec<String> = Vec::new();
    let mut value_index: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (a, fields) in rows {
        let mut item = serde_json::Map::new();
        for (key, text) in fields {
            let field = match wanted.get(&text).cloned().flatten() {
                Some(pointer) => serde_json::Value::from(pointer),
                None => {
                    let next = values.len();
                    let i = *value_index.entry(text.clone()).or_insert(next);
                    if i == next {
                        values.push(text);
                    }
                    serde_json::Value::from(i)
                }
            };
            item.insert(key, field);
        }
        out.push(Row { template: a.template, path: a.path, mode: format!("{:04o}", a.mode), item });
    }
    // Assembled by hand: the values are JSON text already.
    Ok(format!(
        "{{\"blueprint\":{},\"header\":{},\"plan\":{},\"values\":[{}],\"artifacts\":{}}}\n",
        json(name)?,
        json(&plan.header)?,
        json(&plan_value)?,
        values.join(","),
        json(&out)?
    ))
}

/// Writes `dir/<name>.json`.
pub fn write(dir: &Path, name: &str, plan: &Plan) -> Result<()> {
    let text = context_json(name, plan)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_by_json_pointer() {
        let plan = Value::from_serialize(serde_json::json!({"a/b~": {"x": [1]}, "c": [{"y": 2}], "d": {"x": [1]}}));
        let mut wanted: HashMap<String, Option<String>> =
            [r#"{"x":[1]}"#, r#"{"y":2}"#, r#"{"z":3}"#].iter().map(|t| (t.to_string(), None)).collect();
        locate(&plan, "", 0, &mut wanted).expect("locate");
        // Keys escaped as RFC 6901 says; the first of two equal parts wins.
        assert_eq!(wanted[r#"{"x":[1]}"#].as_deref(), Some("/a~1b~0"));
        assert_eq!(wanted[r#"{"y":2}"#].as_deref(), Some("/c/0"));
        assert_eq!(wanted[r#"{"z":3}"#], None);
    }
}
