//! The blueprint JSON Schema, derived from the model types with schemars.
//!
//! `gen schema` prints it, `schemas/blueprint.schema.json` is its committed
//! copy (a test fails when they differ), and `load` validates every blueprint
//! against it, so editors and the compiler agree on one definition.
//!
//! The model's doc comments are the descriptions editors show on hover; a
//! few passes over schemars' output make it work in yaml-language-server
//! (no `"default": null`, one line per paragraph, variant keys described).
//! `tests/editor.rs` checks the result in the real server.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::blueprint::model::Blueprint;

/// The schema as a JSON value, built once per process.
pub fn blueprint_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema = SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<Blueprint>();
        let mut value = serde_json::to_value(schema).unwrap_or(Value::Null);
        drop_null_alternatives(&mut value);
        drop_null_defaults(&mut value);
        unwrap_descriptions(&mut value);
        describe_variant_keys(&mut value);
        if let Value::Object(map) = &mut value {
            map.insert("$id".into(), Value::String("https://gen.invalid/schemas/blueprint.schema.json".into()));
            map.insert("title".into(), Value::String("gen blueprint".into()));
        }
        value
    })
}

/// `Option` fields are simply optional keys: an explicit `null` is as wrong
/// as any other wrong type, and errors stay precise (an `anyOf` with `null`
/// would hide which key inside was wrong).
fn drop_null_alternatives(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            let single = match map.get("anyOf") {
                Some(Value::Array(arms)) if arms.len() == 2 => {
                    let is_null = |v: &Value| v.get("type").is_some_and(|t| t == "null");
                    arms.iter().find(|a| !is_null(a)).filter(|_| arms.iter().any(is_null)).cloned()
                }
                _ => None,
            };
            if let Some(Value::Object(arm)) = single {
                map.remove("anyOf");
                for (k, v) in arm {
                    map.entry(k).or_insert(v);
                }
            }
            map.values_mut().for_each(drop_null_alternatives);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_alternatives),
        _ => {}
    }
}

/// schemars writes `"default": null` for every `#[serde(default)]` `Option`
/// field. It says nothing (a left-out key is simply absent) and it breaks
/// yaml-language-server, whose completion turns each default into YAML text
/// and fails on `null`, so no key below the top level was ever offered.
/// Meaningful defaults (`"default": 1`, `"default": "ext4"`) stay.
fn drop_null_defaults(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// Doc comments are wrapped at 100 columns; editors render each `\n` of a
/// description as a paragraph break (yaml-language-server's hover is
/// Markdown). One line per paragraph: a single `\n` becomes a space, a blank
/// line stays.
fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = text.split("\n\n").map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join("\n\n");
            }
            map.values_mut().for_each(unwrap_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// An externally tagged enum variant with data (`{monthly_total: 20.75}`)
/// is a `oneOf` arm: an object with one property, the variant's key. The
/// variant's doc comment lands on the arm; hover on the key shows the key's
/// own schema, so the key gets the arm's description too.
fn describe_variant_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(arms)) = map.get_mut("oneOf") {
                for arm in arms.iter_mut() {
                    let Some(description) = arm.get("description").cloned() else { continue };
                    if let Some(Value::Object(props)) = arm.get_mut("properties") {
                        if let (1, Some(Value::Object(key))) = (props.len(), props.values_mut().next()) {
                            key.entry("description").or_insert(description);
                        }
                    }
                }
            }
            map.values_mut().for_each(describe_variant_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(describe_variant_keys),
        _ => {}
    }
}

/// The schema as committed: pretty JSON, one trailing newline.
pub fn blueprint_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(blueprint_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The validator, compiled once per process.
pub fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(blueprint_schema())
            .unwrap_or_else(|e| panic!("the derived blueprint schema does not compile, a bug in gen: {e}"))
    })
}

/// The schema node at a JSON pointer into the schema (for error hints).
pub fn node_at(pointer: &str) -> Option<&'static Value> {
    blueprint_schema().pointer(pointer)
}
